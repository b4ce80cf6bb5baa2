/* The exam page: the server's clock, saving each answer the moment it is
   chosen (and again after a lost connection), and the integrity log.
   Nothing here knows the answer key: the server never sends it. */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) return;
  var attempt = root.dataset.attempt;
  var api = "/api/attempts/" + attempt;
  var pendingKey = "zj-pending-" + attempt;
  var clock = document.getElementById("clock");
  var saveState = document.getElementById("save-state");
  var warning = document.getElementById("warning");
  var remaining = Number(root.dataset.remaining);
  var syncedAt = performance.now();
  /* A page prepared while the candidate waited (候考) shows the time left as at the start second;
     the waiting room noted that second on this device's clock, and the seconds since are taken off.
     Opened otherwise (another tab, a device that did not wait here), it asks the server at once. */
  var prepared = !!root.dataset.prepared, startedAt = 0;
  if (prepared) {
    try { startedAt = Number(sessionStorage.getItem("zj-start-" + attempt)) || 0; } catch (e) { /* private mode */ }
    if (startedAt) remaining = Math.max(0, remaining - Math.max(0, (Date.now() - startedAt) / 1000));
  }
  /* The order of saves is the server's: it counts the versions of each answer
     it keeps. The page knows the version of each answer it shows and sends it
     with a save (base); a save made on an answer that another device has
     replaced since is not kept, and the page then shows the server's answer.
     No clock takes part. */
  var versions = JSON.parse(root.dataset.versions || "{}");   // question id -> version of the answer shown
  /* question id -> {r: response, b: the version it was chosen on, u: responses sent
     from this page whose reply never came (the server may keep one of them)}, not yet acknowledged */
  var pending = load(pendingKey);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var inFlight = {};
  var retryDelay = 2000;
  var SYNC_MS = 30000;                  // the clock asks the server after this long without a save
  var ENTER_SPREAD_MS = 120000;         // a prepared page reports its opening within this (entered, below)
  var submitting = false;

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function keep() {
    try { localStorage.setItem(pendingKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body)
    });
  }

  /* --- clock: the server's remaining time, counted down locally. Every save's reply carries
     it (settle); the clock asks on its own only after 30 s without one, so an examinee who
     answers steadily costs the server no extra request --- */
  function left() { return Math.max(0, remaining - (performance.now() - syncedAt) / 1000); }
  function showClock() {
    var s = Math.ceil(left());
    clock.textContent = Math.floor(s / 60) + " 分 " + String(s % 60).padStart(2, "0") + " 秒";
    root.classList.toggle("last-minutes", s <= 300);
    if (s <= 0) finish();
  }
  function synced(seconds) { remaining = seconds; syncedAt = performance.now(); }
  function sync() {
    fetch(api + "/state", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (st) {
      if (st.status !== "open") { location.href = st.result_url; return; }
      synced(st.remaining);
    }).catch(function () { /* offline: keep counting locally */ });
  }

  /* --- answers --- */
  function responseOf(section) {
    if (section.dataset.type === "case") {
      var parts = {};
      section.querySelectorAll("fieldset[data-part]").forEach(function (fs) {
        parts[fs.dataset.part] = Array.prototype.map.call(fs.querySelectorAll("input:checked"), function (i) { return i.value; });
      });
      return parts;
    }
    return Array.prototype.map.call(section.querySelectorAll("input:checked"), function (i) { return i.value; });
  }
  function empty(response) {
    if (Array.isArray(response)) return response.length === 0;
    return Object.keys(response).every(function (k) { return response[k].length === 0; });
  }
  function mark(qid, state, text) {
    var el = document.querySelector('section[data-question="' + qid + '"] .q-state');
    if (el) { el.dataset.state = state; el.textContent = text; }
    showSaveState();
    showSheet();
  }
  function showSaveState() {
    var n = Object.keys(pending).length;
    saveState.className = "save-state " + (n ? "unsaved" : "ok");
    saveState.textContent = n ? (navigator.onLine ? "未保存 " + n + " 题，正在重试" : "网络已断开，未保存 " + n + " 题") : "已保存";
  }
  function send(qid) {
    if (inFlight[qid] || !(qid in pending)) return;
    var entry = pending[qid];
    inFlight[qid] = true;
    mark(qid, "saving", "保存中…");
    post(api + "/answers", { question_id: qid, response: entry.r, base: entry.b }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
    }).then(function (res) {
      inFlight[qid] = false;
      if (res.ok) {
        retryDelay = 2000;
        settle(qid, entry, res.body);
      } else if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        delete pending[qid]; keep();
        mark(qid, "error", "未保存：" + (res.body.detail || "请求被拒绝"));
        if (res.status === 401 || res.status === 409) { sync(); }
      } else { throw new Error("server " + res.status); }
    }).catch(function () {
      inFlight[qid] = false;
      if (pending[qid]) { pending[qid].u = (pending[qid].u || []).concat([entry.r]); keep(); }   // it may have arrived
      mark(qid, "unsaved", "未保存");
      setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }
  /* The server's reply to entry: the answer it keeps (reply.response) and its version. */
  function settle(qid, entry, reply) {
    var current = pending[qid];            // entry, or a newer choice made while entry was on its way
    versions[qid] = reply.seq;
    if (typeof reply.remaining === "number") synced(reply.remaining);
    if (reply.applied || sentBefore(entry, reply.response)) {
      if (current === entry && reply.applied) {
        delete pending[qid];
        mark(qid, empty(entry.r) ? "empty" : "saved", empty(entry.r) ? "未作答（已清除）" : "已保存");
      } else if (current) {
        current.b = reply.seq; current.u = [];    // chosen on this page after what the server keeps: send it on that
      }
    } else {
      delete pending[qid];                       // another device saved since: show what the server keeps
      var section = document.querySelector('section[data-question="' + qid + '"]');
      if (section) show(section, reply.response);
      mark(qid, "replaced", "已改为另一设备保存的答案，请核对");
    }
    keep();
    if (qid in pending) send(qid); else showSaveState();
  }
  function sentBefore(entry, response) {
    return (entry.u || []).some(function (r) { return canonical(r) === canonical(response); });
  }
  function canonical(response) {
    if (Array.isArray(response)) return response.slice().sort().join(",");
    return Object.keys(response).sort().map(function (k) { return k + ":" + canonical(response[k]); }).join(";");
  }
  function show(section, response) {
    section.querySelectorAll("input").forEach(function (input) {
      var part = input.closest("fieldset[data-part]");
      var chosen = Array.isArray(response) ? response : (response[part ? part.dataset.part : ""] || []);
      input.checked = chosen.indexOf(input.value) >= 0;
    });
  }
  function flush() { Object.keys(pending).forEach(send); }

  root.addEventListener("change", function (ev) {
    var section = ev.target.closest("section[data-question]");
    if (!section) return;
    var qid = section.dataset.question, before = pending[qid];
    /* an emptied answer is saved too: it clears the old one */
    pending[qid] = { r: responseOf(section), b: versions[qid] || 0, u: before ? before.u || [] : [] };
    keep();
    send(qid);
  });

  /* answers chosen on this device but not yet acknowledged survive a reload */
  Object.keys(pending).forEach(function (qid) {
    var section = document.querySelector('section[data-question="' + qid + '"]');
    if (!section || !pending[qid] || !("r" in pending[qid])) { delete pending[qid]; return; }
    if (!("b" in pending[qid])) pending[qid].b = versions[qid] || 0;   // kept by the page of an earlier release
    show(section, pending[qid].r);
  });
  keep();

  /* --- 答题卡: each question answered, partly answered (a case's parts) or not, and marked for review.
     The marks are the trainee's own aid, kept in this browser only (localStorage per attempt);
     the page says that they do not follow to another device. --- */
  var marksKey = "zj-marks-" + attempt;
  var marks = load(marksKey);               // question id -> true
  var sheet = document.getElementById("answer-sheet");
  var sheetToggle = document.getElementById("sheet-toggle");
  var STATE_NAMES = { answered: "已作答", partial: "部分作答", empty: "未作答" };
  function answerState(section) {
    var response = responseOf(section);
    if (Array.isArray(response)) return response.length ? "answered" : "empty";
    var parts = Object.keys(response), filled = parts.filter(function (k) { return response[k].length; }).length;
    return filled === 0 ? "empty" : (filled === parts.length ? "answered" : "partial");
  }
  function counts() {
    var c = { answered: 0, unanswered: 0, marked: 0, total: 0 };
    root.querySelectorAll("section[data-question]").forEach(function (section) {
      c.total++;
      if (answerState(section) === "answered") c.answered++; else c.unanswered++;
      if (marks[section.dataset.question]) c.marked++;
    });
    return c;
  }
  function showSheet() {
    if (!sheet) return;
    root.querySelectorAll("section[data-question]").forEach(function (section) {
      var item = sheet.querySelector('.sheet-item[data-target="' + section.id + '"]');
      var state = answerState(section), marked = !!marks[section.dataset.question];
      if (item) {
        item.dataset.state = state;
        item.dataset.marked = String(marked);
        item.setAttribute("aria-label", "第 " + section.dataset.number + " 题，" + STATE_NAMES[state] + (marked ? "，已标记" : ""));
      }
      var toggle = section.querySelector(".mark-toggle");
      if (toggle) toggle.setAttribute("aria-pressed", String(marked));
    });
    var c = counts(), figures = document.querySelectorAll("#sheet-counts strong");
    if (figures.length === 3) {
      figures[0].textContent = c.answered; figures[1].textContent = c.unanswered; figures[2].textContent = c.marked;
    }
    document.getElementById("sheet-summary").textContent = c.answered + "/" + c.total;
  }
  function openSheet(open) {
    sheet.hidden = !open;
    sheetToggle.setAttribute("aria-expanded", String(open));
  }
  if (sheet) {
    sheetToggle.addEventListener("click", function () { openSheet(sheet.hidden); });
    sheet.addEventListener("click", function (ev) {
      var item = ev.target.closest(".sheet-item");
      var section = item && document.getElementById(item.dataset.target);
      if (!section) return;
      openSheet(false);                     // the question is in view, not under the sheet
      section.scrollIntoView({ block: "start" });
      section.focus({ preventScroll: true });
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && !sheet.hidden) { openSheet(false); sheetToggle.focus(); }
    });
    root.addEventListener("click", function (ev) {
      var toggle = ev.target.closest(".mark-toggle");
      var section = toggle && toggle.closest("section[data-question]");
      if (!section) return;
      var qid = section.dataset.question;
      if (marks[qid]) delete marks[qid]; else marks[qid] = true;
      try { localStorage.setItem(marksKey, JSON.stringify(marks)); } catch (e) { /* private mode */ }
      showSheet();
    });
  }

  /* --- integrity log: leaving and returning, reloads, the connection ---
     The server decides what counts (domain/integrity.py): only a return after an
     absence longer than the exam's grace period; reloads and reconnections never. */
  var leftKey = "zj-left-" + attempt;      // when the page was left: survives a reload
  var leftAt = null;
  var offlineAt = null;
  var queued = [];
  function event(kind, durationMs) {
    queued.push({ kind: kind, duration_ms: durationMs == null ? null : Math.max(0, Math.round(durationMs)) });
    sendEvents();
  }
  function showWarning(text) {
    if (!text) return;
    warning.hidden = false;
    warning.textContent = text;
  }
  function sendEvents() {
    if (!queued.length || !navigator.onLine) return;
    var ev = queued.shift();
    post(api + "/events", ev).then(function (r) { return r.json(); }).then(function (res) {
      if (res.submitted) { location.href = res.result_url; return; }
      showWarning(res.warning);
      sendEvents();
    }).catch(function () { queued.unshift(ev); });
  }
  function lost() {
    if (leftAt !== null) return;
    leftAt = Date.now();
    try { sessionStorage.setItem(leftKey, String(leftAt)); } catch (e) { /* private mode */ }
  }   /* one event per absence, sent on return with its length (or by the reload that ends it) */
  function back() {
    if (leftAt === null) return;
    var away = Date.now() - leftAt;
    leftAt = null;
    try { sessionStorage.removeItem(leftKey); } catch (e) { /* private mode */ }
    event("focus", away);
  }
  document.addEventListener("visibilitychange", function () { document.hidden ? lost() : back(); });
  window.addEventListener("blur", lost);
  window.addEventListener("focus", back);
  window.addEventListener("offline", function () {
    offlineAt = Date.now();
    queued.push({ kind: "offline", duration_ms: null });
    showSaveState();
  });
  window.addEventListener("online", function () {
    event("online", offlineAt === null ? null : Date.now() - offlineAt);
    offlineAt = null;
    flush(); sync(); showSaveState();
  });
  (function entered() {
    var opened = "zj-opened-" + attempt, since = null;
    try {
      since = sessionStorage.getItem(leftKey);
      sessionStorage.removeItem(leftKey);
      if (localStorage.getItem(opened)) { event("reload", since ? Date.now() - Number(since) : null); return; }
      localStorage.setItem(opened, "1");
    } catch (e) { /* private mode */ }
    if (!prepared) { event("enter"); return; }
    /* a page prepared in the waiting room opens at the start second with everyone else's:
       it reports its opening within the next two minutes, with how long ago that was */
    var openedAt = Date.now();
    setTimeout(function () { event("enter", Date.now() - openedAt); }, Math.random() * ENTER_SPREAD_MS);
  })();

  /* --- hand in --- */
  /* 交卷 is a request of its own. A busy server acknowledges the hand-in and scores it moments
     later (status "grading"): the page then says so and opens the result when the server
     expects the score (retry, spread by the server), rather than every page asking at once.
     The clock running out (auto) is labelled 时间到自动交卷 and retried until it lands; the
     button's hand-in, if the request fails, posts the form, whose page says what happened. */
  var submitForm = document.getElementById("submit-form");
  function handIn(auto) {
    if (submitting) return;
    submitting = true;
    post(api + "/submit", { auto: auto }).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.json();
    }).then(function (res) {
      if (res.status !== "grading") { location.href = res.result_url; return; }
      handedIn(res.retry || 5);
      setTimeout(function () { location.href = res.result_url; }, (res.retry || 5) * 1000);
    }).catch(function () {
      submitting = false;
      if (auto) setTimeout(finish, 3000);
      else submitForm.submit();
    });
  }
  function finish() { handIn(true); }
  function handedIn(retry) {
    var note = document.createElement("p");
    note.className = "alert";
    note.id = "handed-in";
    note.setAttribute("role", "status");
    note.textContent = "已交卷，正在评分。约 " + retry + " 秒后显示成绩；也可稍后在“我的成绩”中查看。";
    root.insertBefore(note, document.getElementById("warning"));
    root.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
    document.getElementById("clock-box").hidden = true;
    note.scrollIntoView({ block: "center" });
  }
  submitForm.addEventListener("submit", function (ev) {
    var c = counts();
    var unsaved = Object.keys(pending).length;
    var msg = "确定交卷吗？" + (c.unanswered ? "还有 " + c.unanswered + " 题未作答（含部分作答）。" : "") +
      (c.marked ? "有 " + c.marked + " 题标记待复查。" : "") +
      (unsaved ? "有 " + unsaved + " 题尚未保存到服务器。" : "");
    ev.preventDefault();
    if (window.confirm(msg)) handIn(false);
  });

  /* what needs this script is shown (and 交卷 enabled) only now: without it the page says so instead */
  document.getElementById("exam-top").hidden = false;
  document.getElementById("clock-box").hidden = false;
  saveState.hidden = false;
  if (sheetToggle) sheetToggle.hidden = false;
  root.querySelectorAll(".mark-row").forEach(function (row) { row.hidden = false; });
  document.querySelector("#submit-form button[type='submit']").disabled = false;

  flush();
  if (prepared && !startedAt) sync();
  showClock();
  showSaveState();
  showSheet();
  setInterval(showClock, 1000);
  setInterval(function () { if (performance.now() - syncedAt >= SYNC_MS) sync(); }, 5000);
})();
