/* The initial-password workbook of a roster import (roster.html) is given once. Once its form is sent
   (the browser saves the file and stays on the page), the button gives way to the note the form names
   (data-note: 初始密码表已下载；如需再次获取，请为学员重置密码), so that nobody clicks it a second time
   into a refusal. Without script the button stays, and a second click gets a page that says the
   workbook was already downloaded and what to do (410). Included on that page only. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form.initial-passwords")) return;
    var note = document.getElementById(form.getAttribute("data-note") || "");
    window.setTimeout(function () {          // once the browser has sent the form: hiding it cancels nothing
      form.hidden = true;
      if (note) {
        note.hidden = false;
        note.focus();
      }
    }, 0);
  });
})();
