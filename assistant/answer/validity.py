"""Validity warnings: expired or replaced documents quoted or named, and the two-level local government."""

from __future__ import annotations

from datetime import date

from assistant.corpus.models import DocMeta
from assistant.corpus.normalize import fold
from assistant.corpus.registry import LegalDoc, Registry, fmt_date


def doc_warning(meta: DocMeta, registry: Registry, today: date) -> str | None:
    """'Nghị định 98/2023/NĐ-CP đã hết hiệu lực từ 01/7/2025, được thay thế bởi Nghị định 152/2025/NĐ-CP'."""
    if not meta.in_force_to or meta.in_force_to > today:
        return None
    name = meta.short_name or meta.number or meta.source_file
    s = f"{name} đã hết hiệu lực từ {fmt_date(meta.in_force_to)}"
    if meta.replaced_by:
        rep = registry.by_number(meta.replaced_by)
        s += f", được thay thế bởi {rep.short_name if rep else meta.replaced_by}"
        if rep and rep.in_force_from:
            s += f" (có hiệu lực từ {fmt_date(rep.in_force_from)})"
    return s + "."


def legal_warning(doc: LegalDoc, registry: Registry, today: date) -> str | None:
    if not doc.in_force_to or doc.in_force_to > today:
        return None
    s = f"{doc.short_name or doc.number} đã hết hiệu lực từ {fmt_date(doc.in_force_to)}"
    if doc.replaced_by:
        rep = registry.by_number(doc.replaced_by)
        s += f", được thay thế bởi {rep.short_name if rep else doc.replaced_by}"
        if rep and rep.in_force_from:
            s += f" (có hiệu lực từ {fmt_date(rep.in_force_from)})"
    if doc.note:
        s += f" Ghi chú: {doc.note}"
    return s + "."


def reform_notes(question: str, registry: Registry, today: date, markers: list[str]) -> list[str]:
    """Notes on reforms (e.g. two-level local government) when a present-day question speaks of old units."""
    fq = fold(question)
    out = []
    if any(m in fq for m in markers):
        for r in registry.reforms:
            d = r.get("date")
            if d and (d if isinstance(d, date) else date.fromisoformat(str(d))) <= today:
                out.append(str(r.get("text")))
    return out
