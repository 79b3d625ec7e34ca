// A searchable country picker over a <select multiple data-country-picker> (progressive enhancement).
// The select stays in the form, hidden, and remains what is submitted: a search box (an ARIA combobox with its
// listbox) adds a country, the chosen ones are listed below, each with a Remove button. Nothing is ever dropped
// silently: choosing adds, only Remove takes away. Keyboard: type to filter, Down/Up to move, Enter to add,
// Escape to close. Its words come from the select's data-* attributes, translated by the server.
(function () {
  "use strict";
  var counter = 0;

  function make(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    if (text) element.textContent = text;
    return element;
  }

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select) {
    var id = "country-picker-" + (++counter);
    var data = select.dataset;
    var wrapper = make("div", { "class": "country-picker" });
    var label = make("label", { "for": id + "-search" }, data.searchLabel);
    var help = make("p", { "class": "help", id: id + "-help" }, data.searchHelp);
    var input = make("input", {
      id: id + "-search", type: "text", role: "combobox", autocomplete: "off",
      "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "-options",
      "aria-describedby": id + "-help"
    });
    var listbox = make("ul", { id: id + "-options", role: "listbox", "class": "country-picker-options", "aria-label": data.searchLabel });
    listbox.hidden = true;
    var chosenHeading = make("p", { "class": "country-picker-heading", id: id + "-chosen" }, data.chosenLabel);
    var chosen = make("ul", { "class": "country-picker-chosen", "aria-labelledby": id + "-chosen" });
    var status = make("p", { "class": "visually-hidden", role: "status", "aria-live": "polite" });
    var active = -1;
    var matches = [];

    function renderChosen() {
      chosen.textContent = "";
      var selected = Array.prototype.filter.call(select.options, function (option) { return option.selected; });
      if (!selected.length) chosen.appendChild(make("li", { "class": "help" }, data.noneChosen));
      selected.forEach(function (option) {
        var item = make("li");
        item.appendChild(make("span", {}, option.textContent));
        var remove = make("button", { type: "button", "class": "link-button", "aria-label": data.removeLabel + " " + option.textContent }, data.removeLabel);
        remove.addEventListener("click", function () {
          option.selected = false;
          renderChosen();
          status.textContent = data.removeLabel + " " + option.textContent;
          input.focus();
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = listbox.querySelectorAll("[role=option]");
      items.forEach(function (item, position) { item.setAttribute("aria-selected", position === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function add(option) {
      option.selected = true;
      renderChosen();
      status.textContent = option.textContent;
      input.value = "";
      close();
      input.focus();
    }

    function search() {
      var query = normalise(input.value.trim());
      listbox.textContent = "";
      if (!query) { close(); return; }
      matches = Array.prototype.filter.call(select.options, function (option) {
        return !option.selected && normalise(option.textContent).indexOf(query) !== -1;
      }).slice(0, 12);
      if (!matches.length) {
        listbox.appendChild(make("li", { "class": "help", role: "presentation" }, data.noMatch));
      }
      matches.forEach(function (option, index) {
        var item = make("li", { id: id + "-option-" + index, role: "option", "aria-selected": "false" }, option.textContent);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); add(option); });
        listbox.appendChild(item);
      });
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(matches.length ? 0 : -1);
    }

    input.addEventListener("input", search);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && matches.length) {
        event.preventDefault();
        if (listbox.hidden) search(); else highlight(Math.min(active + 1, matches.length - 1));
      } else if (event.key === "ArrowUp" && matches.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!listbox.hidden && active >= 0 && matches[active]) {
          event.preventDefault();  // adds the country, never submits the form
          add(matches[active]);
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);

    // The select stays for the form's submission, hidden; its label heads the picker; its help (Ctrl-click) gives way.
    var help_without_script = document.getElementById(select.id + "_helptext");
    if (help_without_script) help_without_script.hidden = true;
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    wrapper.append(label, help, input, listbox, chosenHeading, chosen, status);
    select.parentNode.insertBefore(wrapper, select);
    renderChosen();
  }

  document.querySelectorAll("select[multiple][data-country-picker]").forEach(enhance);
})();
