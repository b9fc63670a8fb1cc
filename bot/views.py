"""Turn service results (Answer, Draft, document lists) into Telegram rich-text segments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from assistant.answer.models import Answer
from assistant.drafting.models import Draft
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
    """Answer text, compact citations ([1] Điều … — «quote…») and warnings with ⚠️."""
    segs: list[Seg] = [Seg(answer.answer.strip() + "\n")]
    if answer.citations:
        segs += [Seg("\n"), Seg(texts.CITATIONS_TITLE, "b"), Seg("\n")]
        for c in answer.citations:
            line = f"[{c.n}] {c.citation}"
            if c.quote.strip():
                line += f" — «{shorten(c.quote, QUOTE_SHORT)}»"
            if not c.in_force:
                line += f" (⚠️ {texts.NOT_IN_FORCE})"
            segs.append(Seg(line + "\n"))
    if answer.warnings:
        segs.append(Seg("\n"))
        segs += [Seg(f"⚠️ {w}\n") for w in answer.warnings]
    return segs


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
    for line in draft.markdown.splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().strip("*").strip()
            if title:
                return title
    return shorten(draft.request.prompt, 120)


def draft_summary_view(draft: Draft) -> list[Seg]:
    segs: list[Seg] = [Seg(f"{texts.DRAFT_TITLE}: "), Seg(draft_title(draft), "b"), Seg("\n")]
    headings = [s.heading for s in draft.sections if s.key not in _SKIP_SECTIONS and s.heading.strip()]
    if headings:
        segs.append(Seg("\n" + texts.DRAFT_SECTIONS + "\n"))
        segs += [Seg(f"• {shorten(h, 150)}\n") for h in headings]
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
