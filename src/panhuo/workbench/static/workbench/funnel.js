// The funnel page: one funnel chart per track (ECharts, served locally). The numbers come written the staff's
// way from the server (workbench/charts.py with panhuo/formatting.py); this file only draws them.
(function () {
  "use strict";
  if (!window.echarts) return;
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var colors = ["#f5b7b1", "#ec7063", "#c0392b", "#922b21"];
  document.querySelectorAll(".funnel-chart[data-source]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-source"));
    if (!source) return;
    var d = JSON.parse(source.textContent);
    var byName = {};
    d.stages.forEach(function (s) { byName[s.name] = s; });
    function label(p) {
      var s = byName[p.name];
      var text = s.name + "  " + s.count;
      if (s.conversion) text += zh ? "（转化 " + s.conversion + "）" : " (conversion " + s.conversion + ")";
      return text;
    }
    echarts.init(el).setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var s = byName[p.name];
        return s.name + "\n" + (zh ? "到达过：" : "Reached: ") + s.count + "\n" + (zh ? "目前在此阶段：" : "Here now: ") + s.now +
          (s.conversion ? "\n" + (zh ? "转化：" : "Conversion: ") + s.conversion : "");
      } },
      series: [{
        type: "funnel", left: "3%", width: "50%", top: 10, bottom: 10, minSize: "8%", sort: "none", gap: 2,
        label: { position: "right", formatter: label, color: "#1f2933", fontSize: 13 }, labelLine: { length: 12 },
        labelLayout: { hideOverlap: true },
        data: d.stages.map(function (s, i) { return { name: s.name, value: s.value, itemStyle: { color: colors[i % colors.length] } }; })
      }]
    });
  });
})();
