"""Generated list questions: every enumeration of the in-force legal texts ('… gồm:', '… sau đây:') asked about,
with every item as a key fact (its first words, verbatim), to measure whether the answer's opening names them all.

Run: `python -m evals.list_questions OUT.jsonl` (uses the configured index), then
`tdkt eval answers OUT.jsonl --llm none`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from evals.question_gen import _anchor, _short, write_generated

_ITEM = re.compile(r"^(?:[a-zđ]\)|\d+\.|\(\d+\)|-)\s*(.+)$")
_HEAD = re.compile(r"^(?:\d+\.\s*|[a-zđ]\)\s*)?(.{12,140}?)\s*(?:(?:như\s+)?sau\s+đây|sau|gồm|bao\s+gồm)\s*:\s*$")
MIN_ITEMS, MAX_ITEMS = 3, 6


def _question(head: str) -> str:
    """'Danh hiệu “X” để tặng cho cá nhân đạt các tiêu chuẩn' → '… đạt các tiêu chuẩn nào?' (a list asked for)."""
    h = re.sub(r"[*]", "", head).strip(" ,")
    h = re.sub(r"\s+(?:các|những)$", "", h)
    if re.search(r"(?:tiêu chuẩn|điều kiện|trường hợp|nội dung|hình thức|hồ sơ|thành phần|trách nhiệm|nhiệm vụ)$",
                 h, re.I) or re.search(r"(?:các|những)\s+\S+(?:\s+\S+)?$", h):
        return h[:1].upper() + h[1:] + " nào?"
    return h[:1].upper() + h[1:] + " gồm những gì?"


def generate(knowledge: Any) -> list[dict[str, Any]]:
    """One question per enumeration (≥ 3 items) of the verbatim in-force legal passages of the index."""
    today = knowledge.today or date.today()
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for c in knowledge.searcher.chunks:
        if c.secondary or not c.meta or c.meta.kind == "plan" or not c.meta.in_force_on(today):
            continue
        raw = knowledge.raw_text(c.source_file) or ""
        lines = [x.strip() for x in c.text.split("\n") if x.strip()]
        for i, line in enumerate(lines):
            m = _HEAD.match(line)
            if not m or "…" in line:
                continue
            items = []
            for x in lines[i + 1:]:
                im = _ITEM.match(x)
                if not im:
                    break
                items.append(im.group(1))
            if len(items) < MIN_ITEMS:
                continue
            a = _anchor(line, raw)
            q = _question(m.group(1))
            if not a or q in seen:
                continue
            seen.add(q)
            facts = [f for x in items[:MAX_ITEMS] if (f := _short(x, 3))]
            if len(facts) < MIN_ITEMS:
                continue
            out.append({"question": q, "type": "list", "gen": True, "key_facts": facts,
                        "gold": [{"file": c.source_file, "anchor": a, "citation": c.citation}]})
    for n, q in enumerate(out, start=1):
        q["id"] = f"list-{n:03d}"
    return out


def main() -> None:  # pragma: no cover - thin CLI wrapper
    write_generated(generate)


if __name__ == "__main__":  # pragma: no cover
    main()
