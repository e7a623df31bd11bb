// Campaign report charts: treatment vs control bars with the lift's interval, by advisor and by channel; funnel.
(function () {
  "use strict";
  var el = document.getElementById("campaign-chart");
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.textContent);
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var T = zh ? "处理组" : "Treatment", C = zh ? "对照组" : "Control", L = zh ? "提升 (95%区间)" : "Lift (95% interval)";
  function bars(id, b) {
    var node = document.getElementById(id);
    if (!node) { return; }
    if (!b.labels.length) {            // nothing to compare yet: hide the empty chart and its heading
      node.style.display = "none";
      var head = node.previousElementSibling;
      if (head && head.tagName === "H3") { head.style.display = "none"; }
      return;
    }
    echarts.init(node).setOption({
      tooltip: { trigger: "axis" }, legend: { data: [T, C, L] }, grid: { left: 60, right: 20, top: 40, bottom: 40 },
      xAxis: { type: "category", data: b.labels }, yAxis: { type: "value" },
      series: [
        { name: T, type: "bar", data: b.treatment, itemStyle: { color: "#c0392b" } },
        { name: C, type: "bar", data: b.control, itemStyle: { color: "#7f8c8d" } },
        { name: L, type: "scatter", data: b.lift, symbolSize: 10,
          markLine: { silent: true, symbol: "none", data: b.labels.map(function (x, i) {
            return [{ coord: [x, b.low[i]] }, { coord: [x, b.high[i]] }]; }) } }
      ]
    });
  }
  bars("chart-advisor", d.advisor.labels.length ? d.advisor : d.overall);
  bars("chart-channel", d.channel);
  var f = document.getElementById("chart-funnel");
  if (f) {
    var stages = ["A", "B", "C", "D"];
    echarts.init(f).setOption({
      tooltip: { trigger: "axis" }, legend: { data: [T, C] }, grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: stages }, yAxis: { type: "value" },
      series: [{ name: T, type: "bar", data: stages.map(function (s) { return d.funnel.treatment[s]; }) },
               { name: C, type: "bar", data: stages.map(function (s) { return d.funnel.control[s]; }) }]
    });
  }
})();
