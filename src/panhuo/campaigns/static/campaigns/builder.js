// The campaign builder (a static file: the CSP forbids inline script). Adds target rows (drawn by the server,
// /campaigns/rule-row/), shows the second value of a "between" row, and adds schedule rows.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var rules = document.getElementById("rules");
    var addRule = document.getElementById("add-rule");
    if (rules && addRule) {
      addRule.addEventListener("click", function () {
        var i = parseInt(rules.dataset.next || "0", 10);
        if (i >= 20) return;
        rules.dataset.next = String(i + 1);
        window.htmx.ajax("GET", addRule.dataset.url + "?i=" + i, { target: "#rules", swap: "beforeend" });
      });
      rules.addEventListener("change", function (e) {
        if (!e.target.classList.contains("rule-op")) return;
        var to = e.target.closest(".rule").querySelector(".rule-to");
        if (to) to.hidden = e.target.value !== "between";
      });
    }
    var addStep = document.getElementById("add-step");
    var steps = document.querySelector("#steps tbody");
    if (addStep && steps) {
      addStep.addEventListener("click", function () {
        var i = parseInt(addStep.dataset.next || "0", 10);
        if (i >= 12) return;
        addStep.dataset.next = String(i + 1);
        var row = steps.querySelector("tr.step:last-child").cloneNode(true);
        row.querySelectorAll("[name]").forEach(function (el) {
          el.name = el.name.replace(/^step-\d+-/, "step-" + i + "-");
          el.value = "";
        });
        row.querySelector(".lint-out").textContent = "";
        steps.appendChild(row);
        window.htmx.process(row);
      });
    }
  });
})();
