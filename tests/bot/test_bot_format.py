"""Telegram HTML splitting and the views built from real Answer/Draft models."""

from __future__ import annotations

import html
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer.models import Answer, Citation
from assistant.corpus.models import DocMeta
from assistant.drafting.models import Draft, DraftRequest, DraftSection
from bot import texts, views
from bot.format import TELEGRAM_LIMIT, Seg, plain_of, render_all, split_segments, split_text, tg_len

ALPHABET = st.sampled_from(list("ab cđêờ&<>\n\n;#x1") + ["ế", "⚠️", "👍", "&amp;", "  "])
TEXTS = st.lists(ALPHABET, max_size=400).map("".join)
SEGS = st.lists(st.tuples(TEXTS, st.sampled_from([None, None, "b", "i", "code"])), max_size=8)
_TAG_RE = re.compile(r"</?(b|i|u|code|pre)>")


def _balanced(part: str) -> bool:
    stack: list[str] = []
    for m in _TAG_RE.finditer(part):
        if m.group(0).startswith("</"):
            if not stack or stack.pop() != m.group(1):
                return False
        else:
            stack.append(m.group(1))
    return not stack


def _check(parts: list[str], original: str, limit: int) -> None:
    assert all(tg_len(p) <= limit for p in parts)
    assert "".join(plain_of(p) for p in parts) == original
    for p in parts:
        assert not re.search(r"&[#a-zA-Z0-9]*$", p), p[-12:]  # never ends inside an entity
        assert _balanced(p)
        # every '&' in a part starts a complete entity
        assert all(re.match(r"&(amp|lt|gt);", p[m.start() :]) for m in re.finditer("&", p))


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, limit=st.integers(min_value=32, max_value=120))
def test_split_text_properties(text: str, limit: int) -> None:
    _check(split_text(text, limit), text, limit)


@settings(max_examples=200, deadline=None)
@given(raw=SEGS, limit=st.integers(min_value=32, max_value=150))
def test_split_segments_properties(raw: list[tuple[str, str | None]], limit: int) -> None:
    segs = [Seg(t, tag) for t, tag in raw]
    _check(split_segments(segs, limit), "".join(t for t, _ in raw), limit)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["Điều 5. ", "& <b>", "khen thưởng ", "\n", "\n\n", "x" * 50]), max_size=600))
def test_split_at_telegram_limit(pieces: list[str]) -> None:
    text = "".join(pieces)
    parts = split_text(text)
    _check(parts, text, TELEGRAM_LIMIT)
    if tg_len(html.escape(text, quote=False)) <= TELEGRAM_LIMIT:
        assert len(parts) <= 1


def test_split_prefers_paragraph_boundaries() -> None:
    paras = [f"Đoạn {i}: " + "nội dung thi đua " * 30 for i in range(40)]
    text = "\n\n".join(paras)
    parts = split_text(text)
    assert len(parts) > 1
    for p in parts[:-1]:
        assert p.endswith("\n\n")  # cut between paragraphs, not inside one


def test_long_word_is_hard_cut_without_breaking_entities() -> None:
    text = "&" * 5000
    parts = split_text(text)
    assert len(parts) == 7  # 25,000 escaped characters, each part at most 4096 of them
    _check(parts, text, TELEGRAM_LIMIT)


def _answer() -> Answer:
    return Answer(
        answer="Danh hiệu <Lao động tiên tiến> & tiêu chuẩn …",
        citations=[
            Citation(
                n=1,
                source_file="luat-06-2022-qh15.md",
                citation="Khoản 1 Điều 24 Luật Thi đua, khen thưởng 2022 (06/2022/QH15)",
                quote="a) Hoàn thành tốt nhiệm vụ được giao; " * 20,
                start=10,
                end=200,
            ),
            Citation(
                n=2,
                source_file="nd-91-2017.md",
                citation="Điều 7 Nghị định 91/2017",
                quote="Nội dung cũ",
                start=0,
                end=5,
                in_force=False,
                validity_note="đã được thay thế",
            ),
        ],
        warnings=["Văn bản [2] đã hết hiệu lực"],
    )


