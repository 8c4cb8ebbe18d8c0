/* Floorboard wallboard client: clock, freshness watchdog, one refresh at a time, reload on
 * layout change, kiosk rotation and alert sound. Runs in the browser, so it keeps working while
 * the server is unreachable: that is how a board turns itself "STALE".
 *
 * Freshness is the age of the data itself: the age of the snapshot when the server read it,
 * plus the time since that answer arrived. A slow but answering server keeps a board live; a
 * board that has not been updated for stale_after_s says "no update for N s", whatever the
 * cause (the aggregator stopped, the server or the network is down, the browser is starved). */
(function () {
  "use strict";
  var lastLevel = null;
  var reloading = false;
  // The last status of the board shown (its read time) and when it arrived in this browser.
  var seen = { board: null, key: null, at: 0 };
  // Per interval: the tick whose answer it waits for, and since when.
  var gates = {};

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

  function noted(status, config, now) {
    // Whether `status` is a new answer for the board shown (an answer for the board shown
    // before a rotation, arriving after it, is not).
    if (!status || status.board !== config.board) { return false; }
    if (seen.board === status.board && seen.key === status.read_at) { return false; }
    seen = { board: status.board, key: status.read_at, at: now, status: status };
    return true;
  }

  function span(seconds, texts) {
    var s = Math.max(0, Math.floor(seconds));
    if (s < 120) { return fill(texts.secs, { n: s }); }
    if (s < 7200) { return fill(texts.mins, { n: Math.floor(s / 60) }); }
    return fill(texts.hours, { n: Math.floor(s / 3600) });
  }

  function verdict(status, config, now) {
    var texts = config.texts || {};
    var reason = status ? status.reason : "init";
    if (reason === "init" || reason === "error") { return [false, ""]; }
    var waited = (now - seen.at) / 1000;
    var age = typeof status.age === "number" ? status.age + waited : null;
    var limit = (config.stale_ms || 10000) / 1000;
    var quiet = function (s) { return fill(texts.no_update, { age: span(s, texts) }); };
    if (reason === "unreachable") {
      var parts = [texts.stale, texts.redis_down];
      if (age !== null) { parts.push(quiet(age)); }
      return [true, parts.concat([texts.reconnecting]).join(" · ")];
    }
    if (reason === "no_data") {
      return [true, texts.stale + " · " + texts.no_data + (waited > limit ? " · " + quiet(waited) : "")];
    }
    if (age === null) { age = waited; }
    if (reason === "stale" || age > limit) {
      return [true, texts.stale + " · " + quiet(age)];
    }
    return [false, ""];
  }

  function gate(key, board, n, max, answered, now, retryMs) {
    // Lets an interval that stopped after its tick (max_intervals) tick again once the answer
    // to that tick is in, or once it waited retryMs for it (a lost request is asked again).
    var nu = window.dash_clientside.no_update;
    if (typeof n !== "number" || typeof max !== "number" || max < 0 || n < max) { return nu; }
    var g = gates[key];
    if (!g || g.board !== board || g.n !== n) { g = gates[key] = { board: board, n: n, since: now }; }
    if (answered || now - g.since > (retryMs || 10000)) { return n + 1; }
    return nu;
  }

  function chartsReady(limitMs) {
    // Resolves once the hidden preload chart of a rotating board is drawn, i.e. the chart
    // library is loaded (or after limitMs: a rotation late is better than never).
    var start = Date.now();
    return new Promise(function (resolve) {
      (function poll() {
        var preload = document.getElementById("board-preload");
        var drawn = window.Plotly && preload && preload.querySelector(".main-svg");
        if (!preload || drawn || Date.now() - start > limitMs) {
          resolve();
        } else {
          setTimeout(poll, 100);
        }
      })();
    });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    floorboard: {
      watchdog: function (tick, status, n, max, config, screen) {
        var nu = window.dash_clientside.no_update;
        config = config || {};
        var now = Date.now();
        var fresh = noted(status, config, now);
        status = seen.board === config.board ? seen.status : null;  // this board's last one
        if (fresh && status.version !== undefined && config.version !== undefined &&
            status.version !== config.version && !reloading) {
          reloading = true;
          window.location.reload();
        }
        var v = verdict(status, config, now);
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
        var next = gate("refresh", config.board, n, max, fresh, now, config.retry_ms);
        return [cls, v[1], stamp, clock, newScreen, next];
      },
      tickerGate: function (tick, answer, n, max, config) {
        config = config || {};
        var answered = !!(answer && answer.n === n);
        return gate("ticker", config.board, n, max, answered, Date.now(), config.retry_ms);
      },
      rotate: function (n, config) {
        var next = config && config.rotate && config.rotate.next;
        if (!n || !next) { return window.dash_clientside.no_update; }
        // The next board's page replaces this one when it arrives (no reload): until then this
        // board stays, live. Its chart is drawn for this screen's height at once, and only
        // once the chart library has loaded (else a chart would be blank while it loads).
        var href = next + "&screen_h=" + window.innerHeight;
        return chartsReady(60000).then(function () { return href; });
      }
    }
  });
})();
