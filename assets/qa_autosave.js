/* Floorboard QA console: autosave of the evaluation form, the "leave page?" warning and the
 * "Saved hh:mm:ss" indicator.
 *
 * The draft in the database is the truth: the page is rendered from it, so what was saved is
 * there again after a reload. This script sends the answers and item comments to
 * POST /qa/draft/<id> (dashboard/qa_drafts.py: the same service and checks as Save draft)
 * a few seconds after the last change, when the tab is hidden and when the page is left
 * (a keepalive request, which outlives the page; leaving for another page of the app counts
 * too). Text left in the Comments box is sent only when leaving: it is then posted as a comment
 * without a time (until then it may still be pinned to the player's time). While something is
 * not saved, leaving the page asks first (beforeunload).
 *
 * The indicator (#qa-e-autosave) carries the URL and its texts, in the user's language, as
 * data attributes; it is updated through dash_clientside.set_props, so Dash stays its owner. */
(function () {
  "use strict";

  var DELAY_MS = 3000; // after the last change
  var RETRY_MS = [2000, 4000, 8000, 15000, 30000];
  var INDICATOR = "qa-e-autosave";

  function fresh(url) {
    return {
      url: url, changes: 0, saved: 0, clicked: 0, timer: null, busy: false, failures: 0,
      stopped: false, form: null, note: ""
    };
  }

  var s = fresh(null);

  function indicator() {
    return document.getElementById(INDICATOR);
  }

  function field(el) {
    // Dash may wrap an input in a container carrying its id.
    if (!el || el.tagName === "INPUT" || el.tagName === "TEXTAREA") { return el; }
    return el.querySelector("input, textarea");
  }

  function ref(el) {
    try { return JSON.parse(el.id).index; } catch (e) { return null; }
  }

  function noteText() {
    var box = field(document.getElementById("qa-e-note-text"));
    return box ? box.value.trim() : "";
  }

  function collect() {
    var answers = {}, notes = {};
    document.querySelectorAll(".qa-form .qa-answer[id]").forEach(function (group) {
      var checked = group.querySelector("input:checked");
      answers[ref(group)] = checked ? checked.value : null;
    });
    document.querySelectorAll(".qa-form .qa-item-note[id], .qa-form [id*='qa-e-item-note']")
      .forEach(function (el) {
        var input = field(el);
        if (input && ref(el) !== null) { notes[ref(el)] = input.value; }
      });
    return { answers: answers, notes: notes };
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(text, kind) {
    var el = indicator();
    if (!el || !text) { return; }
    var props = { children: text, className: "qa-autosave is-" + kind };
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props(INDICATOR, props);
    } else {
      el.textContent = text;
      el.className = props.className;
    }
  }

  function says(state) {
    var el = indicator();
    return el ? el.getAttribute("data-" + state) : "";
  }

  function unsaved() {
    return !!s.url && !s.stopped && (s.changes > s.saved || noteText() !== "");
  }

  function warn(event) {
    if (!unsaved()) { return undefined; }
    event.preventDefault();
    event.returnValue = "";
    return "";
  }

  // The warning is armed only while something is not saved (window.onbeforeunload is null
  // otherwise: the tests read it).
  function arm() {
    window.onbeforeunload = unsaved() ? warn : null;
  }

  function schedule(ms) {
    window.clearTimeout(s.timer);
    var st = s;
    st.timer = window.setTimeout(function () {
      if (st === s && !st.busy && st.changes > st.saved) { send(st, "auto"); }
    }, ms);
  }

  // mode: "auto" (debounced), "hidden" (tab hidden) or "leave" (page left: the Comments box
  // is posted too). The last two use keepalive, which lets the request outlive the page.
  function send(st, mode) {
    if (!st.url || st.stopped || !st.form) { return; }
    var upto = st.changes;
    var body = { answers: st.form.answers, notes: st.form.notes };
    if (mode === "leave") { body.note = st.note; }
    st.busy = true;
    if (mode === "auto") { show(says("saving"), "saving"); }
    fetch(st.url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: mode !== "auto",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, text: json.text || "" };
      });
    }).then(function (result) { done(st, upto, result); },
      function () { done(st, upto, { status: 0, text: "" }); });
  }

  function done(st, upto, result) {
    st.busy = false;
    if (st !== s) { return; }
    if (result.status === 200) {
      st.saved = Math.max(st.saved, upto);
      st.failures = 0;
      show(st.changes > st.saved ? says("unsaved") : result.text,
        st.changes > st.saved ? "unsaved" : "saved");
      if (st.changes > st.saved) { schedule(DELAY_MS); }
    } else if (result.status === 409) {
      // Submitted (in another tab, or a click that raced this request): nothing more to save.
      st.stopped = true;
      show(result.text, "error");
    } else if (result.status === 400 || result.status === 403) {
      // Refused: retrying would not help; the next change (or Save draft) tries again.
      show(result.status === 400 ? result.text : says("denied"), "error");
    } else {
      st.failures += 1;
      show(says("retrying"), "error");
      schedule(RETRY_MS[Math.min(st.failures, RETRY_MS.length) - 1]);
    }
    arm();
  }

  // Follow the page: Dash swaps pages without reloading. Leaving an evaluation for another
  // page of the app sends what it had, as leaving the browser page does.
  function sync() {
    var el = indicator();
    var url = el ? el.getAttribute("data-url") : null;
    if (url !== s.url) {
      window.clearTimeout(s.timer);
      if (s.url && (s.changes > s.saved || s.note)) { send(s, "leave"); }
      s = fresh(url);
      if (url) { s.form = collect(); }
    }
    arm();
    return !!url;
  }

  function changed(event) {
    var target = event.target;
    if (!target || !target.closest || !sync()) { return; }
    if (target.closest(".qa-comment-form")) {
      s.note = noteText();
      arm();
      return;
    }
    if (!target.closest(".qa-form")) { return; }
    s.changes += 1;
    s.form = collect();
    show(says("unsaved"), "unsaved");
    arm();
    schedule(DELAY_MS);
  }

  document.addEventListener("input", changed, true);
  document.addEventListener("change", changed, true);

  // Save draft / Submit send what the form holds at the click.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#qa-e-save, #qa-e-submit");
    if (button && sync()) { s.clicked = s.changes; }
  }, true);

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && sync() && s.changes > s.saved) {
      s.form = collect();
      send(s, "hidden");
    }
  });

  window.addEventListener("pagehide", function () {
    if (sync() && (s.changes > s.saved || noteText() !== "")) {
      s.form = collect();
      s.note = noteText();
      send(s, "leave");
      s.saved = s.changes;
    }
  });

  // Back from the browser's page cache: show what the database holds now.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && indicator()) { window.location.reload(); }
  });

  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      sync();
    });
  }).observe(document.documentElement, { childList: true, subtree: true });

  // Own namespaces: qa_player.js sets window.floorboardQa and dash_clientside.floorboardQa.
  window.floorboardDraft = { unsaved: unsaved, state: function () { return s; } };
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    floorboardDraft: {
      // Save draft stored the form as it was at the click (and posted the Comments box).
      saved: function (data) {
        if (!data || !data.text) { return window.dash_clientside.no_update; }
        sync();
        window.clearTimeout(s.timer);
        s.saved = Math.max(s.saved, s.clicked);
        s.note = "";
        if (s.changes > s.saved) { schedule(DELAY_MS); }
        window.setTimeout(arm, 0); // the Comments box is emptied by the same response
        return s.changes > s.saved ? says("unsaved") : data.text;
      }
    }
  });
})();
