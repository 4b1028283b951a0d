// The field app (README "Field work offline"): the inspector's assigned points and the unit
// handler's open tasks, drawn from the offline copy kept on the phone (static/js/field/store.js),
// with every action queued (static/js/field/sync.js) and sent when there is a connection.
// Views, by the address's #: "#/points", "#/point/<round point>", "#/tasks", "#/task/<problem>",
// "#/queue". No framework: small DOM helpers, strings through the jsi18n catalogue.
(function () {
  "use strict";
  var S = window.HCStore;
  var Y = window.HCSync;
  var root = document.getElementById("field-view");
  if (!root || !S || !Y) { return; }

  var COPY_URL = "/api/field/offline/?days=3";
  // One thumbnail cache per person (the service worker answers only the signed-in person's).
  function thumbCache() { return "field-thumbs-" + state.user; }
  // Tell the service worker who the server says is signed in (fieldwork sw.js).
  function tellWorker(user) {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({type: "field-user", user: user ? String(user) : null});
    }
  }
  var state = {
    copy: null, entries: [], user: root.getAttribute("data-user"), username: root.getAttribute("data-username"),
    stop: null, progress: null, fresh: false, previews: [], armed: null
  };

  // --- Small helpers --------------------------------------------------------------------------
  // Strings are written gettext("…") so makemessages finds them (djangojs domain, /jsi18n/).
  var gettext = window.gettext || function (text) { return text; };
  function f(text, values) {
    return window.interpolate ? window.interpolate(text, values, true) : text;
  }
  function h(tag, props) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      var value = props[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name.indexOf("on") === 0) { node.addEventListener(name.slice(2), value); }
      else if (value === true) { node.setAttribute(name, ""); }
      else { node.setAttribute(name, value); }
    });
    for (var i = 2; i < arguments.length; i += 1) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      (Array.isArray(child) ? child : [child]).forEach(function (c) {
        if (c === null || c === undefined || c === false) { return; }
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    }
    return node;
  }
  function when(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return iso; }
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function online() { return navigator.onLine !== false; }
  function preview(blob) {
    var url = URL.createObjectURL(blob);
    state.previews.push(url);
    return url;
  }

  // --- What the copy and the queue say ----------------------------------------------------------
  function points() { return (state.copy && state.copy.inspector && state.copy.inspector.points) || []; }
  function tasks() { return (state.copy && state.copy.unit && state.copy.unit.tasks) || []; }
  function pointById(id) { return points().filter(function (p) { return String(p.round_point) === String(id); })[0]; }
  function taskById(id) { return tasks().filter(function (p) { return String(p.id) === String(id); })[0]; }
  function groupOf(kind, id) { return (kind === "rp" ? "rp:" : "problem:") + id; }
  function inGroup(group) { return state.entries.filter(function (e) { return e.group === group; }); }
  function unsent() { return state.entries.filter(function (e) { return e.state !== "sent"; }); }
  function mine(entry) { return String(entry.owner) === String(state.user); }

  // An item's answer as the phone knows it: its latest queued answer, else the server's.
  function answerOf(point, item) {
    var queued = inGroup(groupOf("rp", point.round_point)).filter(function (e) {
      return e.kind === "answer" && String(e.item) === String(item.id);
    });
    var last = queued[queued.length - 1];
    var server = point.inspection && (point.inspection.results || []).filter(function (r) {
      return String(r.item) === String(item.id);
    })[0];
    return {
      outcome: last ? last.outcome : (server ? server.outcome : ""),
      note: last ? last.note : (server ? server.note : ""),
      entries: queued, server: server, last: last
    };
  }
  function submitEntry(point) {
    return inGroup(groupOf("rp", point.round_point)).filter(function (e) { return e.kind === "submit"; }).pop();
  }
  function stateLabel(entry) {
    if (!entry) { return ""; }
    if (entry.state === "sent") { return gettext("Sent"); }
    if (entry.state === "conflict") { return gettext("Not sent: needs your decision"); }
    if (entry.state === "failed") { return gettext("Not sent: refused"); }
    return gettext("Waiting to send");
  }

  // --- Header: freshness, connection, queue --------------------------------------------------------
  function header() {
    var fresh = document.getElementById("field-fresh");
    if (state.copy && state.copy.generated_at) {
      fresh.textContent = f(gettext("Copy from %(when)s"), {when: when(state.copy.generated_at)}) +
        (state.fresh ? "" : " · " + gettext("not refreshed since (no connection)"));
      fresh.setAttribute("data-generated", state.copy.generated_at);
      fresh.setAttribute("data-fresh", state.fresh ? "1" : "0");
    }
    var net = document.getElementById("field-net");
    net.setAttribute("data-state", online() ? "online" : "offline");
    net.textContent = net.getAttribute(online() ? "data-online" : "data-offline");
    var waiting = unsent();
    var summary = document.getElementById("field-queue-summary");
    var problems = waiting.filter(function (e) { return e.state === "conflict" || e.state === "failed"; }).length;
    summary.textContent = waiting.length ?
      f(gettext("%(n)s waiting to send"), {n: waiting.length}) + (problems ? " · " + f(gettext("%(n)s need your decision"), {n: problems}) : "") :
      gettext("Nothing waiting to send.");
    summary.setAttribute("data-waiting", String(waiting.length));
    var bar = document.getElementById("field-progress");
    if (state.progress) {
      var p = state.progress;
      bar.hidden = false;
      bar.textContent = f(gettext("Sending %(n)s of %(m)s"), {n: p.n, m: p.m}) +
        (p.photos ? " · " + f(gettext("photo %(k)s of %(j)s"), {k: p.photo || 1, j: p.photos}) : "");
    } else {
      bar.hidden = true;
      bar.textContent = "";
    }
    document.getElementById("field-send-now").disabled = !!(state.stop && state.stop.reason === "revoked");
    banner();
  }

  function banner() {
    var box = document.getElementById("field-banner");
    box.textContent = "";
    var stop = state.stop;
    if (!stop || stop.reason === "network") {
      box.hidden = true;
      box.removeAttribute("data-reason");
      return;
    }
    box.hidden = false;
    box.setAttribute("data-reason", stop.reason);
    if (stop.reason === "revoked") {
      box.appendChild(h("strong", {text: gettext("This phone was cut off by HQ.")}));
      box.appendChild(h("p", {text: stop.detail || ""}));
      box.appendChild(h("p", {text: gettext("Nothing more is sent from it. What is waiting stays listed here.")}));
    } else if (stop.reason === "signed_out") {
      box.appendChild(h("p", {text: gettext("You are signed out. Sign in again to send what is waiting; it stays on this phone.")}));
      box.appendChild(h("a", {"class": "btn btn-sm btn-light", href: root.getAttribute("data-login"), text: gettext("Sign in again")}));
    } else if (stop.reason === "other_person") {
      box.appendChild(h("p", {text: f(gettext("What is waiting was made by %(who)s. It is sent only when that person is signed in; it stays on this phone."), {who: stop.owner})}));
    }
  }

  // --- Loading and refreshing the copy ------------------------------------------------------------
  function reload() {
    return Promise.all([S.get("copy"), S.entries(), S.get("revoked")]).then(function (got) {
      var copy = got[0] || null;
      // Another person's copy (they never signed out) is not shown: it waits for a fresh one.
      state.copy = copy && copy.user && String(copy.user.id) !== String(state.user) ? null : copy;
      state.entries = got[1];
      if (got[2]) { state.stop = {reason: "revoked", detail: got[2]}; }
    });
  }

  function cacheThumbnails(copy) {
    if (!window.caches) { return Promise.resolve(); }
    var urls = [];
    ((copy.unit && copy.unit.tasks) || []).forEach(function (task) {
      (task.photos || []).forEach(function (photo) { if (photo.thumbnail) { urls.push(new URL(photo.thumbnail, location.href).href); } });
    });
    return caches.open(thumbCache()).then(function (cache) {
      return cache.keys().then(function (keys) {
        var have = keys.map(function (request) { return request.url; });
        var drops = keys.filter(function (request) { return urls.indexOf(request.url) === -1; });
        var adds = urls.filter(function (url) { return have.indexOf(url) === -1; });
        return Promise.all(drops.map(function (request) { return cache.delete(request); }).concat(
          adds.map(function (url) {
            return fetch(url, {credentials: "same-origin"}).then(function (response) {
              if (response.ok && !response.redirected) { return cache.put(url, response); }
            }).catch(function () {});
          })));
      });
    }).catch(function () {});
  }

  // A fresh copy never hides work still on the phone: a point whose queued start names another
  // checklist keeps the checklist the answers were given on (the server's 409 will offer the new
  // one), and a point or task gone from the copy (reassigned, moved by someone else) stays while
  // something of it waits.
  function keepWork(old, fresh) {
    if (!old || !fresh) { return; }
    var pending = unsent().filter(mine);
    var oldPoints = (old.inspector && old.inspector.points) || [];
    if (fresh.inspector) {
      oldPoints.forEach(function (was) {
        var group = groupOf("rp", was.round_point);
        var start = pending.filter(function (e) { return e.group === group && e.kind === "start"; })[0];
        var work = pending.some(function (e) { return e.group === group; });
        if (!work) { return; }
        var now = fresh.inspector.points.filter(function (p) { return p.round_point === was.round_point; })[0];
        if (!now) { fresh.inspector.points.push(was); return; }
        if (start && String(start.checklistVersion) === String(was.checklist.version) &&
            String(now.checklist.version) !== String(was.checklist.version)) {
          now.checklist = was.checklist;
        }
      });
    }
    var oldTasks = (old.unit && old.unit.tasks) || [];
    if (fresh.unit) {
      oldTasks.forEach(function (was) {
        var group = groupOf("problem", was.id);
        if (!pending.some(function (e) { return e.group === group; })) { return; }
        if (!fresh.unit.tasks.some(function (t) { return t.id === was.id; })) { fresh.unit.tasks.push(was); }
      });
    }
  }

  function refreshCopy() {
    return Y.device().then(function (device) {
      return fetch(COPY_URL, {
        credentials: "same-origin", cache: "no-store", redirect: "manual",
        headers: {"Accept": "application/json", "X-Field-Device": device}
      });
    }).then(function (response) {
      if (response.headers.get("X-Field-Stored-Copy")) { state.fresh = false; return; }
      if (response.type === "opaqueredirect" || response.status === 401) { state.stop = {reason: "signed_out"}; tellWorker(null); return; }
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (body.code === "device_revoked" || body.code === "device_registration_blocked") {
          state.stop = {reason: "revoked", detail: body.detail || ""};
          return S.set("revoked", body.detail || "");
        }
        if (response.status === 403) { state.stop = {reason: "signed_out"}; tellWorker(null); return; }
        if (!response.ok || !body.generated_at) { return; }
        if (body.user && String(body.user.id) !== String(state.user)) {
          // The shell was made for someone else: the server's word wins; reload the page.
          state.user = String(body.user.id);
        }
        state.fresh = true;
        tellWorker(state.user);
        if (state.stop && state.stop.reason === "signed_out") { state.stop = null; }
        keepWork(state.copy, body);
        return S.get("inspections").then(function (map) {
          map = map || {};
          ((body.inspector && body.inspector.points) || []).forEach(function (p) {
            if (p.inspection && p.inspection.id) { map[p.round_point] = p.inspection.id; }
          });
          return Promise.all([S.set("copy", body), S.set("inspections", map)]);
        }).then(function () {
          state.copy = body;
          return cacheThumbnails(body);
        });
      });
    }).catch(function () { state.fresh = false; });
  }

  // --- Sending --------------------------------------------------------------------------------
  Y.configure({
    user: state.user,
    onChange: function () { return S.entries().then(function (rows) { state.entries = rows; render(true); }); },
    onProgress: function (p) { state.progress = p; header(); },
    onStop: function (stop) { state.stop = stop; header(); }
  });

  function sendNow() {
    if (state.stop && state.stop.reason === "revoked") { header(); return Promise.resolve(); }
    if (state.stop && state.stop.reason !== "revoked") { state.stop = null; }
    return Y.flush().then(function (stop) {
      if (!stop && state.stop && state.stop.reason !== "revoked") { state.stop = null; }
      var sentSubmit = state.entries.some(function (e) { return e.state === "sent" && (e.kind === "submit" || e.kind === "apply_close"); });
      return sentSubmit && online() ? refreshCopy() : null;
    }).then(function () { return reload(); }).then(function () { render(true); });
  }

  function queue(entry) {
    entry.owner = state.user;
    entry.ownerName = state.username;
    return S.add(entry).then(function () { return reload(); });
  }

  // --- The inspector ------------------------------------------------------------------------------
  function ensureStart(point) {
    var group = groupOf("rp", point.round_point);
    if (point.inspection && point.inspection.id) { return Promise.resolve(); }
    if (inGroup(group).some(function (e) { return e.kind === "start"; })) { return Promise.resolve(); }
    return queue({kind: "start", group: group, roundPoint: point.round_point, samplePoint: point.sample_point.id,
                  checklistVersion: point.checklist.version, subject: point.sample_point.code + " " + point.sample_point.name});
  }

  function queueAnswer(point, item, card, files) {
    var checked = card.querySelector("input[type=radio]:checked");
    var note = card.querySelector("textarea").value;
    if (!checked) {
      if (files.length) { card.querySelector("[data-hint]").textContent = gettext("Choose pass, fail or not applicable first."); }
      return Promise.resolve(false);
    }
    var group = groupOf("rp", point.round_point);
    return Promise.all(files.map(function (file) {
      return window.HCPhotos.shrink(file).then(function (blob) { return {blob: blob, name: file.name || "photo.jpg"}; });
    })).then(function (photos) {
      return ensureStart(point).then(function () {
        // A change not yet tried is folded into its waiting entry (a fresh key: nothing was sent).
        var open = inGroup(group).filter(function (e) {
          return e.kind === "answer" && String(e.item) === String(item.id) && e.state === "waiting" && !e.attempts;
        })[0];
        if (open) {
          open.outcome = checked.value;
          open.note = note;
          open.photos = (open.photos || []).concat(photos);
          open.key = S.uuid();
          return S.put(open).then(reload);
        }
        return queue({kind: "answer", group: group, roundPoint: point.round_point, item: item.id, itemCode: item.code,
                      outcome: checked.value, note: note, photos: photos,
                      inspection: point.inspection ? point.inspection.id : null,
                      subject: point.sample_point.code + " · " + item.code});
      });
    }).then(function () { return true; });
  }

  function pointStatus(point) {
    var group = inGroup(groupOf("rp", point.round_point));
    var submit = submitEntry(point);
    var total = point.checklist.items.length;
    var answered = point.checklist.items.filter(function (item) { return answerOf(point, item).outcome; }).length;
    if (group.some(function (e) { return e.state === "conflict" || e.state === "failed"; })) { return gettext("Needs your decision"); }
    if (submit && submit.state === "sent") { return gettext("Submitted and sent"); }
    if (submit) { return gettext("Submitted on the phone, waiting to send"); }
    return f(gettext("%(n)s of %(m)s answered"), {n: answered, m: total});
  }

  function viewPoints() {
    var list = points();
    var items = list.map(function (point) {
      var sp = point.sample_point;
      return h("li", {"class": "field-card", "data-round-point": point.round_point},
        h("a", {href: "#/point/" + point.round_point, "class": "field-card-link"},
          h("div", {"class": "field-card-title"}, sp.code + " " + sp.name),
          h("div", {"class": "field-card-meta"}, [sp.address || "", sp.district ? " · " + sp.district : ""].join("")),
          h("div", {"class": "field-card-meta"}, point.round.name + " · " + point.round.starts_on + " – " + point.round.ends_on),
          h("div", {"class": "field-card-status", "data-status": ""}, pointStatus(point))));
    });
    return h("section", {id: "field-points"},
      h("h1", {"class": "field-h1", text: gettext("My assigned points")}),
      list.length ? h("ul", {"class": "field-list"}, items) :
        h("p", {"class": "field-empty", text: gettext("No round points are assigned to you for the coming days.")}));
  }

  function itemCard(point, item, locked) {
    var answer = answerOf(point, item);
    var name = "outcome-" + item.id;
    var outcomes = [["pass", gettext("Pass")], ["fail", gettext("Fail")], ["na", gettext("Not applicable")]];
    var photos = [];
    answer.entries.forEach(function (e) {
      (e.photos || []).forEach(function (p) { if (p.blob) { photos.push(p.blob); } });
    });
    var last = answer.last;
    var itemState = last ? last.state : (answer.server ? "saved" : "open");
    var card = h("article", {"class": "field-item", id: "item-" + item.id, "data-item": item.id, "data-code": item.code,
                             "data-state": itemState, "data-outcome": answer.outcome || ""},
      h("div", {"class": "field-item-head"},
        h("span", {"class": "field-item-code", text: item.code}),
        h("span", {"class": "field-item-points", text: item.veto ? gettext("Veto item") : f(gettext("%(n)s points"), {n: item.points})})),
      h("p", {"class": "field-item-text", text: item.text}),
      h("div", {"class": "field-outcomes", role: "radiogroup", "aria-label": item.code},
        outcomes.map(function (o) {
          return h("label", {"class": "field-outcome", "data-outcome": o[0]},
            h("input", {type: "radio", name: name, value: o[0], checked: answer.outcome === o[0], disabled: locked}),
            h("span", {text: o[1]}));
        })),
      h("label", {"class": "field-label", "for": "note-" + item.id, text: gettext("Note")}),
      h("textarea", {id: "note-" + item.id, "class": "form-control", rows: "2", maxlength: "500", disabled: locked,
                     "data-keep": "note-" + item.id}),
      h("div", {"class": "field-photos"},
        photos.map(function (blob) { return h("img", {src: preview(blob), alt: gettext("Photo waiting to send"), "class": "field-thumb"}); }),
        locked ? null : h("label", {"class": "btn btn-outline-secondary field-photo-button"},
          gettext("Add a photo"),
          h("input", {type: "file", accept: "image/*", capture: "environment", "class": "visually-hidden", multiple: true}))),
      h("div", {"class": "field-item-state", "data-hint": ""},
        itemState === "open" ? "" : (itemState === "saved" ? gettext("Saved on the server") : stateLabel(last)) +
          (photos.length ? " · " + f(gettext("%(n)s photos waiting"), {n: photos.length}) : "")));
    card.querySelector("textarea").value = answer.note || "";
    if (!locked) {
      card.addEventListener("change", function (event) {
        var target = event.target;
        if (target.type === "file") {
          var files = Array.prototype.slice.call(target.files || []);
          target.value = "";
          queueAnswer(point, item, card, files).then(function (done) { if (done) { render(); kick(); } });
        } else if (target.type === "radio" || target.tagName === "TEXTAREA") {
          queueAnswer(point, item, card, []).then(function (done) { if (done) { render(true); kick(); } });
        }
      });
    }
    return card;
  }

  function viewPoint(id) {
    var point = pointById(id);
    if (!point) {
      return h("section", {}, h("p", {"class": "field-empty", text: gettext("This point is not in the copy on this phone.")}),
        h("a", {href: "#/points", text: gettext("Back to my points")}));
    }
    var group = groupOf("rp", point.round_point);
    var submit = submitEntry(point);
    var locked = !!(submit && submit.state !== "failed" && submit.state !== "conflict");
    var sp = point.sample_point;
    var sections = [];
    var bySection = {};
    point.checklist.items.slice().sort(function (a, b) { return a.order - b.order; }).forEach(function (item) {
      var key = item.section || "";
      if (!bySection[key]) { bySection[key] = []; sections.push(key); }
      bySection[key].push(item);
    });
    var problems = inGroup(group).filter(function (e) { return e.state === "conflict" || e.state === "failed"; });
    var answered = point.checklist.items.filter(function (item) { return answerOf(point, item).outcome; }).length;
    var note = h("textarea", {"class": "form-control", rows: "2", id: "field-submit-note", "data-keep": "submit-note-" + id, disabled: locked});
    return h("section", {id: "field-point", "data-round-point": point.round_point},
      h("a", {href: "#/points", "class": "field-back", text: gettext("← My points")}),
      h("h1", {"class": "field-h1"}, sp.code + " " + sp.name),
      h("p", {"class": "field-card-meta"}, [sp.address, sp.category, point.round.name].filter(Boolean).join(" · ")),
      problems.map(conflictPanel),
      h("p", {"class": "field-count", id: "field-answered", "data-answered": answered, "data-total": point.checklist.items.length},
        f(gettext("%(n)s of %(m)s answered"), {n: answered, m: point.checklist.items.length})),
      sections.map(function (key) {
        return h("div", {"class": "field-section"}, key ? h("h2", {"class": "field-h2", text: key}) : null,
          bySection[key].map(function (item) { return itemCard(point, item, locked); }));
      }),
      h("div", {"class": "field-submit"},
        submit ? h("p", {"class": "field-submit-state", id: "field-submit-state", "data-state": submit.state}, stateLabel(submit)) : null,
        locked ? null : [
          h("label", {"class": "field-label", "for": "field-submit-note", text: gettext("Note on the whole inspection (optional)")}),
          note,
          h("p", {"class": "field-hint", id: "field-submit-hint"}),
          h("button", {type: "button", "class": "btn btn-success btn-lg w-100", id: "field-submit",
                       onclick: function () { submitPoint(point); }, text: gettext("Submit the inspection")})
        ]));
  }

  function submitPoint(point) {
    var missing = point.checklist.items.filter(function (item) { return !answerOf(point, item).outcome; });
    var hint = document.getElementById("field-submit-hint");
    if (missing.length) {
      hint.textContent = gettext("Answer every item first:") + " " + missing.map(function (i) { return i.code; }).join(", ");
      return;
    }
    var note = document.getElementById("field-submit-note").value;
    ensureStart(point).then(function () {
      return queue({kind: "submit", group: groupOf("rp", point.round_point), roundPoint: point.round_point, note: note,
                    inspection: point.inspection ? point.inspection.id : null,
                    subject: point.sample_point.code + " " + point.sample_point.name});
    }).then(function () { render(); kick(); });
  }

  // --- The unit handler ---------------------------------------------------------------------------
  function taskEntries(task) { return inGroup(groupOf("problem", task.id)); }
  function pendingOf(task, kind) {
    return taskEntries(task).filter(function (e) { return e.kind === kind; }).pop();
  }

  function taskStatus(task) {
    var close = pendingOf(task, "apply_close");
    var ack = pendingOf(task, "acknowledge");
    var problems = taskEntries(task).filter(function (e) { return e.state === "conflict" || e.state === "failed"; });
    if (problems.length) { return gettext("Needs your decision"); }
    if (close) { return close.state === "sent" ? gettext("Closing applied (sent)") : gettext("Closing applied on the phone, waiting to send"); }
    if (ack) { return ack.state === "sent" ? gettext("Acknowledged (sent)") : gettext("Acknowledged on the phone, waiting to send"); }
    return task.status_label;
  }

  function viewTasks() {
    var list = tasks();
    return h("section", {id: "field-tasks"},
      h("h1", {"class": "field-h1", text: gettext("My open tasks")}),
      list.length ? h("ul", {"class": "field-list"}, list.map(function (task) {
        var thumb = (task.photos || [])[0];
        return h("li", {"class": "field-card", "data-problem": task.id},
          h("a", {href: "#/task/" + task.id, "class": "field-card-link field-task-link"},
            thumb ? h("img", {src: thumb.thumbnail, alt: "", "class": "field-task-thumb", loading: "lazy"}) : null,
            h("div", {},
              h("div", {"class": "field-card-title"}, task.code + " · " + (task.category || "")),
              h("div", {"class": "field-card-meta"}, task.address || ""),
              h("div", {"class": "field-card-meta" + (task.overdue ? " field-overdue" : "")},
                task.deadline ? f(gettext("Due %(date)s"), {date: task.deadline}) + (task.overdue ? " · " + gettext("overdue") : "") : ""),
              h("div", {"class": "field-card-status"}, taskStatus(task)))));
      })) : h("p", {"class": "field-empty", text: gettext("Your unit has no open tasks.")}));
  }

  function viewTask(id) {
    var task = taskById(id);
    if (!task) {
      return h("section", {}, h("p", {"class": "field-empty", text: gettext("This task is not in the copy on this phone.")}),
        h("a", {href: "#/tasks", text: gettext("Back to my tasks")}));
    }
    var ack = pendingOf(task, "acknowledge");
    var close = pendingOf(task, "apply_close");
    var problems = taskEntries(task).filter(function (e) { return e.state === "conflict" || e.state === "failed"; });
    var canAck = task.can.acknowledge && !ack;
    var canClose = (task.can.apply_close || (ack && ack.state !== "failed" && ack.state !== "conflict")) &&
      (!close || close.state === "failed" || close.state === "conflict");
    var closePhotos = [];
    var closePreview = h("div", {"class": "field-photos", id: "field-close-photos"});
    var closeNote = h("textarea", {"class": "form-control", rows: "3", id: "field-close-note", "data-keep": "close-note-" + id});
    var closeHint = h("p", {"class": "field-hint", id: "field-close-hint"});
    var ackNote = h("textarea", {"class": "form-control", rows: "2", id: "field-ack-note", "data-keep": "ack-note-" + id});
    return h("section", {id: "field-task", "data-problem": task.id},
      h("a", {href: "#/tasks", "class": "field-back", text: gettext("← My tasks")}),
      h("h1", {"class": "field-h1"}, task.code + " · " + (task.category || "")),
      h("p", {"class": "field-card-meta"}, [task.status_label, task.severity, task.district, task.address].filter(Boolean).join(" · ")),
      task.deadline ? h("p", {"class": task.overdue ? "field-overdue" : ""}, f(gettext("Due %(date)s"), {date: task.deadline})) : null,
      h("p", {"class": "field-desc", text: task.description || ""}),
      task.last_rejection ? h("p", {"class": "field-rejection"}, gettext("Closing rejected:") + " " + task.last_rejection) : null,
      h("div", {"class": "field-photos"}, (task.photos || []).map(function (p) {
        return h("img", {src: p.thumbnail, alt: gettext("Photo of the problem"), "class": "field-thumb"});
      })),
      problems.map(conflictPanel),
      h("p", {"class": "field-card-status", id: "field-task-status"}, taskStatus(task)),
      canAck ? h("div", {"class": "field-action", id: "field-ack"},
        h("label", {"class": "field-label", "for": "field-ack-note", text: gettext("Note (optional)")}), ackNote,
        h("button", {type: "button", "class": "btn btn-primary btn-lg w-100", id: "field-ack-button", text: gettext("Acknowledge"),
                     onclick: function () {
                       queue({kind: "acknowledge", group: groupOf("problem", task.id), problem: task.id,
                              version: task.version, note: ackNote.value, subject: task.code})
                         .then(function () { render(); kick(); });
                     }})) : null,
      canClose ? h("div", {"class": "field-action", id: "field-close"},
        h("h2", {"class": "field-h2", text: gettext("Apply to close")}),
        h("label", {"class": "field-label", "for": "field-close-note", text: gettext("What was done to rectify it")}), closeNote,
        closePreview,
        h("label", {"class": "btn btn-outline-secondary field-photo-button"}, gettext("Add an after-photo"),
          h("input", {type: "file", accept: "image/*", capture: "environment", "class": "visually-hidden", multiple: true,
                      id: "field-close-input",
                      onchange: function (event) {
                        var files = Array.prototype.slice.call(event.target.files || []);
                        event.target.value = "";
                        Promise.all(files.map(function (file) {
                          return window.HCPhotos.shrink(file).then(function (blob) { return {blob: blob, name: file.name || "photo.jpg"}; });
                        })).then(function (shrunk) {
                          shrunk.forEach(function (p) {
                            closePhotos.push(p);
                            closePreview.appendChild(h("img", {src: preview(p.blob), alt: gettext("After-photo"), "class": "field-thumb"}));
                          });
                        });
                      }})),
        closeHint,
        h("button", {type: "button", "class": "btn btn-success btn-lg w-100", id: "field-close-button", text: gettext("Apply to close"),
                     onclick: function () {
                       if (!closeNote.value.trim()) { closeHint.textContent = gettext("Say what was done."); return; }
                       if (!closePhotos.length) { closeHint.textContent = gettext("Add at least one after-photo."); return; }
                       var sentAck = ack && ack.state === "sent" && ack.result ? ack.result.version : null;
                       queue({kind: "apply_close", group: groupOf("problem", task.id), problem: task.id,
                              version: sentAck !== null && sentAck !== undefined ? sentAck : task.version,
                              note: closeNote.value, photos: closePhotos, subject: task.code})
                         .then(function () { forget(closeNote); render(); kick(); });
                     }})) : null);
  }

  // --- Conflicts and refusals: what happened and what the person can do ---------------------------
  function retry(entry, change) {
    Object.keys(change || {}).forEach(function (k) { entry[k] = change[k]; });
    entry.key = S.uuid();  // the old key's answer is kept by the server: a changed request needs a new one
    entry.state = "waiting";
    entry.error = null;
    entry.attempts = 0;
    entry.answered = false;
    return S.put(entry).then(reload).then(function () { render(); kick(); });
  }
  function discard(entries) {
    return Promise.all(entries.map(function (e) { return S.remove(e.id); })).then(reload).then(function () { render(); });
  }
  function armed(label, again, action, id) {
    // Discarding asks twice (a second tap), never through a dialog.
    var button = h("button", {type: "button", "class": "btn btn-outline-danger", "data-action": id, text: label});
    button.addEventListener("click", function () {
      if (state.armed === id) { state.armed = null; action(); return; }
      state.armed = id;
      button.textContent = again;
    });
    return button;
  }

  function conflictPanel(entry) {
    var err = entry.error || {};
    var code = err.code || "";
    var box = h("div", {"class": "field-conflict", "data-entry": entry.id, "data-code": code || ("http_" + err.status), role: "alert"});
    box.appendChild(h("p", {"class": "field-conflict-what"}, h("strong", {text: stateLabel(entry)}), " ",
      err.detail || (err.status ? "HTTP " + err.status : "")));
    var group = inGroup(entry.group);
    if (entry.kind === "start" && code === "checklist_replaced" && err.data && err.data.checklist) {
      var point = pointById(entry.roundPoint);
      var fresh = err.data.checklist;
      var codes = {};
      fresh.items.forEach(function (item) { codes[item.code] = item; });
      var answers = group.filter(function (e) { return e.kind === "answer"; });
      var matched = answers.filter(function (e) { return codes[e.itemCode]; });
      var lost = answers.filter(function (e) { return !codes[e.itemCode]; });
      var added = fresh.items.filter(function (item) {
        return !answers.some(function (e) { return e.itemCode === item.code; });
      });
      box.appendChild(h("p", {text: gettext("The checklist was replaced by a new version. Your answers are kept on this phone.")}));
      box.appendChild(h("ul", {},
        h("li", {}, f(gettext("Copied to the new checklist (same item): %(codes)s"), {codes: matched.map(function (e) { return e.itemCode; }).join(", ") || "—"})),
        h("li", {}, f(gettext("Not on the new checklist (left out): %(codes)s"), {codes: lost.map(function (e) { return e.itemCode; }).join(", ") || "—"})),
        h("li", {}, f(gettext("New or unanswered items to answer: %(codes)s"), {codes: added.map(function (i) { return i.code; }).join(", ") || "—"}))));
      box.appendChild(h("button", {type: "button", "class": "btn btn-primary", "data-action": "use-new-checklist",
        text: gettext("Use the new checklist and copy the matching answers"),
        onclick: function () { useNewChecklist(entry, point, fresh, matched, lost); }}));
      box.appendChild(armed(gettext("Discard my work on this point"), gettext("Tap again to discard"),
        function () { discard(group); }, "discard-" + entry.id));
    } else if (entry.kind === "start" && code === "round_point_reassigned") {
      box.appendChild(h("p", {text: gettext("This point was given to someone else. Your work stays on this phone until you decide.")}));
      box.appendChild(h("button", {type: "button", "class": "btn btn-outline-primary", "data-action": "retry",
        text: gettext("Try again (if HQ gives it back)"), onclick: function () { retry(entry); }}));
      box.appendChild(armed(gettext("Discard my work on this point"), gettext("Tap again to discard"),
        function () { discard(group); }, "discard-" + entry.id));
    } else if (entry.problem && err.status === 409) {
      var now = err.current;
      if (now) {
        box.appendChild(h("p", {"class": "field-conflict-now", "data-status": now.status},
          f(gettext("Someone else moved this problem meanwhile. It is now: %(status)s."), {status: now.status_label})));
      }
      box.appendChild(h("button", {type: "button", "class": "btn btn-primary", "data-action": "reapply",
        text: gettext("Send it again on the problem as it is now"),
        onclick: function () { retry(entry, now ? {version: now.version} : {}); }}));
      box.appendChild(armed(gettext("Discard this action"), gettext("Tap again to discard"), function () { discard([entry]); }, "discard-" + entry.id));
    } else {
      box.appendChild(h("button", {type: "button", "class": "btn btn-outline-primary", "data-action": "retry",
        text: gettext("Try again"), onclick: function () { retry(entry); }}));
      box.appendChild(armed(entry.kind === "start" ? gettext("Discard my work on this point") : gettext("Discard this action"),
        gettext("Tap again to discard"), function () { discard(entry.kind === "start" ? group : [entry]); }, "discard-" + entry.id));
    }
    return box;
  }

  // The person chose the new checklist: the point's copy takes it, answers of items with the same
  // code move to the new items (new keys), the others are left out, and a queued submission waits
  // for the new items to be answered.
  function useNewChecklist(start, point, fresh, matched, lost) {
    var copyPoint = pointById(start.roundPoint);
    if (copyPoint) { copyPoint.checklist = fresh; }
    var codes = {};
    fresh.items.forEach(function (item) { codes[item.code] = item; });
    var work = [S.set("copy", state.copy)];
    matched.forEach(function (e) {
      e.item = codes[e.itemCode].id;
      e.key = S.uuid(); e.state = "waiting"; e.error = null; e.attempts = 0; e.answered = false;
      work.push(S.put(e));
    });
    lost.forEach(function (e) { work.push(S.remove(e.id)); });
    var unanswered = fresh.items.some(function (item) { return !matched.some(function (e) { return e.itemCode === item.code; }); });
    inGroup(start.group).forEach(function (e) {
      if (e.kind === "submit" && unanswered) { work.push(S.remove(e.id)); }
    });
    return Promise.all(work).then(function () {
      return retry(start, {checklistVersion: fresh.version});
    });
  }

  function viewQueue() {
    var rows = state.entries.slice().reverse();
    var kinds = {start: gettext("Start the inspection"), answer: gettext("Answer"), submit: gettext("Submit the inspection"),
                 acknowledge: gettext("Acknowledge"), apply_close: gettext("Apply to close")};
    return h("section", {id: "field-queue"},
      h("h1", {"class": "field-h1", text: gettext("Waiting to send")}),
      rows.length ? h("ul", {"class": "field-list"}, rows.map(function (e) {
        var photos = (e.photos || []).length;
        return h("li", {"class": "field-card field-entry", "data-entry": e.id, "data-kind": e.kind, "data-state": e.state},
          h("div", {"class": "field-card-title"}, (kinds[e.kind] || e.kind) + " · " + (e.subject || "")),
          h("div", {"class": "field-card-meta"}, when(e.createdAt) + (photos ? " · " + f(gettext("%(n)s photos"), {n: photos}) : "") +
            (mine(e) ? "" : " · " + f(gettext("made by %(who)s"), {who: e.ownerName || e.owner}))),
          h("div", {"class": "field-card-status"}, stateLabel(e) +
            (e.error && e.error.network ? " · " + gettext("no connection at the last try") : "")),
          (e.state === "conflict" || e.state === "failed") ? conflictPanel(e) : null);
      })) : h("p", {"class": "field-empty", text: gettext("Nothing waiting to send.")}));
  }

  // --- Rendering -----------------------------------------------------------------------------------
  function route() {
    var hash = location.hash.replace(/^#\/?/, "");
    var parts = hash.split("/");
    if (parts[0] === "point" && parts[1]) { return viewPoint(parts[1]); }
    if (parts[0] === "task" && parts[1]) { return viewTask(parts[1]); }
    if (parts[0] === "queue") { return viewQueue(); }
    if (parts[0] === "points") { return viewPoints(); }
    if (parts[0] === "tasks") { return viewTasks(); }
    if (!state.copy) {
      return h("p", {"class": "field-empty", id: "field-no-copy",
                     text: online() ? gettext("Fetching your work…") : gettext("No copy on this phone yet: open the app once with a connection.")});
    }
    var start = state.copy.user && state.copy.user.role === "unit_handler" ? "tasks" :
      (state.copy.user && state.copy.user.role === "inspector" ? "points" : root.getAttribute("data-start"));
    if (start === "tasks" || (!state.copy.inspector && state.copy.unit)) { return viewTasks(); }
    if (start === "points" || state.copy.inspector) { return viewPoints(); }
    return h("p", {"class": "field-empty", text: gettext("The field app is for inspectors and unit handlers; your work is on the full site.")});
  }

  // Keep what is being typed (and where) across a redraw.
  function forget(node) { delete kept[node.getAttribute("data-keep")]; }
  var kept = {};
  function render(soft) {
    var active = document.activeElement;
    var focusKey = active && root.contains(active) ? active.getAttribute("data-keep") || active.id : null;
    root.querySelectorAll("[data-keep]").forEach(function (node) { kept[node.getAttribute("data-keep")] = node.value; });
    if (!soft) { state.previews.forEach(function (url) { URL.revokeObjectURL(url); }); state.previews = []; }
    var y = window.scrollY;
    root.textContent = "";
    root.appendChild(route());
    root.querySelectorAll("[data-keep]").forEach(function (node) {
      var key = node.getAttribute("data-keep");
      if (kept[key] !== undefined) { node.value = kept[key]; }
    });
    if (focusKey) {
      var again = root.querySelector("[data-keep='" + focusKey + "']") || document.getElementById(focusKey);
      if (again) { again.focus({preventScroll: true}); }
    }
    if (soft) { window.scrollTo(0, y); }
    header();
  }

  var kickTimer = null;
  function kick() {
    // Send soon after a change (when there is a connection); several quick taps go together.
    clearTimeout(kickTimer);
    kickTimer = setTimeout(function () { if (online()) { sendNow(); } }, 300);
  }

  // --- Sign-out: nothing of this person stays on the phone -------------------------------------------
  var logout = document.getElementById("field-logout");
  logout.addEventListener("submit", function (event) {
    event.preventDefault();
    // Every unsent entry counts, whoever made it: signing out deletes them all from this phone.
    var pending = unsent();
    var waiting = pending.length;
    var owners = [];
    pending.forEach(function (e) {
      var name = String(e.ownerName || e.owner || "?");
      if (owners.indexOf(name) === -1) { owners.push(name); }
    });
    if (waiting && state.armed !== "logout") {
      state.armed = "logout";
      state.stop = state.stop && state.stop.reason === "revoked" ? state.stop : null;
      var box = document.getElementById("field-banner");
      box.hidden = false;
      box.setAttribute("data-reason", "logout");
      box.textContent = f(gettext("%(n)s entries waiting to be sent (made by %(who)s) will be deleted from this phone: send them first. Tap “Log out” again to sign out anyway."), {n: waiting, who: owners.join(", ")});
      return;
    }
    var token = logout.querySelector("[name=csrfmiddlewaretoken]");
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    if (token && match) { token.value = decodeURIComponent(match[1]); }
    var unregister = navigator.serviceWorker ? navigator.serviceWorker.getRegistrations().then(function (regs) {
      return Promise.all(regs.map(function (r) { return r.unregister(); }));
    }).catch(function () {}) : Promise.resolve();
    Promise.all([S.wipe(), unregister]).catch(function () {}).then(function () { logout.submit(); });
  });

  // --- Start ---------------------------------------------------------------------------------------
  document.getElementById("field-send-now").addEventListener("click", sendNow);
  document.getElementById("field-refresh").addEventListener("click", function () {
    refreshCopy().then(function () { render(true); });
  });
  window.addEventListener("hashchange", function () { state.armed = null; render(); window.scrollTo(0, 0); });
  window.addEventListener("online", function () { header(); refreshCopy().then(sendNow); });
  window.addEventListener("offline", function () { state.fresh = false; header(); });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw"), {scope: "/", updateViaCache: "none"}).catch(function () {});
  }

  reload().then(function () {
    render();
    if (!online()) { return; }
    return Y.register(state.user).catch(function () {}).then(refreshCopy).then(function () {
      return reload();
    }).then(function () { render(true); return sendNow(); });
  });
  // Periodically: send what waits; refresh the copy every few minutes.
  setInterval(function () { if (online() && unsent().some(function (e) { return e.state === "waiting"; })) { sendNow(); } }, 30000);
  setInterval(function () { if (online() && !Y.isRunning()) { refreshCopy().then(function () { render(true); }); } }, 300000);
})();
