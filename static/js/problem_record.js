// Recording a problem: "Use my location" fills latitude and longitude from the phone's GPS.
// The messages come translated in the button's data-* attributes.
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  if (!button || !navigator.geolocation) { return; }
  button.hidden = false;
  var status = document.getElementById("location-status");
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
      status.textContent = button.dataset.located;
    }, function () {
      status.textContent = button.dataset.unavailable;
    }, {enableHighAccuracy: true, timeout: 15000});
  });
})();

// Likely duplicates: once a category and a place (coordinates or a sample point) are chosen,
// the open problems of that category nearby are listed (ledger:problem_nearby, JSON), so the
// recorder sees them before saving. Texts come translated in the list's data-* attributes.
(function () {
  "use strict";
  var box = document.getElementById("nearby");
  if (!box || !window.fetch) { return; }
  var form = box.closest("form");
  var list = document.getElementById("nearby-list");
  var summary = document.getElementById("nearby-summary");
  var timer = null;
  var asked = "";

  function value(name) {
    var field = form.elements[name];
    return field ? String(field.value || "").trim() : "";
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function item(problem) {
    var li = document.createElement("li");
    li.className = "d-flex gap-2 align-items-start py-1 border-top";
    if (problem.thumbnail) {
      var img = document.createElement("img");
      img.src = problem.thumbnail;
      img.alt = "";
      img.width = 56;
      img.height = 42;
      img.loading = "lazy";
      img.className = "rounded flex-shrink-0 object-fit-cover";
      li.appendChild(img);
    }
    var text = document.createElement("div");
    var link = document.createElement("a");
    link.href = problem.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = problem.code;
    text.appendChild(link);
    var meta = document.createElement("span");
    meta.className = "ms-2";
    meta.textContent = fill(box.dataset.distance, {metres: problem.distance_m}) + " · " + problem.status +
      " · " + problem.found_at;
    text.appendChild(meta);
    var description = document.createElement("div");
    description.className = "text-body-secondary";
    description.textContent = problem.description + (problem.address ? " — " + problem.address : "");
    text.appendChild(description);
    li.appendChild(text);
    return li;
  }

  function show(data) {
    list.textContent = "";
    if (!data.results.length) { box.hidden = true; return; }
    summary.textContent = fill(box.dataset.summary, {count: data.results.length, radius: data.radius_m,
                                                     days: data.days});
    data.results.forEach(function (problem) { list.appendChild(item(problem)); });
    box.hidden = false;
  }

  function ask() {
    var params = new URLSearchParams();
    params.set("category", value("category"));
    if (value("latitude") && value("longitude")) {
      params.set("latitude", value("latitude"));
      params.set("longitude", value("longitude"));
    } else if (value("sample_point")) {
      params.set("sample_point", value("sample_point"));
    } else {
      box.hidden = true;
      return;
    }
    if (!value("category")) { box.hidden = true; return; }
    var query = params.toString();
    if (query === asked) { return; }
    asked = query;
    fetch(box.dataset.url + "?" + query, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && query === asked) { show(data); } })
      .catch(function () { /* offline: recording still works, without the list */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 400);
  }

  ["category", "sample_point", "latitude", "longitude"].forEach(function (name) {
    var field = form.elements[name];
    if (field) {
      field.addEventListener("change", later);
      field.addEventListener("input", later);
    }
  });
  // The "use my location" button fills the coordinates without an input event.
  var locate = document.getElementById("location-status");
  if (locate && window.MutationObserver) {
    new MutationObserver(later).observe(locate, {childList: true, characterData: true, subtree: true});
  }
  ask();
})();

// Suggested classes: once a description is typed, the problem classes it probably belongs to are
// listed (the API's /api/problem-classes/suggest/, as the problem page's) with why; "Put it in this class" chooses it in
// the form's class field, which can still be changed or emptied. Texts come in data-* attributes.
(function () {
  "use strict";
  var box = document.getElementById("class-suggest");
  if (!box || !window.fetch) { return; }
  var form = box.closest("form");
  var list = document.getElementById("class-suggest-list");
  var select = form.elements.problem_class;
  var timer = null;
  var asked = "";

  function value(name) {
    var field = form.elements[name];
    return field ? String(field.value || "").trim() : "";
  }

  function reasons(suggestion) {
    var parts = [];
    if (suggestion.words.length) { parts.push(box.dataset.words + ": " + suggestion.words.join("、")); }
    if (suggestion.same_category) { parts.push(box.dataset.sameCategory); }
    if (suggestion.same_point) { parts.push(box.dataset.samePoint); }
    else if (suggestion.same_district) { parts.push(box.dataset.sameDistrict); }
    return parts.join(" · ");
  }

  function item(suggestion) {
    var li = document.createElement("li");
    li.className = "d-flex flex-wrap gap-2 align-items-center py-1 border-top class-suggestion";
    li.dataset.class = suggestion.code;
    var link = document.createElement("a");
    link.href = box.dataset.classUrl.replace("/0/", "/" + suggestion.problem_class + "/");
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = suggestion.code + " " + suggestion.name;
    li.appendChild(link);
    var why = document.createElement("span");
    why.className = "text-body-secondary";
    why.textContent = reasons(suggestion);
    li.appendChild(why);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-primary btn-sm";
    var chosen = select && String(select.value) === String(suggestion.problem_class);
    button.textContent = chosen ? box.dataset.chosen : box.dataset.choose;
    button.disabled = chosen;
    button.addEventListener("click", function () {
      if (!select) { return; }
      select.value = String(suggestion.problem_class);
      select.dispatchEvent(new Event("change", {bubbles: true}));
    });
    li.appendChild(button);
    return li;
  }

  var last = [];
  function show(results) {
    last = results;
    list.textContent = "";
    results.forEach(function (suggestion) { list.appendChild(item(suggestion)); });
    box.hidden = !results.length;
  }

  function ask() {
    var description = value("description");
    if (description.length < 2) { show([]); asked = ""; return; }
    var params = new URLSearchParams();
    params.set("description", description);
    ["category", "sample_point", "district"].forEach(function (name) {
      if (value(name)) { params.set(name, value(name)); }
    });
    var query = params.toString();
    if (query === asked) { return; }
    asked = query;
    fetch(box.dataset.url + "?" + query, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && query === asked) { show(data.slice(0, 3)); } })
      .catch(function () { /* offline: recording still works, without suggestions */ });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 500);
  }

  ["description", "category", "sample_point", "district"].forEach(function (name) {
    var field = form.elements[name];
    if (field) {
      field.addEventListener("change", later);
      field.addEventListener("input", later);
    }
  });
  if (select) { select.addEventListener("change", function () { show(last); }); }
  ask();
})();
