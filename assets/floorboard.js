/* Floorboard wallboard client: clock, freshness watchdog, reload on layout change, kiosk
 * rotation and alert sound. Runs in the browser, so it keeps working while the server is
 * unreachable: that is how a board turns itself to "STALE / reconnecting". */
(function () {
  "use strict";
  var loadedAt = Date.now();
  var lastLevel = null;
  var reloading = false;

  function fill(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (_, k) {
      return values[k] === undefined ? "" : values[k];
    });
  }

  function clockParts(config) {
    var zh = config.locale === "zh";
    var tag = zh ? "zh-CN" : "en-GB";
    var now = new Date();
    var opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
    var dopts = zh
      ? { year: "numeric", month: "long", day: "numeric", weekday: "long" }
      : { weekday: "short", day: "numeric", month: "short", year: "numeric" };
    try {
      opts.timeZone = config.tz;
      dopts.timeZone = config.tz;
      return [new Intl.DateTimeFormat(tag, opts).format(now),
              new Intl.DateTimeFormat(tag, dopts).format(now)];
    } catch (e) {
      return [now.toLocaleTimeString(), now.toDateString()];
    }
  }

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx();
      [0, 0.35].forEach(function (start) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.25, ctx.currentTime + start);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + start + 0.3);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(ctx.currentTime + start);
        osc.stop(ctx.currentTime + start + 0.3);
      });
    } catch (e) { /* no audio device: colours still show the alert */ }
  }

  function verdict(status, received, config) {
    var now = Date.now();
    var texts = config.texts || {};
    var lastOk = received || loadedAt;
    var reason = (status && status.reason) || "init";
    if (now - lastOk > config.stale_ms) {
      return [true, texts.stale + " · " + texts.server_down + " · " + texts.reconnecting];
    }
    if (reason === "unreachable") {
      return [true, texts.stale + " · " + texts.redis_down + " · " + texts.reconnecting];
    }
    if (reason === "stale") {
      var since = status.stamp ? fill(texts.stale_since, { time: status.stamp }) : "";
      return [true, texts.stale + " · " + since + " · " + texts.reconnecting];
    }
    if (reason === "no_data") {
      return [true, texts.no_data + " · " + texts.reconnecting];
    }
    return [reason === "init", ""];
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    floorboard: {
      stamp: function () {
        return Date.now();
      },
      watchdog: function (n, status, received, config, screen) {
        var nu = window.dash_clientside.no_update;
        config = config || {};
        if (status && status.version !== undefined && status.reason !== "init" &&
            config.version !== undefined && status.version !== config.version && !reloading) {
          reloading = true;
          window.location.reload();
        }
        var v = verdict(status, received, config);
        var level = (status && status.level) || "none";
        var cls = "board lang-" + (config.locale || "en") + (v[0] ? " is-stale" : " is-live");
        if (!v[0] && level === "alert") { cls += " has-alert"; }
        if (config.sound && !v[0] && level === "alert" && lastLevel !== "alert") { beep(); }
        lastLevel = v[0] ? lastLevel : level;
        var stamp = status && status.stamp ? fill((config.texts || {}).updated, { time: status.stamp }) : "";
        var outputs = window.dash_clientside.callback_context.outputs_list[3] || [];
        var parts = clockParts(config);
        var clock = outputs.map(function () {
          return [
            { namespace: "dash_html_components", type: "Div", props: { children: parts[0], className: "clock-time" } },
            { namespace: "dash_html_components", type: "Div", props: { children: parts[1], className: "clock-date" } }
          ];
        });
        var size = { w: window.innerWidth, h: window.innerHeight };
        var newScreen = screen && screen.w === size.w && screen.h === size.h ? nu : size;
        return [cls, v[1], stamp, clock, newScreen];
      },
      rotate: function (n, config) {
        if (n && config && config.rotate && config.rotate.next) {
          window.location.assign(config.rotate.next);
        }
        return "";
      }
    }
  });
})();