def test_answer_view_is_compact_and_escaped() -> None:
    out = render_all(views.answer_view(_answer()))
    assert "&lt;Lao động tiên tiến&gt; &amp;" in out
    assert "[1] Khoản 1 Điều 24" in out and "[2] Điều 7 Nghị định 91/2017" in out
    assert "Hoàn thành tốt" not in out, "quotes are on the sources button / /nguon, not repeated here"
    assert out.count(texts.CITATIONS_TITLE) == 1
    assert "⚠️ Văn bản [2] đã hết hiệu lực" in out
    assert texts.NOT_IN_FORCE in out


def test_answer_view_does_not_repeat_warnings_already_in_the_text() -> None:
    ans = _answer()
    ans = ans.model_copy(update={"answer": ans.answer + "\n\n⚠️ Lưu ý: " + ans.warnings[0]})
    out = plain_of(render_all(views.answer_view(ans)))
    assert out.count(ans.warnings[0]) == 1


def test_answer_keyboard_has_sources_and_feedback_within_telegram_limits() -> None:
    kb = views.answer_keyboard("0123456789ab", offer_draft=True)
    buttons = [b for row in kb.inline_keyboard for b in row]
    assert [b.text for b in buttons] == [texts.BTN_SOURCES, texts.BTN_UP, texts.BTN_DOWN, texts.BTN_DRAFT_THIS]
    assert all(len(b.callback_data.encode()) <= 64 for b in buttons)
    assert len([b for row in views.answer_keyboard("x").inline_keyboard for b in row]) == 3


def test_sources_view_shows_quotes_and_validity() -> None:
    out = plain_of(render_all(views.sources_view(_answer())))
    assert "luat-06-2022-qh15.md" in out and "Nội dung cũ" in out
    assert "đã được thay thế" in out and texts.IN_FORCE in out


def test_documents_view_numbers_titles_validity() -> None:
    docs = [
        DocMeta(doc_id="a", source_file="a.md", number="06/2022/QH15", title="Luật Thi đua, khen thưởng"),
        DocMeta(
            doc_id="b",
            source_file="b.md",
            number="91/2017/NĐ-CP",
            title="Nghị định cũ",
            in_force_to=date(2024, 1, 1),
            replaced_by="98/2023/NĐ-CP",
        ),
        DocMeta(doc_id="c", source_file="c.txt", kind="plan", year=2025),
    ]
    out = plain_of(render_all(views.documents_view(docs, today=date(2025, 6, 1))))
    assert "1. 06/2022/QH15 — Luật Thi đua, khen thưởng (còn hiệu lực)" in out
    assert "2. 91/2017/NĐ-CP — Nghị định cũ (⚠️ hết hiệu lực, thay thế bởi 98/2023/NĐ-CP)" in out
    assert "3. c.txt (năm 2025)" in out


def test_draft_views() -> None:
    draft = Draft(
        draft_id="d1",
        request=DraftRequest(prompt="kế hoạch thi đua"),
        sections=[DraftSection(key="header", heading="UBND"), DraftSection(key="I", heading="I. MỤC ĐÍCH")],
        warnings=["Thiếu chỉ tiêu"],
        questions=["Cơ quan ban hành?"],
        markdown="# KẾ HOẠCH Thi đua năm 2026\n\n...",
    )
    summary = plain_of(render_all(views.draft_summary_view(draft)))
    assert (
        "KẾ HOẠCH Thi đua năm 2026" in summary
        and "• I. MỤC ĐÍCH" in summary
        and "⚠️ Thiếu chỉ tiêu" in summary
    )
    assert "UBND" not in summary
    asks = plain_of(render_all(views.draft_questions_view(draft)))
    assert "1. Cơ quan ban hành?" in asks
    kb = views.draft_keyboard(draft)
    assert kb is not None
    assert [(b.text, b.callback_data) for row in kb.inline_keyboard for b in row] == [("✏️ Sửa I", "rs:d1:I")]
