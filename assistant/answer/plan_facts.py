"""Facts about a plan's own structure: its top-level sections and how many numbered targets it sets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.models import Chunk
from assistant.corpus.normalize import blocks

_ITEM_NO = re.compile(r"^[-–+•]?\s*\((\d{1,3})\)\s")


@dataclass
class Span:
    text: str
    start: int
    end: int
    chunk: Chunk


def outline(chunks: list[Chunk], raw: str) -> list[tuple[Span, list[Span]]]:
    """Top-level headings (I., II., …) of a plan with their numbered sub-headings, each with its raw span."""
    out: list[tuple[Span, list[Span]]] = []
    seen: set[str] = set()
    for c in sorted(chunks, key=lambda c: c.start):
        if len(c.breadcrumb) < 2:
            continue
        top = c.breadcrumb[1]
        if not re.match(r"^[IVX]+\.", top):
            continue
        bl = blocks(raw, c.start, c.end)
        if top not in seen:
            seen.add(top)
            head = next((b for b in bl if b.text.startswith(top.split(" ")[0])), None)
            if head is None:
                continue
            out.append((Span(head.text, head.start, head.end, c), []))
        if len(c.breadcrumb) >= 3 and out:
            sub = c.breadcrumb[2]
            key = f"{top}|{sub}"
            marker = sub.split(" ")[0]
            if key in seen or len(sub) > 100:
                continue
            b = next((b for b in bl if re.match(re.escape(marker) + r"\.?\s", b.text)), None)
            if b is not None and len(b.text) <= 100:
                seen.add(key)
                out[-1][1].append(Span(b.text, b.start, b.end, c))
    return out


def count_targets(chunks: list[Chunk], raw: str) -> Span | None:
    """The last numbered target '(n) …' of the plan's chỉ tiêu section: n is how many targets it sets."""
    best: Span | None = None
    best_n = 0
    for c in chunks:
        if "chỉ tiêu" not in (" ".join(c.breadcrumb) + c.citation).lower():
            continue
        for b in blocks(raw, c.start, c.end):
            m = _ITEM_NO.match(b.text)
            if m and int(m.group(1)) > best_n:
                best_n = int(m.group(1))
                best = Span(b.text, b.start, b.end, c)
    return best


def item_number(span: Span) -> int:
    m = _ITEM_NO.match(span.text)
    return int(m.group(1)) if m else 0


def targets_heading(chunks: list[Chunk], raw: str) -> Span | None:
    """The heading line of the plan's chỉ tiêu section ('2. Các chỉ tiêu thi đua chủ yếu')."""
    for c in sorted(chunks, key=lambda c: c.start):
        crumb = c.breadcrumb[-1] if c.breadcrumb else ""
        if "chỉ tiêu" not in crumb.lower():
            continue
        marker = crumb.split(" ")[0]
        for b in blocks(raw, c.start, c.end):
            if b.text.startswith(marker) and "chỉ tiêu" in b.text.lower() and len(b.text) <= 120:
                return Span(b.text, b.start, b.end, c)
    return None
