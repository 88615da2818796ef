// Shows the CPE Monitor fields only when a pharmacy profession is chosen (the server decides too).
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("profession");
  var box = document.getElementById("pharmacy-fields");
  if (!select || !box) return;
  var pharmacy = (box.getAttribute("data-professions") || "").split(" ");
  function update() { box.hidden = pharmacy.indexOf(select.value) < 0; }
  select.addEventListener("change", update);
  update();
});
