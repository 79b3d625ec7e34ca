// "Select all on this page" on the register list's bulk actions (templates/processing/activity_list.html):
// a real checkbox that ticks or unticks every activity box of the page, checked when all are ticked and
// mixed (indeterminate) when only some are. Without JavaScript it stays hidden: each activity is chosen
// on its own, as before. The activity boxes belong to the form through their form="…" attribute, so
// the form's own `elements` lists them wherever they sit in the page.
(function () {
  document.querySelectorAll("[data-select-all]").forEach(function (control) {
    var form = control.closest("form");
    var all = control.querySelector('input[type="checkbox"]');
    var name = control.getAttribute("data-select-all");
    if (!form || !all || !name) return;

    function boxes() {
      return Array.prototype.filter.call(form.elements, function (element) {
        return element.type === "checkbox" && element.name === name && !element.disabled;
      });
    }

    function sync() {
      var list = boxes();
      var ticked = list.filter(function (box) {
        return box.checked;
      }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    }

    if (!boxes().length) return;
    control.hidden = false;

    all.addEventListener("change", function () {
      boxes().forEach(function (box) {
        box.checked = all.checked;
      });
      all.indeterminate = false;
    });
    // The activity boxes sit in the table, outside the form: listen on the document.
    document.addEventListener("change", function (event) {
      if (event.target !== all && event.target.form === form && event.target.name === name) sync();
    });
    // The browser may restore ticked boxes (back button, reload): start from what the page shows.
    window.addEventListener("pageshow", sync);
    sync();
  });
})();
