"""Chat features of the bot through the real PTB Application and the fake Bot API: buttons (sources, 👍/👎),
drafting without /soan with inline answers and section edits, the configured LLM and the history, and logs
that never show the token."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
from botkit import QUESTION, new_user, texts_to, to, with_buttons
from fakes.botapi_server import BotAPIServer, Call
from fakes.openai_server import ScriptedOpenAI
from helpers import ROOT, stop_process

from assistant.services import build_services
from bot import texts
from bot.format import plain_of
from bot.logs import REDACTED, RedactToken, protect_token
from bot.state import ChatState

DRAFT_REQUEST = "Soạn kế hoạch thi đua năm 2026 của UBND xã Quang Trung"
DETAILS = "Chủ đề: “Đoàn kết, chuyển đổi số, xây dựng nông thôn mới”; chỉ tiêu: 100% thôn có điểm truy cập Internet"
FOLLOW_UP = "còn chiến sĩ thi đua cấp tỉnh thì sao?"
FIRST = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?"


def _button(call: Call, prefix: str) -> str:
    return next(d for _, d in BotAPIServer.buttons(call) if d.startswith(prefix))


def _docs(api: BotAPIServer, uid: int) -> list[tuple[str, bytes]]:
    return [c.files["document"] for c in api.sent("sendDocument", uid)]


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


# ---------------------------------------------------------------------------------------------- answers


def test_answer_has_one_sources_block_and_buttons_for_sources_and_feedback(api, go, store) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, QUESTION)
        [answer] = await api.wait_for("sendMessage", with_buttons(uid, "src:"), timeout=60)
        body = plain_of(answer.text)
        assert body.count(texts.CITATIONS_TITLE) == 1, "one sources block"
        assert body.count("«") == 0, "no second copy of the quotes under the answer"
        api.push_callback(uid, answer, _button(answer, "src:"))
        [src] = await api.wait_for("sendMessage", to(uid, texts.SOURCES_TITLE), timeout=20)
        assert "«" in plain_of(src.text) and "Tệp:" in plain_of(src.text)
        api.push_callback(uid, answer, _button(answer, "fb:-"))
        await api.wait_for("answerCallbackQuery", lambda c: c.get("text") == texts.FEEDBACK_THANKS, timeout=20)
        [edit] = await api.wait_for("editMessageReplyMarkup", timeout=20)
        assert [t for t, _ in BotAPIServer.buttons(edit)] == [texts.BTN_SOURCES, texts.BTN_DOWN_DONE]

    go(scenario)
    state = ChatState(store)
    cid = state.conversation_id(uid)
    aid = _button(api.sent("sendMessage", uid)[0], "src:").split(":", 1)[1]
    fb = state.feedback(cid, aid)
    assert fb is not None and fb["rating"] == -1 and fb["question"] == QUESTION and fb["sources"]


# ---------------------------------------------------------------------------------------------- drafting


def test_drafting_request_without_soan_questions_answered_inline_then_section_edit(api, go, store) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, DRAFT_REQUEST)
        await api.wait_for("sendMessage", to(uid, texts.DRAFT_STARTED), timeout=20)
        [asks] = await api.wait_for("sendMessage", to(uid, texts.DRAFT_QUESTIONS), timeout=120)
        assert _button(asks, "dn") == "dn"  # "Soạn ngay" is offered as one click
        assert not api.sent("sendDocument", uid)
        api.push_text(uid, uid, DETAILS)  # the answer to the questions, as a plain message
        await api.wait_for("sendDocument", to(uid), timeout=120, count=2)
        [summary] = [c for c in api.sent("sendMessage", uid) if texts.DRAFT_TITLE in plain_of(c.text)]
        edit = _button(summary, "rs:")
        assert edit.startswith("rs:") and edit.count(":") == 2
        api.push_callback(uid, summary, "rs:" + edit.split(":")[1] + ":II")
        [prompt] = await api.wait_for("sendMessage", to(uid, "Anh/chị muốn sửa phần"), timeout=20)
        assert (prompt.json("reply_markup") or {}).get("force_reply") is True
        api.push_text(uid, uid, "nhấn mạnh chuyển đổi số trong cải cách hành chính")
        [redone] = await api.wait_for("sendMessage", to(uid, "Đã soạn lại phần"), timeout=120)
        assert "II. NỘI DUNG" in plain_of(redone.text)
        await api.wait_for("sendDocument", to(uid), timeout=60, count=4)

    go(scenario)
    docs = _docs(api, uid)
    assert [n.rsplit(".", 1)[1] for n, _ in docs] == ["docx", "md", "docx", "md"]
    first = _docx_text(docs[0][1])
    assert "Quang Trung" in first and "2026" in first
    assert "chuyển đổi số" in first.lower(), "the inline answer (the theme) reached the regenerated draft"
    md = docs[1][1].decode("utf-8")
    assert "Quang Trung" in md
    state = ChatState(store)
    stored = state.last_draft(state.conversation_id(uid))
    assert stored is not None and stored.draft_id in docs[2][0]  # the edited draft replaced the stored one
    assert state.pending_section(state.conversation_id(uid)) is None


def test_draft_now_button_and_sua_command(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, DRAFT_REQUEST)
        [asks] = await api.wait_for("sendMessage", with_buttons(uid, "dn"), timeout=120)
        api.push_callback(uid, asks, "dn")
        await api.wait_for("sendDocument", to(uid), timeout=120, count=2)
        api.push_text(uid, uid, "/sua III bổ sung thời hạn gửi báo cáo")
        await api.wait_for("sendMessage", to(uid, "Đã soạn lại phần “III."), timeout=120)
        await api.wait_for("sendDocument", to(uid), timeout=60, count=4)
        api.push_text(uid, uid, "/sua IX thêm")
        await api.wait_for("sendMessage", to(uid, "Dự thảo không có phần “IX”"), timeout=20)

    go(scenario)


def test_question_that_mentions_drafting_is_answered_with_a_one_click_draft(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()
    question = "Làm thế nào để xây dựng kế hoạch thi đua năm 2026 của UBND xã Quang Trung?"

    async def scenario() -> None:
        api.push_text(uid, uid, question)
        [answer] = await api.wait_for("sendMessage", with_buttons(uid, "dr:"), timeout=60)
        assert texts.DRAFT_QUESTIONS not in plain_of(answer.text)  # answered, not drafted
        api.push_callback(uid, answer, _button(answer, "dr:"))
        await api.wait_for("sendMessage", to(uid, texts.DRAFT_QUESTIONS), timeout=120)

    go(scenario)


# ---------------------------------------------------------------------------------------------- LLM + history


def _scripted_llm(messages: list[dict[str, Any]]) -> str:
    """Rewrite a follow-up from the previous question; answer by quoting the first passage verbatim with [1]."""
    text = "\n".join(str(m.get("content", "")) for m in messages)
    if "Câu hỏi trước:" in text:
        prev = re.search(r"Câu hỏi trước: (.*)", text)
        assert prev is not None
        return "Tiêu chuẩn danh hiệu chiến sĩ thi đua Bộ, ban, ngành, tỉnh là gì?"
    m = re.search(r"\[1\] (.+?):\n(.+)", text)
    if not m:
        return "Không tìm thấy căn cứ."
    line = m.group(2).strip().rstrip(";:,.")
    return f"Theo {m.group(1)}: “{line}” [1]."


def test_llm_is_used_and_the_follow_up_uses_the_history(api, bot_settings, knowledge, store) -> None:  # type: ignore[no-untyped-def]
    from botkit import run_bot

    uid = new_user()
    with ScriptedOpenAI() as llm:
        llm.script(responder=_scripted_llm)
        settings = bot_settings.model_copy(
            update={"llm": "openai", "llm_base_url": llm.base_url, "llm_timeout": 10.0}
        )
        services = build_services(settings, knowledge=knowledge, store=store)
        assert services.llm is not None

        async def scenario() -> None:
            api.push_text(uid, uid, FIRST)
            await api.wait_for("sendMessage", with_buttons(uid, "src:"), timeout=90)
            assert llm.requests, "the Telegram message reached the LLM endpoint"
            first_calls = len(llm.requests)
            api.push_text(uid, uid, FOLLOW_UP)
            await api.wait_for("sendMessage", with_buttons(uid, "src:"), timeout=90, count=2)
            later = llm.requests[first_calls:]
            prompts = ["\n".join(str(m.get("content", "")) for m in r["messages"]) for r in later]
            # the follow-up reached the model completed from the conversation (the carried question, new title)
            assert any("Tiêu chuẩn" in p and "Bộ, ban, ngành, tỉnh" in p for p in prompts), prompts

        run_bot(api, settings, services.ask, services.drafts, store, knowledge, scenario)
    replies = [plain_of(t) for t in texts_to(api, uid)]
    second = "".join(replies[next(i for i, r in enumerate(replies) if "💡" in r or "ℹ️" in r) + 1:])
    assert "Không tìm thấy căn cứ" not in second, second[:300]
    assert "tỉnh" in second


# ---------------------------------------------------------------------------------------------- logs


def test_redact_filter_hides_the_token_in_messages_and_tracebacks() -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("tdkt.test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    root = logging.Logger("root-for-test")
    root.addHandler(handler)
    protect_token(token, root=root)
    try:
        logger.warning("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", token)
        logger.warning("other bot https://api.telegram.org/bot987654321:ZZZZZZZZZZZZZZZZ/getMe")
        try:
            raise RuntimeError(f"failed https://api.telegram.org/bot{token}/sendMessage")
        except RuntimeError:
            logger.exception("send failed")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert token not in text and "987654321:ZZZZ" not in text
    assert text.count(REDACTED) == 3 and "RuntimeError" in text
    assert logging.getLogger("httpx").level == logging.WARNING
    assert RedactToken([token]).redact(f"x{token}y") == f"x{REDACTED}y"


def test_tdkt_bot_never_logs_the_token(api: BotAPIServer, settings: Any, tmp_path: Path) -> None:
    """`tdkt bot` as a real process: it answers, logs what it does, and the token appears in no line."""
    uid = new_user()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": api.token,
        "TDKT_TELEGRAM_BASE_URL": api.base_url,
        "TDKT_DATA_DIR": str(settings.data_dir),
        "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in settings.extra_corpus),
        "TDKT_LLM": "none",
    }
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "bot"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            api.push_text(uid, uid, "/help")
            api.wait_for_sync("sendMessage", to(uid, texts.HELP_INTRO), timeout=120)
        finally:
            stop_process(proc, timeout=30, sig=signal.SIGINT)
    output = log_path.read_text("utf-8", errors="replace")
    assert "Application started" in output or "polling" in output, output[-2000:]
    assert api.token not in output
    assert api.token.split(":", 1)[1] not in output


# ---------------------------------------------------------------------------------------------- transcript


def test_transcript_question_follow_up_two_in_a_row_and_soan(api, go) -> None:  # type: ignore[no-untyped-def]
    """The conversation of the issue's report, written to $TDKT_TRANSCRIPT (if set) for the lead."""
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, FIRST)
        await api.wait_for("sendMessage", with_buttons(uid, "src:"), timeout=60)
        api.push_text(uid, uid, FOLLOW_UP)
        await api.wait_for("sendMessage", with_buttons(uid, "src:"), timeout=60, count=2)
        api.push_text(uid, uid, "Mức thưởng danh hiệu Lao động tiên tiến là bao nhiêu?")
        api.push_text(uid, uid, "Ai có thẩm quyền tặng danh hiệu Chiến sĩ thi đua cơ sở?")
        await api.wait_for("sendMessage", with_buttons(uid, "src:"), timeout=90, count=4)
        api.push_text(uid, uid, "/soan kế hoạch thi đua năm 2026 của UBND xã Quang Trung")
        await api.wait_for("sendMessage", to(uid, texts.DRAFT_QUESTIONS), timeout=120)
        api.push_text(uid, uid, DETAILS)
        await api.wait_for("sendDocument", to(uid), timeout=120, count=2)
        await asyncio.sleep(0.3)

    go(scenario)
    lines = api.transcript(uid)
    assert sum(1 for line in lines if line.startswith("👤")) == 6
    out = os.environ.get("TDKT_TRANSCRIPT")
    if out:
        Path(out).write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    queued = [i for i, line in enumerate(lines) if texts.QUEUED in line]
    assert queued, "the second of two messages in a row is acknowledged, then answered"


def test_a_question_while_the_draft_waits_for_details_is_answered(api, go) -> None:  # type: ignore[no-untyped-def]
    uid = new_user()

    async def scenario() -> None:
        api.push_text(uid, uid, DRAFT_REQUEST)
        await api.wait_for("sendMessage", to(uid, texts.DRAFT_QUESTIONS), timeout=120)
        api.push_text(uid, uid, QUESTION)
        await api.wait_for("sendMessage", with_buttons(uid, "src:"), timeout=60)  # answered as a question
        assert not api.sent("sendDocument", uid)
        api.push_text(uid, uid, DETAILS)  # the draft was still waiting for its details
        await api.wait_for("sendDocument", to(uid), timeout=120, count=2)

    go(scenario)
