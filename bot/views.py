"""Turn service results (Answer, Draft, document lists) into Telegram rich-text segments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.answer.models import Answer
from assistant.drafting.models import Draft, DraftSection
from bot import texts
from bot.format import Seg

QUOTE_SHORT = 160
QUOTE_LONG = 900
_SKIP_SECTIONS = {"header", "signature", "recipients"}


def shorten(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(" ,;:.") + "…"


def command_list() -> list[Seg]:
    segs: list[Seg] = []
    for name, desc in texts.COMMANDS:
        segs += [Seg(f"/{name}", "b"), Seg(f" — {desc}\n")]
    return segs


def help_view(welcome: bool = False) -> list[Seg]:
    head = [Seg(texts.WELCOME + "\n\n")] if welcome else []
    return [*head, Seg(texts.HELP_INTRO + "\n"), *command_list()]


def unknown_command_view() -> list[Seg]:
    return [Seg(texts.UNKNOWN_COMMAND + "\n"), *command_list()]


def answer_view(answer: Answer) -> list[Seg]:
    """The answer text (it carries its own quotes), then ONE compact sources block without quotes.

    Quotes and validity details are on the "Nguồn chi tiết" button and /nguon; warnings already in the text
    are not repeated.
    """
    body = answer.answer.strip()
    segs: list[Seg] = [Seg(body + "\n")]
    if answer.citations:
        segs += [Seg("\n"), Seg(texts.CITATIONS_TITLE, "b"), Seg(" ")]
        items = []
        for c in answer.citations:
            item = f"[{c.n}] {c.citation}"
            if not c.in_force:
                item += f" (⚠️ {texts.NOT_IN_FORCE})"
            items.append(item)
        segs.append(Seg("; ".join(items) + "\n"))
    extra = [w for w in answer.warnings if w not in body]
    if extra:
        segs.append(Seg("\n"))
        segs += [Seg(f"⚠️ {w}\n") for w in extra]
    return segs


def answer_keyboard(aid: str, offer_draft: bool = False) -> InlineKeyboardMarkup:
    """Sources and 👍/👎 under an answer (+ a one-click "draft this" when the message may be a request)."""
    rows = [[
        InlineKeyboardButton(texts.BTN_SOURCES, callback_data=f"src:{aid}"),
        InlineKeyboardButton(texts.BTN_UP, callback_data=f"fb:+:{aid}"),
        InlineKeyboardButton(texts.BTN_DOWN, callback_data=f"fb:-:{aid}"),
    ]]
    if offer_draft:
        rows.append([InlineKeyboardButton(texts.BTN_DRAFT_THIS, callback_data=f"dr:{aid}")])
    return InlineKeyboardMarkup(rows)


def feedback_done_keyboard(aid: str, rating: int) -> InlineKeyboardMarkup:
    """The answer's buttons after a vote: sources stay, the vote is shown as recorded."""
    done = texts.BTN_UP_DONE if rating > 0 else texts.BTN_DOWN_DONE
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.BTN_SOURCES, callback_data=f"src:{aid}"),
        InlineKeyboardButton(done, callback_data=f"fb:{'+' if rating > 0 else '-'}:{aid}"),
    ]])


def editable_sections(draft: Draft) -> list[DraftSection]:
    """Body sections a user may regenerate (not the header, signature or recipients)."""
    return [s for s in draft.sections if s.key not in _SKIP_SECTIONS and s.heading.strip()]


def draft_keyboard(draft: Draft) -> InlineKeyboardMarkup | None:
    """One "✏️ Sửa <phần>" button per body section (callback data stays under Telegram's 64 bytes)."""
    buttons = [
        InlineKeyboardButton(texts.BTN_EDIT_SECTION.format(key=s.key), callback_data=f"rs:{draft.draft_id}:{s.key}")
        for s in editable_sections(draft)
        if len(f"rs:{draft.draft_id}:{s.key}".encode()) <= 64
    ]
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def draft_now_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts.BTN_DRAFT_NOW, callback_data="dn")]])


def sources_view(answer: Answer) -> list[Seg]:
    """Every citation of the last answer with a longer quote and its validity."""
    if not answer.citations:
        return [Seg(texts.NO_CITATIONS)]
    segs: list[Seg] = [Seg(texts.SOURCES_TITLE, "b"), Seg("\n")]
    for c in answer.citations:
        segs += [Seg("\n"), Seg(f"[{c.n}] {c.citation}", "b"), Seg("\n")]
        doc = " — ".join(x for x in (c.doc_number, c.doc_title) if x)
        if doc:
            segs.append(Seg(f"{doc}\n"))
        segs.append(Seg(f"Tệp: {c.source_file}\n", "i"))
        validity = texts.IN_FORCE if c.in_force else texts.NOT_IN_FORCE
        note = f"Hiệu lực: {validity}" + (f" ({c.validity_note})" if c.validity_note else "")
        segs.append(Seg(("✅ " if c.in_force else "⚠️ ") + note + "\n"))
        if c.quote.strip():
            segs.append(Seg(f"«{shorten(c.quote, QUOTE_LONG)}»\n"))
    return segs


