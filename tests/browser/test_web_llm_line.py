"""Headless Chromium, LLM mode: the grounded answer is on the page at once; the model's verified line arrives
afterwards as its own stream event and is shown above it."""

from __future__ import annotations

import pytest
from apilive import USER_KEY, LiveServer, api_settings
from fakes.openai_server import Reply, ScriptedOpenAI
from helpers import llm_ask_service

from assistant.api import create_app

pytestmark = pytest.mark.browser
Q = "Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?"
GOOD = "Danh hiệu “Lao động tiên tiến” được thưởng 0,3 lần mức lương cơ sở [1]."
WATCH = """() => { window.__lines = [];
  new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {
    if (n.classList && n.classList.contains('tdkt-line')) {
      const text = n.parentNode.querySelector('.tdkt-text');
      window.__lines.push({line: n.textContent, answerShown: text ? text.textContent.length : 0,
                           above: !!(n.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING)});
    }
  }))).observe(document.body, {childList: true, subtree: true}); }"""


def test_line_event_shows_above_the_grounded_answer(browser, ask_service, draft_service) -> None:  # noqa: ANN001
    with ScriptedOpenAI() as srv:
        srv.script(Reply(GOOD, delay=2.0))  # the model is slow: the grounded answer must not wait for it
        svc = llm_ask_service(ask_service, srv.base_url, 30.0)
        server = LiveServer(create_app(api_settings(svc.settings), svc.knowledge, svc, draft_service)).start()
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        try:
            page.goto(f"{server.url}/#key={USER_KEY}")
            page.locator("#tdkt-app .tdkt-input").wait_for()
            page.evaluate(WATCH)
            box = page.locator("#tdkt-app .tdkt-input")
            box.fill(Q)
            box.press("Enter")
            page.wait_for_function("() => window.__lines && window.__lines.length > 0")
            [seen] = page.evaluate("() => window.__lines")
            assert seen["answerShown"] > 100 and seen["above"], seen  # the whole grounded answer was already there
            assert "0,3 lần mức lương cơ sở" in seen["line"]
            msg = page.locator("#tdkt-app .tdkt-msg-bot").last
            page.wait_for_function("() => !document.querySelector('#tdkt-app .tdkt-msg-bot:last-child.tdkt-pending')")
            assert msg.locator(".tdkt-text").inner_text().startswith("Danh hiệu")
        finally:
            page.close()
            server.stop()
