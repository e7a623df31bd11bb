// A <select data-autosubmit> submits its form when changed: the CSP allows no inline onchange= handlers.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.form && el.hasAttribute("data-autosubmit")) el.form.submit();
});
