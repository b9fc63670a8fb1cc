"""Validity warnings: expired or replaced documents quoted or named, and the two-level local government."""

from __future__ import annotations

from datetime import date

from assistant.corpus.models import DocMeta
from assistant.corpus.normalize import fold
from assistant.corpus.registry import LegalDoc, Registry, as_date, fmt_date

AMENDMENT_MARK = "có thể đã được sửa đổi, bổ sung"


def _expiry(name: str, in_force_to: date | None, replaced_by: str | None, registry: Registry,
            today: date) -> str | None:
    """'X đã hết hiệu lực từ dd/m/yyyy, được thay thế bởi Y (có hiệu lực từ …)', or None if X is in force."""
    if not in_force_to or in_force_to > today:
        return None
    s = f"{name} đã hết hiệu lực từ {fmt_date(in_force_to)}"
    if replaced_by:
        rep = registry.by_number(replaced_by)
        s += f", được thay thế bởi {rep.short_name if rep else replaced_by}"
        if rep and rep.in_force_from:
            s += f" (có hiệu lực từ {fmt_date(rep.in_force_from)})"
    return s


def doc_warning(meta: DocMeta, registry: Registry, today: date) -> str | None:
    """'Nghị định 98/2023/NĐ-CP đã hết hiệu lực từ 01/7/2025, được thay thế bởi Nghị định 152/2025/NĐ-CP'."""
    s = _expiry(meta.short_name or meta.number or meta.source_file, meta.in_force_to, meta.replaced_by, registry,
                today)
    return s + "." if s else None


def legal_warning(doc: LegalDoc, registry: Registry, today: date) -> str | None:
    s = _expiry(doc.short_name or doc.number, doc.in_force_to, doc.replaced_by, registry, today)
    if s is None:
        return None
    return s + (f". Ghi chú: {doc.note}" if doc.note else ".")


def reform_notes(question: str, registry: Registry, today: date, markers: list[str]) -> list[str]:
    """Notes on reforms (e.g. two-level local government) when a present-day question speaks of old units."""
    fq = fold(question)
    out = []
    if any(m in fq for m in markers):
        for r in registry.reforms:
            d = r.get("date")
            if d and as_date(d) <= today:
                out.append(str(r.get("text")))
    return out


def amendment_note(meta: DocMeta | None) -> str | None:
    """'Luật … có thể đã được sửa đổi, bổ sung: <amended_by from the registry>.', for a document with amendments."""
    if not meta or not meta.amended_by:
        return None
    return f"{meta.short_name or meta.number} {AMENDMENT_MARK}: {meta.amended_by}."


def validity_conclusion(docs: list[LegalDoc], registry: Registry, today: date,
                        include_in_force: bool = False) -> list[str]:
    """Opening sentences on the documents a question names, from the registry's dates only: always for an expired
    one (it must not pass for current law), for one in force only when the question asks about validity."""
    out = []
    for d in docs:
        s = _expiry(d.short_name or d.number, d.in_force_to, d.replaced_by, registry, today)
        if s:
            out.append(s + ".")
        elif include_in_force and d.in_force_from and d.in_force_from <= today and not d.in_force_to:
            out.append(f"{d.short_name or d.number} có hiệu lực từ {fmt_date(d.in_force_from)}.")
    return out
