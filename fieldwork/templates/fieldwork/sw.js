/* The field app's service worker (fieldwork/views/shell.py renders it; README "Field work offline").
 * Hand-written, no library. It answers for very little, on purpose:
 * - the shell page /field/ and the JavaScript catalogue: network first, the cached copy when
 *   there is no network (a 4 s wait at most on a weak signal);
 * - the shell's own static files: from the versioned cache (their names are hashed);
 * - the photo thumbnails the field app stored itself (cache "field-thumbs"): from that cache;
 * - the offline copy (GET {{ offline_api_json|safe }}): network first; without network, the copy
 *   the page kept in IndexedDB, marked with the header X-Field-Stored-Copy.
 * Every other request (other pages, every other API answer, any POST) goes to the network
 * untouched and is never stored. */
"use strict";

var VERSION = "{{ version }}";
var SHELL_CACHE = "field-shell-" + VERSION;
var THUMB_CACHE = "field-thumbs";
var PRECACHE = {{ precache_json|safe }};
var SHELL_URL = {{ shell_url_json|safe }};
var CATALOG_URL = {{ catalog_url_json|safe }};
var OFFLINE_API = {{ offline_api_json|safe }};
var NETWORK_WAIT_MS = 4000;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    // One by one with the cookies: the shell page is the signed-in person's.
    return Promise.all(PRECACHE.map(function (url) {
      return fetch(url, {credentials: "same-origin", cache: "no-cache"}).then(function (response) {
        if (!response.ok || response.redirected) { throw new Error("precache " + url + " " + response.status); }
        return cache.put(url, response);
      });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("field-shell-") === 0 && name !== SHELL_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
                 function (error) { clearTimeout(timer); reject(error); });
  });
}

// Network first; a good answer refreshes the cached copy; no network (or too slow): the cache.
function networkFirst(request, key) {
  var network = fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(SHELL_CACHE).then(function (cache) { cache.put(key, copy); });
    }
    return response;
  });
  return withTimeout(network, NETWORK_WAIT_MS).catch(function () {
    return caches.open(SHELL_CACHE).then(function (cache) { return cache.match(key); }).then(function (hit) {
      return hit || network;
    });
  });
}

// The copy the page keeps in IndexedDB (static/js/field/store.js: database "hc-field", store "meta").
function storedCopy() {
  return new Promise(function (resolve) {
    var open = indexedDB.open("hc-field");
    open.onerror = function () { resolve(null); };
    open.onsuccess = function () {
      var database = open.result;
      if (!database.objectStoreNames.contains("meta")) { database.close(); resolve(null); return; }
      var get = database.transaction("meta").objectStore("meta").get("copy");
      get.onsuccess = function () { database.close(); resolve(get.result ? get.result.value : null); };
      get.onerror = function () { database.close(); resolve(null); };
    };
  });
}

function offlineCopy(request) {
  return withTimeout(fetch(request), NETWORK_WAIT_MS * 2).catch(function () {
    return storedCopy().then(function (copy) {
      var headers = {"Content-Type": "application/json", "X-Field-Stored-Copy": "1"};
      if (!copy) {
        return new Response(JSON.stringify({code: "offline_no_copy", detail: ""}), {status: 503, headers: headers});
      }
      return new Response(JSON.stringify(copy), {status: 200, headers: headers});
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === SHELL_URL && request.mode === "navigate") {
    event.respondWith(networkFirst(request, SHELL_URL));
    return;
  }
  if (url.pathname === CATALOG_URL) {
    event.respondWith(networkFirst(request, CATALOG_URL));
    return;
  }
  if (url.pathname === OFFLINE_API) {
    event.respondWith(offlineCopy(request));
    return;
  }
  if (PRECACHE.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
    }));
    return;
  }
  // A photo thumbnail is answered from the cache only if the field app put it there (its
  // offline copy lists it); anything else passes through untouched.
  if (!/\/photos\/\d+\/thumb\/$/.test(url.pathname)) { return; }
  event.respondWith(caches.open(THUMB_CACHE).then(function (cache) {
    return cache.match(url.pathname + url.search);
  }).then(function (hit) { return hit || fetch(request); }));
});
