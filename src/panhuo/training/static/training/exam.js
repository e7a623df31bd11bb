// The exam's countdown (the server keeps the real deadline: a late paper is not scored).
(function () {
  var el = document.getElementById("exam-timer");
  if (!el) { return; }
  var left = parseInt(el.getAttribute("data-seconds"), 10) || 0;
  function show() {
    var m = Math.floor(left / 60), s = left % 60;
    el.textContent = "⏱ " + m + ":" + (s < 10 ? "0" : "") + s;
    if (left <= 60) { el.classList.add("ending"); }
    if (left > 0) { left -= 1; setTimeout(show, 1000); }
  }
  show();
}());
