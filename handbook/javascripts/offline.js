/* 离线阅读本卷 (quizapp/content/offline.py explains the whole).
 *
 * Registers the service worker (/sw.js). On a volume's index page the box
 * [data-offline-volume] saves the volume's pages and files (offline/<code>.json)
 * into the cache "zj-volume-<code>", shows progress, then the date saved, and
 * offers to remove it. On every page of a saved volume a note says when it was
 * saved; online, a changed version (a new build) is fetched again at once.
 */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !("caches" in window)) {
    document.documentElement.classList.add("no-offline");      /* extra.css hides the controls */
    return;
  }
  var root = new URL("..", document.currentScript.src);
  var PREFIX = "zj-volume-";
  navigator.serviceWorker.register(new URL("sw.js", root).href, { scope: new URL(".", root).pathname })
    .catch(function () { /* no offline reading: the pages still work */ });

  function key(code) { return "zj-offline-" + code; }
  function state(code) {
    try { return JSON.parse(localStorage.getItem(key(code)) || "null"); } catch (e) { return null; }
  }
  function when(iso) {
    var d = new Date(iso), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
           pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function list(code) {
    return fetch(new URL("offline/" + code + ".json", root), { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  /* Saves every page and file of the list; progress(done, all). */
  function save(entry, progress) {
    var urls = entry.pages.concat(entry.assets), done = 0;
    return caches.delete(PREFIX + entry.volume).then(function () {
      return caches.open(PREFIX + entry.volume);
    }).then(function (cache) {
      var queue = urls.slice();
      function worker() {
        var url = queue.shift();
        if (!url) return Promise.resolve();
        return cache.add(new URL(url.replace(/^\//, ""), root).href).then(function () {
          progress(++done, urls.length);
          return worker();
        });
      }
      return Promise.all([worker(), worker(), worker(), worker()]);
    }).then(function () {
      var s = { saved: new Date().toISOString(), version: entry.version, built: entry.built, pages: entry.pages.length };
      localStorage.setItem(key(entry.volume), JSON.stringify(s));
      return s;
    });
  }

  function remove(code) {
    localStorage.removeItem(key(code));
    return caches.delete(PREFIX + code);
  }

  function box(section) {
    var code = section.getAttribute("data-offline-volume");
    var status = section.querySelector("[data-offline-status]");
    var saveButton = section.querySelector("[data-offline-save]");
    var removeButton = section.querySelector("[data-offline-remove]");
    function show() {
      var s = state(code);
      if (s) {
        status.textContent = "本卷已保存离线阅读（" + s.pages + " 个网页，保存于 " + when(s.saved) + "，手册版本 " + s.built +
                             "）。联网时打开本卷会自动更新。";
        saveButton.textContent = "重新保存";
        removeButton.hidden = false;
      } else {
        removeButton.hidden = true;
        saveButton.textContent = "离线阅读本卷";
      }
    }
    saveButton.addEventListener("click", function () {
      saveButton.disabled = true;
      status.textContent = "正在获取本卷目录…";
      list(code).then(function (entry) {
        status.textContent = "正在保存：共 " + (entry.pages.length + entry.assets.length) + " 个文件，约 " +
                             (entry.download / 1048576).toFixed(1) + " MB 流量";
        return save(entry, function (done, all) { status.textContent = "正在保存：" + done + " / " + all; });
      }).then(show, function () {
        status.textContent = "保存未完成：请在网络稳定时重试（已保存的旧版本不受影响）";
      }).then(function () { saveButton.disabled = false; });
    });
    removeButton.addEventListener("click", function () {
      remove(code).then(function () {
        status.textContent = "已删除本卷的离线内容。";
        show();
      });
    });
    show();
  }

  function note(code) {
    var s = state(code), article = document.querySelector("article.md-content__inner");
    if (!s || !article) return;
    var p = document.createElement("p");
    p.className = "offline-note";
    p.setAttribute("data-offline-note", "");
    p.textContent = (navigator.onLine ? "本卷已保存离线阅读" : "当前离线：显示的是保存的版本") + "（保存于 " + when(s.saved) + "）";
    article.insertBefore(p, article.firstChild);
    if (!navigator.onLine) return;
    list(code).then(function (entry) {            /* a new build: save it again, quietly */
      if (entry.version === s.version) return;
      return save(entry, function () {}).then(function (fresh) {
        p.textContent = "本卷离线内容已更新（" + when(fresh.saved) + "）";
      });
    }).catch(function () { /* offline after all, or the list is gone: keep what is saved */ });
  }

  function pdfSize(section) {                     /* the PDF's size and pages, as the build reported them */
    var code = section.getAttribute("data-offline-volume"), out = section.querySelector("[data-volume-pdf-size]");
    fetch(new URL("pdf/index.json", root), { cache: "no-cache" }).then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (all) {
        var pdf = all[code];
        if (pdf && out) out.textContent = "印刷本 PDF 共 " + pdf.pages + " 页，" + (pdf.bytes / 1048576).toFixed(1) + " MB，版本 " + pdf.version;
      }).catch(function () {});
  }

  function init() {
    var section = document.querySelector("[data-offline-volume]");
    if (section) pdfSize(section);
    if (section) box(section);
    var m = /\/volumes\/([^/]+)\//.exec(location.pathname);
    if (m) note(m[1]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
