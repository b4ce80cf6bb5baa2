/* 候考室 (exam_waiting.html). The countdown runs on the page's monotonic clock
   from the seconds to the start that the server gave (its clock, not the
   device's), and is set again from GET .../state about once a minute.
   While the candidate waits, the page fetches its paper sealed with the
   exam's key (quizapp/sealed_paper.py), at a moment of its own. In the last
   half minute, at a moment of its own too, it asks for the exam's key with
   ?hold=1: the server holds the request and answers it at the start second
   itself (quizapp/web/start_gate.py), and the page opens the seal and shows
   the paper in place of the room at once. Should that fail (a proxy cut the
   request, the start moved), the page does as before: at the start second it
   waits its own delay (data-delay-ms, spread by the server over the first
   seconds so that thousands of pages do not ask in the same instant) and
   asks for the key then. Without the seal (no WebCrypto: a plain-HTTP
   address other than localhost; the fetch failed; the key does not open it)
   it loads its address again: the server now sends the paper, drawn when the
   candidate came in. The device check posts a save of nothing (POST
   .../check) through the same session and CSRF check as a save, and says
   whether it came back. */
(function () {
  "use strict";
  var box = document.getElementById("waiting-room");
  if (!box || !window.fetch) return;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var delay = parseInt(box.dataset.delayMs, 10) || 0;
  var startAt = performance.now() + parseFloat(box.dataset.startsIn) * 1000;
  var shown = document.getElementById("countdown");
  var state = document.getElementById("room-state");
  var check = document.getElementById("device-check");
  var again = document.getElementById("check-again");
  var leaving = false;
  var attempt = box.dataset.paperUrl.split("/").pop();
  var canOpen = !!(window.crypto && window.crypto.subtle && window.DecompressionStream && window.TextEncoder);
  var sealed = null;                    // the sealed paper (ArrayBuffer) once fetched
  var key = null;                       // the exam's key (base64), once the server gave it
  var opened = false;                   // the paper's opening has begun
  var timers = [];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function text(seconds) {
    var s = Math.ceil(seconds), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }

  /* started: the start second is known on this page's clock (the countdown ran out). The paper,
     prepared while the candidate waited, shows the time as at that second; it takes off the
     seconds since from the moment kept here (static/exam.js). */
  function openPaper(after, started) {
    if (leaving) return;
    leaving = true;
    if (started) {
      try {
        sessionStorage.setItem("zj-start-" + attempt,
                               String(Date.now() + Math.max(0, startAt - performance.now())));
      } catch (e) { /* private mode: the paper asks the server for the time */ }
    }
    state.textContent = "已开考，正在发卷……";
    window.setTimeout(showPaper, after);
  }

  function showPaper() {
    if (opened) return;
    opened = true;
    if (sealed && key) reveal(key); else if (sealed) unseal(20); else loadPaper();
  }

  function loadPaper() { window.location.replace(box.dataset.paperUrl); }

  function fetchSealed(triesLeft) {
    fetch(box.dataset.sealedUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.arrayBuffer() : Promise.reject(r.status); })
      .then(function (buffer) { if (!leaving) sealed = buffer; })
      .catch(function (status) {
        // 409: no sealed paper to give (started already, or not a waiting-room attempt)
        if (status !== 409 && triesLeft > 0 && startAt - performance.now() > 15000) {
          window.setTimeout(function () { fetchSealed(triesLeft - 1); }, 20000 + Math.random() * 20000);
        }
      });
  }

  function bytes(base64) {
    var text = window.atob(base64), out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  /* The exam's key, held by the server until the start second: given, the paper opens at once,
     whatever this page's own countdown says. Not given: the start as below. */
  function holdForKey() {
    if (leaving) return;
    if (!sealed) {                      // the seal is still on its way: a little later, while there is time
      if (startAt - performance.now() > 3000) timers.push(window.setTimeout(holdForKey, 1000));
      return;
    }
    fetch(box.dataset.keyUrl + "?hold=1", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        key = data.key;
        startAt = Math.min(startAt, performance.now());  // the server's start second is now
        if (leaving) showPaper(); else openPaper(0, true);
      })
      .catch(function () { /* the page's delay, then the key, as without the hold */ });
  }

  /* The exam's key (409 until the server's start second: this device's clock ran a little fast),
     the seal opened and unpacked, the paper written in place of the room. Anything amiss: the
     paper from the server. */
  function unseal(triesLeft) {
    fetch(box.dataset.keyUrl, { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 409 && triesLeft > 0) {
          window.setTimeout(function () { unseal(triesLeft - 1); }, 500);
          return null;
        }
        return r.ok ? r.json() : Promise.reject(r.status);
      })
      .then(function (data) { if (data) reveal(data.key); })
      .catch(loadPaper);
  }

  function reveal(base64Key) {
    window.crypto.subtle.importKey("raw", bytes(base64Key), "AES-GCM", false, ["decrypt"])
      .then(function (aes) {
        return window.crypto.subtle.decrypt(
          { name: "AES-GCM", iv: new Uint8Array(sealed, 0, 12),
            additionalData: new TextEncoder().encode("attempt:" + attempt) },
          aes, new Uint8Array(sealed, 12));
      })
      .then(function (packed) {
        var stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
        return new Response(stream).text();
      })
      .then(function (html) {
        timers.forEach(function (id) { window.clearTimeout(id); });   // the room's clocks stop
        document.open();
        document.write(html);
        document.close();
      })
      .catch(loadPaper);
  }

  function tick() {
    var left = (startAt - performance.now()) / 1000;
    if (left <= 0) {
      shown.textContent = "0:00";
      openPaper(delay, true);
      return;
    }
    shown.textContent = text(left);
  }

  function sync() {
    fetch(box.dataset.stateUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (data.status === "waiting") startAt = performance.now() + data.starts_in * 1000;
        else openPaper(delay);             // started (or ended) already: the server's page says which
      })
      .catch(function () { /* keep counting; the next round tries again */ });
  }

  function deviceCheck() {
    var sent = performance.now();
    check.hidden = false;
    again.hidden = true;
    check.className = "meta";
    check.textContent = "正在检测本设备能否保存答案……";
    fetch(box.dataset.checkUrl, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: "{}"
    })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function () {
        check.className = "alert ok";
        check.textContent = "设备检测通过：本设备可以保存答案（往返 " + Math.round(performance.now() - sent) + " 毫秒）。";
      })
      .catch(function (status) {
        check.className = "alert error";
        check.textContent = (status === 401 || status === 403)
          ? "设备检测未通过：登录已失效，请重新登录后回到本页。"
          : "设备检测未通过：未能连上服务器。请检查网络后点“重新检测”；开考前仍未通过的，请联系监考人员。";
        again.hidden = false;
      });
  }

  again.addEventListener("click", deviceCheck);
  tick();
  timers.push(window.setInterval(tick, 250));
  // about once a minute, each page at its own moment
  timers.push(window.setTimeout(function () { sync(); timers.push(window.setInterval(sync, 60000)); },
                                20000 + Math.random() * 40000));
  deviceCheck();
  // the sealed paper: within the first minute in the room (at once when the start is near),
  // each page at its own moment
  // the key held until the start: asked at a moment of the last half minute (at once when later)
  if (canOpen && box.dataset.sealedUrl) {
    var wait = (startAt - performance.now()) / 1000;
    window.setTimeout(function () { fetchSealed(3); },
                      wait < 20 ? 0 : Math.random() * Math.min(60, wait - 15) * 1000);
    timers.push(window.setTimeout(holdForKey, Math.max(1000, (wait - 10 - Math.random() * 25) * 1000)));
  }
})();
