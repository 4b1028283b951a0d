// The public pages (/report/): the phone's location, a point picked on the city map (when a
// tile server is configured), large photos made smaller before sending, and the copy button of
// the follow link. Texts come from data- attributes (translated by the page); no inline script.
// Every page works without this file: the server checks everything again.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var MAX_SIDE = 2048;           // the server keeps at most 2560 px a side
  var RESIZE_ABOVE = 1500000;    // bytes: smaller files are sent as they are

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }

  function setPoint(form, lat, lon, accuracy, source) {
    form.elements.latitude.value = lat.toFixed(6);
    form.elements.longitude.value = lon.toFixed(6);
    form.elements.accuracy.value = accuracy === null ? "" : String(Math.round(accuracy));
    form.elements.place_source.value = source;
  }

  function initPlace(form) {
    var box = form.querySelector("[data-place]");
    if (!box) { return; }
    var status = box.querySelector("[data-place-status]");
    var button = box.querySelector("[data-locate]");
    if (button && !navigator.geolocation) { button.hidden = true; }
    if (button && navigator.geolocation) {
      button.addEventListener("click", function () {
        status.textContent = box.getAttribute("data-text-locating");
        navigator.geolocation.getCurrentPosition(function (position) {
          var c = position.coords;
          setPoint(form, c.latitude, c.longitude, c.accuracy, "gps");
          status.textContent = fill(box.getAttribute("data-text-found"), {accuracy: Math.round(c.accuracy)});
        }, function (error) {
          status.textContent = box.getAttribute(error.code === 1 ? "data-text-denied" : "data-text-failed");
        }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
      });
    }
    var canvas = box.querySelector("[data-pick-map]");
    if (canvas && window.L) {
      var map = window.L.map(canvas, {zoomControl: true});
      JSON.parse(canvas.getAttribute("data-tiles") || "[]").forEach(function (layer) {
        window.L.tileLayer(layer.url, {subdomains: layer.subdomains || "abc", maxZoom: 18}).addTo(map);
      });
      var bounds = (canvas.getAttribute("data-bounds") || "").split(",").map(Number);
      if (bounds.length === 4 && bounds.every(isFinite)) {
        map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]]);
      } else {
        map.setView([34.8, 114.3], 11);
      }
      var marker = null;
      map.on("click", function (event) {
        // The point as the tiles draw it; the server converts a GCJ-02 point to WGS-84.
        if (marker) { marker.setLatLng(event.latlng); } else { marker = window.L.marker(event.latlng).addTo(map); }
        setPoint(form, event.latlng.lat, event.latlng.lng, null, "map");
        status.textContent = box.getAttribute("data-text-picked");
      });
    } else if (canvas) {
      canvas.hidden = true;
    }
  }

  function shrink(file) {
    // A JPEG at most MAX_SIDE a side; the original when it is small or cannot be drawn.
    return new Promise(function (resolve) {
      if (!/^image\//.test(file.type) || file.size <= RESIZE_ABOVE || !window.createImageBitmap) {
        resolve(file);
        return;
      }
      window.createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          resolve(new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", {type: "image/jpeg"}));
        }, "image/jpeg", 0.85);
      }).catch(function () { resolve(file); });
    });
  }

  function placeKnown(form) {
    return form.elements.latitude.value !== "" || form.elements.address.value.trim() !== "";
  }

  function initSubmit(form) {
    var ready = false;
    var status = form.querySelector("[data-form-status]");
    form.addEventListener("submit", function (event) {
      if (ready) {
        if (status) { status.textContent = form.getAttribute("data-sending"); }
        return;
      }
      // Without a place, the photos go as taken: the server reads the position they carry.
      var inputs = Array.prototype.slice.call(form.querySelectorAll("input[type=file]"));
      var large = inputs.some(function (input) {
        return Array.prototype.some.call(input.files || [], function (f) { return f.size > RESIZE_ABOVE; });
      });
      if (!large || !placeKnown(form) || !window.DataTransfer) {
        ready = true;
        if (status) { status.textContent = form.getAttribute("data-sending"); }
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter;
      if (status) { status.textContent = form.getAttribute("data-resizing"); }
      Promise.all(inputs.map(function (input) {
        return Promise.all(Array.prototype.map.call(input.files || [], shrink)).then(function (files) {
          var transfer = new DataTransfer();
          files.forEach(function (f) { transfer.items.add(f); });
          input.files = transfer.files;
        });
      })).then(function () {
        ready = true;
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      });
    });
  }

  function initCopy(button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.getAttribute("data-copy"));
      if (!input) { return; }
      var done = function () { button.textContent = button.getAttribute("data-copied"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else {
        input.select();
        try { if (document.execCommand("copy")) { done(); } } catch (error) { /* selected for a manual copy */ }
      }
    });
  }

  function init() {
    var form = document.querySelector("form[data-report-form]");
    if (form) {
      initPlace(form);
      initSubmit(form);
    }
    document.querySelectorAll("[data-copy]").forEach(initCopy);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
