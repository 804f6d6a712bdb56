/* 내 민원: the resident's complaints and one complaint's tracking timeline (partials/_complaints.html).
 *
 * Data from /api/me/complaints (web/my_complaints.py); live stage changes from the
 * Server-Sent Events stream /api/me/events (web/live.py): the browser's EventSource
 * reconnects by itself and resumes with Last-Event-ID. Every text shown comes from the
 * panel's data-text-* attributes (no Korean in this file); DOM is built with textContent only.
 */
(function () {
  "use strict";

  var Sotong = (window.Sotong = window.Sotong || {});
  var root, list, empty, overview, detail, statusBox;
  var openReceipt = null;
  var loaded = false;
  var source = null;

  function text(name, vars) {
    var value = (root && root.dataset["text" + name.replace(/(^|-)(\w)/g, function (_, __, c) { return c.toUpperCase(); })]) || "";
    Object.keys(vars || {}).forEach(function (k) {
      value = value.split("{" + k + "}").join(vars[k]);
    });
    return value;
  }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content !== undefined && content !== null) node.textContent = content;
    return node;
  }

  function say(message) {
    statusBox.textContent = message || "";
  }

  function when(iso) {
    // "2026-11-30T13:05:00+09:00" → "2026-11-30 13:05" (the server sends Korean time)
    return iso ? iso.slice(0, 16).replace("T", " ") : "";
  }

  // --- list -------------------------------------------------------------------
  async function loadList() {
    say(text("loading"));
    var data;
    try {
      data = await Sotong.api("/api/me/complaints");
    } catch (err) {
      say(err.status === 401 ? text("signed-out") : text("load-failed"));
      return;
    }
    loaded = true;
    say("");
    list.textContent = "";
    empty.hidden = data.complaints.length > 0;
    data.complaints.forEach(function (c) {
      var item = el("li", "complaint-item");
      var button = el("button", "complaint-open");
      button.type = "button";
      button.dataset.receipt = c.receipt_no;
      var head = el("span", "complaint-line");
      head.appendChild(el("strong", "complaint-category", c.category_name));
      head.appendChild(el("span", "badge badge-" + c.status, c.status_label));
      button.appendChild(head);
      button.appendChild(el("span", "complaint-meta", c.receipt_no + " · " + text("filed") + " " + when(c.created_at)));
      var due = text("due") + " " + c.due_text + (c.overdue ? " · " + text("overdue") : "");
      button.appendChild(el("span", "complaint-meta" + (c.overdue ? " overdue" : ""), due));
      button.setAttribute("aria-label", c.category_name + ", " + c.status_label + ", " + c.receipt_no + ", " + text("open"));
      button.addEventListener("click", function () {
        openDetail(c.receipt_no, true);
      });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  // --- one complaint ------------------------------------------------------------
  function fill(field, value) {
    detail.querySelectorAll('[data-field="' + field + '"]').forEach(function (node) {
      node.textContent = value || "–";
    });
  }

  function renderPath(path) {
    var box = document.getElementById("complaint-path");
    box.textContent = "";
    path.forEach(function (step) {
      var state = step.current ? "current" : step.reached ? "done" : "todo";
      var li = el("li", "stage stage-" + state);
      li.appendChild(el("span", "stage-dot"));
      li.appendChild(el("span", "stage-label", step.label));
      li.appendChild(el("span", "visually-hidden", " (" + text(state) + ")"));
      if (step.current) li.setAttribute("aria-current", "step");
      box.appendChild(li);
    });
  }

  function renderTimeline(entries) {
    var box = document.getElementById("complaint-timeline");
    box.textContent = "";
    entries
      .slice()
      .reverse()
      .forEach(function (e, i) {
        var li = el("li", "timeline-entry" + (i === 0 ? " latest" : ""));
        var head = el("p", "timeline-head");
        head.appendChild(el("strong", null, e.label));
        head.appendChild(el("time", "timeline-time", when(e.at)));
        head.lastChild.setAttribute("datetime", e.at);
        li.appendChild(head);
        var who = [];
        if (e.department_name) who.push(text("department") + " " + e.department_name);
        if (e.officer_name) who.push(text("officer") + " " + e.officer_name);
        if (who.length) li.appendChild(el("p", "timeline-who", who.join(" · ")));
        if (e.officer_phone) {
          var call = el("a", "timeline-call", text("call") + " " + e.officer_phone);
          call.href = "tel:" + e.officer_phone.replace(/[^0-9+]/g, "");
          li.appendChild(call);
        }
        if (e.note) li.appendChild(el("p", "timeline-note", (e.by === "resident" ? text("by-resident") : text("note")) + ": " + e.note));
        box.appendChild(li);
      });
  }

  function render(c) {
    openReceipt = c.receipt_no;
    document.getElementById("complaint-detail-title").textContent = c.category_name + " · " + c.receipt_no;
    ["receipt_no", "status_label", "address", "description", "routed_department_name", "rejection_reason", "appeal_info"].forEach(function (f) {
      fill(f, c[f]);
    });
    fill("officer", c.officer_name ? c.officer_name + (c.officer_phone ? " (" + c.officer_phone + ")" : "") : "");
    fill("due_text", c.due_text + (c.overdue ? " · " + text("overdue") : ""));
    document.getElementById("complaint-rejection").hidden = c.status !== "rejected";
    renderPath(c.path);
    renderTimeline(c.timeline);
    var correctBox = document.getElementById("complaint-correct-box");
    correctBox.hidden = !c.can_correct;
    if (c.can_correct && !correctBox.open) {
      document.getElementById("correct-address").value = c.address;
      document.getElementById("correct-description").value = c.description;
    }
    document.getElementById("complaint-cancel-box").hidden = !c.can_cancel;
  }

  async function openDetail(receipt, focus) {
    var data;
    try {
      data = await Sotong.api("/api/me/complaints/" + encodeURIComponent(receipt));
    } catch (err) {
      say(err.status === 401 ? text("signed-out") : text("load-failed"));
      return;
    }
    render(data);
    overview.hidden = true;
    detail.hidden = false;
    if (focus) document.getElementById("complaint-detail-title").focus();
  }

  function closeDetail() {
    var receipt = openReceipt;
    openReceipt = null;
    detail.hidden = true;
    overview.hidden = false;
    loadList().then(function () {
      var back = list.querySelector('[data-receipt="' + receipt + '"]');
      if (back) back.focus();
    });
  }

  async function submit(event, action, body, done) {
    event.preventDefault();
    var button = event.target.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      var data = await Sotong.api("/api/me/complaints/" + encodeURIComponent(openReceipt) + "/" + action, { body: body });
      event.target.closest("details").open = false;
      render(data);
      say(text(done));
    } catch (err) {
      say(text("action-failed", { message: err.message || err.error }));
    } finally {
      button.disabled = false;
    }
  }

  // --- live updates -------------------------------------------------------------
  function listen() {
    if (source || !window.EventSource) return;
    source = new EventSource("/api/me/events");
    source.addEventListener("complaint", function (msg) {
      var change = JSON.parse(msg.data);
      say(text("updated", { receipt: change.receipt_no, label: change.label }));
      if (openReceipt === change.receipt_no) openDetail(openReceipt, false);
      else if (loaded && detail.hidden) loadList();
      Sotong.emit("complaints:changed", change);
    });
    source.addEventListener("signout", function () {
      source.close();
      say(text("signed-out"));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("complaints");
    if (!root) return;
    list = document.getElementById("complaints-list");
    empty = document.getElementById("complaints-empty");
    overview = document.getElementById("complaints-overview");
    detail = document.getElementById("complaint-detail");
    statusBox = document.getElementById("complaints-status");
    document.getElementById("complaint-back").addEventListener("click", closeDetail);
    document.getElementById("complaints-refresh").addEventListener("click", function () {
      if (openReceipt) openDetail(openReceipt, false);
      else loadList();
    });
    document.getElementById("complaint-correct").addEventListener("submit", function (event) {
      var f = event.target;
      submit(event, "correct", { address: f.address.value, description: f.description.value }, "corrected");
    });
    document.getElementById("complaint-cancel").addEventListener("submit", function (event) {
      var note = event.target.note.value.trim();
      submit(event, "cancel", note ? { note: note } : {}, "cancelled");
    });
    Sotong.bus.addEventListener("tab:show", function (event) {
      if (event.detail === "complaints" && !openReceipt) loadList();
    });
    listen();
  });
})();
