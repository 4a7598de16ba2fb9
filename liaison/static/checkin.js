/* Check-in page: on the 签到 tap, ask the phone where it is, then send the form.
 *
 * Only a poster scan at a station with a fence asks (the form says so in data-locate). Browsers
 * give a location only to secure pages (HTTPS or this machine); without one, on refusal, or after
 * about 8 seconds, the form is sent without location and the check-in waits for staff instead.
 * A second tap sends nothing more: the server would answer with the same check-in anyway.
 */
(function () {
  "use strict";

  var form = document.getElementById("checkin-form");
  if (!form) {
    return;
  }
  var button = document.getElementById("checkin-button");
  var status = document.getElementById("locating");
  var sent = false;

  function send() {
    if (sent) {
      return;
    }
    sent = true;
    // form.submit() fires no submit event, so this does not loop back into the handler below.
    form.submit();
  }

  function fill(position) {
    var coords = position.coords;
    form.elements.latitude.value = String(coords.latitude);
    form.elements.longitude.value = String(coords.longitude);
    form.elements.accuracy.value = String(coords.accuracy);
  }

  form.addEventListener("submit", function (event) {
    if (sent) {
      event.preventDefault();
      return;
    }
    button.disabled = true;
    var wanted = form.dataset.locate === "1" && window.isSecureContext && "geolocation" in navigator;
    if (!wanted) {
      sent = true;
      return;
    }
    event.preventDefault();
    status.classList.remove("d-none");
    // Some in-app browsers never call back when the permission prompt is dismissed: go anyway.
    var fallback = window.setTimeout(send, 9000);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        window.clearTimeout(fallback);
        fill(position);
        send();
      },
      function () {
        window.clearTimeout(fallback);
        send();
      },
      {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000}
    );
  });

  // Coming back with the browser's back button shows the page from memory: make it usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      sent = false;
      button.disabled = false;
      status.classList.add("d-none");
    }
  });
})();
