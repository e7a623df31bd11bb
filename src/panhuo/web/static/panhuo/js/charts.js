// Loaded after ECharts on every page with charts; adjusts each chart's options before it draws:
// - tooltips are drawn on the chart's canvas (renderMode "richText") rather than as HTML: ECharts' HTML tooltip
//   carries style="" attributes, which the Content-Security-Policy (style-src 'self') refuses;
// - with the reader's "reduce motion" setting on, charts draw at once, without the entry animation (an
//   accessibility setting; browser checks use it so screenshots show the finished chart).
(function () {
  if (!window.echarts) return;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function adjust(option) {
    var o = Object.assign({}, option);
    if (o.tooltip) {
      o.tooltip = [].concat(o.tooltip).map(function (t) { return Object.assign({ renderMode: "richText" }, t); });
      if (!Array.isArray(option.tooltip)) o.tooltip = o.tooltip[0];
    }
    if (still) o.animation = false;
    return o;
  }

  var init = echarts.init;
  echarts.init = function () {
    var chart = init.apply(echarts, arguments);
    var setOption = chart.setOption;
    chart.setOption = function (option) {
      var rest = Array.prototype.slice.call(arguments, 1);
      return setOption.apply(chart, [adjust(option)].concat(rest));
    };
    return chart;
  };
})();
