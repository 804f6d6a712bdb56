/* The floating quick menu (partials/_menu.html): search, favourites, recommendations, main services.
 *
 * Opening a service closes the sheet, shows the chat and sends the service's payload
 * (Sotong.chat.send(title, payload)); the tap is also recorded for recommendations
 * (POST /api/me/activity). Favourites and the recommendations switch are kept on the
 * server (web/favourites.py, web/recommendations.py). No Korean here: texts come from
 * the sheet's data-text-* attributes; DOM is built with textContent only.
 */
(function () {
  "use strict";

  var Sotong = (window.Sotong = window.Sotong || {});
  var sheet, fab, backdrop, statusBox;
  var favourites = [];
  var maxFavourites = 12;
  var loadedOnce = false;
  var searchTimer = null;
  var searchSeq = 0;

  function text(name, vars) {
    var key = "text" + name.replace(/(^|-)(\w)/g, function (_, __, c) { return c.toUpperCase(); });
    var value = (sheet && sheet.dataset[key]) || "";
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

  function isPinned(id) {
    return favourites.some(function (f) { return f.id === id; });
  }

  // --- opening a service ----------------------------------------------------------
  function open(service) {
    Sotong.api("/api/me/activity", { body: { service_id: service.id } }).catch(function () {});
    closeSheet(false);
    Sotong.showTab("chat");
    if (Sotong.chat && Sotong.chat.send) Sotong.chat.send(service.title, service.payload);
  }

  function serviceRow(service, opts) {
    var li = el("li", "service-row");
    var main = el("button", "service-open");
    main.type = "button";
    main.appendChild(el("span", "service-title", service.title));
    var sub = opts.reason || (service.kind === "faq" ? text("faq") + (service.area ? " · " + service.area : "") : "");
    if (sub) main.appendChild(el("span", "service-sub", sub));
    main.addEventListener("click", function () { open(service); });
    li.appendChild(main);
    if (opts.pin !== false) li.appendChild(pinButton(service));
    return li;
  }

  function pinButton(service) {
    var pinned = isPinned(service.id);
    var b = el("button", "icon-btn pin" + (pinned ? " pinned" : ""), pinned ? "★" : "☆");
    b.type = "button";
    b.setAttribute("aria-pressed", pinned ? "true" : "false");
    b.setAttribute("aria-label", (pinned ? text("unpin") : text("pin")) + ": " + service.title);
    b.dataset.serviceId = service.id;
    b.addEventListener("click", function () {
      (isPinned(service.id) ? unpin : pin)(service);
    });
    return b;
  }

  // --- favourites -----------------------------------------------------------------
  function setFavourites(data) {
    favourites = data.favourites;
    maxFavourites = data.max || maxFavourites;
    renderFavourites();
    // Keep every ☆/★ elsewhere in the sheet in step.
    sheet.querySelectorAll(".pin[data-service-id]").forEach(function (b) {
      if (b.closest("#menu-favourites")) return;
      var pinned = isPinned(b.dataset.serviceId);
      b.textContent = pinned ? "★" : "☆";
      b.classList.toggle("pinned", pinned);
      b.setAttribute("aria-pressed", pinned ? "true" : "false");
      var title = b.getAttribute("aria-label").split(": ").slice(1).join(": ");
      b.setAttribute("aria-label", (pinned ? text("unpin") : text("pin")) + ": " + title);
    });
  }

  function renderFavourites() {
    var box = document.getElementById("menu-favourites");
    box.textContent = "";
    document.getElementById("menu-favourites-empty").hidden = favourites.length > 0;
    favourites.forEach(function (f, i) {
      var li = serviceRow(f, { pin: false });
      var tools = el("span", "row-tools");
      [["up", "↑", i - 1], ["down", "↓", i + 1]].forEach(function (spec) {
        var b = el("button", "icon-btn", spec[1]);
        b.type = "button";
        b.setAttribute("aria-label", text(spec[0]) + ": " + f.title);
        b.disabled = spec[2] < 0 || spec[2] >= favourites.length;
        b.addEventListener("click", function () { move(i, spec[2]); });
        tools.appendChild(b);
      });
      tools.appendChild(pinButton(f));
      li.appendChild(tools);
      box.appendChild(li);
    });
  }

  async function pin(service) {
    try {
      setFavourites(await Sotong.api("/api/me/favourites", { body: { service_id: service.id } }));
      say(text("pinned", { title: service.title }));
    } catch (err) {
      say(err.error === "favourites_full" ? text("full", { max: maxFavourites }) : text("failed"));
    }
  }

  async function unpin(service) {
    try {
      setFavourites(await Sotong.api("/api/me/favourites/remove", { body: { service_id: service.id } }));
      say(text("unpinned", { title: service.title }));
    } catch (err) {
      say(text("failed"));
    }
  }

  async function move(from, to) {
    var order = favourites.map(function (f) { return f.id; });
    var moved = order.splice(from, 1)[0];
    order.splice(to, 0, moved);
    try {
      setFavourites(await Sotong.api("/api/me/favourites/order", { body: { order: order } }));
      var title = favourites[to].title;
      say(text("moved", { title: title }));
      var again = document.querySelectorAll("#menu-favourites .row-tools")[to];
      var focusable = again && again.querySelector(to < from ? "button:not([disabled])" : "button:not([disabled]):nth-child(2)");
      if (focusable) focusable.focus();
    } catch (err) {
      say(text("failed"));
    }
  }

  // --- recommendations ----------------------------------------------------------------
  function renderRecs(data) {
    var box = document.getElementById("menu-recs");
    var note = document.getElementById("menu-recs-note");
    document.getElementById("menu-recs-switch").checked = data.enabled;
    box.textContent = "";
    box.hidden = !data.enabled;
    note.textContent = data.enabled ? (data.recommendations.length ? note.dataset.default : text("recs-empty")) : text("recs-off");
    data.recommendations.forEach(function (r) {
      box.appendChild(serviceRow(r, { reason: r.reason }));
    });
  }

  async function loadRecs() {
    try {
      renderRecs(await Sotong.api("/api/me/recommendations"));
    } catch (err) {
      document.getElementById("menu-recs-section").hidden = true;
    }
  }

  // --- search -----------------------------------------------------------------------
  async function runSearch(q) {
    var box = document.getElementById("menu-search-results");
    var seq = ++searchSeq;
    if (!q.trim()) {
      box.textContent = "";
      return;
    }
    var data;
    try {
      data = await Sotong.api("/api/search?q=" + encodeURIComponent(q.slice(0, 100)));
    } catch (err) {
      say(text("failed"));
      return;
    }
    if (seq !== searchSeq) return; // a newer query is on its way
    box.textContent = "";
    data.results.forEach(function (r) {
      box.appendChild(serviceRow(r, {}));
    });
    say(data.results.length ? text("results", { n: data.results.length }) : text("no-results", { q: q }));
  }

  // --- the sheet ------------------------------------------------------------------------
  async function load() {
    try {
      var main = await Sotong.api("/api/services");
      setFavourites(await Sotong.api("/api/me/favourites"));
      var box = document.getElementById("menu-main");
      box.textContent = "";
      main.services.forEach(function (s) { box.appendChild(serviceRow(s, {})); });
      loadedOnce = true;
    } catch (err) {
      say(text("failed"));
    }
    loadRecs();
  }

  function openSheet() {
    sheet.hidden = false;
    backdrop.hidden = false;
    fab.setAttribute("aria-expanded", "true");
    document.body.classList.add("sheet-open");
    document.getElementById("menu-search-input").focus();
    if (!loadedOnce) load();
    else loadRecs();
    Sotong.emit("tab:show", "menu");
  }

  function closeSheet(returnFocus) {
    if (sheet.hidden) return;
    sheet.hidden = true;
    backdrop.hidden = true;
    fab.setAttribute("aria-expanded", "false");
    document.body.classList.remove("sheet-open");
    if (returnFocus !== false) fab.focus();
  }

  function trapFocus(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closeSheet();
      return;
    }
    if (event.key !== "Tab") return;
    var items = Array.prototype.filter.call(
      sheet.querySelectorAll("button, input, a[href], [tabindex]:not([tabindex='-1'])"),
      function (n) { return !n.disabled && n.offsetParent !== null; }
    );
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    sheet = document.getElementById("quick-menu");
    fab = document.getElementById("quick-menu-button");
    if (!sheet || !fab) return;
    backdrop = document.getElementById("quick-menu-backdrop");
    statusBox = document.getElementById("quick-menu-status");
    var note = document.getElementById("menu-recs-note");
    note.dataset.default = note.textContent;
    fab.addEventListener("click", function () { sheet.hidden ? openSheet() : closeSheet(); });
    document.getElementById("quick-menu-close").addEventListener("click", function () { closeSheet(); });
    backdrop.addEventListener("click", function () { closeSheet(); });
    sheet.addEventListener("keydown", trapFocus);
    var input = document.getElementById("menu-search-input");
    input.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () { runSearch(input.value); }, 150);
    });
    document.getElementById("menu-search").addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(searchTimer);
      runSearch(input.value);
    });
    document.getElementById("menu-recs-switch").addEventListener("change", async function (event) {
      try {
        renderRecs(await Sotong.api("/api/me/recommendations/settings", { body: { enabled: event.target.checked } }));
      } catch (err) {
        event.target.checked = !event.target.checked;
        say(text("failed"));
      }
    });
  });
})();
