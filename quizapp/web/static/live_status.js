/* The live status of an exam (instructor_exam.html): every 30 s (10 s while
   the waiting room is open: the section's data-every) the status
   table is fetched again from the section's data-src (an HTML fragment sent
   no-store) and put in place of the old one. A fetch rather than a meta
   refresh: the page keeps its scroll position and the rest of the page
   (the attempt list, an error message) stays as it is. The table is not
   replaced while the instructor is typing in it (an extension's reason) or
   while the tab is hidden; a failed fetch leaves the last table showing. */
(function () {
  "use strict";
  var box = document.getElementById("live-status");
  if (!box || !box.dataset.src || !window.fetch) return;
  var EVERY = (Number(box.dataset.every) || 30) * 1000;

  function busy() {
    var active = document.activeElement;
    if (active && box.contains(active) && active.tagName !== "BUTTON") return true;
    var inputs = box.querySelectorAll("input[name=reason]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value) return true;
    }
    return false;
  }

  function refresh() {
    if (document.hidden || busy()) return;
    fetch(box.dataset.src, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (!busy()) box.innerHTML = html;
      })
      .catch(function () { /* keep the last table; the next round tries again */ });
  }

  window.setInterval(refresh, EVERY);
})();
