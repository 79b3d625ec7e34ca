// Adds rows to a Django formset without leaving the page: clones the formset's template
// row, numbers it, and updates TOTAL_FORMS. Without JavaScript the "Add" button posts the
// form and the server answers with one more blank row, saving nothing.
document.querySelectorAll(".formset").forEach(function (formset) {
  var prefix = formset.dataset.prefix;
  var total = formset.querySelector("#id_" + prefix + "-TOTAL_FORMS");
  var template = formset.querySelector(".formset-template");
  var rows = formset.querySelector(".formset-rows");
  var button = formset.querySelector(".formset-add");
  if (!total || !template || !button) return;
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var wrapper = document.createElement("div");
    wrapper.innerHTML = html;
    var row = wrapper.firstElementChild;
    var legend = row.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.trim() + " " + (index + 1);
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
});
