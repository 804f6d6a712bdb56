// Training studio helpers (no framework, CSP-safe: loaded from /static, no inline code).
// - Teach page: mark the selected words of the example as an entity: "[words](entity)".
// - Answer page: live character count and preview of the text as it is typed.
// Without this script the pages still work: entities can be typed, previews come from the server.
(function () {
  "use strict";

  function markEntity() {
    var box = document.getElementById("entity-mark");
    var input = document.getElementById("example");
    var pick = document.getElementById("entity-pick");
    var button = document.getElementById("mark-entity");
    var status = document.getElementById("mark-status");
    if (!box || !input || !pick || !button) return;
    box.hidden = false;
    var last = { start: 0, end: 0 };
    function remember() { last = { start: input.selectionStart, end: input.selectionEnd }; }
    input.addEventListener("select", remember);
    input.addEventListener("keyup", remember);
    input.addEventListener("mouseup", remember);
    button.addEventListener("click", function () {
      var start = last.start, end = last.end, value = input.value;
      // trim spaces the selection took with it: an entity never starts or ends with one
      while (start < end && value[start] === " ") start++;
      while (end > start && value[end - 1] === " ") end--;
      var words = value.slice(start, end);
      if (!words || /[\[\]()]/.test(words)) {
        status.textContent = "문장에서 표시할 말을 먼저 골라 주세요.";
        input.focus();
        return;
      }
      var marked = "[" + words + "](" + pick.value + ")";
      input.value = value.slice(0, start) + marked + value.slice(end);
      status.textContent = "“" + words + "”을(를) " + pick.value + "(으)로 표시했어요.";
      input.focus();
      input.setSelectionRange(start, start + marked.length);
    });
  }

  function livePreview() {
    var area = document.getElementById("answer-text");
    if (!area) return;
    var count = document.getElementById("answer-count");
    var kakao = document.getElementById("kakao-text");
    var web = document.getElementById("web-text");
    var limit = parseInt(area.getAttribute("data-limit"), 10) || 1000;
    var fold = parseInt(area.getAttribute("data-fold"), 10) || 500;
    var suffix = area.getAttribute("data-suffix") || ""; // a FAQ answer's frame (문의: 부서 (전화))
    area.addEventListener("input", function () {
      var text = area.value;
      var sent = text + suffix;
      count.textContent = text.length + " / " + limit + "자" + (text.length > limit ? " — 너무 길어요" : "");
      if (web) web.textContent = sent;
      if (kakao) kakao.textContent = sent.length > fold ? sent.slice(0, fold) : sent;
    });
  }

  markEntity();
  livePreview();
})();
