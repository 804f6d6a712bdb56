/* The chat widget: text, quick replies, cards, images, typing indicator, retry, history.
 *
 * Talks only to this web app (POST /api/chat/message, GET /api/chat/history); who is
 * speaking comes from the HttpOnly device cookie, never from here.
 * - Each message gets an id made here; a retry after a network drop resends the same
 *   id and the server answers it once (web/chat.py), so nothing is ever filed twice.
 *   Turns go one at a time, in order; offline, they wait for the "online" event.
 * - Korean IME: Enter (or the send button) while a syllable is still being composed
 *   waits for compositionend and then sends the whole text once.
 * - Bot messages are drawn by chat-render.js (textContent only, safe links).
 * - Sotong.chat.send(text, payload?) sends `payload` (a Rasa "/intent{...}") showing `text`.
 * The widget's own words come from data-text-* attributes (partials/_chat.html).
 */
(function () {
  "use strict";

  var Sotong = (window.Sotong = window.Sotong || {});
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000];
  var REQUEST_TIMEOUT = 75000; // the server waits 60 s for Rasa; a hung connection is retried
  var COMMIT_FALLBACK = 300; // ms to wait for compositionend after Enter before forcing it

  var root, log, input, form, typing, statusLine, texts, render, el;
  var queue = [];
  var busy = false;
  var ready = false;
  var composing = false;
  var pendingSubmit = false;
  var commitTimer = null;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(text) {
    statusLine.textContent = text || "";
  }

  function showTyping(on) {
    typing.hidden = !on;
    if (on) scrollDown();
  }

  function addBot(messages) {
    (messages || []).forEach(function (m) {
      var node = render.botMessage(m);
      if (node) log.appendChild(node);
      Sotong.emit("chat:bot", m);
    });
    scrollDown();
  }

  function addUser(text) {
    var wrap = el("div", "msg msg-user");
    wrap.appendChild(el("span", "visually-hidden", texts.you + ": "));
    var bubble = el("p", "bubble bubble-user", text);
    wrap.appendChild(bubble);
    var note = el("p", "msg-note");
    wrap.appendChild(note);
    log.appendChild(wrap);
    scrollDown();
    return wrap;
  }

  /* Choices answer only the latest question: older ones go once the resident moves on. */
  function retireChoices() {
    // A keyboard user who pressed a choice keeps their place: focus goes to the log, not to <body>
    // (not to the text field, which would pop up a phone's keyboard).
    var active = document.activeElement;
    if (active && (active.classList.contains("quick-reply") || active.classList.contains("chip"))) {
      log.focus({ preventScroll: true });
    }
    Array.prototype.forEach.call(log.querySelectorAll(".quick-replies"), function (group) {
      group.remove();
    });
    var welcome = document.getElementById("chat-welcome");
    var chips = welcome && welcome.querySelector(".chat-suggestions");
    if (chips) {
      chips.remove();
      var label = document.getElementById("chat-suggest-label");
      if (label) label.remove();
    }
  }

  // --- sending ---------------------------------------------------------------------

  function note(turn, text, withResend) {
    var line = turn.node.querySelector(".msg-note");
    line.textContent = text || "";
    turn.node.classList.toggle("msg-failed", !!withResend);
    if (withResend) {
      var b = el("button", "resend", texts.resend);
      b.type = "button";
      b.addEventListener("click", function () {
        b.remove();
        note(turn, texts.sending);
        turn.attempts = 0;
        queue.push(turn); // the same message id: the server never runs it twice
        pump();
      });
      line.appendChild(document.createTextNode(" "));
      line.appendChild(b);
    }
  }

  function retryable(err) {
    return err.status === 0 || err.status === 502 || err.status === 504 || (err.status === 503 && err.retry);
  }

  function failure(err) {
    if (err.status === 401) return texts.signedOut;
    if (err.status === 413) return texts.tooLong;
    if (err.status === 429) return texts.rateLimited;
    return texts.error;
  }

  function later(delay) {
    return new Promise(function (resolve) {
      var done = false;
      function go() {
        if (done) return;
        done = true;
        window.removeEventListener("online", go);
        resolve();
      }
      setTimeout(go, delay);
      window.addEventListener("online", go);
    });
  }

  async function deliver(turn) {
    for (;;) {
      var controller = window.AbortController ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT) : null;
      try {
        return await Sotong.api("/api/chat/message", {
          body: { message: turn.message, message_id: turn.id },
          signal: controller ? controller.signal : undefined,
        });
      } catch (err) {
        if (!retryable(err) || turn.attempts >= RETRY_DELAYS.length) throw err;
        setStatus(navigator.onLine === false ? texts.offline : texts.retrying);
        note(turn, texts.retrying);
        showTyping(false); // nobody is answering while we wait to reconnect
        await later(RETRY_DELAYS[turn.attempts++]);
        showTyping(true);
      } finally {
        if (timer) clearTimeout(timer);
      }
    }
  }

  async function pump() {
    if (busy || !ready || !queue.length) return;
    busy = true;
    var turn = queue.shift();
    showTyping(true);
    try {
      var answer = await deliver(turn);
      note(turn, "");
      setStatus("");
      showTyping(false);
      addBot(answer.messages);
    } catch (err) {
      showTyping(false);
      setStatus("");
      note(turn, texts.failed + " " + failure(err), true);
    } finally {
      busy = false;
      showTyping(false);
      if (queue.length) pump();
    }
  }

  function send(text, payload) {
    text = String(text || "").trim();
    if (!text) return;
    retireChoices();
    var turn = { id: newId(), message: payload || text, node: addUser(text), attempts: 0 };
    Sotong.emit("chat:user", { text: text, payload: payload || null });
    queue.push(turn);
    pump();
  }

  // --- the composer and the Korean IME ---------------------------------------------

  function resize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  function submit() {
    clearTimeout(commitTimer);
    pendingSubmit = false;
    var text = input.value;
    if (!text.trim()) return;
    input.value = "";
    resize();
    send(text);
  }

  /* Some IMEs never end the composition on Enter (and a DevTools-driven one may not):
     blurring commits it in every browser; compositionend then sends. */
  function forceCommit() {
    clearTimeout(commitTimer);
    commitTimer = setTimeout(function () {
      if (!pendingSubmit) return;
      if (composing) {
        input.blur();
        input.focus();
      }
      if (pendingSubmit && !composing) submit();
    }, COMMIT_FALLBACK);
  }

  function wireComposer() {
    input.addEventListener("compositionstart", function () {
      composing = true;
    });
    input.addEventListener("compositionend", function () {
      composing = false;
      if (pendingSubmit) setTimeout(submit, 0); // after the committed syllable is in the value
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey) return;
      event.preventDefault();
      if (event.isComposing || composing || event.keyCode === 229) {
        pendingSubmit = true; // the whole sentence goes when the syllable is committed
        forceCommit();
        return;
      }
      submit();
    });
    input.addEventListener("input", resize);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (composing) {
        pendingSubmit = true;
        forceCommit();
        return;
      }
      submit();
      input.focus();
    });
  }

  // --- history -----------------------------------------------------------------------

  async function loadHistory() {
    log.setAttribute("aria-busy", "true"); // screen readers: the old conversation is not news
    try {
      var data = await Sotong.api("/api/chat/history");
      var entries = (data && data.messages) || [];
      if (entries.length) retireChoices();
      var lastUser = -1;
      entries.forEach(function (e, i) { if (e.from === "user") lastUser = i; });
      entries.forEach(function (entry, i) {
        if (entry.from === "user") {
          addUser(entry.text);
        } else {
          var m = entry;
          if (i < lastUser && m.buttons) m = Object.assign({}, m, { buttons: m.buttons.filter(function (b) { return !render.isChoice(b); }) });
          var node = render.botMessage(m);
          if (node) log.appendChild(node);
        }
      });
      scrollDown();
    } catch (err) {
      setStatus(err.status === 401 ? texts.signedOut : texts.historyFailed);
    } finally {
      log.removeAttribute("aria-busy");
    }
  }

  function readTexts() {
    var d = root.dataset;
    return {
      you: d.textYou, bot: d.textBot, sending: d.textSending, retrying: d.textRetrying, offline: d.textOffline,
      failed: d.textFailed, resend: d.textResend, error: d.textError, rateLimited: d.textRateLimited,
      tooLong: d.textTooLong, signedOut: d.textSignedOut, historyFailed: d.textHistoryFailed,
      link: d.textLink, call: d.textCall, image: d.textImage, newWindow: d.textNewWindow, choices: d.textChoices,
    };
  }

  // --- live handoff: an officer's lines arrive over SSE (GET /api/me/handoff/events) -----

  function listenForOfficer() {
    if (!window.EventSource) return; // the lines are in the history after a reload anyway
    var officer = new EventSource("/api/me/handoff/events");
    officer.addEventListener("officer", function (event) {
      var line = JSON.parse(event.data);
      addBot([{ text: line.author ? "[" + line.author + "] " + line.text : line.text }]);
    });
    officer.addEventListener("signout", function () { officer.close(); });
  }

  Sotong.chat = { send: send };

  document.addEventListener("DOMContentLoaded", async function () {
    root = document.getElementById("chat");
    if (!root) return;
    log = document.getElementById("chat-log");
    input = document.getElementById("chat-input");
    form = document.getElementById("chat-form");
    typing = document.getElementById("chat-typing");
    statusLine = document.getElementById("chat-status");
    texts = readTexts();
    render = Sotong.chatRender(texts, send);
    el = render.el;
    wireComposer();
    Array.prototype.forEach.call(root.querySelectorAll("[data-say]"), function (chip) {
      chip.addEventListener("click", function () { send(chip.dataset.say); });
    });
    window.addEventListener("offline", function () { setStatus(texts.offline); });
    window.addEventListener("online", function () { setStatus(""); pump(); });
    await loadHistory();
    ready = true;
    root.dataset.ready = "true";
    pump();
    listenForOfficer();
  });
})();
