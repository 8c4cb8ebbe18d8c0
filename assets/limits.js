/* The "n / max" counter under each limited text field (dashboard/forms.py). Typing updates it
 * at once; a value the server sets (a comment box cleared after saving) fires no input event,
 * so every counter is also brought up to date once a second (a handful of fields per page). */
(function () {
  "use strict";

  function refresh(box) {
    var field = box.querySelector("[maxlength]");
    var count = box.querySelector(".fb-count");
    if (!field || !count) {
      return;
    }
    var max = field.getAttribute("maxlength");
    var text = field.value.length + " / " + max;
    if (count.textContent !== text) {
      count.textContent = text;
    }
    count.classList.toggle("is-full", field.value.length >= Number(max));
  }

  document.addEventListener("input", function (event) {
    var box = event.target && event.target.closest ? event.target.closest(".fb-limited") : null;
    if (box) {
      refresh(box);
    }
  });
  window.setInterval(function () {
    document.querySelectorAll(".fb-limited").forEach(refresh);
  }, 1000);
})();
