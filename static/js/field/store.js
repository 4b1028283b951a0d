// What the field app keeps on the phone, in IndexedDB (database "hc-field"; it survives closing
// the browser and restarting the phone). README "Field work offline".
// - meta:  small records by key: "copy" (the offline copy as the server gave it), "device" (this
//          phone's id), "inspections" (round point -> the inspection the server started),
//          "revoked" (HQ cut this phone off: the server's message).
// - queue: the actions waiting to send, in the order they were made. Each entry carries its own
//          Idempotency-Key, the id of the person who made it (never sent as anyone else), its
//          photos as Blobs, its state (waiting, sent, conflict, failed) and the last error.
// The service worker reads meta "copy" when the offline copy cannot be fetched.
(function () {
  "use strict";
  var NAME = "hc-field";
  var dbPromise = null;

  function open() {
    if (!window.indexedDB) { return Promise.reject(new Error("IndexedDB is missing")); }
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("meta", {keyPath: "key"});
          db.createObjectStore("queue", {keyPath: "id", autoIncrement: true});
        };
        request.onsuccess = function () {
          var db = request.result;
          // Another tab deleting the database (sign-out) must not wait for this one.
          db.onversionchange = function () { db.close(); dbPromise = null; };
          resolve(db);
        };
        request.onerror = function () { reject(request.error); };
        request.onblocked = function () { reject(new Error("IndexedDB blocked")); };
      });
    }
    return dbPromise;
  }

  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var request = work(tx.objectStore(storeName));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  var store = {
    uuid: uuid,
    get: function (key) {
      return run("meta", "readonly", function (s) { return s.get(key); }).then(function (row) {
        return row ? row.value : undefined;
      });
    },
    set: function (key, value) {
      return run("meta", "readwrite", function (s) { return s.put({key: key, value: value}); });
    },
    entries: function () {
      return run("queue", "readonly", function (s) { return s.getAll(); }).then(function (rows) {
        return (rows || []).sort(function (a, b) { return a.id - b.id; });
      });
    },
    entry: function (id) {
      return run("queue", "readonly", function (s) { return s.get(id); });
    },
    add: function (entry) {
      entry.key = entry.key || uuid();
      entry.state = entry.state || "waiting";
      entry.createdAt = entry.createdAt || new Date().toISOString();
      entry.attempts = entry.attempts || 0;
      return run("queue", "readwrite", function (s) { return s.add(entry); }).then(function (id) {
        entry.id = id;
        return entry;
      });
    },
    put: function (entry) {
      return run("queue", "readwrite", function (s) { return s.put(entry); });
    },
    remove: function (id) {
      return run("queue", "readwrite", function (s) { return s.delete(id); });
    },
    // A sent entry stays a day (the person sees it went); then it is forgotten.
    prune: function () {
      var before = Date.now() - 24 * 3600 * 1000;
      return store.entries().then(function (rows) {
        return Promise.all(rows.filter(function (e) {
          return e.state === "sent" && Date.parse(e.sentAt || e.createdAt) < before;
        }).map(function (e) { return store.remove(e.id); }));
      });
    },
    // Sign-out: everything on the phone goes (the database, then the caches).
    wipe: function () {
      return open().then(function (db) { db.close(); }).catch(function () {}).then(function () {
        dbPromise = null;
        return new Promise(function (resolve) {
          var request = indexedDB.deleteDatabase(NAME);
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        });
      }).then(function () {
        if (!window.caches) { return; }
        return caches.keys().then(function (names) {
          return Promise.all(names.map(function (name) { return caches.delete(name); }));
        });
      });
    }
  };

  window.HCStore = store;
})();
