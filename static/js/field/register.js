// Registers the field app's service worker (fieldwork/views/shell.py, /sw.js) from any page a
// field person opens, so the app shell is on the phone before they leave the office.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(script.getAttribute("data-sw"), {scope: "/", updateViaCache: "none"}).catch(function () {});
  });
})();
