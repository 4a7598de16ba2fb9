// Kiosk screen (扫码屏): show a freshly signed QR every few seconds, and a new one as soon as the
// one on screen has been used (each code makes one check-in). Every couple of seconds the screen
// names its code to the server: 204 means nobody used it yet; otherwise the answer is a new code.
// The display token travels in a request header, never in a URL (URLs reach access logs).
// A failed load leaves the current code up; once it is older than a token lives, the code is
// hidden and a notice says why, so nobody scans a code that can only be refused.
(function () {
  "use strict";

  var img = document.getElementById("kiosk-qr");
  var notice = document.getElementById("kiosk-stale");
  var clock = document.getElementById("kiosk-clock");
  if (!img) {
    return;
  }
  var source = img.getAttribute("data-source");
  var displayToken = img.getAttribute("data-display-token");
  var pollMs = Number(img.getAttribute("data-poll-seconds")) * 1000;
  var refreshMs = Number(img.getAttribute("data-refresh-seconds")) * 1000;
  // Hide a little before the server would refuse the token: scanning and loading take time.
  var staleMs = Math.max(Number(img.getAttribute("data-lifetime-seconds")) * 1000 - 10000, refreshMs);
  var lastLoaded = Date.now();
  var busy = false;
  // The server's clock, not the screen's: a television's clock is often wrong.
  var offsetMs = clock ? Number(clock.getAttribute("data-server-ms")) - Date.now() : 0;
  var timeZone = clock ? clock.getAttribute("data-time-zone") : undefined;

  function showStale(stale) {
    img.classList.toggle("kiosk-qr-stale", stale);
    if (notice) {
      notice.hidden = !stale;
    }
  }

  function show(svg, code) {
    img.src = "data:image/svg+xml;base64," + window.btoa(svg);
    img.setAttribute("data-code", code);
    lastLoaded = Date.now();
    showStale(false);
  }

  // Ask while the code on screen is young enough to keep; past the rotation time, take a new one.
  function renew() {
    if (busy) {
      return;
    }
    busy = true;
    var headers = {"X-Kiosk-Display": displayToken};
    if (Date.now() - lastLoaded < refreshMs) {
      headers["X-Kiosk-Shown"] = img.getAttribute("data-code");
    }
    window.fetch(source, {headers: headers, cache: "no-store", credentials: "same-origin", redirect: "error"})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status !== 200 || type.indexOf("image/svg+xml") !== 0) {
          return;
        }
        var code = response.headers.get("X-Kiosk-Code");
        return response.text().then(function (svg) {
          show(svg, code);
        });
      })
      .catch(function () {
        // Offline or refused: the notice comes once the code on screen is too old.
      })
      .then(function () {
        busy = false;
      });
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function tick() {
    if (Date.now() - lastLoaded > staleMs) {
      showStale(true);
    }
    if (!clock) {
      return;
    }
    var now = new Date(Date.now() + offsetMs);
    var text;
    try {
      text = now.toLocaleString("zh-CN", {
        timeZone: timeZone, hour12: false, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", second: "2-digit"
      }).replace(/\//g, "-");
    } catch (error) {
      // An old browser without time zones: the screen's own zone.
      text = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) + " " +
        pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    }
    clock.textContent = text;
  }

  window.setInterval(renew, pollMs);
  window.setInterval(tick, 1000);
  tick();
}());
