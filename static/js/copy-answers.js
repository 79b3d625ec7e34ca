// Adds a "Copy" button to each answer of the breach notification draft
// (templates/breaches/notification_draft.html), to paste it into the authority's online form.
// Without JavaScript or a clipboard the answers are selected and copied by hand, as before.
(function () {
  var labels = document.querySelector("[data-copy-labels]");
  var answers = document.querySelectorAll("[data-copy-answer]");
  if (!labels || !answers.length || !navigator.clipboard || !window.isSecureContext) return;

  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  labels.parentNode.insertBefore(status, labels);

  // The answer's text, its line breaks kept, without the button itself.
  function answerText(answer) {
    var parts = [];
    answer.childNodes.forEach(function (node) {
      if (node.nodeName === "BR") parts.push("\n");
      else if (node.nodeType === Node.TEXT_NODE) parts.push(node.data);
      else if (!node.classList.contains("copy-answer")) parts.push(node.innerText);
    });
    return parts.join("").trim();
  }

  answers.forEach(function (answer, index) {
    var term = answer.previousElementSibling;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button copy-answer no-print";
    button.id = "copy-answer-" + index;
    button.textContent = labels.dataset.copy;
    if (term) {
      // Named "Copy" followed by the question it answers, for screen readers.
      term.id = term.id || "copy-term-" + index;
      button.setAttribute("aria-labelledby", button.id + " " + term.id);
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(answerText(answer)).then(
        function () {
          button.textContent = labels.dataset.copied;
          status.textContent = labels.dataset.copied;
          window.setTimeout(function () {
            button.textContent = labels.dataset.copy;
            status.textContent = "";
          }, 2000);
        },
        function () {
          status.textContent = labels.dataset.failed;
        }
      );
    });
    answer.appendChild(document.createTextNode(" "));
    answer.appendChild(button);
  });
})();
