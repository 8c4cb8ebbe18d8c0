/* Floorboard: a callback answered 503 "database unavailable" (X-Floorboard-Outage). Show a
 * banner, poll /healthz/database, and once the database answers reload a page that never
 * rendered (the page router failed) or say that the last action must be repeated. Pages
 * requested directly get the server's 503 page, which reloads itself. */
(function () {
  "use strict";
  if (window.floorboardOutage || !window.fetch) {
    return;
  }
  window.floorboardOutage = true;
  var send = window.fetch.bind(window);
  var polling = false;

  function banner(text, back) {
    var el = document.getElementById("fb-outage");
    if (!el) {
      el = document.createElement("div");
      el.id = "fb-outage";
      el.setAttribute("role", "status");
      document.body.appendChild(el);
    }
    el.className = back ? "fb-outage back" : "fb-outage";
    el.textContent = text;
    return el;
  }

  function poll(info, reload) {
    if (polling) {
      return;
    }
    polling = true;
    var wait = Math.max(1, Number(info.retry_after) || 5) * 1000;
    function again() {
      send("/healthz/database", { cache: "no-store", credentials: "same-origin" }).then(
        function (r) {
          if (!r.ok) {
            setTimeout(again, wait);
            return;
          }
          polling = false;
          if (reload) {
            window.location.reload();
            return;
          }
          var el = banner(info.back, true);
          setTimeout(function () { el.remove(); }, 10000);
        },
        function () { setTimeout(again, wait); }
      );
    }
    setTimeout(again, wait);
  }

  window.fetch = function (input, init) {
    return send(input, init).then(function (response) {
      var url = typeof input === "string" ? input : (input && input.url) || "";
      if (response.status === 503 && response.headers.get("X-Floorboard-Outage") &&
          url.indexOf("_dash-update-component") !== -1) {
        var body = init && typeof init.body === "string" ? init.body : "";
        var navigation = body.indexOf("_pages_content") !== -1;
        response.clone().json().then(function (info) {
          banner(navigation ? info.loading : info.message, false);
          poll(info, navigation);
        }, function () {});
      }
      return response;
    });
  };
})();
