/* The page's shared helpers: window.Sotong.api (JSON with the CSRF header), .bus, .showTab.
 *
 * Sotong.api(path, {method, body}) → the parsed JSON answer; throws {status, error, message}
 * (status 0, error "network" when the request never got an answer). Writes carry
 * X-CSRF-Token, copied from the readable sotong_csrf cookie (double submit; the device
 * cookie itself is HttpOnly and never seen here).
 * Sotong.bus (EventTarget) events: chat:bot, chat:user, tab:show (detail = tab name).
 * Tabs follow the WAI-ARIA tabs pattern: arrow keys, Home and End move between tabs.
 */
(function () {
  "use strict";

  var Sotong = (window.Sotong = window.Sotong || {});
  Sotong.bus = Sotong.bus || new EventTarget();

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return "";
  }

  Sotong.emit = function (name, detail) {
    Sotong.bus.dispatchEvent(new CustomEvent(name, { detail: detail }));
  };

  Sotong.api = async function (path, opts) {
    opts = opts || {};
    var method = (opts.method || (opts.body !== undefined ? "POST" : "GET")).toUpperCase();
    var headers = { Accept: "application/json" };
    if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = cookie("sotong_csrf");
    var init = { method: method, headers: headers, credentials: "same-origin", cache: "no-store" };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    if (opts.signal) init.signal = opts.signal;
    var resp;
    try {
      resp = await fetch(path, init);
    } catch (err) {
      throw { status: 0, error: "network", message: String((err && err.message) || err) };
    }
    var data = null;
    try {
      data = await resp.json();
    } catch (err) {
      data = null;
    }
    if (!resp.ok) {
      var e = (data && data.error) || {};
      throw {
        status: resp.status,
        error: e.code || "http_" + resp.status,
        message: e.message || resp.statusText,
        retry: !!e.retry,
        retryAfter: Number(resp.headers.get("Retry-After")) || 0,
      };
    }
    return data;
  };

  function tabs() {
    return Array.prototype.slice.call(document.querySelectorAll('[role="tab"][data-tab]'));
  }

  Sotong.showTab = function (name, opts) {
    var found = false;
    tabs().forEach(function (tab) {
      var on = tab.dataset.tab === name;
      var panel = document.getElementById(tab.getAttribute("aria-controls"));
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      if (panel) panel.hidden = !on;
      if (on) {
        found = true;
        if (opts && opts.focusTab) tab.focus();
      }
    });
    // A name without a tab (e.g. "menu", the floating quick menu) is still announced on the bus.
    if (found) document.body.dataset.tab = name;
    Sotong.emit("tab:show", name);
    return found;
  };

  function onTabKey(event) {
    var list = tabs();
    var index = list.indexOf(event.currentTarget);
    var next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = list[(index + 1) % list.length];
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = list[(index - 1 + list.length) % list.length];
    else if (event.key === "Home") next = list[0];
    else if (event.key === "End") next = list[list.length - 1];
    if (next) {
      event.preventDefault();
      Sotong.showTab(next.dataset.tab, { focusTab: true });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    tabs().forEach(function (tab) {
      tab.addEventListener("click", function () {
        Sotong.showTab(tab.dataset.tab);
      });
      tab.addEventListener("keydown", onTabKey);
    });
    document.body.dataset.tab = "chat";
  });
})();
