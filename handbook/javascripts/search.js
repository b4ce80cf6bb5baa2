/* The search box's opener: the only search code every page loads (under 1 KB).
 * Opening the box (the header's magnifier, the "/" key, or ?q=… in the address,
 * which the platform's header search sends) loads javascripts/search-engine.js,
 * which does the rest (quizapp/content/search.py builds what it reads). */
(function () {
  "use strict";
  var src = document.currentScript.src, engine = null;

  function load() {
    if (!engine) {
      engine = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = new URL("search-engine.js", src).href;
        s.onload = resolve;
        s.onerror = function () { engine = null; reject(); };
        document.head.appendChild(s);
      });
    }
    return engine;
  }

  function open(query) {
    var dialog = document.querySelector("[data-search-dialog]");
    if (!dialog || typeof dialog.showModal !== "function") return;
    if (!dialog.open) dialog.showModal();
    var status = dialog.querySelector("[data-search-status]");
    load().then(function () { window.zjSearch.open(query); },
                function () { status.textContent = "搜索暂不可用：请检查网络后重试"; });
  }

  function init() {
    document.querySelectorAll("[data-search-open]").forEach(function (b) {
      b.addEventListener("click", function () { open(); });
    });
    document.addEventListener("keydown", function (e) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey) { e.preventDefault(); open(); }
    });
    var q = new URLSearchParams(location.search).get("q");
    if (q) open(q.slice(0, 100));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
