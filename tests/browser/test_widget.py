"""Headless Chromium drives the embeddable widget on a foreign host page and the full-page chat."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import docx
import pytest
from apilive import USER_KEY

pytestmark = pytest.mark.browser
SCREENS = Path("/tmp/tdkt-screens")
QUESTION = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?"
TIMEOUT = 120_000


def _keep(path: Path) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / path.name)


def test_widget_on_host_page(browser, host_site, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page.set_default_timeout(TIMEOUT)
    page.goto(host_site)
    launcher = page.locator("#tdkt-widget .tdkt-launcher")
    launcher.click()
    panel = page.locator("#tdkt-widget .tdkt-panel")
    panel.locator(".tdkt-input").wait_for()

    # host styles do not leak into the shadow root
    bg = panel.locator(".tdkt-send").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg != "rgb(0, 255, 0)"

    panel.locator(".tdkt-input").fill(QUESTION)
    start = time.monotonic()
    panel.locator(".tdkt-input").press("Enter")
    answer = panel.locator(".tdkt-msg-bot .tdkt-text").last
    page.wait_for_function(
        "() => { const h = document.querySelector('#tdkt-widget').shadowRoot;"
        " const t = [...h.querySelectorAll('.tdkt-msg-bot .tdkt-text')].pop(); return t && t.textContent.trim(); }"
    )
    first_visible = time.monotonic() - start
    chip = panel.locator(".tdkt-chip").first
    chip.wait_for()
    final_visible = time.monotonic() - start
    print(f"\n[widget] first answer text visible after {first_visible:.2f} s, final after {final_visible:.2f} s")
    assert answer.inner_text().strip()

    chip.click()
    mark = panel.locator(".tdkt-source mark")
    mark.wait_for()
    assert mark.inner_text().strip()
    validity = panel.locator(".tdkt-source .tdkt-validity").inner_text()
    assert validity == "Còn hiệu lực" or validity.startswith("Hết hiệu lực"), validity
    shot = tmp_path / "widget-source.png"
    page.screenshot(path=str(shot))
    _keep(shot)
    panel.locator(".tdkt-source-close").click()

    panel.locator(".tdkt-draft-toggle").check()
    panel.locator(".tdkt-input").fill("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung")
    panel.locator(".tdkt-input").press("Enter")
    link = panel.locator(".tdkt-download").first
    link.wait_for()
    assert panel.locator(".tdkt-draft-body").last.inner_text().strip()
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(str(saved))
    assert saved.suffix == ".docx"
    assert "\n".join(p.text for p in docx.Document(str(saved)).paragraphs).strip()
    shot = tmp_path / "widget.png"
    page.screenshot(path=str(shot))
    _keep(shot)
    page.close()


def test_full_page_chat_and_offline_message(browser, web_server, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{web_server.url}/?key={USER_KEY}")
    box = page.locator("#tdkt-app .tdkt-input")
    box.fill(QUESTION)
    start = time.monotonic()
    box.press("Enter")
    page.locator("#tdkt-app .tdkt-chip").first.wait_for()
    print(f"\n[page] final answer with citations after {time.monotonic() - start:.2f} s")
    cid = page.evaluate("() => localStorage.getItem('tdkt-conversation-id')")
    assert cid
    page.locator("#tdkt-app .tdkt-chip").first.click()
    page.locator("#tdkt-app .tdkt-source mark").wait_for()
    shot = tmp_path / "full-page.png"
    page.screenshot(path=str(shot), full_page=True)
    _keep(shot)

    # input length limit
    page.locator("#tdkt-app .tdkt-source-close").click()
    box.fill("a" * 2100)
    assert "quá dài" in page.locator("#tdkt-app .tdkt-hint").inner_text()
    assert page.locator("#tdkt-app .tdkt-send").is_disabled()

    # server unreachable
    page.route("**/api/ask/stream", lambda route: route.abort())
    box.fill("Câu hỏi khi mất kết nối")
    box.press("Enter")
    err = page.locator("#tdkt-app .tdkt-msg-error").last
    err.wait_for()
    assert "Không kết nối được máy chủ" in err.inner_text()
    page.close()
