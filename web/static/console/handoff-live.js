// The console's handoff pages refresh themselves (web/console/handoff_live.py feeds):
// the queue lists new requests as they come, a conversation shows the resident's new lines.
// Polling a JSON feed (no CDN, no inline script: the page's CSP allows only 'self').
// Text goes in with textContent only. Without JavaScript the pages keep their reload links.
(function () {
  "use strict";
  var QUEUE_EVERY_MS = 5000;
  var CONVERSATION_EVERY_MS = 3000;
  var labels = {};
  try {
    labels = JSON.parse(document.getElementById("handoff-labels").textContent);
  } catch (e) { /* labels missing: fall back to the codes */ }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function status(ok) {
    var note = document.getElementById("live-status");
    if (note) note.textContent = ok ? note.dataset.on : note.dataset.off;
  }

  // Poll ``url`` every ``every`` ms while the tab is visible; stop for good when the
  // session has ended (the feed then answers with the sign-in page, not JSON).
  function poll(url, every, apply) {
    var stopped = false;
    function tick() {
      if (stopped) return;
      if (document.hidden) { setTimeout(tick, every); return; }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
          if (!r.ok || !json) { stopped = true; throw new Error("feed " + r.status); }
          return r.json();
        })
        .then(function (body) { apply(body); status(true); })
        .catch(function () { status(false); })
        .then(function () { if (!stopped) setTimeout(tick, every); });
    }
    status(true);
    setTimeout(tick, every);
  }

  // --- the queue ---------------------------------------------------------------------
  function queueRow(r) {
    var tr = el("tr");
    tr.dataset.id = String(r.id);
    var first = el("td");
    var link = el("a", String(r.id));
    link.href = "/console/handoff/" + r.id;
    first.appendChild(link);
    tr.appendChild(first);
    tr.appendChild(el("td", r.created_at));
    tr.appendChild(el("td", (labels.channels || {})[r.channel] || r.channel));
    tr.appendChild(el("td", r.department));
    var state = el("td", r.state === "claimed" ? labels.claimed : labels.waiting);
    if (r.callback) {
      state.appendChild(document.createTextNode(" "));
      state.appendChild(el("strong", labels.callback, "badge"));
    }
    if (r.urgent_at) {
      state.appendChild(document.createTextNode(" "));
      state.appendChild(el("strong", labels.urgent + " " + r.urgent_at + " UTC", "badge urgent"));
    }
    tr.appendChild(state);
    tr.appendChild(el("td", r.claimed_by_name || "-"));
    return tr;
  }

  function applyQueue(table, body) {
    var tbody = table.tBodies[0];
    var fresh = document.createDocumentFragment();
    body.rows.forEach(function (r) { fresh.appendChild(queueRow(r)); });
    if (!body.rows.length) {
      var empty = el("tr", null, "empty");
      var cell = el("td", labels.empty);
      cell.colSpan = 6;
      empty.appendChild(cell);
      fresh.appendChild(empty);
    }
    var before = Array.prototype.map.call(tbody.rows, function (tr) { return tr.textContent; }).join("|");
    var after = Array.prototype.map.call(fresh.childNodes, function (tr) { return tr.textContent; }).join("|");
    if (before !== after) tbody.replaceChildren(fresh); // untouched when nothing changed: no focus lost
  }

  // --- one conversation --------------------------------------------------------------
  function line(t) {
    var li = el("li");
    if (t.who === "system_notice") { // the district's own notice (no officer wrote it)
      li.appendChild(el("strong", labels.system));
      li.appendChild(document.createTextNode(": "));
      li.appendChild(el("span", t.text, "text"));
      return li;
    }
    if (t.who === "system") {
      li.appendChild(el("em", labels[t.text] || t.text));
      return li;
    }
    li.appendChild(el("strong", labels[t.who] || t.who));
    li.appendChild(document.createTextNode(": "));
    li.appendChild(el("span", t.text, "text"));
    return li;
  }

  function applyConversation(section, list, body) {
    var items = body.transcript;
    if (list.dataset.source === "lines") {
      items = body.lines.map(function (m) {
        return { who: m.sender === "system" ? "system_notice" : "officer", text: m.text };
      });
    }
    if (!items) items = []; // Rasa cannot be asked just now: keep what is shown
    var shown = Number(list.dataset.count || "0");
    if (items.length > shown) {
      items.slice(shown).forEach(function (t) { list.appendChild(line(t)); });
      list.dataset.count = String(items.length);
    }
    var mine = body.mine ? "yes" : "no";
    if (body.state !== section.dataset.state || mine !== section.dataset.mine) {
      document.getElementById("state-changed").hidden = false;
    }
  }

  var table = document.getElementById("handoff-queue");
  if (table) {
    poll(table.dataset.feed, QUEUE_EVERY_MS, function (body) { applyQueue(table, body); });
  }
  var section = document.getElementById("handoff-live");
  var list = document.getElementById("transcript");
  if (section && list) {
    poll(section.dataset.feed, CONVERSATION_EVERY_MS, function (body) { applyConversation(section, list, body); });
  }
})();
