// Kiosk screen (扫码屏): load a freshly signed QR every few seconds and keep the clock running.
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
  var refreshMs = Number(img.getAttribute("data-refresh-seconds")) * 1000;
  // Hide a little before the server would refuse the token: scanning and loading take time.
  var staleMs = Math.max(Number(img.getAttribute("data-lifetime-seconds")) * 1000 - 10000, refreshMs);
  var lastLoaded = Date.now();
  var serial = 0;
  // The server's clock, not the screen's: a television's clock is often wrong.
  var offsetMs = clock ? Number(clock.getAttribute("data-server-ms")) - Date.now() : 0;
  var timeZone = clock ? clock.getAttribute("data-time-zone") : undefined;

  function showStale(stale) {
    img.classList.toggle("kiosk-qr-stale", stale);
    if (notice) {
      notice.hidden = !stale;
    }
  }

  function renew() {
    serial += 1;
    var next = new Image();
    next.addEventListener("load", function () {
      next.id = img.id;
      next.className = "kiosk-qr";
      next.alt = img.alt;
      var attributes = ["data-source", "data-refresh-seconds", "data-lifetime-seconds"];
      for (var i = 0; i < attributes.length; i += 1) {
        next.setAttribute(attributes[i], img.getAttribute(attributes[i]));
      }
      img.parentNode.replaceChild(next, img);
      img = next;
      lastLoaded = Date.now();
      showStale(false);
    });
    next.src = source + (source.indexOf("?") < 0 ? "?" : "&") + "n=" + Date.now() + "-" + serial;
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

  window.setInterval(renew, refreshMs);
  window.setInterval(tick, 1000);
  tick();
}());
