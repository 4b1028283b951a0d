/* The field app's service worker (fieldwork/views/shell.py renders it; README "Field work offline").
 * Hand-written, no library. It answers for very little, on purpose:
 * - the shell page /field/ and the JavaScript catalogue: network first, the cached copy when
 *   there is no network (a 4 s wait at most on a weak signal);
 * - the shell's own static files: from the versioned cache (their names are hashed);
 * - the photo thumbnails the field app stored itself (one cache per person, "field-thumbs-<user
 *   id>"): from the cache of the person signed in, and only theirs;
 * - the offline copy (GET {{ offline_api_json|safe }}): network first; without network, the copy
 *   the page kept in IndexedDB, marked with the header X-Field-Stored-Copy, only when it is the
 *   signed-in person's.
 * Who is signed in: the pages tell the worker (message {type: "field-user", user}) once the server
 * said so: every ordinary page as the server rendered it (static/js/signout-guard.js; the sign-in
 * page says nobody), the field app when its copy is fetched. The worker keeps it in the cache
 * "field-who"; when another person is named, the previous person's thumbnails are deleted.
 * Every other request (other pages, every other API answer, any POST) goes to the network
 * untouched and is never stored. */
"use strict";

var VERSION = "{{ version }}";
var SHELL_CACHE = "field-shell-" + VERSION;
var THUMB_PREFIX = "field-thumbs";
var WHO_CACHE = "field-who";
var WHO_KEY = "/__field-who__";
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
      // The old shared thumbnail cache ("field-thumbs", before it was per person) goes too.
      return (name.indexOf("field-shell-") === 0 && name !== SHELL_CACHE) || name === THUMB_PREFIX;
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

// Who the pages last said is signed in: the user id as a string, or null (nobody, or not known).
function signedIn() {
  return caches.open(WHO_CACHE).then(function (cache) { return cache.match(WHO_KEY); }).then(function (hit) {
    return hit ? hit.json() : {user: null};
  }).then(function (body) { return body && body.user ? String(body.user) : null; }).catch(function () { return null; });
}

function setSignedIn(user) {
  user = user ? String(user) : null;
  return caches.open(WHO_CACHE).then(function (cache) {
    return cache.put(WHO_KEY, new Response(JSON.stringify({user: user}), {headers: {"Content-Type": "application/json"}}));
  }).then(function () {
    if (!user) { return; }
    // Another person signed in: the previous person's thumbnails go (their queue stays).
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(THUMB_PREFIX + "-") === 0 && name !== THUMB_PREFIX + "-" + user;
      }).map(function (name) { return caches.delete(name); }));
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "field-user") { return; }
  event.waitUntil(setSignedIn(data.user));
});

function offlineCopy(request) {
  return withTimeout(fetch(request), NETWORK_WAIT_MS * 2).catch(function () {
    return Promise.all([storedCopy(), signedIn()]).then(function (got) {
      var user = got[1];
      // Only the signed-in person's own copy: not another person's, not when nobody is known.
      var copy = got[0] && got[0].user && user && String(got[0].user.id) === user ? got[0] : null;
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
  // Only from the signed-in person's own cache.
  event.respondWith(signedIn().then(function (user) {
    if (!user) { return null; }
    return caches.open(THUMB_PREFIX + "-" + user).then(function (cache) { return cache.match(url.pathname + url.search); });
  }).then(function (hit) { return hit || fetch(request); }));
});
