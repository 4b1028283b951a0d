// The map of problems and sample points (maps/_map.html). Reads the map API with the page's
// filters; draws the uploaded boundaries, clusters the markers, colours problems by status or
// by overdue. No inline script or style: markers are Leaflet divIcons whose colour is a CSS
// class (static/css/map.css), and popups are built with textContent.
(function () {
  "use strict";
  if (!window.L) { return; }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  function withQuery(url, query, extra) {
    var params = new URLSearchParams(query || "");
    ["cursor", "sort"].forEach(function (name) { params.delete(name); });
    Object.keys(extra || {}).forEach(function (name) { params.set(name, extra[name]); });
    var text = params.toString();
    return text ? url + "?" + text : url;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }

  function problemClass(props, mode) {
    if (mode === "overdue") {
      if (props.overdue) { return "map-pin-overdue"; }
      return (props.status === "closed" || props.status === "invalid") ? "map-pin-done" : "map-pin-on-time";
    }
    return "map-pin-" + props.status;
  }

  function pointClass(props) {
    if (props.overdue_problems > 0) { return "map-point-overdue"; }
    return props.open_problems > 0 ? "map-point-open" : "";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function problemPopup(props, labels) {
    var box = element("div");
    var title = element("a", "map-popup-title", props.code);
    title.href = props.url;
    box.appendChild(title);
    box.appendChild(element("div", "", props.status_label + (props.deadline ? " · " + labels.deadline + " " + props.deadline : "")));
    if (props.overdue) { box.appendChild(element("div", "map-popup-overdue", labels.overdue)); }
    box.appendChild(element("div", "small", props.description));
    return box;
  }

  function pointPopup(props, labels) {
    var box = element("div");
    var title = element("a", "map-popup-title", props.code + " " + props.name);
    title.href = props.url;
    box.appendChild(title);
    var counts = props.open_problems + " " + labels.open;
    if (props.overdue_problems) { counts += ", " + props.overdue_problems + " " + labels.overdue; }
    box.appendChild(element("div", "", counts));
    return box;
  }

  function initMap(block) {
    var d = block.dataset;
    var labels = { deadline: d.labelDeadline, overdue: d.labelOverdue, open: d.labelOpen };
    var canvas = block.querySelector("[data-map-canvas]");
    var status = block.querySelector("[data-map-status]");
    var map = L.map(canvas, { zoomControl: true, attributionControl: false, maxZoom: 18, minZoom: 3 });
    var mode = "status";
    var truncated = false;

    JSON.parse(d.tiles || "[]").forEach(function (layer) {
      L.tileLayer(layer.url, { subdomains: layer.subdomains, maxZoom: 18 }).addTo(map);
    });
    map.setView([35, 105], 4);  // China, until the data say where the city is

    var boundaries = L.geoJSON(null, {
      interactive: false,
      style: function (feature) {
        var district = feature.properties.kind === "district";
        return { color: district ? "#146c43" : "#6c757d", weight: district ? 2 : 1, fillOpacity: district ? 0.04 : 0,
                 dashArray: district ? null : "4 3" };
      }
    }).addTo(map);
    var problems = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
    // Sample points lie under the problems found at them: their own pane, below the markers'.
    map.createPane("mapPoints").style.zIndex = 550;
    var points = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45, clusterPane: "mapPoints" });
    problems.addTo(map);
    points.addTo(map);
    var overlays = {};
    overlays[d.labelProblems] = problems;
    overlays[d.labelPoints] = points;
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);

    function problemMarker(feature) {
      var c = feature.geometry.coordinates;
      var marker = L.marker([c[1], c[0]], {
        icon: L.divIcon({ className: "map-pin " + problemClass(feature.properties, mode), iconSize: [14, 14] }),
        title: feature.properties.code, keyboard: true
      });
      marker.feature = feature;
      marker.bindPopup(function () { return problemPopup(feature.properties, labels); });
      return marker;
    }

    function showProblems(collection) {
      problems.clearLayers();
      problems.addLayers(collection.features.map(problemMarker));
      truncated = collection.shown < collection.total || collection.total_is_lower_bound;
      var template = collection.total_is_lower_bound ? d.textShowingMore : d.textShowing;
      var text = fill(template, { shown: collection.shown, total: collection.total });
      if (collection.open_only) { text += " " + d.textOpenOnly; }
      status.textContent = text;
      return collection;
    }

    function showPoints(collection) {
      points.clearLayers();
      points.addLayers(collection.features.map(function (feature) {
        var c = feature.geometry.coordinates;
        var marker = L.marker([c[1], c[0]], {
          icon: L.divIcon({ className: "map-point " + pointClass(feature.properties), iconSize: [14, 14] }),
          title: feature.properties.code + " " + feature.properties.name, keyboard: true, pane: "mapPoints"
        });
        marker.bindPopup(function () { return pointPopup(feature.properties, labels); });
        return marker;
      }));
      return collection;
    }

    function failed() { status.textContent = d.textFailed; }

    function featureBounds(collection) {
      return L.latLngBounds(collection.features.map(function (f) {
        return [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      }));
    }

    // Everything is loaded first, the view placed, then the markers added: clustered once, at
    // the zoom they are seen at.
    Promise.all([getJSON(d.boundariesUrl), getJSON(withQuery(d.problemsUrl, d.query)),
                 getJSON(withQuery(d.pointsUrl, d.query))]).then(function (answers) {
      var areas = answers[0], found = answers[1], places = answers[2];
      boundaries.addData(areas);
      var focus = new URLSearchParams(d.query || "").get("sample_point");
      var fit = focus ? featureBounds(places) : (boundaries.getLayers().length ? boundaries.getBounds() : L.latLngBounds([]));
      if (!fit.isValid()) { fit = featureBounds(found).extend(featureBounds(places)); }
      if (!fit.isValid() && areas.bbox) { fit = L.latLngBounds([areas.bbox[1], areas.bbox[0]], [areas.bbox[3], areas.bbox[2]]); }
      if (fit.isValid()) { map.fitBounds(fit, { maxZoom: 16, padding: [10, 10], animate: false }); }
      showPoints(places);
      showProblems(found);
      block.setAttribute("data-map-ready", "");  // loaded and placed (the browser tests wait for it)
    }).catch(failed);

    // A capped answer: what lies in the view is asked for again after each move.
    var timer = null;
    map.on("moveend", function () {
      if (!truncated) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        getJSON(withQuery(d.problemsUrl, d.query, { bbox: map.getBounds().toBBoxString() })).then(showProblems).catch(failed);
      }, 300);
    });

    block.querySelectorAll("[data-map-colour]").forEach(function (button) {
      button.addEventListener("click", function () {
        mode = button.getAttribute("data-map-colour");
        block.querySelectorAll("[data-map-colour]").forEach(function (other) {
          var on = other === button;
          other.classList.toggle("active", on);
          other.setAttribute("aria-pressed", on ? "true" : "false");
        });
        block.querySelectorAll("[data-map-legend]").forEach(function (legend) {
          legend.hidden = legend.getAttribute("data-map-legend") !== mode;
        });
        problems.eachLayer(function (marker) {
          marker.setIcon(L.divIcon({ className: "map-pin " + problemClass(marker.feature.properties, mode), iconSize: [14, 14] }));
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(initMap);
  });
})();
