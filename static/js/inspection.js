// The field form of an inspection (inspections/templates/inspections/inspection_fill.html) and
// the phone's location on the start and submit forms. Without this file every form still works
// as a plain POST; with it, every tap is saved at once and nothing is lost to a weak connection:
// - each answer goes to its item endpoint by fetch; the server answers a small fragment;
// - an answer that cannot be sent (offline, server down, signed out) is kept in localStorage
//   (its photos in IndexedDB) and sent again when the connection is back or the page reopens;
// - each item shows "saved" / "not saved yet"; the page opens at the first unanswered item.
(function () {
  "use strict";

  // --- The phone's location (optional: nothing breaks without it) --------------------------------
  function geolocate(form) {
    if (!navigator.geolocation) { return; }
    var lat = form.querySelector("[name=latitude]");
    var lng = form.querySelector("[name=longitude]");
    var acc = form.querySelector("[name=location_accuracy_m]");
    var note = form.querySelector("[data-location-status]");
    if (!lat || !lng || lat.value) { return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lng.value = position.coords.longitude.toFixed(6);
      if (acc) { acc.value = Math.round(position.coords.accuracy); }
      if (note) {
        note.textContent = (note.getAttribute("data-found") || "").replace("%s", Math.round(position.coords.accuracy));
      }
    }, function () {
      if (note) { note.textContent = note.getAttribute("data-missing") || ""; }
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }

  // --- Photos kept on the phone until sent (IndexedDB; in memory where it is missing) ------------
  var photoStore = (function () {
    var memory = {};
    var dbPromise = null;
    function db() {
      if (!window.indexedDB) { return Promise.reject(new Error("no indexedDB")); }
      if (!dbPromise) {
        dbPromise = new Promise(function (resolve, reject) {
          var request = indexedDB.open("inspection-outbox", 1);
          request.onupgradeneeded = function () {
            request.result.createObjectStore("photos", {keyPath: "id", autoIncrement: true})
              .createIndex("key", "key");
          };
          request.onsuccess = function () { resolve(request.result); };
          request.onerror = function () { reject(request.error); };
        });
      }
      return dbPromise;
    }
    function tx(mode, work) {
      return db().then(function (database) {
        return new Promise(function (resolve, reject) {
          var t = database.transaction("photos", mode);
          var result = work(t.objectStore("photos"));
          t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
          t.onerror = function () { reject(t.error); };
        });
      });
    }
    return {
      add: function (key, blob, name) {
        return tx("readwrite", function (store) { return store.add({key: key, blob: blob, name: name}); })
          .catch(function () { (memory[key] = memory[key] || []).push({id: Math.random(), blob: blob, name: name}); });
      },
      list: function (key) {
        return tx("readonly", function (store) { return store.index("key").getAll(key); })
          .then(function (rows) { return (rows || []).concat(memory[key] || []); })
          .catch(function () { return memory[key] || []; });
      },
      remove: function (key, ids) {
        memory[key] = (memory[key] || []).filter(function (row) { return ids.indexOf(row.id) === -1; });
        return tx("readwrite", function (store) { ids.forEach(function (id) { store.delete(id); }); })
          .catch(function () {});
      }
    };
  })();

  // A phone photo is several MB; a weak connection carries a 1600 px JPEG far better
  // (static/js/field/photos.js, shared with the field app).
  function shrink(file) {
    return window.HCPhotos ? window.HCPhotos.shrink(file) : Promise.resolve(file);
  }

  // --- The field form ------------------------------------------------------------------------------
  function initFill(root) {
    var inspection = root.getAttribute("data-inspection");
    var boxKey = "inspection-outbox:" + inspection;
    var offline = document.getElementById("fill-offline");
    var sending = {};
    var again = {};

    function outbox() {
      try { return JSON.parse(localStorage.getItem(boxKey) || "{}"); } catch (e) { return {}; }
    }
    function keep(box) {
      try {
        if (Object.keys(box).length) { localStorage.setItem(boxKey, JSON.stringify(box)); }
        else { localStorage.removeItem(boxKey); }
      } catch (e) { /* storage full or private mode: the answer stays in the page */ }
    }
    function card(itemId) { return document.getElementById("item-" + itemId); }
    function photoKey(itemId) { return inspection + ":" + itemId; }
    function setState(el, state) { el.setAttribute("data-state", state); progress(); }
    function say(text) {
      if (!offline) { return; }
      offline.textContent = text || "";
      offline.hidden = !text;
    }

    function progress() {
      var cards = root.querySelectorAll(".item-card");
      var answered = 0;
      cards.forEach(function (el) { if (el.querySelector("[name=outcome]:checked")) { answered += 1; } });
      var count = document.querySelector("#fill-count [data-answered]");
      if (count) { count.textContent = answered; }
      var bar = document.getElementById("fill-progress");
      if (bar) { bar.value = answered; }
    }

    function entryOf(el) {
      var checked = el.querySelector("[name=outcome]:checked");
      return {outcome: checked ? checked.value : "", note: el.querySelector("[name=note]").value, at: Date.now()};
    }

    // Remember the card's answer (and any new photos) on the phone, then try to send it.
    function remember(el) {
      var itemId = el.getAttribute("data-item");
      var input = el.querySelector("[type=file]");
      var files = input && input.files ? Array.prototype.slice.call(input.files) : [];
      var box = outbox();
      box[itemId] = entryOf(el);
      keep(box);
      var stored = Promise.all(files.map(function (file) {
        return shrink(file).then(function (blob) { return photoStore.add(photoKey(itemId), blob, file.name || "photo.jpg"); });
      }));
      if (input) { input.value = ""; }
      setState(el, box[itemId].outcome ? "pending" : "needs-outcome");
      return stored.then(function () { return send(itemId); });
    }

    function send(itemId) {
      var el = card(itemId);
      var entry = outbox()[itemId];
      if (!el || !entry) { return Promise.resolve(); }
      if (!entry.outcome) { setState(el, "needs-outcome"); return Promise.resolve(); }
      if (sending[itemId]) { again[itemId] = true; return Promise.resolve(); }
      sending[itemId] = true;
      setState(el, "sending");
      var form = el.querySelector("form");
      return photoStore.list(photoKey(itemId)).then(function (photos) {
        var data = new FormData();
        data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
        data.append("outcome", entry.outcome);
        data.append("note", entry.note);
        photos.forEach(function (photo) { data.append("photos", photo.blob, photo.name); });
        var count = el.querySelector("[data-pending-photos]");
        if (count) { count.textContent = photos.length ? " · " + (root.getAttribute("data-msg-photos") || "%s").replace("%s", photos.length) : ""; }
        return fetch(form.action, {
          method: "POST", body: data, credentials: "same-origin",
          headers: {"HX-Request": "true", "Accept": "text/html"}
        }).then(function (response) {
          if (response.status === 204 || response.redirected) {
            say(root.getAttribute("data-msg-signed-out"));
            setState(el, "pending");
            return;
          }
          if (response.status >= 500) { throw new Error("server " + response.status); }
          return response.text().then(function (html) {
            // Sent (or refused for good: a locked inspection, a picture that is not one):
            // either way it must not be sent again.
            var box = outbox();
            if (box[itemId] && box[itemId].at === entry.at) { delete box[itemId]; keep(box); }
            photoStore.remove(photoKey(itemId), photos.map(function (p) { return p.id; }));
            var state = el.querySelector(".item-state");
            if (response.status === 200 || response.status === 400 || response.status === 409) {
              state.innerHTML = html;
            } else {
              state.innerHTML = "";
              var p = document.createElement("div");
              p.className = "text-danger small";
              p.textContent = root.getAttribute("data-msg-failed");
              state.appendChild(p);
            }
            if (response.ok) {
              setState(el, "saved");
              el.classList.remove("is-missing");
              say("");
            } else {
              setState(el, "error");
            }
          });
        });
      }).catch(function () {
        setState(el, "pending");
        say(root.getAttribute("data-msg-offline"));
      }).then(function () {
        sending[itemId] = false;
        if (again[itemId]) { again[itemId] = false; return send(itemId); }
      });
    }

    function flush() {
      var box = outbox();
      return Promise.all(Object.keys(box).map(send));
    }

    root.addEventListener("change", function (event) {
      var el = event.target.closest(".item-card");
      if (!el) { return; }
      if (event.target.name === "outcome" || event.target.name === "note" || event.target.name === "photos") {
        remember(el);
      }
    });
    // A note being typed is kept on the phone at once (sent when the field is left).
    root.addEventListener("input", function (event) {
      var el = event.target.closest(".item-card");
      if (!el || event.target.name !== "note") { return; }
      var box = outbox();
      box[el.getAttribute("data-item")] = entryOf(el);
      keep(box);
      setState(el, el.querySelector("[name=outcome]:checked") ? "pending" : "needs-outcome");
    });
    // A photo's "remove" button posts its item's form to the removal; the answer's new state
    // (without the photo) replaces the item's.
    function removePhoto(el, button) {
      var form = el.querySelector("form");
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      button.disabled = true;
      fetch(button.getAttribute("formaction"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"HX-Request": "true", "Accept": "text/html"}
      }).then(function (response) {
        if (response.redirected || response.status >= 500) { throw new Error("server " + response.status); }
        return response.text().then(function (html) { el.querySelector(".item-state").innerHTML = html; });
      }).catch(function () {
        button.disabled = false;
        say(root.getAttribute("data-msg-failed"));
      });
    }
    root.addEventListener("submit", function (event) {
      var form = event.target;
      var el = form.closest(".item-card");
      if (el) {
        event.preventDefault();
        if (event.submitter && event.submitter.classList.contains("photo-remove")) {
          removePhoto(el, event.submitter);
          return;
        }
        remember(el);
        return;
      }
      if (form.id !== "submit-form") { return; }
      var missing = [];
      root.querySelectorAll(".item-card").forEach(function (c) {
        var open = !c.querySelector("[name=outcome]:checked");
        c.classList.toggle("is-missing", open);
        if (open) { missing.push(c.getAttribute("data-code")); }
      });
      if (missing.length) {
        event.preventDefault();
        say(root.getAttribute("data-msg-missing") + " " + missing.join(", "));
        var first = root.querySelector(".item-card.is-missing");
        if (first) { first.scrollIntoView({block: "start"}); }
        return;
      }
      if (Object.keys(outbox()).length) {
        event.preventDefault();
        say(root.getAttribute("data-msg-unsaved"));
        flush();
      }
    });

    // Reopened: put back what was not sent yet, and send it.
    var box = outbox();
    Object.keys(box).forEach(function (itemId) {
      var el = card(itemId);
      if (!el) { delete box[itemId]; return; }
      var entry = box[itemId];
      var radio = entry.outcome && el.querySelector("[name=outcome][value='" + entry.outcome + "']");
      if (radio) { radio.checked = true; }
      el.querySelector("[name=note]").value = entry.note || "";
      setState(el, entry.outcome ? "pending" : "needs-outcome");
    });
    keep(box);
    progress();

    // Resume where you left off: the first unanswered item (unless the address names one).
    if (!location.hash) {
      var first = root.querySelector(".item-card[data-state=open]");
      if (first && first !== root.querySelector(".item-card")) { first.scrollIntoView({block: "start"}); }
    }

    window.addEventListener("online", flush);
    setInterval(function () { if (Object.keys(outbox()).length) { flush(); } }, 20000);
    flush();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-geolocate]").forEach(geolocate);
    var root = document.getElementById("inspection-fill");
    if (root) { initFill(root); }
  });
})();
