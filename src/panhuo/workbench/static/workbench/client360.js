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
    // One date format everywhere (panhuo/formatting.py cn_date): 2026-03-06; months on the axis as 2026-03.
    function ymd(v) {
      if (typeof v === "string") return v.slice(0, 10);
      var t = new Date(v);
      return t.getFullYear() + "-" + String(t.getMonth() + 1).padStart(2, "0") + "-" + String(t.getDate()).padStart(2, "0");
    }
    function ym(v) { return ymd(v).slice(0, 7); }
    // A transfer is marked on the week it falls in: the first week end on or after its date.
    var marks = d.transfers.map(function (t) {
      var wk = d.dates.find(function (w) { return w >= t.date; }) || d.dates[d.dates.length - 1];
      return { coord: [wk, byDate[wk]], value: (t.dir === "in" ? "+" : "-") + window.panhuoFormat.amount(t.amount, 1, true),
               symbol: "triangle", symbolRotate: t.dir === "in" ? 0 : 180,
               label: { position: t.dir === "in" ? "top" : "bottom" },
               itemStyle: { color: t.dir === "in" ? "#c0392b" : "#2e7d32" } };
    });
    var month = 30 * 864e5;
    echarts.init(assetsEl).setOption({
      tooltip: { trigger: "axis", formatter: function (ps) {
        var p = [].concat(ps)[0];
        return ymd(p.value[0]) + "\n" + p.seriesName + ": " + window.panhuoFormat.amount(p.value[1]);
      } },
      grid: { left: 70, right: 24, top: 28, bottom: 30 },
      // A time axis: weeks that are not evenly spaced (a gap in the data) keep their true distance. Ticks at
      // least a month apart, labelled by month, and labels that would touch are dropped rather than overlapped.
      xAxis: { type: "time", minInterval: month, splitNumber: 6,
               axisLabel: { formatter: ym, hideOverlap: true }, splitLine: { show: false } },
      yAxis: { type: "value", scale: true },
      series: [{ name: zh ? "总资产" : "Total assets", type: "line",
                 data: d.dates.map(function (day, i) { return [day, d.assets[i]]; }), showSymbol: d.dates.length < 30,
                 markPoint: { data: marks, symbolSize: 12, label: { fontSize: 10, color: "#1f2933" } },
                 labelLayout: { hideOverlap: true } }]
    });
  }
  var calEl = document.getElementById("trade-calendar");
  var calData = document.getElementById("calendar-data");
  if (calEl && calData && window.echarts) {
    var c = JSON.parse(calData.textContent);
    // The year starts on the first of a month (11 whole months before the data date's): a partial first month
    // would put its label on top of the next one's.
    var y = Number(c.end.slice(0, 4)), m = Number(c.end.slice(5, 7)) - 11;
    if (m < 1) { m += 12; y -= 1; }
    var from = y + "-" + String(m).padStart(2, "0") + "-01";
    echarts.init(calEl).setOption({
      tooltip: {}, visualMap: { show: false, min: 0, max: 1, inRange: { color: ["#eee", "#c0392b"] } },
      calendar: { range: [from, c.end], cellSize: ["auto", 13], top: 25, left: 30, right: 10,
                  dayLabel: { nameMap: zh ? "ZH" : "EN" }, monthLabel: { nameMap: zh ? "ZH" : "EN" }, yearLabel: { show: false } },
      series: [{ type: "heatmap", coordinateSystem: "calendar", data: c.days }]
    });
  }
})();