def _doc_validity(meta: Any, today: date) -> str:
    if getattr(meta, "kind", "legal") == "plan":
        return f"năm {meta.year}" if getattr(meta, "year", None) else ""
    in_force_on = getattr(meta, "in_force_on", None)
    ok = in_force_on(today) if callable(in_force_on) else True
    text = texts.IN_FORCE if ok else "⚠️ " + texts.NOT_IN_FORCE
    if not ok and getattr(meta, "replaced_by", None):
        text += f", thay thế bởi {meta.replaced_by}"
    return text


def documents_view(docs: Iterable[Any], today: date | None = None) -> list[Seg]:
    """Numbered list: number (số ký hiệu), title, validity."""
    docs = list(docs)
    if not docs:
        return [Seg(texts.NO_DOCUMENTS)]
    today = today or date.today()
    segs: list[Seg] = [Seg(texts.DOCUMENTS_TITLE.format(n=len(docs)), "b"), Seg("\n")]
    for i, meta in enumerate(docs, 1):
        title = meta.title or meta.short_name or meta.source_file
        head = f"{i}. "
        segs.append(Seg(head))
        if meta.number:
            segs.append(Seg(meta.number, "b"))
            segs.append(Seg(" — "))
        validity = _doc_validity(meta, today)
        segs.append(Seg(title + (f" ({validity})" if validity else "") + "\n"))
    return segs


def draft_title(draft: Draft) -> str:
    """Document type and title from the header ("KẾ HOẠCH Tổ chức phong trào thi đua …"), else the first heading."""
    header = next((s for s in draft.sections if s.key == "header"), None)
    if header is not None:
        parts = [p.text.strip() for p in header.paragraphs if p.style in ("doctype", "title") and p.text.strip()]
        if parts:
            return shorten(" ".join(parts), 200)
    for line in draft.markdown.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().strip("*").strip()
            if title:
                return title
    return shorten(draft.request.prompt, 120)


def draft_summary_view(draft: Draft) -> list[Seg]:
    segs: list[Seg] = [Seg(f"{texts.DRAFT_TITLE}: "), Seg(draft_title(draft), "b"), Seg("\n")]
    headings = [s.heading for s in editable_sections(draft)]
    if headings:
        segs.append(Seg("\n" + texts.DRAFT_SECTIONS + "\n"))
        segs += [Seg(f"• {shorten(h, 150)}\n") for h in headings]
        segs.append(Seg("\n" + texts.DRAFT_EDIT_HINT + "\n", "i"))
    if draft.warnings:
        segs.append(Seg("\n"))
        segs += [Seg(f"⚠️ {w}\n") for w in draft.warnings]
    if draft.questions:
        segs.append(Seg("\n" + texts.DRAFT_HINTS + "\n"))
        segs += [Seg(f"• {q}\n") for q in draft.questions]
    return segs


def draft_questions_view(draft: Draft) -> list[Seg]:
    segs: list[Seg] = [Seg(texts.DRAFT_QUESTIONS + "\n")]
    segs += [Seg(f"{i}. {q}\n") for i, q in enumerate(draft.questions, 1)]
    segs.append(Seg("\n" + texts.DRAFT_QUESTIONS_HINT, "i"))
    return segs


SECTION_PREVIEW = 1500


def section_view(section: DraftSection, instruction: str) -> list[Seg]:
    """The regenerated section: what was asked, its heading and its text (shortened)."""
    segs: list[Seg] = [Seg(texts.SECTION_REDONE.format(heading=shorten(section.heading, 120),
                                                       instruction=shorten(instruction, 300)) + "\n\n")]
    segs.append(Seg(section.heading, "b"))
    segs.append(Seg("\n"))
    body = "\n".join(p.text for p in section.paragraphs)
    segs.append(Seg(shorten_block(body, SECTION_PREVIEW) + "\n"))
    return segs


def shorten_block(text: str, limit: int) -> str:
    """Cut a multi-line text at a line (else word) boundary with an ellipsis, keeping its line breaks."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    at = cut.rfind("\n")
    if at < limit // 2:
        at = cut.rfind(" ")
    return cut[: at if at > 0 else limit].rstrip() + " …"
