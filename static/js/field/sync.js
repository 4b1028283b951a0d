// Sending the queue (README "Field work offline", "How sync and conflicts look on the phone").
// Entries go in the order they were made, each through the ordinary API with its own
// Idempotency-Key (a retry after a lost answer re-sends the same key: the server answers what
// it answered the first time and records nothing twice), the phone's X-Field-Device and the
// X-CSRFToken. An answer's photos go one by one, each with its own key, so a dropped upload
// resumes at the photo that did not arrive. An entry that needs the server's id of an earlier
// one (an answer needs the inspection the start made, an application to close the problem's
// version after the acknowledgement) gets it when the earlier one is sent.
// Never sent: another person's entries (each carries its maker's id), anything after HQ cut
// this phone off. Never dropped: a refused entry stays, with the server's answer, until the
// person decides.
(function () {
  "use strict";
  var S = window.HCStore;
  var running = null;
  var options = {user: null, onChange: function () {}, onProgress: function () {}, onStop: function () {}};

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function NetworkDown(message) { this.message = message; }

  function headers(key, device, json) {
    var h = {"Accept": "application/json", "X-CSRFToken": cookie("csrftoken"), "X-Field-Device": device};
    if (key) { h["Idempotency-Key"] = key; }
    if (json) { h["Content-Type"] = "application/json"; }
    return h;
  }

  // One request; resolves {status, body}; a network failure or a 5xx rejects with NetworkDown.
  function send(method, url, key, device, payload) {
    var isForm = payload instanceof FormData;
    return fetch(url, {
      method: method, credentials: "same-origin", cache: "no-store", redirect: "manual",
      headers: headers(key, device, payload !== undefined && !isForm),
      body: payload === undefined ? undefined : (isForm ? payload : JSON.stringify(payload))
    }).catch(function (error) {
      throw new NetworkDown(error && error.message);
    }).then(function (response) {
      if (response.type === "opaqueredirect") { return {status: 401, body: {code: "not_authenticated"}}; }
      if (response.status >= 500) { throw new NetworkDown("server " + response.status); }
      return response.text().then(function (text) {
        var body = {};
        try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {detail: text.slice(0, 300)}; }
        return {status: response.status, body: body, replayed: response.headers.get("Idempotent-Replayed") === "true"};
      });
    });
  }

  // Who the server sees now (the shell answers X-Field-User): {user} or {user: null} (signed
  // out) or {revoked: message} (HQ cut this phone off: the answer to its X-Field-Device).
  function whoIsSignedIn(id) {
    return fetch("/field/", {
      method: "GET", credentials: "same-origin", cache: "no-store", redirect: "manual",
      headers: id ? {"X-Field-Device": id, "Accept": "text/html"} : {"Accept": "text/html"}
    }).catch(function (error) { throw new NetworkDown(error && error.message); }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) { return {user: null}; }
      if (response.status >= 500) { throw new NetworkDown("server " + response.status); }
      if (response.status === 403) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return (body.code === "device_revoked" || body.code === "device_registration_blocked") ? {revoked: body.detail || ""} : {user: null};
        });
      }
      return {user: response.headers.get("X-Field-User")};
    });
  }

  function device() {
    return S.get("device").then(function (id) {
      if (id) { return id; }
      id = S.uuid();
      return S.set("device", id).then(function () { return id; });
    });
  }

  // Register this phone for the signed-in person (once each; harmless to repeat).
  function register(user) {
    return device().then(function (id) {
      return S.get("registered").then(function (who) {
        if (String(who) === String(user)) { return; }
        var label = (navigator.userAgent || "").replace(/\s+/g, " ").slice(0, 120);
        return send("POST", "/api/field/devices/", null, id, {device: id, label: label}).then(function (answer) {
          if (answer.status === 200 || answer.status === 201) { return S.set("registered", user); }
          if (answer.body && (answer.body.code === "device_revoked" || answer.body.code === "device_registration_blocked")) { return S.set("revoked", answer.body.detail || ""); }
        });
      });
    });
  }

  function form(fields, photos) {
    var data = new FormData();
    Object.keys(fields).forEach(function (name) { data.append(name, fields[name] === null ? "" : fields[name]); });
    (photos || []).forEach(function (photo) { data.append("photos", photo.blob, photo.name || "photo.jpg"); });
    return data;
  }

  function inspectionOf(entry) {
    if (entry.inspection) { return Promise.resolve(entry.inspection); }
    return S.get("inspections").then(function (map) { return (map || {})[entry.roundPoint] || null; });
  }

  // Later entries of the same point or problem learn what this one made.
  function passOn(entry, change) {
    return S.entries().then(function (rows) {
      return Promise.all(rows.filter(function (e) {
        return e.id > entry.id && e.group === entry.group && e.state !== "sent";
      }).map(function (e) { Object.keys(change).forEach(function (k) { e[k] = change[k]; }); return S.put(e); }));
    });
  }

  // The requests of one entry. Resolves the last answer; photos of an answer go one by one.
  function perform(entry, id, report) {
    var answer;
    switch (entry.kind) {
    case "start":
      return send("POST", "/api/inspections/", entry.key, id, {
        round_point: entry.roundPoint, sample_point: entry.samplePoint, checklist_version: entry.checklistVersion
      }).then(function (a) {
        if (a.status === 200 || a.status === 201) {
          return S.get("inspections").then(function (map) {
            map = map || {};
            map[entry.roundPoint] = a.body.id;
            return S.set("inspections", map);
          }).then(function () { return passOn(entry, {inspection: a.body.id}); }).then(function () { return a; });
        }
        return a;
      });
    case "answer":
      return inspectionOf(entry).then(function (inspection) {
        if (!inspection) { return {status: 0, body: {code: "waiting_for_start"}}; }
        var base = "/api/inspections/" + inspection + "/results/";
        var first = entry.answered ? Promise.resolve({status: 200, body: {}}) :
          send("POST", base, entry.key, id, {item: entry.item, outcome: entry.outcome, note: entry.note || ""});
        return first.then(function (a) {
          if (a.status !== 200) { return a; }
          entry.answered = true;
          var photos = entry.photos || [];
          var chain = S.put(entry).then(function () { return a; });
          photos.forEach(function (photo, index) {
            chain = chain.then(function (previous) {
              if (previous.status !== 200 && previous.status !== 201) { return previous; }
              if (photo.sent) { return previous; }
              report(index + 1, photos.length);
              return send("POST", base + entry.item + "/photos/", entry.key + ":p" + index, id, form({}, [photo]))
                .then(function (p) {
                  if (p.status !== 201 && p.status !== 200) { return p; }
                  photo.sent = true;
                  return S.put(entry).then(function () { return p; });
                });
            });
          });
          return chain;
        });
      });
    case "submit":
      return inspectionOf(entry).then(function (inspection) {
        if (!inspection) { return {status: 0, body: {code: "waiting_for_start"}}; }
        return send("POST", "/api/inspections/" + inspection + "/submit/", entry.key, id, {note: entry.note || ""});
      });
    case "acknowledge":
      answer = send("POST", "/api/problems/" + entry.problem + "/acknowledge/", entry.key, id,
                    {note: entry.note || "", version: entry.version});
      break;
    case "apply_close":
      report(0, (entry.photos || []).length);
      answer = send("POST", "/api/problems/" + entry.problem + "/apply-close/", entry.key, id,
                    form({note: entry.note || "", version: entry.version}, entry.photos));
      break;
    default:
      return Promise.resolve({status: 400, body: {detail: "unknown entry " + entry.kind}});
    }
    return answer.then(function (a) {
      if (a.status === 200 && a.body && a.body.version !== undefined) {
        return passOn(entry, {version: a.body.version}).then(function () { return a; });
      }
      return a;
    });
  }

  // A problem someone else moved: fetch it so the phone can say what happened.
  function currentProblem(entry, id) {
    return send("GET", "/api/problems/" + entry.problem + "/", null, id).then(function (a) {
      if (a.status !== 200) { return null; }
      return {status: a.body.status, status_label: a.body.status_label || a.body.status, version: a.body.version};
    }).catch(function () { return null; });
  }

  function flush() {
    if (running) { return running; }
    running = doFlush().then(function (result) { running = null; return result; },
                             function (error) { running = null; throw error; });
    return running;
  }

  function doFlush() {
    var stop = null;
    var otherPerson = null;
    var id;
    return Promise.all([S.get("revoked"), device(), S.entries()]).then(function (got) {
      if (got[0]) { stop = {reason: "revoked", detail: got[0]}; return; }
      id = got[1];
      var rows = got[2].filter(function (e) { return e.state !== "sent"; });
      var todo = rows.filter(function (e) { return e.state === "waiting"; });
      if (!todo.length) { return; }
      return whoIsSignedIn(id).then(function (who) {
        if (who.revoked !== undefined) {
          stop = {reason: "revoked", detail: who.revoked};
          return S.set("revoked", who.revoked);
        }
        var user = who.user;
        if (!user) { stop = {reason: "signed_out"}; return; }
        options.user = user;
        var blocked = {};
        var done = 0;
        var chain = Promise.resolve();
        rows.forEach(function (row) {
          var entry = row;
          chain = chain.then(function () {
            if (stop) { return; }
            // Read it again: an earlier entry may have passed on its server id or version.
            return S.entry(row.id);
          }).then(function (fresh) {
            if (stop || !fresh) { return; }
            entry = fresh;
            if (String(entry.owner) !== String(user)) {
              blocked[entry.group] = true;
              otherPerson = entry.ownerName || entry.owner;
              return;
            }
            if (entry.state !== "waiting" || blocked[entry.group]) { blocked[entry.group] = true; return; }
            done += 1;
            options.onProgress({n: done, m: todo.length, entry: entry});
            entry.attempts += 1;
            entry.lastTriedAt = new Date().toISOString();
            return S.put(entry).then(function () {
              return perform(entry, id, function (k, j) { options.onProgress({n: done, m: todo.length, entry: entry, photo: k, photos: j}); });
            }).then(function (a) {
              return settle(entry, a, id, blocked).then(function (s) { if (s) { stop = s; } });
            }, function (error) {
              if (!(error instanceof NetworkDown)) { throw error; }
              entry.error = {network: true, detail: error.message || ""};
              stop = {reason: "network"};
              return S.put(entry).then(function () { return null; });
            }).then(function () { options.onChange(); });
          });
        });
        return chain;
      });
    }).catch(function (error) {
      if (error instanceof NetworkDown) { stop = {reason: "network"}; return; }
      throw error;
    }).then(function () {
      options.onProgress(null);
      if (!stop && otherPerson !== null) { stop = {reason: "other_person", owner: otherPerson}; }
      if (stop) { options.onStop(stop); }
      return S.prune().then(function () { options.onChange(); return stop; });
    });
  }

  // The server's message: its "detail", or a field error's words ({"item": ["…"]}).
  function detailOf(body) {
    if (!body || typeof body !== "object") { return ""; }
    if (body.detail) { return String(body.detail); }
    return Object.keys(body).map(function (name) {
      var value = body[name];
      return Array.isArray(value) ? value.join(" ") : (typeof value === "string" ? value : "");
    }).filter(Boolean).join(" ");
  }

  // What the answer means for the entry; returns a reason to stop sending, or nothing.
  function settle(entry, a, id, blocked) {
    var code = (a.body && a.body.code) || "";
    if (a.status >= 200 && a.status < 300) {
      entry.state = "sent";
      entry.sentAt = new Date().toISOString();
      entry.error = null;
      entry.result = {status: a.status, id: a.body.id, version: a.body.version, replayed: a.replayed};
      (entry.photos || []).forEach(function (p) { p.blob = null; p.sent = true; });
      return S.put(entry).then(function () { return null; });
    }
    if (a.status === 0) {  // waits for an earlier entry (its start is not sent)
      blocked[entry.group] = true;
      return Promise.resolve();
    }
    blocked[entry.group] = true;
    if (code === "device_revoked" || code === "device_registration_blocked") {
      entry.error = {status: a.status, code: code, detail: a.body.detail || ""};
      return Promise.all([S.put(entry), S.set("revoked", a.body.detail || "")]).then(function () {
        return {reason: "revoked", detail: a.body.detail || ""};
      });
    }
    if (a.status === 401 || code === "not_authenticated") {
      return Promise.resolve({reason: "signed_out"});
    }
    var check = Promise.resolve(null);
    if (a.status === 403) {
      check = whoIsSignedIn(id).then(function (who) {
        var user = who.user;
        if (who.revoked !== undefined) { return {reason: "revoked", detail: who.revoked}; }
        if (!user) { return {reason: "signed_out"}; }
        if (String(user) !== String(entry.owner)) { return {reason: "other_person", owner: entry.ownerName || entry.owner}; }
        return null;
      });
    }
    return check.then(function (stopping) {
      if (stopping) { return stopping; }
      entry.state = a.status === 409 ? "conflict" : "failed";
      entry.error = {status: a.status, code: code, detail: detailOf(a.body), data: a.body};
      var extra = Promise.resolve();
      if (a.status === 409 && entry.problem) {
        extra = currentProblem(entry, id).then(function (current) { entry.error.current = current; });
      }
      return extra.then(function () { return S.put(entry); }).then(function () { return null; });
    });
  }

  window.HCSync = {
    configure: function (opts) { Object.keys(opts).forEach(function (k) { options[k] = opts[k]; }); },
    flush: flush,
    device: device,
    register: register,
    whoIsSignedIn: whoIsSignedIn,
    isRunning: function () { return !!running; },
    send: send,
    NetworkDown: NetworkDown
  };
})();
