"""Generated answer-eval questions: templated, informal paraphrases built from corpus provisions (not dev phrasings).

Each question carries its gold passage (file + a unique anchor of the provision line) and key facts taken
verbatim from that line, so `tdkt eval answers` scores it exactly like the dev set. Run:
`python -m evals.question_gen OUT.jsonl` (uses the configured index).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from assistant.corpus.models import Chunk

_TITLE = r"“([^”]{4,60})”"
_AMOUNT = re.compile(_TITLE + r"[^;.]*?được thưởng (\d+(?:,\d+)?) lần mức lương cơ sở")
_COUNT = re.compile(r"(\d{2}) (lần|năm) liên tục")
_DAYS = re.compile(r"(?:trong thời hạn|trong vòng|trong thời gian|sau) (\d{2,3}) (ngày(?: làm việc)?)")
_AUTH = re.compile(r"((?:Chủ tịch|Thủ tướng|Bộ trưởng|Giám đốc|Thủ trưởng|Người đứng đầu)[^,;.“]{3,70}?) "
                   r"(?:quyết định tặng|tặng|xét tặng|quyết định)")
_HEAD = re.compile(r"^(?:\d+\.\s*)?(.{12,90}?)\s+(?:gồm|bao gồm)(?: các [^:]{0,30})?:\s*$")
_ITEM = re.compile(r"^(?:[a-zđ]\)|\d+\.|\(\d+\)|-)\s*(.+)$")

AMOUNT_Q = ["Danh hiệu {t} được thưởng bao nhiêu lần mức lương cơ sở?", "{t} thì tiền thưởng bao nhiêu vậy?",
            "cho em hỏi mức thưởng {t} là bao nhiêu ạ"]
COUNT_Q = ["Muốn được {t} thì cần mấy {u} liên tục?", "Phải đạt bao nhiêu {u} liên tục mới được xét {t}?"]
DAYS_Q = ["Theo quy định về {h}, thời hạn là bao nhiêu ngày?", "{h}: trong bao lâu?"]
AUTH_Q = ["Ai có thẩm quyền quyết định tặng {t}?", "{t} do ai quyết định tặng vậy?"]
LIST_Q = ["{h} gồm những gì?", "cho hỏi {h} bao gồm những nội dung nào"]
CRIT_Q = ["Tiêu chuẩn danh hiệu {t} là gì?", "Muốn đạt {t} thì cần điều kiện gì ạ?"]


def _anchor(line: str, raw: str) -> str | None:
    """A substring of the line (15–80 characters) that occurs exactly once in the raw file."""
    words = line.split()
    for n in (10, 8, 6, 12):
        for i in range(0, max(1, len(words) - n + 1)):
            a = " ".join(words[i:i + n])
            if 15 <= len(a) <= 80 and raw.count(a) == 1:
                return a
    return None


def _short(item: str, words: int = 4) -> str:
    return " ".join(re.sub(r"[“”*]", "", item).split()[:words]).rstrip(",;:.")


def _heading(c: Chunk) -> str:
    h = c.breadcrumb[-1] if c.breadcrumb else ""
    h = re.sub(r"^Điều \d+\.\s*", "", h)
    return re.sub(r"[“”*]", "", h).strip()


def questions_from_chunk(c: Chunk, raw: str, rng: random.Random) -> list[dict[str, Any]]:
    """Templated questions for one legal passage, one per fact pattern found in its lines."""
    out: list[dict[str, Any]] = []
    lines = [x.strip() for x in c.text.split("\n") if x.strip()]

    def add(kind: str, templates: list[str], line: str, facts: list[str], **kw: str) -> None:
        a = _anchor(line, raw)
        if not a or not all(facts):
            return
        for tpl in templates:
            q = tpl.format(**kw)
            out.append({"question": q[:1].upper() + q[1:], "type": kind, "gen": True,
                        "gold": [{"file": c.source_file, "anchor": a, "citation": c.citation}], "key_facts": facts})

    for i, line in enumerate(lines):
        if m := _AMOUNT.search(line):
            add("amount", AMOUNT_Q, line, [f"{m.group(2)} lần"], t=m.group(1))
        if (m := _COUNT.search(line)) and (t := re.search(_TITLE, c.text)):
            add("count", COUNT_Q, line, [f"{m.group(1)} {m.group(2)}"], t=t.group(1), u=m.group(2))
        if (m := _DAYS.search(line)) and _heading(c):
            add("duration", DAYS_Q, line, [f"{m.group(1)} {m.group(2)}"], h=_heading(c).lower())
        if (m := _AUTH.search(line)) and (t := re.search(_TITLE, line)):
            add("authority", AUTH_Q, line, [_short(m.group(1), 6)], t=t.group(1))
        if (m := _HEAD.match(line)) and "…" not in line and i + 1 < len(lines):
            items = [im.group(1) for x in lines[i + 1:i + 4] if (im := _ITEM.match(x))]
            if len(items) >= 2:
                add("components", LIST_Q, line, [_short(x) for x in items[:2]], h=m.group(1).lower())
        if "tiêu chuẩn sau" in line and (t := re.search(_TITLE, line)) and i + 1 < len(lines):
            items = [im.group(1) for x in lines[i + 1:i + 3] if (im := _ITEM.match(x))]
            if items:
                add("criteria", CRIT_Q, line, [_short(x) for x in items], t=t.group(1))
    return out


def generate(knowledge: Any, seed: int = 11, per_type: int = 20) -> list[dict[str, Any]]:
    """Questions from the verbatim legal passages of the index (at most `per_type` of each answer type)."""
    rng = random.Random(seed)
    today = knowledge.today or date.today()
    raws: dict[str, str] = {}
    by_type: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for c in knowledge.searcher.chunks:
        if c.secondary or not c.meta or c.meta.kind == "plan" or not c.meta.in_force_on(today):
            continue
        raw = raws.setdefault(c.source_file, knowledge.raw_text(c.source_file) or "")
        for q in questions_from_chunk(c, raw, rng):
            if q["question"] not in seen:
                seen.add(q["question"])
                by_type.setdefault(q["type"], []).append(q)
    out = []
    for _kind, qs in sorted(by_type.items()):
        rng.shuffle(qs)
        out.extend(qs[:per_type])
    for i, q in enumerate(out, start=1):
        q["id"] = f"gen-{i:03d}"
    return out


def write_generated(make: Callable[[Any], list[dict[str, Any]]]) -> None:  # pragma: no cover - thin CLI wrapper
    """`python -m evals.<generator> OUT.jsonl`: generate from the configured index and write one question a line."""
    from assistant.config import get_settings
    from assistant.index.service import Knowledge

    out = Path(sys.argv[1])
    qs = make(Knowledge(get_settings()))
    out.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qs), "utf-8")
    print(f"{len(qs)} questions → {out}")


def main() -> None:  # pragma: no cover - thin CLI wrapper
    write_generated(generate)


if __name__ == "__main__":  # pragma: no cover
    main()
