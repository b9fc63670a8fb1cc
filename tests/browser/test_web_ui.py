"""Headless Chromium: /docs renders and "Try it out" works with a key; the widget on a portal of another origin
(desktop and phone, refused origin, Esc, focus); chat basics (stop, retry, copy, 👍/👎, restore after reload);
drafting recognised in chat with inline answers, section regeneration and downloads; the admin page."""

from __future__ import annotations

import csv
import io

import docx
import httpx
import pytest
from apilive import ADMIN_KEY, USER_KEY

pytestmark = pytest.mark.browser
QUESTION = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?"
DRAFT_PROMPT = "Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung"
TIMEOUT = 120_000
SHADOW_ACTIVE = ("() => { const h = document.querySelector('#tdkt-widget');"
                 " const a = h && h.shadowRoot.activeElement; return a ? a.className : ''; }")


def _page(browser, **kw):
    page = browser.new_page(**kw)
    page.set_default_timeout(TIMEOUT)
    return page


# ------------------------------------------------------------------------------------------ /docs
def test_docs_render_and_try_it_out_with_a_key(browser, web_server, screens):
    page = _page(browser, viewport={"width": 1280, "height": 900})
    page.goto(f"{web_server.url}/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator("text=Unable to render this definition").count() == 0
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/ask" in p for p in paths) and any("/api/documents" in p for p in paths)
    page.screenshot(path=str(screens / "docs.png"), full_page=False)

    page.locator("button.authorize").first.click()
    page.locator(".auth-container input").first.fill(USER_KEY)
    page.locator(".auth-container button.authorize").first.click()
    page.locator("button.btn-done").first.click()

    op = page.locator(".opblock-get").filter(has=page.locator(".opblock-summary-path[data-path='/api/documents']"))
    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    op.locator("button.execute").click()
    status = op.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert "source_file" in op.locator(".live-responses-table .microlight").first.inner_text()
    status.scroll_into_view_if_needed()
    page.screenshot(path=str(screens / "docs-try-it-out.png"))
    page.close()


# ------------------------------------------------------------------------------------------ widget
@pytest.mark.parametrize("portal", ["index.html", "legacy.html"])
def test_widget_phone_fullscreen_esc_and_focus(browser, host_site, screens, portal):
    page = _page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(host_site.replace("index.html", portal))
    page.locator("#tdkt-widget .tdkt-launcher").click()
    panel = page.locator("#tdkt-widget .tdkt-panel")
    panel.locator(".tdkt-input").wait_for()
    page.wait_for_function(SHADOW_ACTIVE.replace("return a ?", "return a && a.classList.contains('tdkt-input') ?"))
    assert "tdkt-input" in page.evaluate(SHADOW_ACTIVE)  # focus goes to the input on open
    box = panel.bounding_box()
    view = page.evaluate("() => [window.innerWidth, window.innerHeight]")  # 980 wide without a viewport meta
    assert box["x"] == 0 and box["y"] == 0
    assert abs(box["width"] - view[0]) <= 1 and abs(box["height"] - view[1]) <= 1, (box, view)
    assert panel.locator(".tdkt-input").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    if portal == "legacy.html":
        page.keyboard.press("Escape")
        assert panel.is_hidden()
        page.close()
        return
    assert view[0] == 390
    panel.locator(".tdkt-input").fill(QUESTION)
    panel.locator(".tdkt-input").press("Enter")
    panel.locator(".tdkt-chip").first.wait_for()
    page.screenshot(path=str(screens / "widget-390x844.png"))
    panel.locator(".tdkt-chip").first.click()
    panel.locator(".tdkt-source mark").wait_for()
    page.keyboard.press("Escape")  # first Esc closes the source panel …
    assert panel.locator(".tdkt-source").is_hidden() and panel.is_visible()
    page.keyboard.press("Escape")  # … the second closes the widget
    assert panel.is_hidden()
    page.close()


def test_widget_desktop_on_another_origin(browser, host_site, screens):
    page = _page(browser, viewport={"width": 1280, "height": 860})
    page.goto(host_site)
    page.locator("#tdkt-widget .tdkt-launcher").click()
    panel = page.locator("#tdkt-widget .tdkt-panel")
    panel.locator(".tdkt-input").fill(QUESTION)
    panel.locator(".tdkt-input").press("Enter")
    panel.locator(".tdkt-chip").first.wait_for()
    box = panel.bounding_box()
    assert box["width"] == 400  # a floating panel, not full-screen
    assert panel.locator(".tdkt-input").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    page.screenshot(path=str(screens / "widget-desktop.png"))
    # the visitor reloads the portal: the widget's conversation comes back from the server
    page.reload()
    page.locator("#tdkt-widget .tdkt-launcher").click()
    panel.locator(".tdkt-msg-user", has_text=QUESTION).first.wait_for()
    panel.locator(".tdkt-chip").first.wait_for()
    page.close()


def test_widget_on_a_refused_origin_says_so(browser, unlisted_site, screens):
    page = _page(browser, viewport={"width": 1280, "height": 860})
    page.goto(unlisted_site)
    page.locator("#tdkt-widget .tdkt-launcher").click()
    err = page.locator("#tdkt-widget .tdkt-msg-error").first
    err.wait_for()
    assert err.inner_text().strip() == "Trang này chưa được cấp phép dùng trợ lý — liên hệ quản trị"
    assert page.locator("#tdkt-widget .tdkt-input").is_disabled()
    page.screenshot(path=str(screens / "widget-refused-origin.png"))
    page.close()


# ------------------------------------------------------------------------------------------ chat basics
def _ask(page, text: str) -> None:
    box = page.locator("#tdkt-app .tdkt-input")
    box.fill(text)
    box.press("Enter")


def test_chat_stop_retry_copy_feedback_and_restore(browser, web_server, screens):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server.url)
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{web_server.url}/#key={USER_KEY}")
    assert "key=" not in page.url  # the key does not stay in the address bar

    # stop: the answer never comes, the user stops it
    page.route("**/api/ask/stream", lambda route: None)
    _ask(page, "Câu hỏi sẽ bị dừng")
    stop = page.locator("#tdkt-app .tdkt-stop")
    stop.wait_for()
    stop.click()
    page.locator("#tdkt-app .tdkt-msg-system", has_text="Đã dừng trả lời.").wait_for()
    assert page.locator("#tdkt-app .tdkt-send").is_visible()
    page.unroute("**/api/ask/stream")

    # retry after an error
    page.route("**/api/ask/stream", lambda route: route.abort())
    _ask(page, QUESTION)
    retry = page.locator("#tdkt-app .tdkt-retry")
    retry.wait_for()
    assert "Không kết nối được máy chủ" in page.locator("#tdkt-app .tdkt-msg-error").last.inner_text()
    page.unroute("**/api/ask/stream")
    retry.click()
    answer = page.locator("#tdkt-app .tdkt-msg-bot").last
    answer.locator(".tdkt-chip").first.wait_for()
    assert page.locator("#tdkt-app .tdkt-msg-error").count() == 0

    # copy: the answer with its numbered sources
    answer.locator(".tdkt-copy").click()
    page.locator("#tdkt-app .tdkt-copy", has_text="Đã sao chép").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    first_chip = answer.locator(".tdkt-chip-label").first.inner_text()
    assert "Nguồn:" in copied and f"[1] {first_chip}" in copied
    assert copied.startswith(answer.locator(".tdkt-text").inner_text().strip()[:40])

    # 👎 with a comment
    answer.locator(".tdkt-down").click()
    answer.locator(".tdkt-feedback-comment").fill("Góp ý từ trình duyệt 5521")
    answer.locator(".tdkt-feedback-send").click()
    answer.locator(".tdkt-feedback-thanks").wait_for()
    rows = csv.DictReader(io.StringIO(httpx.get(f"{web_server.url}/api/admin/feedback.csv",
                                                headers={"X-API-Key": ADMIN_KEY}).text.lstrip("\ufeff")))
    row = next(r for r in rows if "5521" in r["comment"])
    assert row["rating"] == "down" and row["question"] == QUESTION and row["sources"]
    page.screenshot(path=str(screens / "page.png"))

    # reload: the conversation comes back from the server, and it is in the list
    page.reload()
    restored = page.locator("#tdkt-app .tdkt-msg-user", has_text=QUESTION)
    restored.first.wait_for()
    page.locator("#tdkt-app .tdkt-msg-bot .tdkt-chip").first.wait_for()
    page.locator("#tdkt-app .tdkt-history-btn").click()
    item = page.locator("#tdkt-app .tdkt-history-item", has_text=QUESTION).first
    item.wait_for()
    page.screenshot(path=str(screens / "page-conversations.png"))
    page.keyboard.press("Escape")
    assert page.locator("#tdkt-app .tdkt-history").is_hidden()
    page.locator("#tdkt-app .tdkt-new").click()
    assert page.locator("#tdkt-app .tdkt-msg-user").count() == 0
    page.locator("#tdkt-app .tdkt-history-btn").click()
    page.locator("#tdkt-app .tdkt-history-item", has_text=QUESTION).first.click()
    page.locator("#tdkt-app .tdkt-msg-user", has_text=QUESTION).first.wait_for()
    ctx.close()


