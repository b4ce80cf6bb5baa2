/* The header's 我的 menu (a <details>, base.html): it works without this file;
   this closes it on a tap elsewhere or on Escape, as a menu does. */
(function () {
  "use strict";
  function close(except) {
    document.querySelectorAll("nav.tabs details.more[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (ev) {
    close(ev.target.closest ? ev.target.closest("details.more") : null);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") close(null);
  });
})();
