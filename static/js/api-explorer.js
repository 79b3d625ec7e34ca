// The API explorer (Swagger UI, templates/api/explorer.html): what Swagger UI's own markup lacks for
// WCAG 2.1 AA, added to what it draws as it draws it (an operation opens, "Try it out" adds fields,
// "Execute" adds the response):
// - each parameter's field is named after its parameter: Swagger UI shows the name in the row's first
//   cell without tying it to the field, so a select had no name at all (axe select-name, WCAG 4.1.2);
// - each code block (examples, the response, the curl command) scrolls on its own: it becomes a named
//   region that the keyboard reaches, to scroll it (axe scrollable-region-focusable, WCAG 2.1.1).
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || !window.MutationObserver) return;

  function nameParameterFields() {
    root.querySelectorAll("tr[data-param-name]").forEach(function (row) {
      var name = row.getAttribute("data-param-name");
      var where = row.getAttribute("data-param-in");
      var label = where ? name + " (" + where + ")" : name;
      var fields = row.querySelectorAll(
        ".parameters-col_description select, .parameters-col_description input, .parameters-col_description textarea"
      );
      fields.forEach(function (field) {
        if (field.type === "hidden" || field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby")) return;
        if (field.labels && field.labels.length) return;
        field.setAttribute("aria-label", label);
      });
    });
  }

  function reachCodeBlocks() {
    root.querySelectorAll("pre.microlight:not([tabindex])").forEach(function (block) {
      block.setAttribute("tabindex", "0");
      block.setAttribute("role", "region");
      block.setAttribute("aria-label", "Code");
    });
  }

  function mend() {
    nameParameterFields();
    reachCodeBlocks();
  }

  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  mend();
})();
