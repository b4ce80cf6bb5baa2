/* Confirmation before a destructive action: a form with data-confirm="…"
   asks with the browser's own confirm() before it is sent, and is not sent
   when the user cancels; when the user accepts, the form carries
   confirmed=yes. Without script (or without that field) the server asks on a
   page of its own before it acts (quizapp/web/confirmation.py), and keeps a
   further step where a trainee is in an exam (重置密码, 停用). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute) return;
    var question = form.getAttribute("data-confirm");
    if (!question) return;
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (!form.querySelector('input[name="confirmed"]')) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "confirmed";
      field.value = "yes";
      form.appendChild(field);
    }
  }, true);
})();
