// Loaded after ECharts on every page with charts; adjusts each chart's options before it draws:
// - numbers on value axes and in tooltips follow the pages' rules (panhuo/formatting.py): 万/亿 on Chinese pages,
//   K/M/B on English ones, separators for the rest; never "17,000,000" or "+2236k". Pages use
//   window.panhuoFormat.amount/count/pct for their own labels (the language is read from <html lang>);
// - tooltips are drawn on the chart's canvas (renderMode "richText") rather than as HTML: ECharts' HTML tooltip
//   carries style="" attributes, which the Content-Security-Policy (style-src 'self') refuses;
// - with the reader's "reduce motion" setting on, charts draw at once, without the entry animation (an
//   accessibility setting; browser checks use it so screenshots show the finished chart).
(function () {
  var zh = (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0;

  function fixed(v, digits) {
    var text = Math.abs(v).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return (v < 0 && Number(text.replace(/,/g, "")) !== 0 ? "-" : "") + text;
  }
  // Short form for axis ticks: trailing zeros dropped (1.5亿, 800万, 20K).
  function trim(text) { return text.indexOf(".") < 0 ? text : text.replace(/\.?0+$/, ""); }

  function amount(v, digits, short) {
    if (v === null || v === undefined || isNaN(v)) return "—";
    digits = digits === undefined ? 2 : digits;
    var a = Math.abs(v), t = short ? trim : function (x) { return x; };
    if (a === 0) return "0";
    if (zh) {
      if (a >= 1e8) return t(fixed(v / 1e8, digits)) + "亿";
      if (a >= 1e4 || (!short && a >= 100)) return t(fixed(v / 1e4, digits)) + "万";
      return fixed(v, 0) + (short ? "" : "元");
    }
    var steps = [[1e9, "B"], [1e6, "M"], [1e3, "K"]];
    for (var i = 0; i < steps.length; i++) if (a >= steps[i][0]) return t(fixed(v / steps[i][0], digits)) + steps[i][1];
    return fixed(v, 0);
  }
  function count(v) { return (v === null || v === undefined || isNaN(v)) ? "—" : fixed(Math.round(v), 0); }
  function pct(v, digits) { return fixed(v * 100, digits === undefined ? 1 : digits) + "%"; }
  // A value axis: big numbers in 万/亿 (K/M/B), small ones with separators.
  // Fractional ticks (0.2, 0.4 … on a chart of rates or of small counts) keep their decimals, else two ticks
  // would both read "0" or "1".
  function tick(v) {
    if (Math.abs(v) >= 1e4) return amount(v, 2, true);
    return v === Math.round(v) ? count(v) : trim(fixed(v, 2));
  }

  window.panhuoFormat = { zh: zh, amount: amount, count: count, pct: pct, tick: tick };
  if (!window.echarts) return;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function axes(list) {
    if (!list) return list;
    var one = !Array.isArray(list);
    var out = [].concat(list).map(function (ax) {
      if (ax.type !== "value" || (ax.axisLabel && ax.axisLabel.formatter)) return ax;
      return Object.assign({}, ax, { axisLabel: Object.assign({}, ax.axisLabel, { formatter: tick }) });
    });
    return one ? out[0] : out;
  }

  function adjust(option) {
    var o = Object.assign({}, option);
    if (o.tooltip) {
      o.tooltip = [].concat(o.tooltip).map(function (t) {
        return Object.assign({ renderMode: "richText", valueFormatter: function (v) { return typeof v === "number" ? tick(v) : v; } }, t);
      });
      if (!Array.isArray(option.tooltip)) o.tooltip = o.tooltip[0];
    }
    o.yAxis = axes(o.yAxis);
    o.xAxis = axes(o.xAxis);
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
