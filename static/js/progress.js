// Follows a compliance check run (templates/compliance/compliance_run.html): asks the run's
// status every second and moves the progress bar; once the run has finished, reloads the
// page, which then shows the result. Without JavaScript the page's Refresh link does this.
(function () {
  var run = document.querySelector("[data-status-url]");
  if (!run || run.dataset.finished === "true") return;
  var bar = run.querySelector("progress");
  var label = run.querySelector("[data-run-label]");
  var progress = run.querySelector("[data-run-progress]");
  var refresh = run.querySelector("[data-run-refresh]");
  if (refresh) refresh.parentNode.hidden = true;

  function show(state) {
    if (state.steps_total) {
      bar.max = state.steps_total;
      bar.value = state.steps_done;
      bar.textContent = state.percent + "%";
    }
    if (label.textContent !== state.status_label) label.textContent = state.status_label;
    progress.textContent = state.progress;
  }

  function poll() {
    fetch(run.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        if (state.finished) {
          window.location.reload();
          return;
        }
        show(state);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // Offline or signed out: offer the link, and try again a little later.
        if (refresh) refresh.parentNode.hidden = false;
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
