// A form sent back with errors: the error summary at its top (templates/_forms.html) takes the
// focus, so a screen reader announces it and the keyboard starts there; each of its links moves
// the focus to its field (the first choice of a group of radio buttons), not only the scroll.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    var control = target.matches("input, select, textarea, button")
      ? target : target.querySelector("input, select, textarea, button");
    if (!control) return;
    event.preventDefault();
    control.focus();
    (target.closest("fieldset, .field") || target).scrollIntoView({block: "center"});
  });
});
