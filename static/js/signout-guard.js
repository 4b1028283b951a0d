// Every "Log out" form (data-signout) checks the phone first (README "Field work offline"): the
// server's sign-out clears what this site stored, so entries of the field app's queue that were
// never sent (anyone's, not only the signed-in person's) would be deleted. When some wait, a
// dialog names how many and whose; "Stay signed in" is the default. A browser that never used the
// field app (no "hc-field" database) signs out at once, and the check never creates that database.
// It also tells the service worker who the server says is signed in (data-user, "" when nobody),
// so its cached thumbnails and offline copy answer only that person (fieldwork sw.js).
(function () {
  "use strict";
  var script = document.currentScript;
  // Strings come translated from the template (the ordinary pages load no JavaScript catalogue).
  function text(name, fallback) { return (script && script.getAttribute("data-" + name)) || fallback; }
  function f(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return String(values[name]); });
  }

  if (script && script.hasAttribute("data-user") && navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({type: "field-user", user: script.getAttribute("data-user") || null});
  }

  // The unsent entries, or [] when there is no field database. Opening with no version creates a
  // missing database; aborting the upgrade it triggers leaves none behind.
  function unsentEntries() {
    return new Promise(function (resolve) {
      if (!window.indexedDB) { resolve([]); return; }
      var request;
      try { request = indexedDB.open("hc-field"); } catch (error) { resolve([]); return; }
      request.onupgradeneeded = function () { request.transaction.abort(); };
      request.onerror = function (event) { if (event && event.preventDefault) { event.preventDefault(); } resolve([]); };
      request.onblocked = function () { resolve([]); };
      request.onsuccess = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("queue")) { db.close(); resolve([]); return; }
        var all = db.transaction("queue").objectStore("queue").getAll();
        all.onsuccess = function () {
          db.close();
          resolve((all.result || []).filter(function (e) { return e.state !== "sent"; }));
        };
        all.onerror = function () { db.close(); resolve([]); };
      };
    });
  }

  function whose(entries) {
    var names = [];
    entries.forEach(function (e) {
      var name = String(e.ownerName || e.owner || "?");
      if (names.indexOf(name) === -1) { names.push(name); }
    });
    return names.join(", ");
  }

  function ask(entries, fieldUrl) {
    return new Promise(function (resolve) {
      var dialog = document.createElement("dialog");
      dialog.id = "signout-guard";
      dialog.className = "p-3 border rounded shadow";
      var message = document.createElement("p");
      message.textContent = f(text("ask", "{n} entries waiting to be sent will be deleted from this phone (made by {who}): send them first?"),
                           {n: entries.length, who: whose(entries)});
      dialog.appendChild(message);
      var row = document.createElement("div");
      row.className = "d-flex flex-wrap gap-2";
      var stay = document.createElement("button");
      stay.type = "button";
      stay.className = "btn btn-primary";
      stay.setAttribute("data-choice", "stay");
      stay.textContent = text("stay", "Stay signed in");
      stay.autofocus = true;
      row.appendChild(stay);
      if (fieldUrl) {
        var send = document.createElement("a");
        send.className = "btn btn-outline-primary";
        send.href = fieldUrl + "#/queue";
        send.textContent = text("send", "Open the field app to send them");
        row.appendChild(send);
      }
      var leave = document.createElement("button");
      leave.type = "button";
      leave.className = "btn btn-outline-danger";
      leave.setAttribute("data-choice", "delete");
      leave.textContent = text("delete", "Sign out and delete them");
      row.appendChild(leave);
      dialog.appendChild(row);
      var answered = false;
      function done(value) {
        if (answered) { return; }
        answered = true;
        if (dialog.open) { dialog.close(); }
        dialog.remove();
        resolve(value);
      }
      stay.addEventListener("click", function () { done(false); });
      leave.addEventListener("click", function () { done(true); });
      dialog.addEventListener("close", function () { done(false); });
      document.body.appendChild(dialog);
      if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
      stay.focus();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-signout") || form.getAttribute("data-signout-checked")) { return; }
    event.preventDefault();
    unsentEntries().then(function (entries) {
      return entries.length ? ask(entries, form.getAttribute("data-field-url")) : true;
    }).then(function (go) {
      if (!go) { return; }
      form.setAttribute("data-signout-checked", "1");
      form.submit();
    });
  }, true);
})();
