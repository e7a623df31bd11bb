// The KPI page's trend charts, drawn from the JSON the view embeds (no inline script: CSP). Numbers follow the
// pages' rules through charts.js (万/亿 on Chinese pages, K/M/B on English ones).
(function () {
  var data = document.getElementById("kpi-data");
  if (!data || !window.echarts) return;
  var d = JSON.parse(data.textContent), f = window.panhuoFormat;
  var charts = [];

  function draw(id, series, right) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el);
    var yAxis = [{ type: "value" }];
    if (right) yAxis.push(right.axis ? { type: "value", axisLabel: { formatter: right.axis } } : { type: "value" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: right ? 60 : 20, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.months },
      yAxis: yAxis,
      series: series.map(function (s) {
        return { name: d.labels[s.key], type: s.type || "line", yAxisIndex: s.right ? 1 : 0, data: d.series[s.key],
                 smooth: false, showSymbol: true };
      })
    });
    charts.push(chart);
  }

  // Net inflow is a fraction of the assets: on its own axis (right) so its bars can be read.
  draw("chart-assets", [{ key: "assets_total" }, { key: "net_inflow", type: "bar", right: true }], {});
  draw("chart-clients", [{ key: "active_clients" }, { key: "dormant_clients" }, { key: "reactivated_clients", type: "bar" }]);
  draw("chart-coverage", [{ key: "coverage" }, { key: "turnover_rate", right: true }],
       { axis: function (v) { return v.toFixed(1); } });
  var cov = charts[2];
  if (cov) cov.setOption({ yAxis: [{ type: "value", min: 0, max: 1, axisLabel: { formatter: function (v) { return f.pct(v, 0); } } }] });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
