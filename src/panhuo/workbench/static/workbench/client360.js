// Client 360 charts: weekly assets with transfer markers, and a calendar of trading days (ECharts, served locally).
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var assetsEl = document.getElementById("assets-chart");
  var assetsData = document.getElementById("assets-data");
  if (assetsEl && assetsData && window.echarts) {
    var d = JSON.parse(assetsData.textContent);
    var byDate = {};
    d.dates.forEach(function (day, i) { byDate[day] = d.assets[i]; });
    // A transfer is marked on the week it falls in: the first week end on or after its date.
    var marks = d.transfers.map(function (t) {
      var wk = d.dates.find(function (w) { return w >= t.date; }) || d.dates[d.dates.length - 1];
      return { coord: [wk, byDate[wk]], value: (t.dir === "in" ? "+" : "-") + window.panhuoFormat.amount(t.amount, 1, true),
               symbol: t.dir === "in" ? "triangle" : "pin", symbolRotate: t.dir === "in" ? 0 : 180,
               itemStyle: { color: t.dir === "in" ? "#c0392b" : "#2e7d32" } };
    });
    echarts.init(assetsEl).setOption({
      tooltip: { trigger: "axis" }, grid: { left: 70, right: 20, top: 20, bottom: 30 },
      xAxis: { type: "category", data: d.dates }, yAxis: { type: "value", scale: true },
      series: [{ name: zh ? "总资产" : "Total assets", type: "line", data: d.assets, showSymbol: d.dates.length < 30,
                 markPoint: { data: marks, symbolSize: 28, label: { fontSize: 9 } } }]
    });
  }
  var calEl = document.getElementById("trade-calendar");
  var calData = document.getElementById("calendar-data");
  if (calEl && calData && window.echarts) {
    var c = JSON.parse(calData.textContent);
    var end = new Date(c.end), start = new Date(end.getTime() - 364 * 864e5);
    echarts.init(calEl).setOption({
      tooltip: {}, visualMap: { show: false, min: 0, max: 1, inRange: { color: ["#eee", "#c0392b"] } },
      calendar: { range: [start.toISOString().slice(0, 10), c.end], cellSize: ["auto", 13], top: 25, left: 30, right: 10,
                  dayLabel: { nameMap: zh ? "ZH" : "EN" }, monthLabel: { nameMap: zh ? "ZH" : "EN" }, yearLabel: { show: false } },
      series: [{ type: "heatmap", coordinateSystem: "calendar", data: c.days }]
    });
  }
})();
