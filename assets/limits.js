/* The "n / max" counter under each limited text field (dashboard/forms.py), kept current as
 * the person types. One listener for the whole document: fields come and go with the pages. */
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var field = event.target;
    var box = field && field.closest ? field.closest(".fb-limited") : null;
    var max = field && field.getAttribute ? field.getAttribute("maxlength") : null;
    if (!box || !max) {
      return;
    }
    var count = box.querySelector(".fb-count");
    if (count) {
      count.textContent = field.value.length + " / " + max;
      count.classList.toggle("is-full", field.value.length >= Number(max));
    }
  });
})();
