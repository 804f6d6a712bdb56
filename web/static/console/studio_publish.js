// 학습·배포 page: while a training runs, poll its status and move the progress bar; when it
// ends, reload the page so the figures and the verdict (rendered by the server) appear.
// Without this script the page still works: the "새로 고침" link shows the same state.
(function () {
  "use strict";
  var box = document.getElementById("training");
  if (!box || box.getAttribute("data-active") !== "yes") return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("training-progress");
  var stage = document.getElementById("training-stage");
  var hint = document.getElementById("reload-hint");
  // Stage names in Korean come from the template (one place for the wording).
  var labels = JSON.parse(box.getAttribute("data-stage-labels") || "{}");
  if (hint) hint.hidden = true;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 5000); return; }
        bar.value = s.progress;
        bar.textContent = s.progress + "%";
        if (labels[s.stage]) stage.textContent = labels[s.stage];
        if (s.finished) { window.location.reload(); return; }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
