// Scan mode (扫代表码), rules R36–R38. The station's device reads a deputy's personal code with the
// vendored zxing-wasm decoder, and sends each scan (code, its own nonce, the scan time by this
// device's clock) to the server, which answers recorded / pending / already / refused. Offline, or
// when an upload fails for a reason that a retry cures (signed out, network, server), the scan is
// kept in localStorage and shown as "待上传 n"; the queue is sent when the network returns. A
// replayed upload carries the same nonce, so the server never makes a second row.
(function () {
  "use strict";

  // --- the station chooser: a device fixed to a station goes straight to its camera page ---------
  var choice = document.getElementById("scan-station-choice");
  if (choice) {
    var fixed = window.localStorage.getItem(choice.getAttribute("data-fixed-key"));
    if (fixed && !choice.getAttribute("data-choose")) {
      var link = choice.querySelector('.scan-station[data-station-id="' + fixed + '"]');
      if (link) {
        window.location.replace(link.href);
      }
    }
    return;
  }

  var root = document.getElementById("scanner");
  if (!root) {
    return;
  }
  var texts = document.getElementById("scan-texts");
  var video = document.getElementById("scan-video");
  var result = document.getElementById("scan-result");
  var nameBox = document.getElementById("scan-name");
  var messageBox = document.getElementById("scan-message");
  var queueBadge = document.getElementById("scan-queue");
  var statusLine = document.getElementById("scan-status");
  var log = document.getElementById("scan-log");
  var startButton = document.getElementById("scan-start");
  var fixedBox = document.getElementById("scan-fixed");

  var stationId = root.getAttribute("data-station-id");
  var submitUrl = root.getAttribute("data-submit-url");
  var userId = root.getAttribute("data-user-id");
  var csrf = root.getAttribute("data-csrf");
  var queueKey = root.getAttribute("data-queue-key");
  var fixedKey = root.getAttribute("data-fixed-key");
  var PREFIX = "LDC1.";
  // The same code in view again this soon is the same scan; later it is asked again (已签到 08:31).
  var SAME_CODE_MS = 3000;
  var RETRY_MS = 10000;

  // Timings for the page's tests and the measured figure: frame captured → answer on screen.
  window.scannerTimings = [];

  function text(name, n) {
    var value = texts.getAttribute("data-" + name) || "";
    return n === undefined ? value : value.replace("{n}", String(n));
  }

  // --- the answer, a sound, the log ------------------------------------------------------------
  var audio = null;

  function beep(ok) {
    if (!audio) {
      return;
    }
    var tones = ok ? [[880, 0, 0.15]] : [[220, 0, 0.18], [220, 0.25, 0.18]];
    tones.forEach(function (tone) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = tone[0];
      gain.gain.value = 0.3;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(audio.currentTime + tone[1]);
      osc.stop(audio.currentTime + tone[1] + tone[2]);
    });
  }

  function show(kind, name, message) {
    result.className = "scan-result scan-" + kind;
    result.setAttribute("data-result", kind);
    nameBox.textContent = name || "";
    messageBox.textContent = message || "";
    beep(kind === "ok");
  }

  function note(line) {
    var item = document.createElement("li");
    item.textContent = line;
    log.insertBefore(item, log.firstChild);
    while (log.children.length > 8) {
      log.removeChild(log.lastChild);
    }
  }

  // --- the queue kept on this device ------------------------------------------------------------
  function readQueue() {
    try {
      var items = JSON.parse(window.localStorage.getItem(queueKey) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (error) {
      return [];
    }
  }

  function writeQueue(items) {
    window.localStorage.setItem(queueKey, JSON.stringify(items));
    showQueue();
  }

  // Only this staff member's scans are sent from this page: each names its witness.
  function mine(item) {
    return item.user_id === userId;
  }

  function showQueue() {
    var n = readQueue().filter(mine).length;
    queueBadge.hidden = n === 0;
    queueBadge.textContent = text("pending-count", n);
    queueBadge.setAttribute("data-count", String(n));
  }

  // A scan of this code at this station already waiting on the device.
  function waiting(code) {
    return readQueue().some(function (item) {
      return item.code === code && item.submit_url === submitUrl && mine(item);
    });
  }

  function enqueue(scan) {
    var items = readQueue();
    var same = waiting(scan.code);
    if (!same) {
      items.push(scan);
      writeQueue(items);
    }
    return !same;
  }

  function nonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return window.btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // --- sending one scan ---------------------------------------------------------------------------
  // Resolves to the server's answer, or to null when the scan should stay queued.
  function send(scan) {
    return window.fetch(scan.submit_url, {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify({code: scan.code, nonce: scan.nonce, scanned_at: scan.scanned_at})
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if ((response.status === 200 || response.status === 400) && type.indexOf("application/json") === 0) {
        return response.json();
      }
      statusLine.textContent = response.type === "opaqueredirect" || response.status === 401 ||
        response.status === 403 || response.status === 400 ? text("signed-out") : text("upload-failed");
      return null;
    }, function () {
      statusLine.textContent = text("upload-failed");
      return null;
    });
  }

  function answer(reply) {
    var kind = {recorded: "ok", already: "ok", pending: "wait"}[reply.result] || "bad";
    return {kind: kind, name: reply.name || "", message: reply.message || ""};
  }

  var flushing = false;

  function flush() {
    if (flushing || !navigator.onLine) {
      return;
    }
    var waiting = readQueue().filter(mine);
    if (!waiting.length) {
      return;
    }
    flushing = true;
    var sent = 0;
    function next(i) {
      if (i >= waiting.length) {
        return Promise.resolve();
      }
      var scan = waiting[i];
      return send(scan).then(function (reply) {
        if (reply === null) {
          return null;  // stop: the rest waits for the next try
        }
        writeQueue(readQueue().filter(function (item) {
          return item.nonce !== scan.nonce;
        }));
        sent += 1;
        var shown = answer(reply);
        note(new Date(scan.scanned_at).toLocaleTimeString("zh-CN", {hour12: false}) + " " + shown.name +
             " " + shown.message);
        return next(i + 1);
      });
    }
    next(0).then(function () {
      flushing = false;
      if (sent) {
        statusLine.textContent = text("uploaded", sent);
      }
      showQueue();
    });
  }

  // --- a decoded code -----------------------------------------------------------------------------
  var lastCode = "";
  var lastAt = 0;
  var busy = false;

  function handle(code, capturedAt, decodedAt) {
    var now = Date.now();
    if (code === lastCode && now - lastAt < SAME_CODE_MS) {
      return;
    }
    lastCode = code;
    lastAt = now;
    if (code.indexOf(PREFIX) !== 0) {
      show("bad", "", text("not-code"));
      return;
    }
    var scan = {code: code, nonce: nonce(), scanned_at: now, station_id: stationId, submit_url: submitUrl,
                user_id: userId};
    if (waiting(code)) {
      // Its first scan waits to be sent: that one goes (with its own, earlier scan time), not a new one.
      show("wait", "", text("queued-again"));
      flush();
      return;
    }
    if (!navigator.onLine) {
      show("wait", "", enqueue(scan) ? text("queued") : text("queued-again"));
      window.scannerTimings.push({captured: capturedAt, decoded: decodedAt, shown: performance.now(), offline: true});
      return;
    }
    busy = true;
    send(scan).then(function (reply) {
      busy = false;
      lastAt = Date.now();
      if (reply === null) {
        enqueue(scan);
        show("wait", "", text("queued"));
        return;
      }
      var shown = answer(reply);
      show(shown.kind, shown.name, shown.message);
      window.scannerTimings.push({captured: capturedAt, decoded: decodedAt, shown: performance.now(),
                                  result: reply.result});
      note(new Date(now).toLocaleTimeString("zh-CN", {hour12: false}) + " " + shown.name + " " + shown.message);
    });
  }

  // --- the camera and the decoder -------------------------------------------------------------------
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", {willReadFrequently: true});
  var READER_OPTIONS = {formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1};

  function decodeLoop() {
    if (busy || video.readyState < 2 || !video.videoWidth) {
      window.setTimeout(decodeLoop, 50);
      return;
    }
    // At most 640 px wide: enough for a phone's code held at arm's length, and quick to decode.
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    var capturedAt = performance.now();
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    window.ZXingWASM.readBarcodes(image, READER_OPTIONS).then(function (found) {
      var hit = found.filter(function (r) {
        return r.isValid && r.text;
      })[0];
      if (hit) {
        handle(hit.text, capturedAt, performance.now());
      }
    }, function () {
      // A frame that cannot be read: the next one will.
    }).then(function () {
      window.setTimeout(decodeLoop, 30);
    });
  }

  function start() {
    startButton.disabled = true;
    try {
      var AudioContext = window.AudioContext || window.webkitAudioContext;
      audio = AudioContext ? new AudioContext() : null;
    } catch (error) {
      audio = null;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.ZXingWASM) {
      show("bad", "", text("no-camera"));
      startButton.disabled = false;
      return;
    }
    statusLine.textContent = text("loading");
    var camera = navigator.mediaDevices.getUserMedia({
      audio: false, video: {facingMode: "environment", width: {ideal: 1280}, height: {ideal: 720}}
    });
    Promise.all([decoder, camera]).then(function (done) {
      video.srcObject = done[1];
      return video.play();
    }).then(function () {
      startButton.hidden = true;
      statusLine.textContent = text("camera-on");
      show("idle", "", text("camera-on"));
      window.scannerCameraStartedAt = performance.now();
      decodeLoop();
    }, function () {
      show("bad", "", text("no-camera"));
      startButton.disabled = false;
    });
  }

  // The decoder is loaded with the page, so a device that loses the network before the camera is
  // opened still reads codes. Its .wasm comes from this app (vendor/zxing-wasm), never its default CDN.
  var decoder = window.ZXingWASM ? window.ZXingWASM.prepareZXingModule({
    overrides: {locateFile: function (path, prefix) {
      return path.slice(-5) === ".wasm" ? root.getAttribute("data-wasm-url") : prefix + path;
    }},
    fireImmediately: true
  }) : Promise.reject(new Error("no decoder"));
  decoder.then(function () {
    // One read of an empty picture compiles the decoder's paths before the first deputy arrives.
    var blank = new ImageData(64, 64);
    return window.ZXingWASM.readBarcodes(blank, READER_OPTIONS).catch(function () {
      return null;
    });
  }).then(function () {
    window.scannerDecoderReady = true;
  }, function () {
    window.scannerDecoderReady = false;
  });

  startButton.addEventListener("click", start);
  fixedBox.checked = window.localStorage.getItem(fixedKey) === stationId;
  fixedBox.addEventListener("change", function () {
    if (fixedBox.checked) {
      window.localStorage.setItem(fixedKey, stationId);
    } else {
      window.localStorage.removeItem(fixedKey);
    }
  });
  window.addEventListener("online", flush);
  window.setInterval(flush, RETRY_MS);
  showQueue();
  flush();
}());
