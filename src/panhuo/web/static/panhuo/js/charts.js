// Every chart honours the reader's "reduce motion" setting: with it on, charts draw at once, without the
// entry animation (an accessibility setting; browser checks use it so screenshots show the finished chart).
(function () {
  if (!window.echarts || !window.matchMedia || !window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    return;
  }
  var init = echarts.init;
  echarts.init = function () {
    var chart = init.apply(echarts, arguments);
    var setOption = chart.setOption;
    chart.setOption = function (option) {
      var rest = Array.prototype.slice.call(arguments, 1);
      return setOption.apply(chart, [Object.assign({}, option, { animation: false })].concat(rest));
    };
    return chart;
  };
})();
