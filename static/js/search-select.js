// The searchable select (campaign/widgets.py SearchSelect): progressive enhancement of a plain
// <select data-search-select="/api/…/"> that holds only its chosen option. A search box (an
// ARIA combobox) asks the list endpoint for ?search=… as the user types and lists the answers;
// picking one puts it in the select, which the form submits as before. No inline code: the
// configuration is in the select's data- attributes, so a strict Content-Security-Policy holds.
(function () {
  "use strict";
  var PAGE_SIZE = 20;
  var DELAY_MS = 200;
  var counter = 0;

  function labelOf(item, fields) {
    return fields.map(function (key) { return item[key] == null ? "" : String(item[key]); })
      .filter(Boolean).join(" ");
  }

  function enhance(select) {
    if (select.dataset.searchSelectReady) { return; }
    select.dataset.searchSelectReady = "1";
    var fields = (select.dataset.labelFields || "label").split(",");
    var source = select.dataset.searchSelect;
    var listId = "search-select-" + (++counter);
    var wrapper = document.createElement("div");
    wrapper.className = "search-select position-relative";
    var group = document.createElement("div");
    group.className = "input-group";
    var input = document.createElement("input");
    input.type = "text";
    input.className = "form-control";
    input.id = select.id + "_search";
    input.autocomplete = "off";
    input.placeholder = select.dataset.placeholder || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "btn btn-outline-secondary";
    clear.textContent = "\u00d7";
    clear.setAttribute("aria-label", select.dataset.clearText || "Clear");
    clear.title = select.dataset.clearText || "Clear";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "search-select-list list-group shadow-sm";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");

    // The page's <label for=…> now names the search box; the select stays in the form, hidden.
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) { label.htmlFor = input.id; }
    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    select.parentNode.insertBefore(wrapper, select);
    group.appendChild(input);
    group.appendChild(clear);
    wrapper.appendChild(group);
    wrapper.appendChild(list);
    wrapper.appendChild(status);
    wrapper.appendChild(select);

    var items = [];
    var active = -1;
    var timer = null;
    var request = 0;

    function chosenText() {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.text : "";
    }
    input.value = chosenText();
    clear.hidden = !select.value;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function message(text) {
      list.textContent = "";
      var li = document.createElement("li");
      li.className = "list-group-item small text-body-secondary";
      li.textContent = text;
      list.appendChild(li);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = text;
    }

    function render() {
      list.textContent = "";
      if (!items.length) { message(select.dataset.emptyText || "No match"); return; }
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = listId + "-" + index;
        li.className = "list-group-item list-group-item-action" + (index === active ? " active" : "");
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", index === active ? "true" : "false");
        li.dataset.index = String(index);
        li.textContent = item.text;
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", listId + "-" + active);
        var current = document.getElementById(listId + "-" + active);
        if (current && current.scrollIntoView) { current.scrollIntoView({ block: "nearest" }); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
      status.textContent = String(items.length);
    }

    function search() {
      var mine = ++request;
      var url = new URL(source, window.location.href);
      url.searchParams.set("search", input.value.trim());
      url.searchParams.set("page_size", String(PAGE_SIZE));
      dependencies().forEach(function (dependency) {
        if (dependency.field.value) { url.searchParams.set(dependency.param, dependency.field.value); }
      });
      message(select.dataset.loadingText || "…");
      fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (mine !== request) { return; }
          items = (data.results || data).map(function (item) {
            return { value: String(item.id), text: labelOf(item, fields) };
          });
          active = items.length ? 0 : -1;
          render();
        })
        .catch(function () {
          if (mine === request) { items = []; message(select.dataset.errorText || "Error"); }
        });
    }

    function choose(item) {
      select.textContent = "";
      var empty = document.createElement("option");
      empty.value = "";
      select.appendChild(empty);
      if (item) {
        var option = document.createElement("option");
        option.value = item.value;
        option.textContent = item.text;
        option.selected = true;
        select.appendChild(option);
      }
      select.value = item ? item.value : "";
      input.value = item ? item.text : "";
      clear.hidden = !item;
      close();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    // data-depends-on="district:district,category:category": the search is narrowed by those
    // fields of the same form, and a choice made under other values is cleared when they change.
    function dependencies() {
      var form = select.form;
      if (!form || !select.dataset.dependsOn) { return []; }
      return select.dataset.dependsOn.split(",").map(function (pair) {
        var parts = pair.split(":");
        return { param: parts[0], field: form.elements.namedItem(parts[1]) };
      }).filter(function (dependency) { return dependency.field && dependency.field.tagName; });
    }
    dependencies().forEach(function (dependency) {
      dependency.field.addEventListener("change", function () {
        if (select.value) { choose(null); }
        items = [];
      });
    });

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
    input.addEventListener("focus", function () {
      if (list.hidden && !input.value) { search(); }
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { search(); return; }
        active = Math.min(items.length - 1, active + 1);
        render();
      } else if (event.key === "ArrowUp") {
        if (!open) { return; }
        event.preventDefault();
        active = Math.max(0, active - 1);
        render();
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();  // picking is not submitting
          choose(items[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          input.value = chosenText();
          close();
        }
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (wrapper.contains(document.activeElement)) { return; }
        if (!input.value.trim() && select.value) { choose(null); return; }
        input.value = chosenText();
        close();
      }, 150);
    });
    // mousedown, not click: it comes before the input's blur, so the pick is not lost.
    list.addEventListener("mousedown", function (event) {
      var li = event.target.closest("[data-index]");
      if (!li) { return; }
      event.preventDefault();
      choose(items[Number(li.dataset.index)]);
    });
    clear.addEventListener("click", function () {
      choose(null);
      input.focus();
    });
  }

  function init(root) {
    (root || document).querySelectorAll("select[data-search-select]").forEach(enhance);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  // Parts of pages swapped in by htmx get their selects enhanced too.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
