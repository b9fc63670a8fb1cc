"""Grounded composition (no LLM): lead sentence naming the provision, verbatim quote, supporting passages."""

from __future__ import annotations

import re

from assistant.answer.indicators import Indicator, compare
from assistant.answer.models import Citation
from assistant.corpus.normalize import fold


def lead_label(citation: str) -> str:
    """'Khoản 3 Điều 24 Luật …' → 'khoản 3 Điều 24 Luật …' (lower-case only the first word's initial)."""
    if re.match(r"^(Điểm|Khoản)\b", citation):
        return citation[0].lower() + citation[1:]
    return citation


def _tag(c: Citation) -> str:
    """' (Quy định riêng của tỉnh …; văn bản đã hết hiệu lực)' after a citation, or ''."""
    # a label the citation already carries ('… (trích dẫn gián tiếp, Phụ lục B)') is not repeated
    tags = [t for t in (c.scope or "").split("; ") if t and t.split(",")[0] not in c.citation]
    if not c.in_force:
        tags.append("văn bản đã hết hiệu lực")
    return f" ({'; '.join(tags)})" if tags else ""


def grounded_text(cites: list[Citation], validity_lines: list[str], extra: list[str],
                  conclusion: str | None = None) -> str:
    """Conclusion first, then the lead provision and its verbatim quote, warnings, arithmetic, supporting quotes."""
    main = cites[0]
    parts = [conclusion] if conclusion else []
    parts.append(f"Theo {lead_label(main.citation)}{_tag(main)} [{main.n}]:\n“{main.quote}”")
    parts.extend(validity_lines)
    parts.extend(extra)
    if len(cites) > 1:
        more = [f"[{c.n}] {c.citation}{_tag(c)}: “{c.quote}”" for c in cites[1:]]
        parts.append("Xem thêm:\n" + "\n".join(more))
    return "\n\n".join(parts)


def _same_metric(a: Indicator, b: Indicator) -> bool:
    ta, tb = set(fold(a.metric).split()), set(fold(b.metric).split())
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.5


def indicator_text(rows: list[Indicator], comparison_asked: bool, parts: dict[int, list[int]] | None = None) -> str:
    """One line per target ('- Năm 2024: metric: value — theo … [n]'); a target that announces its breakdown
    ('… 663 tỷ đồng. Trong đó:') carries its parts (`parts`: row index → indexes of its part rows) on its line."""
    parts = parts or {}
    inner = {j for js in parts.values() for j in js}
    lines = []
    for i, r in enumerate(rows, start=1):
        if i - 1 in inner:
            continue
        value = r.value_text
        if parts.get(i - 1):
            value = value.rstrip() + " " + "; ".join(f"{rows[j].metric}: {rows[j].value_text.rstrip(' .;')} [{j + 1}]"
                                                     for j in parts[i - 1])
        lines.append(f"- Năm {r.year}: {r.metric}: {value} — theo {r.document} [{i}].")
    text = "Chỉ tiêu trong các kế hoạch/văn bản thi đua:\n" + "\n".join(lines)
    done: set[int] = set()
    for i, a in enumerate(rows):
        if i in inner:
            continue
        group = [b for j, b in enumerate(rows) if j >= i and j not in done | inner and _same_metric(a, b)]
        if len({g.year for g in group}) < 2:
            continue
        done |= {rows.index(g) for g in group}
        d = compare(group)
        first, last = group[0], group[-1]
        if d:
            text += (f"\n\nSo với năm {first.year} ({first.value_text}), chỉ tiêu “{last.metric}” năm {last.year} "
                     f"({last.value_text}) {d}.")
        elif comparison_asked:
            text += "\n\nKhông so sánh trực tiếp được (đơn vị hoặc cách tính khác nhau); xem nguyên văn ở các trích dẫn."
    return text


def plain_reasons(reasons: list[str], question: str) -> list[str]:
    """Refusal reasons in plain Vietnamese: folded keywords put back as the user wrote them, scores dropped."""
    fq = fold(question)
    out = []
    for r in reasons:
        def surface(m: re.Match[str]) -> str:
            key = m.group(1)
            i = fq.find(fold(key))
            return f"“{question[i:i + len(key)] if i >= 0 else key}”"

        r = re.sub(r"“([^”]+)”", surface, r)
        if re.search(r"\(\d+[.,]\d+\)", r):
            r = "các đoạn tìm được chỉ khớp một phần nhỏ nội dung câu hỏi"
        if r not in out:
            out.append(r)
    return out


def refusal_text(reasons: list[str], closest: list[Citation], missing: list[str] | None = None,
                 how_to_add: str = "") -> str:
    """The refusal: what is missing from the corpus first (when known), the plain reason, the closest passages."""
    s = " ".join(missing or [])
    s += (" " if s else "") + "Không tìm thấy căn cứ trong kho văn bản để trả lời câu hỏi này"
    if reasons:
        s += f" ({'; '.join(reasons[:2])})"
    s += ". Trợ lý không suy đoán khi thiếu nguồn."
    if missing and how_to_add:
        s += " " + how_to_add
    if closest:
        s += "\n\nCác đoạn gần nhất (để tham khảo, không phải câu trả lời):\n" + "\n".join(
            f"- {c.citation}: “{c.quote[:200]}{'…' if len(c.quote) > 200 else ''}”" for c in closest)
    return s
