/* Floorboard QA console: the evaluation page's audio player.
 * Play/pause, a seek bar (click or arrow keys), speed 0.75-2x, the current time, comment
 * timestamps that jump the player there, and the time a new comment is pinned to.
 * Dash renders the page, so everything is handled by delegation on the document. */
(function () {
  "use strict";

  function audio() {
    return document.querySelector(".qa-player audio");
  }

  function clock(seconds) {
    if (!isFinite(seconds) || seconds < 0) { return "–:––"; }
    var s = Math.floor(seconds);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(r).padStart(2, "0");
  }

  function render(player, media) {
    if (!player || !media) { return; }
    var length = media.duration;
    var now = player.querySelector(".qa-time-now");
    var total = player.querySelector(".qa-time-total");
    var fill = player.querySelector(".qa-seek-fill");
    var seek = player.querySelector(".qa-seek");
    if (now) { now.textContent = clock(media.currentTime); }
    if (total && isFinite(length)) { total.textContent = clock(length); }
    if (fill && isFinite(length) && length > 0) {
      fill.style.width = (100 * media.currentTime / length).toFixed(2) + "%";
    }
    if (seek) {
      seek.setAttribute("aria-valuenow", String(Math.round(media.currentTime)));
      if (isFinite(length)) { seek.setAttribute("aria-valuemax", String(Math.round(length))); }
    }
    var play = player.querySelector(".qa-play");
    if (play) {
      play.textContent = media.paused ? "▶" : "❚❚";
      play.classList.toggle("is-playing", !media.paused);
    }
    player.querySelectorAll(".qa-speed").forEach(function (b) {
      b.classList.toggle("is-active", Number(b.dataset.speed) === media.playbackRate);
    });
    marks(player, media);
  }

  // The comments' times as marks on the seek bar (the comment list changes without a reload).
  function marks(player, media) {
    var seek = player && player.querySelector(".qa-seek");
    var length = media.duration;
    if (!seek || !isFinite(length) || length <= 0) { return; }
    var times = Array.prototype.map.call(document.querySelectorAll(".qa-seek-to"), function (b) {
      return Number(b.dataset.seek);
    });
    var shown = seek.querySelectorAll(".qa-seek-mark");
    if (shown.length === times.length &&
        Array.prototype.every.call(shown, function (m, i) { return Number(m.dataset.at) === times[i]; })) {
      return;
    }
    shown.forEach(function (m) { m.remove(); });
    times.forEach(function (at) {
      var mark = document.createElement("span");
      mark.className = "qa-seek-mark";
      mark.dataset.at = String(at);
      mark.style.left = (100 * Math.min(at, length) / length).toFixed(2) + "%";
      seek.appendChild(mark);
    });
  }

  function jump(media, seconds, play) {
    var length = isFinite(media.duration) ? media.duration : seconds;
    media.currentTime = Math.max(0, Math.min(seconds, length));
    if (play) { media.play().catch(function () {}); }
    render(media.closest(".qa-player"), media);
  }

  function broken(media) {
    var player = media.closest(".qa-player");
    if (!player || player.classList.contains("is-broken")) { return; }
    player.classList.add("is-broken");
    var box = player.querySelector(".qa-player-problem");
    if (!box) { return; }
    box.textContent = player.dataset.broken || "The recording cannot be played.";
    // The server says why (missing file, not allowed...) in a short plain-text body.
    fetch(media.currentSrc || media.src, { headers: { Range: "bytes=0-0" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? "" : r.text(); })
      .then(function (text) { if (text) { box.textContent = text.trim(); } })
      .catch(function () {});
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-qa]");
    var media = audio();
    if (!target || !media) { return; }
    var action = target.dataset.qa;
    if (action === "play") {
      if (media.paused) { media.play().catch(function () {}); } else { media.pause(); }
    } else if (action === "speed") {
      media.playbackRate = Number(target.dataset.speed) || 1;
    } else if (action === "seekto") {
      jump(media, Number(target.dataset.seek) || 0, true);
    } else if (action === "seek" && isFinite(media.duration)) {
      var box = target.getBoundingClientRect();
      jump(media, media.duration * (event.clientX - box.left) / box.width, false);
    }
    render(target.closest(".qa-player"), media);
  });

  document.addEventListener("keydown", function (event) {
    var seek = event.target.closest && event.target.closest(".qa-seek");
    var media = audio();
    if (!seek || !media) { return; }
    var step = { ArrowLeft: -5, ArrowRight: 5, Home: -1e9, End: 1e9 }[event.key];
    if (step !== undefined) {
      event.preventDefault();
      jump(media, media.currentTime + step, false);
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (media.paused) { media.play().catch(function () {}); } else { media.pause(); }
    }
  });

  // Media events do not bubble: listen in the capture phase.
  ["timeupdate", "loadedmetadata", "durationchange", "play", "pause", "ratechange", "seeked"]
    .forEach(function (name) {
      document.addEventListener(name, function (event) {
        if (event.target.tagName === "AUDIO") { render(event.target.closest(".qa-player"), event.target); }
      }, true);
    });
  document.addEventListener("error", function (event) {
    if (event.target.tagName === "AUDIO") { broken(event.target); }
  }, true);

  // Comments added or deleted re-render their list: mark the bar again.
  var pending = false;
  new MutationObserver(function () {
    var media = audio();
    if (pending || !media) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      marks(media.closest(".qa-player"), media);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  window.floorboardQa = { clock: clock, audio: audio };
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    floorboardQa: {
      // The player's time for a new comment (null without a playable recording).
      pinTime: function (clicks) {
        var media = audio();
        var ok = media && !media.closest(".qa-player").classList.contains("is-broken");
        var at = ok && isFinite(media.currentTime) ? Math.round(media.currentTime * 10) / 10 : null;
        return { n: clicks, t: at };
      }
    }
  });
})();
