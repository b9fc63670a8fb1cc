/* Trợ lý Thi đua – Khen thưởng: chat core shared by the full page (/) and the widget (/widget.js).
   Vanilla JS, no build step. window.TDKTChat.mount(container, options) renders a chat into `container`
   (a normal element or an element inside a shadow root). Features: streamed answers with citations, stop,
   copy, retry, 👍/👎 feedback, a conversation list restored from the server, drafting recognised in chat
   (with inline answers to the draft's questions, section regeneration and .docx/.md downloads). */
(function () {
  "use strict";
  if (window.TDKTChat) return;

  var TEXT = {
    title: "Trợ lý Thi đua – Khen thưởng",
    subtitle: "Hỏi đáp theo văn bản pháp luật và kế hoạch thi đua",
    placeholder: "Nhập câu hỏi hoặc yêu cầu soạn văn bản…",
    placeholderDraft: "Mô tả văn bản cần soạn, ví dụ: kế hoạch thi đua năm 2026 của UBND xã …",
    send: "Gửi",
    stop: "Dừng",
    stopped: "Đã dừng trả lời.",
    newChat: "Hội thoại mới",
    history: "Hội thoại",
    historyTitle: "Hội thoại trước đây",
    historyEmpty: "Chưa có hội thoại nào.",
    historyLoading: "Đang tải…",
    restored: "Đã mở lại hội thoại.",
    draftMode: "Chế độ soạn thảo",
    welcome: "Xin chào! Hãy đặt câu hỏi về thi đua, khen thưởng, hoặc yêu cầu soạn kế hoạch/văn bản. Câu trả lời có trích dẫn văn bản gốc; bấm vào số trích dẫn để xem đoạn văn bản.",
    offline: "Không kết nối được máy chủ. Vui lòng kiểm tra mạng hoặc thử lại sau.",
    noKey: "Chưa có khóa truy cập (API key). Hãy mở trang với #key=… hoặc đặt thuộc tính data-api-key.",
    tooLong: function (n, max) { return "Nội dung quá dài: " + n + "/" + max + " ký tự. Vui lòng rút gọn."; },
    counter: function (n, max) { return n + "/" + max; },
    empty: "Vui lòng nhập nội dung.",
    sourceLoading: "Đang tải đoạn văn bản…",
    close: "Đóng",
    inForce: "Còn hiệu lực",
    expired: "Hết hiệu lực",
    drafting: "Đang soạn dự thảo…",
    draftReady: "Dự thảo văn bản",
    draftDetected: function (label) { return "Đã nhận yêu cầu soạn " + label + "."; },
    askInstead: "Không, đây là câu hỏi",
    offerDraft: function (label) { return "📝 Soạn " + label + " theo yêu cầu này"; },
    downloadDocx: "Tải .docx",
    downloadMd: "Tải .md",
    questions: "Cần bổ sung thông tin:",
    answerQuestions: "Trả lời các câu hỏi trên (ví dụ: chủ đề …, chỉ tiêu …)",
    redraft: "Soạn lại với thông tin này",
    section: "Soạn lại phần:",
    instruction: "Chỉ dẫn, ví dụ: ngắn gọn hơn, nhấn mạnh chuyển đổi số…",
    regenerate: "Soạn lại phần này",
    regenerating: "Đang soạn lại phần đã chọn…",
    stoppedEarly: "Kết nối bị ngắt trước khi có câu trả lời đầy đủ.",
    cleared: "Đã bắt đầu hội thoại mới.",
    retry: "Thử lại",
    copy: "Sao chép",
    copied: "Đã sao chép",
    sources: "Nguồn:",
    like: "Hữu ích",
    dislike: "Chưa đúng / chưa đủ",
    feedbackComment: "Góp ý thêm (không bắt buộc)",
    feedbackSend: "Gửi đánh giá",
    feedbackThanks: "Cảm ơn anh/chị đã góp ý!",
    forbiddenOrigin: "Trang này chưa được cấp phép dùng trợ lý — liên hệ quản trị"
  };
  var DRAFT_PREFIX = /^\/(soan|soạn)\b\s*/i;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function button(cls, text, title) {
    var b = el("button", cls, text);
    b.type = "button";
    if (title) { b.title = title; b.setAttribute("aria-label", title); }
    return b;
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

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try {
      if (value) window.localStorage.setItem(key, value); else window.localStorage.removeItem(key);
    } catch (e) { /* private mode */ }
  }

  /** A random id for this browser (a public widget key is rate-limited per visitor, not per key). */
  function visitorId() {
    var id = storageGet("tdkt-visitor");
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      var bytes = new Uint8Array(12);
      (window.crypto || window.msCrypto).getRandomValues(bytes);
      id = "v" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      storageSet("tdkt-visitor", id);
    }
    return id;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      ta.remove();
      if (ok) resolve(); else reject(new Error("copy"));
    });
  }

  function mount(container, options) {
    var opts = options || {};
    var apiBase = (opts.apiBase || "").replace(/\/+$/, "");
    var apiKey = opts.apiKey || "";
    var maxQ = opts.maxQuestionChars || 2000;
    var maxP = opts.maxPromptChars || 3000;
    var storeKey = "tdkt-conversation-id" + (opts.storageSuffix ? "-" + opts.storageSuffix : "");
    var visitor = visitorId();
    var busy = false;
    var controller = null;

    var root = el("div", "tdkt-chat");
    var header = el("div", "tdkt-header");
    var titleBox = el("div", "tdkt-title", opts.title || TEXT.title);
    titleBox.appendChild(el("span", "tdkt-subtitle", TEXT.subtitle));
    var historyBtn = button("tdkt-history-btn", TEXT.history, TEXT.historyTitle);
    historyBtn.setAttribute("aria-expanded", "false");
    var newBtn = button("tdkt-new", TEXT.newChat);
    header.appendChild(titleBox);
    header.appendChild(historyBtn);
    header.appendChild(newBtn);
    if (opts.onClose) {
      var closeBtn = button("tdkt-close", "×", TEXT.close);
      closeBtn.addEventListener("click", function () { opts.onClose(); });
      header.appendChild(closeBtn);
    }

    var body = el("div", "tdkt-body");
    var messages = el("div", "tdkt-messages");
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    var source = el("aside", "tdkt-source");
    source.hidden = true;
    var historyPanel = el("nav", "tdkt-history");
    historyPanel.hidden = true;
    historyPanel.setAttribute("aria-label", TEXT.historyTitle);
    body.appendChild(messages);
    body.appendChild(source);
    body.appendChild(historyPanel);

    var form = el("form", "tdkt-form");
    var row = el("div", "tdkt-row");
    var input = el("textarea", "tdkt-input");
    input.rows = 2;
    input.placeholder = TEXT.placeholder;
    input.setAttribute("aria-label", TEXT.placeholder);
    var sendBtn = el("button", "tdkt-send", TEXT.send);
    sendBtn.type = "submit";
    var stopBtn = button("tdkt-stop", TEXT.stop, TEXT.stop);
    stopBtn.hidden = true;
    row.appendChild(input);
    row.appendChild(sendBtn);
    row.appendChild(stopBtn);
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

    if (opts.forbidden) {
      error(TEXT.forbiddenOrigin);
      input.disabled = true;
      sendBtn.disabled = true;
      historyBtn.hidden = true;
      newBtn.hidden = true;
      draftToggle.disabled = true;
      return { root: root, input: input };
    }
    system(TEXT.welcome);
    if (!apiKey) error(TEXT.noKey);

    // ---------------------------------------------------------------- helpers
    function conversationId() { return storageGet(storeKey); }
    function setConversationId(id) { storageSet(storeKey, id); }
    function headers(json) {
      var h = { "X-API-Key": apiKey, "X-TDKT-Visitor": visitor };
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
    function error(text, retry) {
      var m = add("tdkt-msg-error", null);
      m.appendChild(el("span", "tdkt-error-text", text));
      if (retry) {
        var b = button("tdkt-retry", TEXT.retry);
        b.addEventListener("click", function () {
          if (busy) return;
          m.remove();
          run(retry);
        });
        m.appendChild(b);
      }
      return m;
    }
    function isDraft(text) { return draftToggle.checked || DRAFT_PREFIX.test(text); }
    function limitFor(text) { return isDraft(text) ? maxP : maxQ; }

    async function errorMessage(res) {
      try {
        var data = await res.json();
        if (data && data.error && data.error.message) return data.error.message;
      } catch (e) { /* not JSON */ }
      return "Lỗi máy chủ (HTTP " + res.status + ").";
    }

    function postJson(path, payload, signal) {
      return fetch(apiBase + path, {
        method: "POST", headers: headers(true), body: JSON.stringify(payload), signal: signal
      });
    }

    function setBusy(on) {
      busy = on;
      stopBtn.hidden = !on;
      sendBtn.hidden = on;
      updateHint();
    }

    /** Run one request-producing task with stop support; `task(signal)` returns a promise. */
    async function run(task) {
      if (busy) return;
      controller = new AbortController();
      setBusy(true);
      try {
        await task(controller.signal);
      } finally {
        controller = null;
        setBusy(false);
        input.focus();
      }
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

    // ---------------------------------------------------------------- rendering answers
    function citationLabel(c) {
      return c.citation || c.doc_title || c.source_file;
    }

    function renderAnswerText(target, text, citations) {
      var byN = {};
      (citations || []).forEach(function (c) { byN[c.n] = c; });
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
      if (!items || !items.length) return null;
      var list = el(cls === "tdkt-questions" ? "ol" : "ul", cls);
      items.forEach(function (w) { list.appendChild(el("li", null, w)); });
      if (heading) msg.appendChild(el("div", "tdkt-list-title", heading));
      msg.appendChild(list);
      return list;
    }

    /** The answer as plain text with its numbered sources (what "copy" puts on the clipboard). */
    function answerWithSources(answer) {
      var lines = [answer.answer || ""];
      if (answer.citations && answer.citations.length) {
        lines.push("", TEXT.sources);
        answer.citations.forEach(function (c) {
          var v = c.in_force === false ? " (" + TEXT.expired + ")" : "";
          lines.push("[" + c.n + "] " + citationLabel(c) + v);
        });
      }
      if (answer.warnings && answer.warnings.length) {
        lines.push("");
        answer.warnings.forEach(function (w) { lines.push("⚠ " + w); });
      }
      return lines.join("\n");
    }

    function renderActions(msg, answer, question) {
      var bar = el("div", "tdkt-actions");
      var copyBtn = button("tdkt-copy", TEXT.copy, TEXT.copy);
      copyBtn.addEventListener("click", function () {
        copyText(answerWithSources(answer)).then(function () {
          copyBtn.textContent = TEXT.copied;
          setTimeout(function () { copyBtn.textContent = TEXT.copy; }, 2000);
        }, function () { copyBtn.textContent = "✗"; });
      });
      var up = button("tdkt-rate tdkt-up", "👍", TEXT.like);
      var down = button("tdkt-rate tdkt-down", "👎", TEXT.dislike);
      bar.appendChild(copyBtn);
      if (question) {
        bar.appendChild(up);
        bar.appendChild(down);
        up.addEventListener("click", function () { feedbackForm(msg, bar, "up", answer, question); });
        down.addEventListener("click", function () { feedbackForm(msg, bar, "down", answer, question); });
      }
      msg.appendChild(bar);
    }

    function feedbackForm(msg, bar, rating, answer, question) {
      var old = msg.querySelector(".tdkt-feedback");
      if (old) old.remove();
      Array.prototype.forEach.call(bar.querySelectorAll(".tdkt-rate"), function (b) {
        b.classList.toggle("tdkt-rate-on", b.classList.contains(rating === "up" ? "tdkt-up" : "tdkt-down"));
      });
      var box = el("div", "tdkt-feedback");
      var comment = el("input", "tdkt-feedback-comment");
      comment.type = "text";
      comment.maxLength = 2000;
      comment.placeholder = TEXT.feedbackComment;
      comment.setAttribute("aria-label", TEXT.feedbackComment);
      var send = button("tdkt-feedback-send", TEXT.feedbackSend);
      box.appendChild(comment);
      box.appendChild(send);
      msg.appendChild(box);
      comment.focus();
      async function submitFeedback() {
        send.disabled = true;
        var sources = (answer.citations || []).map(function (c) {
          return { citation: citationLabel(c), source_file: c.source_file, start: c.start, end: c.end };
        });
        try {
          var res = await postJson("/api/feedback", {
            rating: rating, comment: comment.value, question: question, answer: answer.answer,
            sources: sources, conversation_id: answer.conversation_id || conversationId()
          });
          if (!res.ok) { send.disabled = false; box.appendChild(el("span", "tdkt-hint-error", await errorMessage(res))); return; }
          box.innerHTML = "";
          box.appendChild(el("span", "tdkt-feedback-thanks", TEXT.feedbackThanks));
        } catch (e) {
          send.disabled = false;
          box.appendChild(el("span", "tdkt-hint-error", TEXT.offline));
        }
      }
      send.addEventListener("click", submitFeedback);
      comment.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); submitFeedback(); }
      });
    }

    function renderFinal(msg, textBox, answer, question) {
      msg.classList.remove("tdkt-pending");
      if (answer.refused) msg.classList.add("tdkt-refused");
      renderAnswerText(textBox, answer.answer, answer.citations);
      renderChips(msg, answer.citations);
      renderList(msg, answer.warnings, "tdkt-warnings");
      renderActions(msg, answer, question);
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
      historyPanel.hidden = true;
      source.hidden = false;
      source.innerHTML = "";
      var head = el("div", "tdkt-source-head");
      var title = el("div", "tdkt-source-title", c.doc_title || c.doc_number || c.source_file);
      title.appendChild(el("span", "tdkt-source-cite", "[" + c.n + "] " + citationLabel(c)));
      var validity = el("span", "tdkt-validity");
      title.appendChild(validity);
      var close = button("tdkt-source-close", "×", TEXT.close);
      close.addEventListener("click", closeSource);
      head.appendChild(title);
      head.appendChild(close);
      var text = el("div", "tdkt-source-text", TEXT.sourceLoading);
      source.appendChild(head);
      source.appendChild(text);
      close.focus();
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

    function closeSource() {
      source.hidden = true;
      input.focus();
    }

    // ---------------------------------------------------------------- ask (SSE over fetch)
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

    async function ask(question, signal, offer) {
      var msg = add("tdkt-msg-bot tdkt-pending");
      var textBox = el("div", "tdkt-text");
      msg.appendChild(textBox);
      var retry = function (sig) { return ask(question, sig, offer); };
      var res;
      try {
        res = await postJson("/api/ask/stream", { question: question, conversation_id: conversationId() }, signal);
      } catch (e) {
        msg.remove();
        if (e && e.name === "AbortError") { system(TEXT.stopped); return; }
        error(TEXT.offline, retry);
        return;
      }
      if (!res.ok) { msg.remove(); error(await errorMessage(res), res.status >= 500 || res.status === 429 ? retry : null); return; }
      var cid = res.headers.get("X-Conversation-Id");
      if (cid) setConversationId(cid);
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
            } else if (ev.event === "line") {
              // the model's verified conclusion line arrives after the grounded answer: shown above it
              var line = el("div", "tdkt-line", ev.data.text || "");
              msg.insertBefore(line, textBox);
              scroll();
            } else if (ev.event === "final") {
              finished = true;
              var shown = msg.querySelector(".tdkt-line");
              if (shown) shown.remove();  // the final answer starts with the line
              renderFinal(msg, textBox, ev.data, question);
              if (offer) offerDraft(msg, question, offer);
            } else if (ev.event === "error") {
              finished = true;
              msg.remove();
              error((ev.data && ev.data.message) || "Lỗi máy chủ.", retry);
            }
          }
        }
      } catch (e) {
        if (finished) return;
        msg.classList.remove("tdkt-pending");
        if (e && e.name === "AbortError") {
          if (!textBox.textContent) msg.remove();
          system(TEXT.stopped);
          return;
        }
        error(TEXT.offline, retry);
        return;
      }
      if (!finished) { msg.classList.remove("tdkt-pending"); error(TEXT.stoppedEarly, retry); }
    }

    function offerDraft(msg, prompt, label) {
      var b = button("tdkt-offer-draft", TEXT.offerDraft(label));
      b.addEventListener("click", function () {
        b.remove();
        run(function (signal) { return draft({ prompt: prompt }, signal); });
      });
      msg.appendChild(b);
    }

    // ---------------------------------------------------------------- draft
    function downloadButton(label, link, filename) {
      var a = el("a", "tdkt-download", label);
      a.href = apiBase + link;
      a.setAttribute("download", filename);
      a.addEventListener("click", async function (e) {
        e.preventDefault();
        try {
          var res = await fetch(apiBase + link, { headers: headers(false) });
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

    /** POST /api/draft with `payload` and render (or, for a section, re-render `target`). */
    async function draft(payload, signal, target) {
      var msg = target || add("tdkt-msg-bot tdkt-pending");
      var status = null;
      if (target) {
        status = el("div", "tdkt-draft-status", TEXT.regenerating);
        target.appendChild(status);
      } else {
        msg.appendChild(el("div", "tdkt-text", TEXT.drafting));
      }
      var retry = function (sig) { if (status) status.remove(); return draft(payload, sig, target); };
      payload.conversation_id = payload.conversation_id || conversationId();
      var res;
      try {
        res = await postJson("/api/draft", payload, signal);
      } catch (e) {
        if (status) status.remove(); else msg.remove();
        if (e && e.name === "AbortError") { system(TEXT.stopped); return; }
        error(TEXT.offline, retry);
        return;
      }
      if (!res.ok) {
        if (status) status.remove(); else msg.remove();
        error(await errorMessage(res), res.status >= 500 || res.status === 429 ? retry : null);
        return;
      }
      var d = await res.json();
      if (d.conversation_id) setConversationId(d.conversation_id);
      renderDraft(msg, d, payload.prompt || (d.request && d.request.prompt) || "");
    }

    function renderDraft(msg, d, prompt) {
      msg.innerHTML = "";
      msg.className = "tdkt-msg tdkt-msg-bot tdkt-msg-draft";
      msg.setAttribute("data-draft-id", d.draft_id);
      msg.appendChild(el("div", "tdkt-text", TEXT.draftReady));
      var bodyBox = el("div", "tdkt-draft-body");
      bodyBox.innerHTML = renderMarkdown(d.markdown);
      msg.appendChild(bodyBox);
      renderList(msg, d.warnings, "tdkt-warnings");
      if (d.questions && d.questions.length) {
        renderList(msg, d.questions, "tdkt-questions", TEXT.questions);
        var qa = el("form", "tdkt-draft-answers");
        var reply = el("textarea", "tdkt-draft-reply");
        reply.rows = 2;
        reply.placeholder = TEXT.answerQuestions;
        reply.setAttribute("aria-label", TEXT.answerQuestions);
        var redo = el("button", "tdkt-redraft", TEXT.redraft);
        redo.type = "submit";
        qa.appendChild(reply);
        qa.appendChild(redo);
        qa.addEventListener("submit", function (e) {
          e.preventDefault();
          var extra = reply.value.trim();
          if (!extra) { reply.focus(); return; }
          add("tdkt-msg-user", extra);
          qa.remove();
          run(function (signal) { return draft({ prompt: prompt + "\n" + extra }, signal); });
        });
        msg.appendChild(qa);
      }
      var sections = (d.sections || []).filter(function (s) { return /^[IVX]+$/.test(s.key); });
      if (sections.length) {
        var regen = el("div", "tdkt-regen");
        var label = el("label", "tdkt-regen-label", TEXT.section);
        var pick = el("select", "tdkt-regen-section");
        sections.forEach(function (s) {
          var o = el("option", null, s.heading || s.key);
          o.value = s.key;
          pick.appendChild(o);
        });
        label.appendChild(pick);
        var how = el("input", "tdkt-regen-instruction");
        how.type = "text";
        how.maxLength = 2000;
        how.placeholder = TEXT.instruction;
        how.setAttribute("aria-label", TEXT.instruction);
        var go = button("tdkt-regen-go", TEXT.regenerate);
        go.addEventListener("click", function () {
          run(function (signal) {
            return draft({ base_draft_id: d.draft_id, section: pick.value, instruction: how.value.trim() || null },
                         signal, msg);
          });
        });
        regen.appendChild(label);
        regen.appendChild(how);
        regen.appendChild(go);
        msg.appendChild(regen);
      }
      var links = el("div", "tdkt-downloads");
      links.appendChild(downloadButton(TEXT.downloadDocx, d.links.docx, "du-thao-" + d.draft_id + ".docx"));
      links.appendChild(downloadButton(TEXT.downloadMd, d.links.md, "du-thao-" + d.draft_id + ".md"));
      msg.appendChild(links);
      scroll();
    }

    // ---------------------------------------------------------------- intent: question or drafting request?
    async function intentOf(text, signal) {
      try {
        var res = await postJson("/api/intent", { text: text }, signal);
        if (res.ok) return await res.json();
      } catch (e) {
        if (e && e.name === "AbortError") throw e;
      }
      return { action: "ask" };
    }

    async function route(text, signal) {
      var intent;
      try { intent = await intentOf(text, signal); } catch (e) { system(TEXT.stopped); return; }
      if (intent.action === "draft") {
        var note = system(TEXT.draftDetected(intent.label || "văn bản"));
        var instead = button("tdkt-ask-instead", TEXT.askInstead);
        instead.addEventListener("click", function () {
          instead.remove();
          run(function (sig) { return ask(text, sig, null); });
        });
        note.appendChild(document.createTextNode(" "));
        note.appendChild(instead);
        return draft({ prompt: text }, signal);
      }
      return ask(text, signal, intent.offer_draft ? (intent.label || "văn bản") : null);
    }

    // ---------------------------------------------------------------- conversation list + restore
    function resetView(note) {
      messages.innerHTML = "";
      source.hidden = true;
      if (note) system(note);
    }

    async function restore(cid, quiet) {
      try {
        var res = await fetch(apiBase + "/api/conversations/" + encodeURIComponent(cid), { headers: headers(false) });
        if (!res.ok) {
          if (res.status === 404) setConversationId(null);
          return false;
        }
        var data = await res.json();
        // on start-up, never wipe what the user already typed and sent while this was loading
        if (quiet && (busy || messages.querySelector(".tdkt-msg-user"))) return false;
        resetView(quiet ? null : TEXT.restored);
        setConversationId(cid);
        var lastQuestion = null;
        (data.turns || []).forEach(function (t) {
          if (t.role === "user") { add("tdkt-msg-user", t.text); lastQuestion = t.text; return; }
          var msg = add("tdkt-msg-bot");
          var box = el("div", "tdkt-text");
          msg.appendChild(box);
          var answer = { answer: t.text, citations: t.citations || [], warnings: t.warnings || [], conversation_id: cid };
          renderAnswerText(box, t.text, answer.citations);
          renderChips(msg, answer.citations);
          renderList(msg, answer.warnings, "tdkt-warnings");
          renderActions(msg, answer, lastQuestion);
        });
        if (data.last_draft) renderDraft(add("tdkt-msg-bot"), data.last_draft, data.last_draft.request.prompt || "");
        scroll();
        return true;
      } catch (e) {
        return false;
      }
    }

    async function showHistory() {
      source.hidden = true;
      historyPanel.hidden = false;
      historyBtn.setAttribute("aria-expanded", "true");
      historyPanel.innerHTML = "";
      var head = el("div", "tdkt-source-head");
      head.appendChild(el("div", "tdkt-source-title", TEXT.historyTitle));
      var close = button("tdkt-history-close", "×", TEXT.close);
      close.addEventListener("click", hideHistory);
      head.appendChild(close);
      var list = el("ul", "tdkt-history-list", null);
      list.appendChild(el("li", "tdkt-muted", TEXT.historyLoading));
      historyPanel.appendChild(head);
      historyPanel.appendChild(list);
      close.focus();
      try {
        var res = await fetch(apiBase + "/api/conversations", { headers: headers(false) });
        list.innerHTML = "";
        if (!res.ok) { list.appendChild(el("li", "tdkt-hint-error", await errorMessage(res))); return; }
        var items = (await res.json()).conversations || [];
        if (!items.length) list.appendChild(el("li", "tdkt-muted", TEXT.historyEmpty));
        items.forEach(function (c) {
          var li = el("li");
          var b = button("tdkt-history-item" + (c.id === conversationId() ? " tdkt-current" : ""), c.title);
          b.setAttribute("data-id", c.id);
          b.appendChild(el("span", "tdkt-history-date", vnDate(c.updated)));
          b.addEventListener("click", function () { hideHistory(); restore(c.id, false); });
          li.appendChild(b);
          list.appendChild(li);
        });
      } catch (e) {
        list.innerHTML = "";
        list.appendChild(el("li", "tdkt-hint-error", TEXT.offline));
      }
    }

    function hideHistory() {
      historyPanel.hidden = true;
      historyBtn.setAttribute("aria-expanded", "false");
      input.focus();
    }

    // ---------------------------------------------------------------- events
    function submit() {
      var text = input.value.trim();
      if (busy) return;
      if (!text) { hint.textContent = TEXT.empty; hint.className = "tdkt-hint tdkt-hint-error"; return; }
      var explicitDraft = isDraft(text);
      var content = text.replace(DRAFT_PREFIX, "").trim();
      var max = explicitDraft ? maxP : maxQ;
      if (content.length > max) { updateHint(); return; }
      if (!content) { hint.textContent = TEXT.empty; hint.className = "tdkt-hint tdkt-hint-error"; return; }
      add("tdkt-msg-user", text);
      input.value = "";
      run(function (signal) {
        return explicitDraft ? draft({ prompt: content }, signal) : route(content, signal);
      });
    }

    /** Esc closes the innermost open panel; returns true when it closed something. */
    function escape() {
      if (!source.hidden) { closeSource(); return true; }
      if (!historyPanel.hidden) { hideHistory(); return true; }
      return false;
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
    });
    root.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      if (escape()) { e.preventDefault(); e.stopPropagation(); return; }
      if (opts.onClose) { e.preventDefault(); e.stopPropagation(); opts.onClose(); }
    });
    input.addEventListener("input", updateHint);
    draftToggle.addEventListener("change", updateHint);
    stopBtn.addEventListener("click", function () { if (controller) controller.abort(); });
    historyBtn.addEventListener("click", function () {
      if (historyPanel.hidden) showHistory(); else hideHistory();
    });
    newBtn.addEventListener("click", function () {
      if (controller) controller.abort();
      setConversationId(null);
      resetView(TEXT.cleared);
      hideHistory();
    });

    var saved = conversationId();
    if (saved && apiKey) restore(saved, true);

    return { root: root, input: input, ask: ask, draft: draft, openSource: openSource, escape: escape,
             restore: restore, showHistory: showHistory };
  }

  window.TDKTChat = { mount: mount, renderMarkdown: renderMarkdown, text: TEXT };
})();
