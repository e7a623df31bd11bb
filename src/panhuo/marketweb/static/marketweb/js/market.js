// Market page: the index chart with regime bands (ECharts markArea), switchable between indices.
(function () {
  "use strict";
  var el = document.getElementById("index-chart");
  var src = document.getElementById("market-chart-data");
  if (!el || !src || !window.echarts) { return; }
  var d = JSON.parse(src.textContent);
  var colors = { strong: "rgba(192,57,43,0.12)", consolidating: "rgba(97,110,124,0.10)", weak: "rgba(46,125,50,0.12)" };
  var chart = echarts.init(el);

  function show(symbol) {
    var s = d.series[symbol];
    var label = (d.symbols.find(function (x) { return x.symbol === symbol; }) || {}).label || symbol;
    var bands = s.bands.map(function (b) {
      return [{ xAxis: b[0], name: d.regimes[b[2]] || b[2], itemStyle: { color: colors[b[2]] } }, { xAxis: b[1] }];
    });
    chart.setOption({
      tooltip: { trigger: "axis" }, grid: { left: 60, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: s.dates }, yAxis: { type: "value", scale: true },
      series: [{ name: label, type: "line", data: s.close, showSymbol: false, lineStyle: { width: 1.5 },
                 markArea: { silent: true, label: { show: false }, data: bands } }]
    }, true);
  }

  document.querySelectorAll(".index-btn").forEach(function (btn) {
    btn.addEventListener("click", function () {
      document.querySelectorAll(".index-btn").forEach(function (b) {
        b.classList.toggle("on", b === btn);
        b.setAttribute("aria-pressed", b === btn ? "true" : "false");
      });
      show(btn.dataset.symbol);
    });
  });
  if (d.symbols.length) { show(d.symbols[0].symbol); }
  window.addEventListener("resize", function () { chart.resize(); });
})();
