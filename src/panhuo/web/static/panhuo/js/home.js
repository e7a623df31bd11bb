// Draws the lifecycle chart of the home page from the JSON the view embeds (no inline script: CSP friendly).
(function () {
  var el = document.getElementById("lifecycle-chart");
  var data = document.getElementById("lifecycle-data");
  if (!el || !data || !window.echarts) return;
  var rows = JSON.parse(data.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], data: rows.map(function (r) { return { name: r.label, value: r.n }; }) }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
