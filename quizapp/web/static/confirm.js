/* Confirmation before a destructive action: a form with data-confirm="…"
   asks with the browser's own confirm() before it is sent, and is not sent
   when the instructor cancels. Without script the form is sent as is; the
   server keeps its own confirmation step where an action cannot be undone
   mid-exam (重置密码, 停用 while the trainee is in an exam). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
