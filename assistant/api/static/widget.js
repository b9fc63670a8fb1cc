/* Trợ lý Thi đua – Khen thưởng: embeddable widget. One tag on any page:
   <script src="http://HOST/widget.js" data-api-key="…" data-title="Trợ lý Thi đua"></script>
   Adds a floating button and a chat panel inside a shadow root, so host page styles do not leak in or out.
   Optional attributes: data-position="left", data-open="true". No build step, no CDN.
   The server must list the portal's origin in TDKT_CORS_ORIGINS; otherwise the panel says so. Esc closes the
   panel; under 480px wide the panel is full-screen. */
(function () {
  "use strict";
  if (window.__tdktWidgetLoaded) return;
  window.__tdktWidgetLoaded = true;

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1];
  })();
  if (!script) return;
  var base = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  var data = script.dataset || {};
  var title = data.title || "Trợ lý Thi đua – Khen thưởng";
  var ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

  function start() {
    var host = document.createElement("div");
    host.id = "tdkt-widget";
    host.setAttribute("data-tdkt", "widget");
    document.body.appendChild(host);
    var shadow = host.attachShadow({ mode: "open" });
    var wrap = document.createElement("div");
    wrap.className = data.position === "left" ? "tdkt-widget tdkt-left" : "tdkt-widget";
    // a phone: full-screen panel, also on portals without <meta name="viewport"> (980px layout viewport)
    function phone() {
      var w = Math.min(window.innerWidth || 9999, (window.screen && window.screen.width) || 9999);
      wrap.classList.toggle("tdkt-phone", w < 480);
    }
    phone();
    window.addEventListener("resize", phone);
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "/chat.css";
    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "tdkt-launcher";
    launcher.title = title;
    launcher.setAttribute("aria-label", "Mở " + title);
    launcher.innerHTML = ICON;
    var panel = document.createElement("div");
    panel.className = "tdkt-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    shadow.appendChild(css);
    wrap.appendChild(launcher);
    wrap.appendChild(panel);
    shadow.appendChild(wrap);

    var mounted = null;
    function config() {
      // readable from any origin: tells a portal that is not in TDKT_CORS_ORIGINS why the widget cannot work
      return fetch(base + "/widget/config").then(function (r) { return r.ok ? r.json() : {}; });
    }
    function ensureCore() {
      if (window.TDKTChat) return Promise.resolve();
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = base + "/chat.js";
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error("chat.js")); };
        document.head.appendChild(s);
      });
    }
    function mount() {
      if (mounted) return mounted;
      mounted = Promise.all([ensureCore(), config()]).then(function (res) {
        var h = res[1] || {};
        window.TDKTChat.mount(panel, {
          apiBase: base,
          apiKey: data.apiKey || "",
          title: title,
          maxQuestionChars: h.max_question_chars,
          maxPromptChars: h.max_prompt_chars,
          forbidden: h.origin_allowed === false,
          storageSuffix: "widget",
          onClose: close
        });
      }).catch(function () {
        mounted = null;
        panel.textContent = "Không kết nối được máy chủ. Vui lòng kiểm tra mạng hoặc thử lại sau.";
      });
      return mounted;
    }
    function focusInput() {
      var input = panel.querySelector(".tdkt-input");
      if (input && !input.disabled) input.focus();
    }
    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      mount().then(focusInput);
    }
    function close() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }
    function toggle() {
      if (panel.hidden) open(); else close();
    }
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !panel.hidden) close();
    });
    launcher.addEventListener("click", toggle);
    if (data.open === "true") toggle();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
