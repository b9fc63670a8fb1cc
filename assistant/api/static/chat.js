/* Trợ lý Thi đua – Khen thưởng: chat core shared by the full page (/) and the widget (/widget.js).
   Vanilla JS, no build step. window.TDKTChat.mount(container, options) renders a chat into `container`
   (a normal element or an element inside a shadow root). */
(function () {
  "use strict";
  if (window.TDKTChat) return;

  var TEXT = {
    title: "Trợ lý Thi đua – Khen thưởng",
    subtitle: "Hỏi đáp theo văn bản pháp luật và kế hoạch thi đua",
    placeholder: "Nhập câu hỏi… (gõ /soan để soạn văn bản)",
    placeholderDraft: "Mô tả văn bản cần soạn, ví dụ: kế hoạch thi đua năm 2026 của UBND xã …",
    send: "Gửi",
    newChat: "Hội thoại mới",
    draftMode: "Chế độ soạn thảo",
    welcome: "Xin chào! Hãy đặt câu hỏi về thi đua, khen thưởng. Câu trả lời có trích dẫn văn bản gốc; bấm vào số trích dẫn để xem đoạn văn bản.",
    offline: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng hoặc thử lại sau.",
    noKey: "Chưa có khóa truy cập (API key). Hãy mở trang với ?key=… hoặc đặt thuộc tính data-api-key.",
    tooLong: function (n, max) { return "Nội dung quá dài: " + n + "/" + max + " ký tự. Vui lòng rút gọn."; },
    counter: function (n, max) { return n + "/" + max; },
    empty: "Vui lòng nhập nội dung.",
    sourceLoading: "Đang tải đoạn văn bản…",
    close: "Đóng",
    inForce: "Còn hiệu lực",
    expired: "Hết hiệu lực",
    drafting: "Đang soạn dự thảo…",
    draftReady: "Dự thảo văn bản",
    downloadDocx: "Tải .docx",
    downloadMd: "Tải .md",
    questions: "Cần bổ sung thông tin:",
    stoppedEarly: "Kết nối bị ngắt trước khi có câu trả lời đầy đủ.",
    cleared: "Đã bắt đầu hội thoại mới."
  };
  var DRAFT_PREFIX = /^\/(soan|soạn)\b\s*/i;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function inline(s) {
    return escapeHtml(s)
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
  }

  /** A small Markdown subset: headings, bullet lists, bold/italic, paragraphs. Input is escaped first. */
  function renderMarkdown(md) {
    var out = [], inList = false;
    String(md || "").split(/\r?\n/).forEach(function (line) {
      var m;
      if ((m = line.match(/^\s*[-*+]\s+(.*)$/))) {
        if (!inList) { out.push("<ul>"); inList = true; }
        out.push("<li>" + inline(m[1]) + "</li>");
        return;
      }
      if (inList) { out.push("</ul>"); inList = false; }
      if ((m = line.match(/^(#{1,4})\s+(.*)$/))) {
        var lvl = m[1].length;
        out.push("<h" + lvl + ">" + inline(m[2]) + "</h" + lvl + ">");
      } else if (line.trim()) {
        out.push("<p>" + inline(line) + "</p>");
      }
    });
    if (inList) out.push("</ul>");
    return out.join("");
  }

  function vnDate(iso) {
    var m = String(iso || "").match(/^(\d{4})-(\d{2})-(\d{2})/);
    return m ? m[3] + "/" + m[2] + "/" + m[1] : iso;
  }

  function mount(container, options) {
    var opts = options || {};
    var apiBase = (opts.apiBase || "").replace(/\/+$/, "");
    var apiKey = opts.apiKey || "";
    var maxQ = opts.maxQuestionChars || 2000;
    var maxP = opts.maxPromptChars || 3000;
    var storeKey = "tdkt-conversation-id" + (opts.storageSuffix ? "-" + opts.storageSuffix : "");
    var busy = false;

    var root = el("div", "tdkt-chat");
    var header = el("div", "tdkt-header");
    var titleBox = el("div", "tdkt-title", opts.title || TEXT.title);
    titleBox.appendChild(el("span", "tdkt-subtitle", TEXT.subtitle));
    var newBtn = el("button", "tdkt-new", TEXT.newChat);
    newBtn.type = "button";
    header.appendChild(titleBox);
    header.appendChild(newBtn);
    if (opts.onClose) {
      var closeBtn = el("button", "tdkt-close", "×");
      closeBtn.type = "button";
      closeBtn.setAttribute("aria-label", TEXT.close);
      closeBtn.addEventListener("click", opts.onClose);
      header.appendChild(closeBtn);
    }

    var body = el("div", "tdkt-body");
    var messages = el("div", "tdkt-messages");
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    var source = el("aside", "tdkt-source");
    source.hidden = true;
    body.appendChild(messages);
    body.appendChild(source);

    var form = el("form", "tdkt-form");
    var row = el("div", "tdkt-row");
    var input = el("textarea", "tdkt-input");
    input.rows = 2;
    input.placeholder = TEXT.placeholder;
    input.setAttribute("aria-label", TEXT.placeholder);
    var sendBtn = el("button", "tdkt-send", TEXT.send);
    sendBtn.type = "submit";
    row.appendChild(input);
    row.appendChild(sendBtn);
    var tools = el("div", "tdkt-tools");
    var modeLabel = el("label", "tdkt-mode");
    var draftToggle = el("input", "tdkt-draft-toggle");
    draftToggle.type = "checkbox";
    modeLabel.appendChild(draftToggle);
    modeLabel.appendChild(document.createTextNode(TEXT.draftMode));
    var hint = el("span", "tdkt-hint");
    tools.appendChild(modeLabel);
    tools.appendChild(hint);
    form.appendChild(row);
    form.appendChild(tools);

    root.appendChild(header);
    root.appendChild(body);
    root.appendChild(form);
    container.appendChild(root);

    system(TEXT.welcome);
    if (!apiKey) error(TEXT.noKey);

    // ---------------------------------------------------------------- helpers
    function conversationId() {
      try { return sessionStorage.getItem(storeKey) || null; } catch (e) { return null; }
    }
    function setConversationId(id) {
      try { if (id) sessionStorage.setItem(storeKey, id); else sessionStorage.removeItem(storeKey); } catch (e) { /* private mode */ }
    }
    function headers(json) {
      var h = { "X-API-Key": apiKey };
      if (json) h["Content-Type"] = "application/json";
      return h;
    }
    function scroll() { messages.scrollTop = messages.scrollHeight; }
    function add(cls, text) {
      var m = el("div", "tdkt-msg " + cls);
      if (text != null) m.textContent = text;
      messages.appendChild(m);
      scroll();
      return m;
    }
    function system(text) { return add("tdkt-msg-system", text); }
    function error(text) { return add("tdkt-msg-error", text); }
    function isDraft(text) { return draftToggle.checked || DRAFT_PREFIX.test(text); }
    function limitFor(text) { return isDraft(text) ? maxP : maxQ; }

    async function errorMessage(res) {
      try {
        var data = await res.json();
        if (data && data.error && data.error.message) return data.error.message;
      } catch (e) { /* not JSON */ }
      return "Lỗi máy chủ (HTTP " + res.status + ").";
    }

    function updateHint() {
      var text = input.value.trim();
      var max = limitFor(text);
      var n = text.replace(DRAFT_PREFIX, "").length;
      if (n > max) {
        hint.textContent = TEXT.tooLong(n, max);
        hint.className = "tdkt-hint tdkt-hint-error";
        sendBtn.disabled = true;
      } else {
        hint.textContent = n ? TEXT.counter(n, max) : "";
        hint.className = "tdkt-hint";
        sendBtn.disabled = busy;
      }
      input.placeholder = draftToggle.checked ? TEXT.placeholderDraft : TEXT.placeholder;
    }

    // ---------------------------------------------------------------- rendering
    function citationLabel(c) {
      return c.citation || c.doc_title || c.source_file;
    }

    function renderAnswerText(target, text, citations) {
      var byN = {};
      (citations || []).forEach(function (c) { byN[c.n] = c; });
      target.innerHTML = "";
      var html = inline(text || "").replace(/\[(\d{1,2})\]/g, function (all, n) {
        return byN[n] ? '<button type="button" class="tdkt-ref" data-n="' + n + '">' + n + "</button>" : all;
      });
      target.innerHTML = html;
      Array.prototype.forEach.call(target.querySelectorAll(".tdkt-ref"), function (b) {
        b.addEventListener("click", function () { openSource(byN[b.getAttribute("data-n")]); });
      });
    }

    function renderChips(msg, citations) {
      if (!citations || !citations.length) return;
      var box = el("div", "tdkt-chips");
      citations.forEach(function (c) {
        var chip = el("button", "tdkt-chip" + (c.in_force === false ? " tdkt-chip-expired" : ""));
        chip.type = "button";
        chip.title = citationLabel(c) + (c.in_force === false ? " — " + TEXT.expired : "");
        chip.setAttribute("data-n", c.n);
        chip.appendChild(el("span", "tdkt-chip-n", String(c.n)));
        chip.appendChild(el("span", "tdkt-chip-label", citationLabel(c)));
        chip.addEventListener("click", function () { openSource(c); });
        box.appendChild(chip);
      });
      msg.appendChild(box);
    }

    function renderList(msg, items, cls, heading) {
      if (!items || !items.length) return;
      var list = el(cls === "tdkt-questions" ? "ol" : "ul", cls);
      items.forEach(function (w) { list.appendChild(el("li", null, w)); });
      if (heading) msg.appendChild(el("div", "tdkt-list-title", heading));
      msg.appendChild(list);
    }

    function renderFinal(msg, textBox, answer) {
      msg.classList.remove("tdkt-pending");
      if (answer.refused) msg.classList.add("tdkt-refused");
      renderAnswerText(textBox, answer.answer, answer.citations);
      renderChips(msg, answer.citations);
      renderList(msg, answer.warnings, "tdkt-warnings");
      if (answer.conversation_id) setConversationId(answer.conversation_id);
      scroll();
    }

    function validityText(doc, c) {
      if (doc && doc.validity) return doc.validity;
      if (c && c.validity_note) return c.validity_note;
      var ok = doc ? doc.in_force !== false : !(c && c.in_force === false);
      if (ok) return TEXT.inForce;
      var s = TEXT.expired;
      if (doc && doc.in_force_to) s += " từ " + vnDate(doc.in_force_to);
      if (doc && doc.replaced_by) s += " — thay bằng " + doc.replaced_by;
      return s;
    }

    async function openSource(c) {
      if (!c) return;
      source.hidden = false;
      source.innerHTML = "";
      var head = el("div", "tdkt-source-head");
      var title = el("div", "tdkt-source-title", c.doc_title || c.doc_number || c.source_file);
      title.appendChild(el("span", "tdkt-source-cite", "[" + c.n + "] " + citationLabel(c)));
      var validity = el("span", "tdkt-validity");
      title.appendChild(validity);
      var close = el("button", "tdkt-source-close", "×");
      close.type = "button";
      close.title = TEXT.close;
      close.setAttribute("aria-label", TEXT.close);
      close.addEventListener("click", function () { source.hidden = true; });
      head.appendChild(title);
      head.appendChild(close);
      var text = el("div", "tdkt-source-text", TEXT.sourceLoading);
      source.appendChild(head);
      source.appendChild(text);
      var url = apiBase + "/api/sources/" + encodeURIComponent(c.source_file) +
        "?start=" + c.start + "&end=" + c.end + "&context=600";
      try {
        var res = await fetch(url, { headers: headers(false) });
        if (!res.ok) { text.textContent = await errorMessage(res); return; }
        var data = await res.json();
        var doc = data.document || {};
        if (doc.title || doc.short_name || doc.number) {
          title.firstChild.textContent = doc.short_name || doc.title || doc.number;
        }
        var ok = doc.in_force !== false && c.in_force !== false;
        validity.textContent = validityText(data.document, c);
        validity.className = "tdkt-validity " + (ok ? "tdkt-validity-ok" : "tdkt-validity-bad");
        text.innerHTML = "";
        if (data.truncated_before) text.appendChild(el("span", "tdkt-ellipsis", "… "));
        var shown = data.display_highlight ? "display_" : "";
        text.appendChild(document.createTextNode(shown ? data.display_before + "\n" : data.text_before));
        var mark = el("mark", null, shown ? data.display_highlight : data.highlight);
        text.appendChild(mark);
        text.appendChild(document.createTextNode(shown ? "\n" + data.display_after : data.text_after));
        if (data.truncated_after) text.appendChild(el("span", "tdkt-ellipsis", " …"));
        text.scrollTop = Math.max(0, mark.offsetTop - text.offsetTop - 40);
      } catch (e) {
        text.textContent = TEXT.offline;
      }
    }

    // ---------------------------------------------------------------- ask (SSE over fetch)
    async function ask(question) {
      var msg = add("tdkt-msg-bot tdkt-pending");
      var textBox = el("div", "tdkt-text");
      msg.appendChild(textBox);
      var res;
      try {
        res = await fetch(apiBase + "/api/ask/stream", {
          method: "POST",
          headers: headers(true),
          body: JSON.stringify({ question: question, conversation_id: conversationId() })
        });
      } catch (e) {
        msg.remove();
        error(TEXT.offline);
        return;
      }
      if (!res.ok) { msg.remove(); error(await errorMessage(res)); return; }
      var finished = false;
      try {
        var reader = res.body.getReader();
        var decoder = new TextDecoder("utf-8");
        var buffer = "";
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done) break;
          buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
          var idx;
          while ((idx = buffer.indexOf("\n\n")) >= 0) {
            var raw = buffer.slice(0, idx);
            buffer = buffer.slice(idx + 2);
            var ev = parseEvent(raw);
            if (!ev) continue;
            if (ev.event === "token") {
              textBox.textContent += ev.data.text || "";
              scroll();
            } else if (ev.event === "final") {
              finished = true;
              renderFinal(msg, textBox, ev.data);
            } else if (ev.event === "error") {
              finished = true;
              msg.remove();
              error((ev.data && ev.data.message) || "Lỗi máy chủ.");
            }
          }
        }
      } catch (e) {
        if (!finished) { error(TEXT.offline); }
        return;
      }
      if (!finished) { msg.classList.remove("tdkt-pending"); error(TEXT.stoppedEarly); }
    }

    function parseEvent(raw) {
      var event = "message", data = [];
      raw.split("\n").forEach(function (line) {
        if (!line || line.charAt(0) === ":") return;
        var i = line.indexOf(":");
        var field = i < 0 ? line : line.slice(0, i);
        var value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      });
      if (!data.length) return null;
      try { return { event: event, data: JSON.parse(data.join("\n")) }; } catch (e) { return null; }
    }

    // ---------------------------------------------------------------- draft
    function downloadButton(label, path, filename) {
      var a = el("a", "tdkt-download", label);
      a.href = apiBase + path;
      a.setAttribute("download", filename);
      a.addEventListener("click", async function (e) {
        e.preventDefault();
        try {
          var res = await fetch(apiBase + path, { headers: headers(false) });
          if (!res.ok) { error(await errorMessage(res)); return; }
          var blob = await res.blob();
          var url = URL.createObjectURL(blob);
          var tmp = document.createElement("a");
          tmp.href = url;
          tmp.download = filename;
          tmp.style.display = "none";
          (a.parentNode || document.body).appendChild(tmp);
          tmp.click();
          setTimeout(function () { URL.revokeObjectURL(url); tmp.remove(); }, 30000);
        } catch (err) {
          error(TEXT.offline);
        }
      });
      return a;
    }

    async function draft(prompt) {
      var msg = add("tdkt-msg-bot tdkt-pending");
      var status = el("div", "tdkt-text", TEXT.drafting);
      msg.appendChild(status);
      var res;
      try {
        res = await fetch(apiBase + "/api/draft", {
          method: "POST",
          headers: headers(true),
          body: JSON.stringify({ prompt: prompt, conversation_id: conversationId() })
        });
      } catch (e) {
        msg.remove();
        error(TEXT.offline);
        return;
      }
      if (!res.ok) { msg.remove(); error(await errorMessage(res)); return; }
      var d = await res.json();
      msg.classList.remove("tdkt-pending");
      msg.classList.add("tdkt-msg-draft");
      status.textContent = TEXT.draftReady;
      var bodyBox = el("div", "tdkt-draft-body");
      bodyBox.innerHTML = renderMarkdown(d.markdown);
      msg.appendChild(bodyBox);
      renderList(msg, d.warnings, "tdkt-warnings");
      renderList(msg, d.questions, "tdkt-questions", d.questions && d.questions.length ? TEXT.questions : null);
      var links = el("div", "tdkt-downloads");
      links.appendChild(downloadButton(TEXT.downloadDocx, d.links.docx, "du-thao-" + d.draft_id + ".docx"));
      links.appendChild(downloadButton(TEXT.downloadMd, d.links.md, "du-thao-" + d.draft_id + ".md"));
      msg.appendChild(links);
      scroll();
    }

    // ---------------------------------------------------------------- events
    async function submit() {
      var text = input.value.trim();
      if (busy) return;
      if (!text) { hint.textContent = TEXT.empty; hint.className = "tdkt-hint tdkt-hint-error"; return; }
      var drafting = isDraft(text);
      var content = text.replace(DRAFT_PREFIX, "").trim();
      var max = drafting ? maxP : maxQ;
      if (content.length > max) { updateHint(); return; }
      if (!content) { hint.textContent = TEXT.empty; hint.className = "tdkt-hint tdkt-hint-error"; return; }
      add("tdkt-msg-user", text);
      input.value = "";
      busy = true;
      updateHint();
      try {
        if (drafting) await draft(content); else await ask(content);
      } finally {
        busy = false;
        updateHint();
        input.focus();
      }
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
    });
    input.addEventListener("input", updateHint);
    draftToggle.addEventListener("change", updateHint);
    newBtn.addEventListener("click", function () {
      setConversationId(null);
      messages.innerHTML = "";
      source.hidden = true;
      system(TEXT.cleared);
    });

    return { root: root, input: input, ask: ask, draft: draft, openSource: openSource };
  }

  window.TDKTChat = { mount: mount, renderMarkdown: renderMarkdown, text: TEXT };
})();