# ------------------------------------------------------------------------------------------ drafting in chat
def test_drafting_recognised_in_chat_with_inline_answers_and_section_regeneration(browser, web_server, tmp_path,
                                                                                 screens):
    page = _page(browser, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{web_server.url}/#key={USER_KEY}")
    _ask(page, DRAFT_PROMPT)  # no /soan, no draft toggle
    msg = page.locator("#tdkt-app .tdkt-msg-draft").last
    msg.locator(".tdkt-draft-body").wait_for()
    assert page.locator("#tdkt-app .tdkt-msg-system", has_text="Đã nhận yêu cầu soạn").count() == 1
    draft_id = msg.get_attribute("data-draft-id")

    if msg.locator(".tdkt-draft-reply").count():  # the draft asks back: answer inline, the draft is redone
        n_before = page.locator("#tdkt-app .tdkt-msg-draft").count()
        msg.locator(".tdkt-draft-reply").fill("Chủ đề: thi đua chuyển đổi số; chỉ tiêu: 100% hồ sơ trực tuyến")
        msg.locator(".tdkt-redraft").click()
        page.wait_for_function(f"() => document.querySelectorAll('#tdkt-app .tdkt-msg-draft').length > {n_before}")
        msg = page.locator("#tdkt-app .tdkt-msg-draft").last
        msg.locator(".tdkt-draft-body").wait_for()
        assert msg.get_attribute("data-draft-id") != draft_id
        assert "chuyển đổi số" in msg.locator(".tdkt-draft-body").inner_text().lower()
        draft_id = msg.get_attribute("data-draft-id")

    # regenerate one section with an instruction: the same draft, re-rendered in place
    options = msg.locator(".tdkt-regen-section option").all_inner_texts()
    assert options
    msg.locator(".tdkt-regen-instruction").fill("ngắn gọn hơn")
    msg.locator(".tdkt-regen-go").click()
    page.wait_for_function("() => !document.querySelector('#tdkt-app .tdkt-draft-status')")
    msg = page.locator(f"#tdkt-app .tdkt-msg-draft[data-draft-id='{draft_id}']")
    msg.locator(".tdkt-draft-body").wait_for()
    page.screenshot(path=str(screens / "page-draft.png"))

    with page.expect_download() as info:
        msg.locator(".tdkt-download", has_text=".docx").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(str(saved))
    assert saved.suffix == ".docx" and "\n".join(p.text for p in docx.Document(str(saved)).paragraphs).strip()
    with page.expect_download() as info:
        msg.locator(".tdkt-download", has_text=".md").click()
    md = tmp_path / info.value.suggested_filename
    info.value.save_as(str(md))
    assert md.read_text(encoding="utf-8").strip()

    # after a reload the conversation's latest draft is shown again, downloads included
    page.reload()
    restored = page.locator(f"#tdkt-app .tdkt-msg-draft[data-draft-id='{draft_id}']")
    restored.locator(".tdkt-download", has_text=".docx").wait_for()

    # a question that only names a document type gets an answer plus a one-click offer to draft
    _ask(page, "Kế hoạch thi đua năm 2026 của xã cần có những nội dung gì?")
    offer = page.locator("#tdkt-app .tdkt-offer-draft").last
    offer.wait_for()
    n = page.locator("#tdkt-app .tdkt-msg-draft").count()
    offer.click()
    page.wait_for_function(f"() => document.querySelectorAll('#tdkt-app .tdkt-msg-draft').length > {n}")
    page.close()


# ------------------------------------------------------------------------------------------ admin page
def test_admin_page_upload_list_remove_export(browser, web_server, tmp_path, screens):
    page = _page(browser, viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page.goto(f"{web_server.url}/admin")
    page.locator("#admin-key").fill(USER_KEY)  # a user key is refused
    page.locator("#login-form button").click()
    page.locator("#login-msg", has_text="quản trị").wait_for()
    page.locator("#admin-key").fill(ADMIN_KEY)
    page.locator("#login-form button").click()
    page.locator("#doc-rows tr").first.wait_for()
    assert int(page.locator("#doc-count").inner_text()) == page.locator("#doc-rows tr").count() > 0
    validity = page.locator("#doc-rows tr td:nth-child(8)").all_inner_texts()
    assert all(v in ("Còn hiệu lực", "Kế hoạch — không xét hiệu lực") or v.startswith("Hết hiệu lực")
               for v in validity)
    assert "Kế hoạch — không xét hiệu lực" in validity  # the seed plans

    name = "kh-thu-nghiem-trang-quan-tri.md"
    path = tmp_path / name
    path.write_text("# KẾ HOẠCH THỬ NGHIỆM\n\nPhong trào thi đua Cánh Diều Quản Trị Thử của đơn vị.\n",
                    encoding="utf-8")
    page.locator("#upload-file").set_input_files(str(path))
    page.locator("#upload-form button").click()
    page.locator("#upload-msg.ok", has_text=name).wait_for()
    row = page.locator(f"#doc-rows tr[data-file='{name}']")
    row.wait_for()
    page.locator("#health-stats").wait_for()
    page.screenshot(path=str(screens / "admin.png"), full_page=True)

    page.locator("#upload-file").set_input_files(str(path))  # same name again: refused without "replace"
    page.locator("#upload-form button").click()
    page.locator("#upload-msg.error", has_text="Đã có").wait_for()

    page.once("dialog", lambda d: d.accept())
    row.locator("button.remove").click()
    row.wait_for(state="detached")
    page.locator("#audit-rows tr", has_text=name).first.wait_for()

    with page.expect_download() as info:
        page.locator("#export-feedback").click()
    out = tmp_path / "fb.csv"
    info.value.save_as(str(out))
    assert out.read_text(encoding="utf-8-sig").startswith("id,created,conversation_id,rating")
    page.close()
