/* The progress page of a background ledger export: polls the job's status URL (no inline script,
   CSP-compliant) and reveals the download link when the file is ready. */
(function () {
  "use strict";
  var box = document.querySelector(".ledger-job[data-status-url]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var state = box.querySelector("[data-role=state]");
  var download = box.querySelector("[data-role=download]");
  var url = box.getAttribute("data-status-url");
  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    if (data.state === "done") {
      state.textContent = "已完成，共 " + data.total + " 行。";
      download.hidden = false;
      var link = download.querySelector("a");
      if (link && data.download_url) { link.href = data.download_url; }
      return true;
    }
    if (data.state === "failed") {
      state.textContent = "生成失败，请重试或联系系统管理员。";
      return true;
    }
    state.textContent = "已写入 " + data.done + " / " + data.total + " 行";
    return false;
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) { if (!show(data)) { window.setTimeout(poll, 1500); } })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
