/* Admin page (/admin): log in with the admin key, upload with progress, re-index, document list with validity,
   remove, index health, feedback CSV export and the audit log. Vanilla JS; the key stays in this tab only. */
(function () {
  "use strict";
  var KEY = "tdkt-admin-key";
  var key = "";
  var $ = function (id) { return document.getElementById(id); };
  var TYPES = { luat: "Luật", "nghi-dinh": "Nghị định", "thong-tu": "Thông tư", "quyet-dinh": "Quyết định",
    "nghi-quyet": "Nghị quyết", "chi-thi": "Chỉ thị", "ke-hoach": "Kế hoạch", "cong-van": "Công văn",
    "cong-dien": "Công điện", "phat-dong": "Phát động", "giao-uoc": "Giao ước thi đua", "thong-bao": "Thông báo",
    "huong-dan": "Hướng dẫn" };
  var LLMS = { none: "Không dùng (trích nguyên văn)", openai: "Máy chủ OpenAI-tương thích", local: "Mô hình cục bộ" };
  var LEVELS = { "trung-uong": "Trung ương", tinh: "Tỉnh", huyen: "Huyện", xa: "Xã", "co-quan": "Cơ quan" };
  var ACTIONS = { upload: "Tải lên", remove: "Xóa", reindex: "Nạp lại", export_feedback: "Xuất đánh giá" };

  function vnDate(iso) {
    var m = String(iso || "").match(/^(\d{4})-(\d{2})-(\d{2})/);
    return m ? m[3] + "/" + m[2] + "/" + m[1] : (iso || "");
  }
  function td(text, cls) {
    var c = document.createElement("td");
    c.textContent = text == null ? "" : String(text);
    if (cls) c.className = cls;
    return c;
  }
  function headers() { return { "X-API-Key": key }; }
  async function message(res) {
    try { var d = await res.json(); if (d && d.error) return d.error.message; } catch (e) { /* not JSON */ }
    return "Lỗi máy chủ (HTTP " + res.status + ").";
  }
  async function api(path, init) {
    init = init || {};
    init.headers = Object.assign(headers(), init.headers || {});
    var res = await fetch(path, init);
    if (!res.ok) throw new Error(await message(res));
    return res;
  }

  async function login(candidate) {
    key = candidate;
    $("login-msg").textContent = "";
    try {
      await api("/api/admin/health");
    } catch (e) {
      key = "";
      sessionStorage.removeItem(KEY);
      $("login-msg").textContent = e.message;
      return;
    }
    sessionStorage.setItem(KEY, candidate);
    $("login").hidden = true;
    $("panels").hidden = false;
    refresh();
  }

  function refresh() { loadHealth(); loadDocuments(); loadAudit(); }

  async function loadHealth() {
    try {
      var h = await (await api("/api/admin/health")).json();
      var box = $("health-stats");
      box.innerHTML = "";
      [["Văn bản", h.stats.documents], ["Đoạn chỉ mục", h.stats.chunks], ["Tệp tải lên", h.uploads],
       ["Trạng thái", h.status === "ok" ? "Hoạt động" : "Trống"], ["Mô hình ngôn ngữ", (LLMS[h.llm] || h.llm) + (h.llm_error ? " — lỗi: " + h.llm_error : "")]]
        .forEach(function (s) {
          var d = document.createElement("div");
          d.className = "stat";
          var b = document.createElement("b");
          b.textContent = s[1] == null ? "—" : s[1];
          d.appendChild(b);
          d.appendChild(document.createTextNode(s[0]));
          box.appendChild(d);
        });
    } catch (e) { $("health-stats").textContent = e.message; }
  }

  async function loadDocuments() {
    var rows = $("doc-rows");
    try {
      var docs = (await (await api("/api/documents")).json()).documents;
      $("doc-count").textContent = docs.length;
      rows.innerHTML = "";
      docs.forEach(function (d) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-file", d.source_file);
        tr.appendChild(td(d.source_file));
        tr.appendChild(td(TYPES[d.doc_type] || d.doc_type || ""));
        tr.appendChild(td(LEVELS[d.level] || d.level || ""));
        tr.appendChild(td(d.number || ""));
        tr.appendChild(td(vnDate(d.signed)));
        tr.appendChild(td(vnDate(d.in_force_from)));
        tr.appendChild(td(vnDate(d.in_force_to)));
        tr.appendChild(td(d.validity, d.in_force ? "ok" : "error"));
        var cell = document.createElement("td");
        var del = document.createElement("button");
        del.type = "button";
        del.className = "danger remove";
        del.textContent = "Xóa";
        del.addEventListener("click", function () { remove(d.source_file); });
        cell.appendChild(del);
        tr.appendChild(cell);
        rows.appendChild(tr);
      });
    } catch (e) { rows.innerHTML = ""; rows.appendChild(td(e.message, "error")); }
  }

  async function loadAudit() {
    var rows = $("audit-rows");
    try {
      var entries = (await (await api("/api/admin/audit")).json()).entries;
      rows.innerHTML = "";
      entries.forEach(function (e) {
        var tr = document.createElement("tr");
        tr.appendChild(td(e.created.replace("T", " ").replace("+00:00", "")));
        tr.appendChild(td(e.actor));
        tr.appendChild(td(e.client));
        tr.appendChild(td(ACTIONS[e.action] || e.action));
        tr.appendChild(td(e.target));
        tr.appendChild(td(e.detail && (e.detail.message || e.detail.state) || ""));
        rows.appendChild(tr);
      });
    } catch (e) { rows.innerHTML = ""; }
  }

  async function remove(file) {
    if (!window.confirm("Xóa văn bản “" + file + "” khỏi kho?")) return;
    try {
      await api("/api/documents/" + encodeURIComponent(file), { method: "DELETE" });
      $("upload-msg").textContent = "Đã xóa " + file + ".";
      refresh();
    } catch (e) { $("upload-msg").textContent = e.message; }
  }

  /** Poll a job until it ends, showing its progress in `bar` and `msg`. */
  function follow(job, bar, msg) {
    return new Promise(function (resolve) {
      function tick() {
        api("/api/admin/jobs/" + job.id).then(function (r) { return r.json(); }).then(function (j) {
          bar.hidden = false;
          if (j.total) { bar.max = j.total; bar.value = j.done; } else { bar.removeAttribute("value"); }
          msg.textContent = j.message;
          msg.className = j.state === "failed" ? "error" : (j.state === "done" ? "ok" : "muted");
          if (j.state === "running") setTimeout(tick, 400); else resolve(j);
        }, function (e) { msg.textContent = e.message; msg.className = "error"; resolve(null); });
      }
      tick();
    });
  }

  function upload(e) {
    e.preventDefault();
    var file = $("upload-file").files[0];
    if (!file) return;
    var bar = $("upload-progress"), msg = $("upload-msg");
    var data = new FormData();
    data.append("file", file);
    data.append("replace", $("upload-replace").checked ? "true" : "false");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/admin/uploads");
    xhr.setRequestHeader("X-API-Key", key);
    bar.hidden = false;
    bar.value = 0;
    msg.className = "muted";
    msg.textContent = "Đang tải lên " + file.name + "…";
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; }
      msg.textContent = "Đang tải lên " + file.name + ": " + Math.round(100 * ev.loaded / (ev.total || 1)) + "%";
    };
    xhr.onerror = function () { msg.className = "error"; msg.textContent = "Không kết nối được máy chủ."; };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { /* not JSON */ }
      if (xhr.status !== 202) {
        msg.className = "error";
        msg.textContent = (body.error && body.error.message) || ("Lỗi máy chủ (HTTP " + xhr.status + ").");
        return;
      }
      bar.value = 0;
      follow(body, bar, msg).then(function () { $("upload-form").reset(); refresh(); });
    };
    xhr.send(data);
  }

  async function reindex() {
    var bar = $("reindex-progress"), msg = $("reindex-msg");
    $("reindex").disabled = true;
    try {
      var job = await (await api("/api/admin/reindex", { method: "POST" })).json();
      await follow(job, bar, msg);
      refresh();
    } catch (e) { msg.textContent = e.message; msg.className = "error"; }
    $("reindex").disabled = false;
  }

  async function exportFeedback() {
    var msg = $("feedback-msg");
    try {
      var blob = await (await api("/api/admin/feedback.csv")).blob();
      var url = URL.createObjectURL(blob);
      var a = document.createElement("a");
      a.href = url;
      a.download = "tdkt-feedback.csv";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 30000);
      msg.textContent = "Đã tải tệp đánh giá.";
      loadAudit();
    } catch (e) { msg.textContent = e.message; msg.className = "error"; }
  }

  $("login-form").addEventListener("submit", function (e) { e.preventDefault(); login($("admin-key").value.trim()); });
  $("upload-form").addEventListener("submit", upload);
  $("reindex").addEventListener("click", reindex);
  $("export-feedback").addEventListener("click", exportFeedback);
  var saved = sessionStorage.getItem(KEY);
  if (saved) login(saved); else $("admin-key").focus();
})();
