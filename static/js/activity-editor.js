// The activity editor swaps a section in place (htmx, hx-boost): once the new section is in,
// move the focus to its title so that keyboard and screen-reader users start there, unless a
// refused save put the error summary first (static/js/error-summary.js focuses it).
document.body.addEventListener("htmx:afterSettle", function (event) {
  var editor = document.getElementById("activity-editor");
  if (!editor) return;
  if (editor.querySelector("[data-error-summary]")) return;
  var title = document.getElementById("editor-title");
  if (title) title.focus();
});
