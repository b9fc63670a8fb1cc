"""Questions generated from the corpus' own provisions (formal and chat-style) and their retrieval figures.

Every question is built from one Điều heading of a legal document in the index; its gold is that Điều's span
(file + raw offsets) in every document that carries the same heading. Informal variants add chat openers and
particles, the domain's abbreviations, "hạng 3" for "hạng Ba", a story before the question, or drop diacritics.
The generator's own phrase lists differ on purpose from knowledge/query.yaml (e.g. "a/c cho e hỏi", "mn ơi").
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from assistant.corpus.normalize import fold
from assistant.index.query import QueryNormaliser

_HEADING = re.compile(r"^Điều\s+\d+[a-zđ]?\.\s+(.+)$")
OPENERS = ["cho em hỏi", "ad ơi cho mình hỏi", "dạ cho em hỏi chút", "mn ơi", "a/c cho e hỏi", "xin hỏi",
           "chào ad, em muốn hỏi", "mọi người ơi cho em hỏi", ""]
CLOSERS = [" ạ", " với ạ", " ạ?", " nhé", " vậy ạ", " ad nhé", "", " ạ, em cảm ơn", " ạ. Thanks"]
STORIES = [
    "Em là cán bộ văn phòng Ủy ban nhân dân xã, mới nhận nhiệm vụ phụ trách thi đua khen thưởng.",
    "Cơ quan em năm nay có mấy đồng chí được đề nghị khen thưởng, em đang làm hồ sơ.",
    "Em làm ở trường tiểu học, năm học vừa rồi trường em có nhiều thành tích.",
    "Đơn vị mình đang họp bình xét cuối năm, có ý kiến khác nhau nên em hỏi cho chắc.",
    "Chị em mới chuyển công tác sang phòng nội vụ. Sếp giao rà soát lại các quy định.",
]
ORDINAL_DIGITS = {"nhất": "1", "nhì": "2", "ba": "3"}


@dataclass
class Provision:
    title: str  # the Điều heading without "Điều N."
    citation: str
    gold: list[dict[str, Any]] = field(default_factory=list)  # {"file", "start", "end"}
    text: str = ""


def provisions(chunks: list[Any], max_words: int = 18) -> list[Provision]:
    """One Provision per distinct Điều heading of the legal documents (same heading in two documents: one)."""
    by_title: dict[str, Provision] = {}
    spans: dict[tuple[str, str], list[int]] = {}
    for c in chunks:
        if not c.meta or c.meta.kind != "legal" or c.secondary or len(c.breadcrumb) < 2:
            continue
        m = _HEADING.match(c.breadcrumb[-1].strip())
        if not m:
            continue
        title = m.group(1).strip().rstrip(".:")
        if not 2 <= len(title.split()) <= max_words or title.endswith("/."):
            continue
        key = fold(re.sub(r"[“”\"]", "", title))
        p = by_title.setdefault(key, Provision(title, c.citation, text=c.text))
        s = spans.setdefault((key, c.source_file), [c.start, c.end])
        s[0], s[1] = min(s[0], c.start), max(s[1], c.end)
        if not any(g["file"] == c.source_file for g in p.gold):
            p.gold.append({"file": c.source_file})
    for (key, f), (a, b) in spans.items():
        for g in by_title[key].gold:
            if g["file"] == f:
                g["start"], g["end"] = a, b
    return list(by_title.values())


def formal_question(title: str, i: int) -> str:
    t = re.sub(r"[“”\"]", "", title)
    low = t[0].lower() + t[1:] if not t[:2].isupper() else t
    f = fold(t)
    if f.startswith(("ho so", "thanh phan")):
        return f"{t} gồm những gì?"
    if f.startswith("tham quyen"):
        return f"{t} thuộc về ai?"
    if f.startswith(("thoi han", "thoi gian")):
        return f"{t} là bao lâu?"
    if f.startswith(("tieu chuan", "dieu kien")):
        return f"{t} là gì?"
    if f.startswith("danh hieu"):
        return f"Tiêu chuẩn {low} thế nào?"
    return [f"Quy định về {low} như thế nào?", f"{t} được quy định ra sao?", f"Pháp luật quy định gì về {low}?"][i % 3]


def informalise(q: str, rng: random.Random, abbreviations: list[tuple[str, str]]) -> str:
    """A chat-style rewrite of a formal question (openers, particles, abbreviations, digits, story, no marks)."""
    body = q.rstrip("?")
    for long, short in sorted(abbreviations, key=lambda x: -len(x[0])):
        if rng.random() < 0.8:
            body = re.sub(r"(?<!\w)" + re.escape(long) + r"(?!\w)", short, body, flags=re.I)
    body = re.sub(r"(?<!\w)hạng (Nhất|Nhì|Ba)(?!\w)", lambda m: "hạng " + ORDINAL_DIGITS[m.group(1).lower()], body)
    opener = rng.choice(OPENERS)
    text = f"{opener} {body[0].lower() + body[1:]}" if opener else body
    text = text.strip() + rng.choice(CLOSERS)
    if not text.endswith("?") and rng.random() < 0.5:
        text += "?"
    if rng.random() < 0.35:
        text = f"{rng.choice(STORIES)} {text[0].upper() + text[1:]}"
    if rng.random() < 0.3:
        text = fold(text)
    return text


def build_set(chunks: list[Any], abbreviations: list[tuple[str, str]], seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i, p in enumerate(provisions(chunks)):
        q = formal_question(p.title, i)
        out.append({"id": f"f-{i:03d}", "form": "formal", "question": q, "gold": p.gold, "citation": p.citation})
        out.append({"id": f"i-{i:03d}", "form": "informal", "question": informalise(q, rng, abbreviations),
                    "gold": p.gold, "citation": p.citation})
    return out


def is_hit(hit: Any, gold: list[dict[str, Any]]) -> bool:
    c = hit.chunk
    return any(g["file"] == c.source_file and c.start < g["end"] and g["start"] < c.end for g in gold)


def retrieval_figures(searcher: Any, items: list[dict[str, Any]], k: int = 5) -> dict[str, Any]:
    """hit@1 / hit@k per form (formal, informal)."""
    res: dict[str, Any] = {}
    for form in sorted({it["form"] for it in items}):
        sub = [it for it in items if it["form"] == form]
        h1 = hk = 0
        misses = []
        for it in sub:
            hits = searcher.search(it["question"], k=k)
            ok = [is_hit(h, it["gold"]) for h in hits]
            h1 += bool(ok[:1] and ok[0])
            hk += any(ok)
            if not any(ok):
                misses.append(it["id"])
        res[form] = {"n": len(sub), "hit@1": round(h1 / max(1, len(sub)), 4),
                     f"hit@{k}": round(hk / max(1, len(sub)), 4), "misses": misses}
    return res


def evaluate_informal(knowledge: Any, vocab: dict[str, Any], k: int = 5, seed: int = 7) -> dict[str, Any]:
    """Figures with the query normaliser on and off, on the generated formal/informal set."""
    s = knowledge.searcher
    abbr = [(a["long"], a["short"]) for a in vocab.get("abbreviations") or []]
    items = build_set(s.chunks, abbr, seed)
    on = retrieval_figures(s, items, k)
    saved = s.normaliser
    try:
        s.normaliser = QueryNormaliser({})
        off = retrieval_figures(s, items, k)
    finally:
        s.normaliser = saved
    return {"n": len(items), "k": k, "seed": seed, "normalised": on, "not_normalised": off,
            "examples": [it["question"] for it in items if it["form"] == "informal"][:8]}
