// Shows the profession-specific fields (CPE Monitor for pharmacy professions; the birth month and
// day for them and for physicians, whose AMA credit is reported to PARS) only when one of the
// professions in an element's data-professions is chosen. The server decides what is required.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("profession");
  if (!select) return;
  var boxes = document.querySelectorAll("[data-professions]");
  function update() {
    for (var i = 0; i < boxes.length; i++) {
      var professions = (boxes[i].getAttribute("data-professions") || "").split(" ");
      boxes[i].hidden = professions.indexOf(select.value) < 0;
    }
  }
  select.addEventListener("change", update);
  update();
});
