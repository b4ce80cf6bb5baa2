/* The handbook's header shows who is logged in (h1 · one product).
   The handbook is static HTML: this asks the platform's /api/whoami (same
   origin, no-store) for the display name. Logged in: 登录 becomes the name,
   linking to 我的成绩. A visitor ({"name": null}, a 200: nothing in the
   browser's console) or a handbook served without the platform keeps 登录,
   which returns to this page after logging in. */
(function () {
  "use strict";
  function update() {
    var link = document.querySelector("a[data-whoami]");
    if (!link) return;
    link.href = "/login?next=" + encodeURIComponent(location.pathname);
    if (!window.fetch) return;
    fetch("/api/whoami", {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (me) {
        if (!me || !me.name) return;
        link.textContent = me.name;
        link.title = "当前用户：" + me.name;
        link.href = "/me";
      })
      .catch(function () { /* no platform behind the handbook: keep 登录 */ });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", update);
  else update();
})();
