// Draws the allocation page's load chart (clients per advisor against capacity) from the JSON the view embeds;
// static file, no inline script (CSP). charts.js, loaded before, adapts tooltips and motion.
(function () {
  var el = document.getElementById("load-chart");
  var data = document.getElementById("load-data");
  var labels = document.getElementById("load-labels");
  if (!el || !data || !labels || !window.echarts) return;
  var rows = JSON.parse(data.textContent);
  var words = JSON.parse(labels.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [words.clients, words.capacity] },
    grid: { left: 48, right: 16, top: 36, bottom: 72 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 45, interval: 0 } },
    yAxis: { type: "value" },
    series: [
      { name: words.clients, type: "bar", data: rows.map(function (r) {
          var over = r.active && r.clients > r.capacity;
          return { value: r.clients, itemStyle: { color: !r.active ? "#9e9e9e" : (over ? "#c62828" : "#1565c0") } };
        }) },
      { name: words.capacity, type: "line", step: "middle", symbol: "none", lineStyle: { color: "#ef6c00" },
        data: rows.map(function (r) { return r.active ? r.capacity : null; }) }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
