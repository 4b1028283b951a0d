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
