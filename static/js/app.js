// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A <select data-autosubmit> submits its form when changed (the language switch).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  // Person form: show only the scope field the chosen role needs. The form carries the map
  // role -> field in data-scope-fields, and each scope field's wrapper has data-scope-field.
  function syncScopeFields(form) {
    var map = JSON.parse(form.getAttribute("data-scope-fields") || "{}");
    var role = form.querySelector("[name=role]");
    if (!role) { return; }
    var wanted = map[role.value] || [];
    form.querySelectorAll("[data-scope-field]").forEach(function (wrapper) {
      var field = wrapper.getAttribute("data-scope-field");
      wrapper.hidden = wanted.indexOf(field) === -1;
    });
  }
  function initScopeForms(root) {
    root.querySelectorAll("form[data-scope-fields]").forEach(function (form) {
      syncScopeFields(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "role") { syncScopeFields(form); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initScopeForms(document); });

  // The ledger's count line, when the page showed its rows before counting them (a search that
  // runs on): the count comes from data-count-url (ledger.views.problems.problem_count). Without
  // script, or if the count fails, the line keeps saying "more than" a page.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-count-url]").forEach(function (line) {
      fetch(line.getAttribute("data-count-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer && answer.text) {
            line.textContent = answer.text;
            line.removeAttribute("data-count-url");
          }
        })
        .catch(function () {});
    });
  });

  // A button marked data-print prints the page (no inline onclick: the CSP refuses it).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });

  // Filter forms marked data-drop-empty leave unset fields out of the request, so the URL that
  // htmx pushes stays short and readable (?category=3 rather than ?q=&district=&…).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-drop-empty]");
    var data = event.detail.formData;
    if (!form || !data || event.detail.verb !== "get") { return; }
    Array.from(data.keys()).forEach(function (key) {
      var values = data.getAll(key);
      if (values.every(function (v) { return v === "" || v === "unknown"; })) { data.delete(key); }
    });
  });
  // A checkbox marked data-select-all="NAME" ticks or clears every checkbox of that name in
  // its form (the ledger's bulk actions); it shows as mixed when only some are ticked.
  function selectAllBoxes(master) {
    var scope = master.form || master.closest("table") || document;
    var name = master.getAttribute("data-select-all");
    return Array.from(scope.querySelectorAll("input[type=checkbox]")).filter(function (box) {
      return box.name === name;
    });
  }
  function syncSelectAll(master) {
    var boxes = selectAllBoxes(master);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    master.checked = boxes.length > 0 && ticked === boxes.length;
    master.indeterminate = ticked > 0 && ticked < boxes.length;
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-select-all]").forEach(function (master) {
      master.hidden = false;
      syncSelectAll(master);
    });
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches || !target.matches("input[type=checkbox]")) { return; }
    if (target.hasAttribute("data-select-all")) {
      selectAllBoxes(target).forEach(function (box) { box.checked = target.checked; });
      target.indeterminate = false;
      return;
    }
    var scope = target.form || document;
    scope.querySelectorAll("input[data-select-all]").forEach(function (master) {
      if (master.getAttribute("data-select-all") === target.name) { syncSelectAll(master); }
    });
  });
})();
