/* Floorboard HR: the wall poster's paper size (A4/A3, for the print stylesheet and the PDF
 * link) and its print button. Client-side only: nothing here talks to the server. */
(function () {
  "use strict";
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.floorboard_hr = {
    paper: function (size, month) {
      var paper = size === "A3" ? "A3" : "A4";
      return [
        "poster-wrap paper-" + paper.toLowerCase(),
        "/hr/export/" + encodeURIComponent(month || "") + "/poster.pdf?size=" + paper,
      ];
    },
    print: function (clicks) {
      if (clicks) {
        window.setTimeout(function () { window.print(); }, 50);
      }
      return clicks || 0;
    },
  };
})();
