"""The real python-telegram-bot Application against a Bot API server on 127.0.0.1, with the real services."""

from __future__ import annotations

import asyncio
import io
import threading
from typing import Any

import docx
from botkit import DRAFT_PROMPT, QUESTION, new_user, texts_to, to
from fakes.botapi_server import Call

from assistant.services import build_services
from bot import texts
from bot.app import build_application
from bot.format import plain_of

# ---------------------------------------------------------------------------------------------- questions


def test_question_answer_with_citations_then_sources(api, go, ask_service) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()
    expected = ask_service.ask(QUESTION)  # same pipeline, fresh conversation: what the bot should relay

    async def scenario() -> None:
        api.push_text(uid, uid, QUESTION)
        calls = await api.wait_for("sendMessage", to(uid), timeout=60)
        await asyncio.sleep(0.2)  # let a split answer finish
        body = "".join(plain_of(c.text) for c in api.sent("sendMessage", uid))
        assert expected.answer.strip()[:60] in body
        if expected.citations:
            first = expected.citations[0]
            assert f"[{first.n}] {first.citation}" in body
        assert calls[0].get("parse_mode") == "HTML"
        assert api.sent("sendChatAction", uid), "typing indicator while working"
        api.push_text(uid, uid, "/nguon")
        if expected.citations:
            [src] = await api.wait_for("sendMessage", to(uid, texts.SOURCES_TITLE), timeout=20)
            assert expected.citations[0].citation in plain_of(src.text)
            assert expected.citations[0].source_file in plain_of(src.text)
        else:
            await api.wait_for("sendMessage", to(uid, texts.NO_CITATIONS), timeout=20)

    go(scenario)


def test_nguon_before_any_question_and_moi(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, "/nguon")
        await api.wait_for("sendMessage", to(uid, texts.NO_SOURCES))
        api.push_text(uid, uid, "/moi")
        await api.wait_for("sendMessage", to(uid, texts.NEW_CONVERSATION))

    go(scenario)


def test_moi_starts_a_new_conversation(api, go, store) -> None:  # type: ignore[no-untyped-def]
    from bot.state import ChatState

    uid = new_user()
    state = ChatState(store)
    first = state.conversation_id(uid)

    async def scenario() -> None:
        api.push_text(uid, uid, "/moi")
        await api.wait_for("sendMessage", to(uid, texts.NEW_CONVERSATION))

    go(scenario)
    second = state.conversation_id(uid)
    assert second != first and store.exists(second)


def test_long_answer_is_split(api, go, ask_service) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    class Longer:
        """The real service, with its real answer repeated to exceed one Telegram message."""

        def ask(self, question: str, conversation_id: str | None = None) -> Any:
            ans = ask_service.ask(question, conversation_id)
            paras = [f"({i}) {ans.answer}" for i in range(1, 400)]
            return ans.model_copy(update={"answer": "\n\n".join(paras)[:12000]})

    async def scenario() -> None:
        api.push_text(uid, uid, QUESTION)
        await api.wait_for("sendMessage", to(uid), timeout=60, count=3)
        await asyncio.sleep(0.3)
        parts = api.sent("sendMessage", uid)
        assert len(parts) >= 3
        assert all(len(c.text) <= 4096 for c in parts)
        assert all(len(c.text.encode("utf-16-le")) // 2 <= 4096 for c in parts)

    go(scenario, ask=Longer())


def test_too_long_question_refused_nothing_stored(api, go, store) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, "thi đua " * 1250)  # 10,000 characters
        await api.wait_for("sendMessage", to(uid, "quá dài"))

    go(scenario)
    assert not store.exists(f"tg-{uid}")


def test_non_text_messages(api, go, store) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_sticker(uid)
        api.push_photo(uid, caption="ảnh bằng khen")
        api.push_voice(uid)
        await api.wait_for("sendMessage", to(uid, "chỉ đọc được tin nhắn chữ"), count=3)

    go(scenario)
    assert not store.exists(f"tg-{uid}")


