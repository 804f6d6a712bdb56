/* 내 정보 panel (partials/_account.html): this device, sign-out, linking with KakaoTalk.
 * Talks only to /api/me* through Sotong.api (app.js), which adds the CSRF header.
 * Texts come from the panel's data-text-* attributes. Emits "account:linked" (other
 * panels reload: the complaints filed on KakaoTalk are now this resident's) and
 * "account:signedout".
 */
(function () {
  "use strict";

  var Sotong = (window.Sotong = window.Sotong || {});
  var root, codeTimer = null;

  function $(id) { return document.getElementById(id); }
  function text(name, vars) {
    var s = root.getAttribute("data-text-" + name) || "";
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }
  function channelName(ch) { return text("channel-" + ch) || ch; }
  function day(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleDateString("ko-KR", { year: "numeric", month: "long", day: "numeric" });
  }
  function errorText(err) {
    if (err && err.status === 401) return text("signed-out");
    if (err && err.status === 429) return text("too-many");
    if (err && err.error === "link_code_invalid") return text("invalid");
    if (err && (err.error === "link_code_malformed" || err.status === 422)) return text("malformed");
    return text("error");
  }

  function showSignedOut() {
    $("account-device-title").textContent = text("signed-out-title");
    $("account-device-info").hidden = true;
    $("account-link-section").hidden = true;
    $("account-signout-ask").hidden = true;
    $("account-signout-confirm").hidden = true;
    $("account-signed-out").hidden = false;
    $("account-signed-out-text").textContent = text("signed-out");
  }

  async function load() {
    try {
      var me = await Sotong.api("/api/me");
      $("account-device").textContent = text("since", { date: day(me.device.created_at) });
      var names = [];
      (me.channels || []).forEach(function (c) {
        var n = channelName(c.channel);
        if (names.indexOf(n) < 0) names.push(n);
      });
      $("account-channels").textContent = names.join(", ");
    } catch (err) {
      if (err && err.status === 401) showSignedOut();
    }
  }

  async function makeCode() {
    var btn = $("account-make-code");
    btn.disabled = true;
    try {
      var res = await Sotong.api("/api/me/link-code", { method: "POST" });
      var box = $("account-code");
      box.textContent = res.code.slice(0, 3) + " " + res.code.slice(3);
      box.hidden = false;
      $("account-code-help").textContent = text("code", { code: res.code, minutes: Math.round(res.expires_in / 60) });
      clearTimeout(codeTimer);
      codeTimer = setTimeout(function () {
        box.hidden = true;
        $("account-code-help").textContent = text("code-expired");
      }, res.expires_in * 1000);
    } catch (err) {
      if (err && err.status === 401) showSignedOut();
      $("account-code-help").textContent = errorText(err);
    } finally {
      btn.disabled = false;
    }
  }

  async function link(event) {
    event.preventDefault();
    var input = $("account-link-code");
    var status = $("account-link-status");
    var code = input.value.replace(/[\s-]/g, "");
    if (!/^\d{6}$/.test(code)) {
      status.textContent = text("malformed");
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    $("account-link-submit").disabled = true;
    try {
      var res = await Sotong.api("/api/me/link", { method: "POST", body: { code: code } });
      status.textContent = res.already_linked ? text("already") : text("linked");
      input.value = "";
      await load();
      if (Sotong.emit) Sotong.emit("account:linked", res);
    } catch (err) {
      if (err && err.status === 401) showSignedOut();
      status.textContent = errorText(err);
      input.focus();
    } finally {
      $("account-link-submit").disabled = false;
    }
  }

  function askSignout(show) {
    $("account-signout-ask").hidden = show;
    $("account-signout-confirm").hidden = !show;
    (show ? $("account-signout-no") : $("account-signout")).focus();
  }

  async function signout() {
    try {
      await Sotong.api("/api/me/signout", { method: "POST" });
    } catch (err) {
      if (!err || err.status !== 401) {
        $("account-signout-question").textContent = errorText(err);
        return;
      }
    }
    showSignedOut();
    $("account-restart").focus();
    if (Sotong.emit) Sotong.emit("account:signedout");
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = $("account");
    if (!root || !Sotong.api) return;
    $("account-make-code").addEventListener("click", makeCode);
    $("account-link-form").addEventListener("submit", link);
    $("account-signout").addEventListener("click", function () { askSignout(true); });
    $("account-signout-no").addEventListener("click", function () { askSignout(false); });
    $("account-signout-yes").addEventListener("click", signout);
    $("account-restart").addEventListener("click", function () { window.location.reload(); });
    if (Sotong.bus) {
      Sotong.bus.addEventListener("tab:show", function (e) { if (e.detail === "account") load(); });
    }
    load();
  });
})();
