"""Telegram HTML formatting: escaping, a tiny rich-text model and a splitter that never breaks tags or entities."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

TELEGRAM_LIMIT = 4096
_TAGS = {None, "b", "i", "u", "code", "pre"}
_TAG_RE = re.compile(r"</?(?:b|i|u|code|pre)>")


class Seg(NamedTuple):
    """A run of plain text with one optional Telegram HTML tag (b, i, u, code, pre)."""

    text: str
    tag: str | None = None


def esc(text: str) -> str:
    """Escape plain text for Telegram HTML (only <, >, & are special)."""
    return html.escape(text, quote=False)


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def render(seg: Seg) -> str:
    """Render one segment as Telegram HTML."""
    if seg.tag is None:
        return esc(seg.text)
    return f"<{seg.tag}>{esc(seg.text)}</{seg.tag}>"


def render_all(segs: Iterable[Seg]) -> str:
    return "".join(render(s) for s in segs)


def plain_of(html_text: str) -> str:
    """Inverse of rendering: drop our tags and unescape (used by tests and logs)."""
    return html.unescape(_TAG_RE.sub("", html_text))


def _overhead(tag: str | None) -> int:
    return 0 if tag is None else len(tag) * 2 + 5


def _fit_prefix(text: str, budget: int) -> int:
    """Largest n such that esc(text[:n]) fits in budget (UTF-16 units)."""
    used = 0
    for i, ch in enumerate(text):
        used += tg_len(esc(ch))
        if used > budget:
            return i
    return len(text)


def _boundary(prefix: str, seps: Sequence[str]) -> int:
    """Cut position just after the last occurrence of a separator in prefix (0 if none)."""
    for sep in seps:
        pos = prefix.rfind(sep)
        if pos > 0:
            return pos + len(sep)
    return 0


def split_segments(segs: Sequence[Seg], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pack segments into HTML messages of at most `limit` UTF-16 units each.

    Cuts fall at paragraph, then line, then space boundaries; text is escaped after cutting, so no
    part ever ends inside an entity, and each part opens and closes its own tags.
    """
    if limit < 32:
        raise ValueError("limit too small")
    parts: list[str] = []
    cur: list[str] = []
    used = 0
    ends_at_line = True

    def flush() -> None:
        nonlocal cur, used, ends_at_line
        if cur:
            parts.append("".join(cur))
        cur, used, ends_at_line = [], 0, True

    for seg in segs:
        if seg.tag not in _TAGS:
            raise ValueError(f"unsupported tag {seg.tag!r}")
        rest = seg.text
        while rest:
            whole = render(Seg(rest, seg.tag))
            if used + tg_len(whole) <= limit:
                cur.append(whole)
                used += tg_len(whole)
                ends_at_line = rest.endswith("\n")
                break
            budget = limit - used - _overhead(seg.tag)
            n = _fit_prefix(rest, budget) if budget > 0 else 0
            prefix = rest[:n]
            cut = _boundary(prefix, ("\n\n", "\n"))
            if not cut and cur and ends_at_line:
                flush()
                continue
            if not cut:
                cut = _boundary(prefix, (" ",))
            if not cut and cur:
                flush()
                continue
            if not cut:
                cut = n
                # never separate a surrogate pair / combining mark from its base (NFC keeps most together)
                while cut > 1 and rest[cut - 1] in "\u200d\ufe0f":
                    cut -= 1
            piece = render(Seg(rest[:cut], seg.tag))
            cur.append(piece)
            used += tg_len(piece)
            rest = rest[cut:]
            flush()
    flush()
    return parts


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Escape and split plain text into Telegram HTML messages."""
    return split_segments([Seg(text)], limit)


def nonblank(parts: Iterable[str]) -> list[str]:
    """Drop parts Telegram would reject as empty (whitespace only)."""
    return [p for p in parts if plain_of(p).strip()]