def test_help_start_unknown_tailieu(api, go, knowledge) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()
    docs = knowledge.documents()

    async def scenario() -> None:
        api.push_text(uid, uid, "/start")
        await api.wait_for("sendMessage", to(uid, "Xin chào"))
        api.push_text(uid, uid, "/help")
        [h] = await api.wait_for("sendMessage", to(uid, texts.HELP_INTRO))
        for name, _ in texts.COMMANDS:
            assert f"<b>/{name}</b>" in h.text
        api.push_text(uid, uid, "/khongco abc")
        [u] = await api.wait_for("sendMessage", to(uid, texts.UNKNOWN_COMMAND))
        assert "/soan" in u.text
        api.push_text(uid, uid, "/tailieu")
        found = await api.wait_for("sendMessage", to(uid, "Tài liệu trong kho"), timeout=20)
        await asyncio.sleep(0.3)
        body = "".join(plain_of(c.text) for c in api.sent("sendMessage", uid)[3:])
        assert found and f"({len(docs)})" in body
        with_number = [d for d in docs if d.number]
        if with_number:
            assert with_number[0].number in body

    go(scenario)


def test_allowlist_refuses_others(api, go, bot_settings, store) -> None:  # type: ignore[no-untyped-def]
    allowed, other = new_user(), new_user()
    settings = bot_settings.model_copy(update={"telegram_allowlist": [allowed]})

    async def scenario() -> None:
        api.push_text(other, other, QUESTION)
        api.push_text(allowed, allowed, "/help")
        await api.wait_for("sendMessage", to(other, "chỉ phục vụ người dùng được cấp quyền"))
        await api.wait_for("sendMessage", to(allowed, texts.HELP_INTRO))

    go(scenario, settings=settings)
    assert len(api.sent("sendMessage", other)) == 1
    assert not api.sent("sendChatAction", other)
    assert not store.exists(f"tg-{other}")


# ---------------------------------------------------------------------------------------------- drafting


def test_soan_sends_docx(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, DRAFT_PROMPT)
        got = await api.wait_for_any(uid, ("sendDocument", "sendMessage"), timeout=120)
        if got.method == "sendMessage" and texts.DRAFT_QUESTIONS in plain_of(got.text):
            # missing essentials are asked back; the next plain message completes the request
            api.push_text(uid, uid, "Chỉ tiêu: 100% thôn đạt chuẩn nông thôn mới; tỷ lệ hộ nghèo giảm 1%")
        await api.wait_for("sendDocument", to(uid), timeout=120)

    go(scenario)
    docs = {c.files["document"][0].rsplit(".", 1)[-1]: c for c in api.sent("sendDocument", uid)}
    assert set(docs) == {"docx", "md"}
    name, data = docs["docx"].files["document"]
    assert "Quang Trung" in docs["md"].files["document"][1].decode("utf-8")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert len(text) > 200
    summary = [c for c in api.sent("sendMessage", uid) if texts.DRAFT_TITLE in plain_of(c.text)]
    assert summary


def test_soan_asks_back_then_drafts(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, "/soan kế hoạch thi đua")
        [q] = await api.wait_for("sendMessage", to(uid, texts.DRAFT_QUESTIONS), timeout=60)
        assert "1. " in plain_of(q.text)
        assert not api.sent("sendDocument", uid)
        api.push_text(uid, uid, "của UBND xã Quang Trung năm 2026, chủ đề xây dựng nông thôn mới")
        await api.wait_for("sendDocument", to(uid), timeout=60)

    go(scenario)
    [doc] = [c for c in api.sent("sendDocument", uid) if c.files["document"][0].endswith(".docx")]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(doc.files["document"][1])).paragraphs)
    assert "Quang Trung" in text and "2026" in text


def test_soan_without_prompt_shows_usage(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, "/soan")
        await api.wait_for("sendMessage", to(uid, "Cách dùng: /soan"))

    go(scenario)


# ---------------------------------------------------------------------------------------------- robustness


