// Moves the focus to the error summary of a refused form (templates/includes/error_summary.html),
// so that the reader, and a screen reader, start from the list of problems; each link of the list
// then moves the focus to its field. Without JavaScript the summary is at the top of the form all
// the same.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary || summary.dataset.focused) return;
  summary.dataset.focused = "true";
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var control = document.getElementById(link.getAttribute("href").slice(1));
    if (!control) return;
    event.preventDefault();
    control.scrollIntoView({ block: "center" });
    control.focus();
  });
})();
