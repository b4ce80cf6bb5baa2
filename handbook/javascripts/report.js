/* 纠错/建议: every section heading of a page gets a small link to the
   platform's report form with the page and that section filled in; the link
   at the foot of the page attaches the section named in the address, if any.
   Without JavaScript the form offers the page's sections to choose from. */
(function () {
  "use strict";
  function decorate() {
    var foot = document.querySelector("a[data-report-page]");
    if (!foot) return;
    document.querySelectorAll("article h2[id], article h3[id]").forEach(function (h) {
      if (h.querySelector(".report-section") || h.closest(".doc-model")) return;   // a model's title is the 式样's
      var a = document.createElement("a");
      a.className = "report-section";
      a.href = foot.getAttribute("href") + "&section=" + encodeURIComponent(h.id);
      a.textContent = "纠错";
      a.title = "对本节内容纠错或提出建议";
      h.appendChild(a);
    });
  }
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a[data-report-page]");
    var id = decodeURIComponent(location.hash.slice(1));
    if (link && id && document.getElementById(id)) {
      ev.preventDefault();
      location.href = link.href + "&section=" + encodeURIComponent(id);
    }
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", decorate);
  else decorate();
})();
