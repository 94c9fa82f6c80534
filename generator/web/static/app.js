// 预算绩效自评材料生成: drag-and-drop upload, the 生成 button with progress. Plain script, no build step.
"use strict";

(function () {
  function $(root, selector) { return root.querySelector(selector); }

  // The page's anti-forgery token, sent with every request the script makes (forms carry it as a hidden field).
  function headers() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return { "Accept": "application/json", "X-CSRF-Token": meta ? meta.getAttribute("content") : "" };
  }

  function say(box, text, isError) {
    box.textContent = "";
    if (!text) return;
    var p = document.createElement("div");
    p.className = isError ? "notice notice-error" : "meta";
    if (isError) {
      var icon = document.createElement("span");
      icon.className = "notice-icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = "✕";
      p.appendChild(icon);
    }
    var body = document.createElement("div");
    body.textContent = text;
    p.appendChild(body);
    box.appendChild(p);
    return body;
  }

  function listProblems(body, problems) {
    if (!body || !problems || problems.length < 2) return;
    var ul = document.createElement("ul");
    ul.className = "plain-list";
    problems.forEach(function (item) {
      var li = document.createElement("li");
      if (item.place) {
        var place = document.createElement("span");
        place.className = "place";
        place.textContent = item.place + " ";
        li.appendChild(place);
      }
      li.appendChild(document.createTextNode(item.message));
      ul.appendChild(li);
    });
    body.appendChild(ul);
  }

  // -- upload: the chosen or dropped file is sent at once; the answer is the job page, or a message in place
  function setUpUpload(form) {
    var input = $(form, "[data-file]");
    var zone = $(form, "[data-dropzone]");
    var box = $(form, "[data-upload-status]");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
    var busy = false;

    function send(file) {
      if (!file || busy) return;
      if (file.size > maxBytes) {
        say(box, "文件过大（" + (file.size / 1048576).toFixed(1) + " MB）：上传的填报文件不能超过 " +
            Math.round(maxBytes / 1048576) + " MB。填报表一般不到 1 MB，请检查是否粘贴了图片或留有大量空行", true);
        return;
      }
      busy = true;
      say(box, "正在上传并核对《" + file.name + "》…", false);
      var data = new FormData();
      data.append("file", file, file.name);
      var pack = form.querySelector("[data-pack]");
      if (pack && pack.value) data.append("pack", pack.value);
      fetch(form.action, { method: "POST", body: data, headers: headers() })
        .then(function (response) {
          return response.json().catch(function () { return { error: "服务器没有正常答复（" + response.status + "），请重试" }; })
            .then(function (answer) { return { ok: response.ok, answer: answer }; });
        })
        .then(function (result) {
          if (result.ok && result.answer.url) { window.location.assign(result.answer.url); return; }
          busy = false;
          listProblems(say(box, result.answer.error || "上传失败，请重试", true), result.answer.problems);
        })
        .catch(function () {
          busy = false;
          say(box, "上传没有完成：连接中断，请检查网络后重试", true);
        });
    }

    input.addEventListener("change", function () { send(input.files[0]); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
    });
    ["dragleave", "dragend"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-over");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length > 1) { say(box, "一次只能上传一个填报文件", true); return; }
      if (files && files.length) send(files[0]);
    });
  }

  // -- generate: start, then ask for the status until the package is ready, and show the page with its links
  function setUpGenerate(card) {
    var jobId = card.getAttribute("data-job");
    var form = document.querySelector("[data-generate]");
    var progress = document.querySelector("[data-progress]");
    if (!progress) return;
    var bar = $(progress, "[data-progress-bar]");
    var label = $(progress, "[data-progress-text]");
    var clock = $(progress, "[data-progress-time]");
    var estimate = $(progress, "[data-progress-estimate]");
    var expected = parseFloat(card.getAttribute("data-expected")) || 3;

    function show(status) {
      var seconds = status.seconds || 0;
      // Generation reports no steps: the bar follows the expected time and slows down near the end.
      var share = status.state === "running" ? 1 - Math.exp(-seconds / expected * 1.6) : 0.03;
      bar.style.width = Math.max(3, Math.min(96, share * 100)).toFixed(0) + "%";
      label.textContent = status.state === "queued"
        ? "排队等候…" + (status.ahead > 0 ? "前面还有 " + status.ahead + " 份材料，" + status.workers + " 份同时生成" : "")
        : "正在生成…";
      clock.textContent = status.state === "running" ? "已用 " + seconds.toFixed(0) + " 秒" : "";
      if (estimate && status.remaining !== undefined) {
        estimate.textContent = "预计还需约 " + Math.max(1, Math.round(status.remaining)) + " 秒";
      }
    }

    function poll() {
      fetch("/jobs/" + jobId + "/status", { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.state === "done" || status.state === "failed" || status.state === "ready") {
            bar.style.width = "100%";
            window.location.reload();
            return;
          }
          show(status);
          setTimeout(poll, 400);
        })
        .catch(function () { setTimeout(poll, 1500); });
    }

    if (card.getAttribute("data-state") === "queued" || card.getAttribute("data-state") === "running") poll();
    if (!form) return;
    var force = $(form, "[data-force]");
    var button = $(form, "[data-generate-button]");
    if (force) force.addEventListener("change", function () { button.disabled = !force.checked; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      var data = new FormData(form);
      fetch(form.action, { method: "POST", body: data, headers: headers() })
        .then(function (response) { return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; }); })
        .then(function (result) {
          if (!result.ok) {
            button.disabled = false;
            var box = document.createElement("div");
            form.appendChild(box);
            say(box, result.answer.error || "未能开始生成，请重试", true);
            return;
          }
          form.hidden = true;
          progress.hidden = false;
          show({ state: "queued", seconds: 0, ahead: 0 });
          poll();
        })
        .catch(function () { button.disabled = false; });
    });
  }

  // -- PDF versions: asked for once, then the page reloads when they are there
  function setUpPdf(card) {
    var jobId = card.getAttribute("data-job");
    function poll() {
      fetch("/jobs/" + jobId + "/status", { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (status) {
          if (status.pdf === "queued" || status.pdf === "running") { setTimeout(poll, 1500); return; }
          window.location.reload();
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    var state = card.getAttribute("data-pdf");
    if (state === "queued" || state === "running") poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-upload]"), setUpUpload);
    var card = document.querySelector("[data-job]");
    if (card) { setUpGenerate(card); setUpPdf(card); }
  });
})();