def test_retry_after_is_honoured(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.fail_next("sendMessage", 1)
        api.push_text(uid, uid, "/help")
        await api.wait_for("sendMessage", to(uid, texts.HELP_INTRO), timeout=15)

    go(scenario)
    attempts = api.sent("sendMessage", uid)
    assert len(attempts) == 2 and attempts[0].text == attempts[1].text  # 429 first, then the retry


def test_service_error_gives_friendly_message(api, go, caplog) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    class Broken:
        def ask(self, question: str, conversation_id: str | None = None) -> Any:
            raise RuntimeError("boom: secret internal detail")

    async def scenario() -> None:
        api.push_text(uid, uid, QUESTION)
        await api.wait_for("sendMessage", to(uid, "Xin lỗi, đã có lỗi"), timeout=20)
        # the guard was released: the next question is processed (and fails politely again)
        api.push_text(uid, uid, QUESTION)
        await api.wait_for("sendMessage", to(uid, "Xin lỗi, đã có lỗi"), timeout=20, count=2)

    go(scenario, ask=Broken())
    for t in texts_to(api, uid):
        assert "Traceback" not in t and "boom" not in t and "RuntimeError" not in t
    assert "boom" in caplog.text  # logged for the operator


def test_messages_sent_while_busy_are_queued_and_all_answered_in_order(api, go, ask_service) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()
    release = threading.Event()
    entered = threading.Event()
    asked: list[str] = []

    class Held:
        """The real service; the first question is held until the test has sent two more messages."""

        def ask(self, question: str, conversation_id: str | None = None) -> Any:
            asked.append(question)
            entered.set()
            if len(asked) == 1:
                release.wait(30)
            return ask_service.ask(question, conversation_id)

    second, third = "Còn danh hiệu Chiến sĩ thi đua cơ sở?", "Mức thưởng Lao động tiên tiến là bao nhiêu?"

    async def scenario() -> None:
        api.push_text(uid, uid, QUESTION)
        await asyncio.to_thread(entered.wait, 30)
        api.push_text(uid, uid, second)
        api.push_text(uid, uid, third)
        await api.wait_for("sendMessage", to(uid, texts.QUEUED), timeout=20, count=2)
        assert asked == [QUESTION], "queued messages wait for the running one"
        release.set()

        def answered(c: Call) -> bool:
            return c.get("chat_id") == str(uid) and bool(api.buttons(c))  # answers carry their buttons

        await api.wait_for("sendMessage", answered, timeout=90, count=3)

    go(scenario, ask=Held())
    assert asked == [QUESTION, second, third]  # every message answered, in the order sent
    assert not any("Đang xử lý câu hỏi trước" in plain_of(t) for t in texts_to(api, uid))


# ---------------------------------------------------------------------------------------------- webhook


def test_webhook_mode(api, bot_settings, ask_service, draft_service, store, knowledge) -> None:  # type: ignore[no-untyped-def]
    from bot.run import check_webhook_secret, process_webhook_update, start_webhook, stop_webhook

    uid = new_user()
    settings = bot_settings.model_copy(
        update={"telegram_webhook_url": "https://tdkt.example.org/telegram/webhook"}
    )

    async def main() -> None:
        app = build_application(settings, ask_service, draft_service, store, knowledge=knowledge)
        assert app.updater is None  # webhook mode: no polling
        await start_webhook(app, settings)
        try:
            assert api.webhook_url == settings.telegram_webhook_url
            assert check_webhook_secret(settings, api.webhook_secret)
            assert not check_webhook_secret(settings, "wrong") and not check_webhook_secret(settings, None)
            await process_webhook_update(app, api.text_update(uid, uid, "/help"))
            await api.wait_for("sendMessage", to(uid, texts.HELP_INTRO))
        finally:
            await stop_webhook(app)

    asyncio.run(main())
    assert api.sent("setMyCommands")


# ---------------------------------------------------------------------------------------------- polling entry point


def test_run_polling_entry_point(api, bot_settings, ask_service, draft_service, store, knowledge) -> None:  # type: ignore[no-untyped-def]
    """`run_polling` (what `tdkt bot` runs) answers a message and stops cleanly on SIGINT."""
    import os
    import signal

    from bot.run import run_polling

    uid = new_user()
    outcome: dict[str, Any] = {}

    def drive() -> None:
        try:
            api.push_text(uid, uid, "/help")
            outcome["calls"] = api.wait_for_sync("sendMessage", to(uid, texts.HELP_INTRO), timeout=20)
        except Exception as exc:  # reported below, after the bot has stopped
            outcome["error"] = exc
        finally:
            os.kill(os.getpid(), signal.SIGINT)

    helper = threading.Thread(target=drive, daemon=True)
    helper.start()
    services = build_services(bot_settings, knowledge=knowledge, ask=ask_service, drafts=draft_service, store=store)
    run_polling(bot_settings, services=services)
    helper.join(5)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["calls"]
    assert api.sent("setMyCommands") and api.sent("deleteWebhook")
