"""Scoring exactly as ../shared/evals/README.md describes: anchor hits for retrieval, key facts for answers."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ABBR = {"ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân", "tp": "thành phố",
        "cstđcs": "chiến sĩ thi đua cơ sở", "cstđ": "chiến sĩ thi đua", "lđtt": "lao động tiên tiến",
        "ttlđtt": "tập thể lao động tiên tiến", "ttlđxs": "tập thể lao động xuất sắc",
        "hđtđkt": "hội đồng thi đua khen thưởng", "tđkt": "thi đua khen thưởng", "bhyt": "bảo hiểm y tế",
        "bhxh": "bảo hiểm xã hội", "ntm": "nông thôn mới", "qsdđ": "quyền sử dụng đất", "gcn": "giấy chứng nhận"}
TONE = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oé": "óe", "oè": "òe", "oẻ": "ỏe",
        "oẽ": "õe", "oẹ": "ọe", "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}


def norm(s: str) -> str:
    """The README's reference normalisation (verbatim)."""
    s = unicodedata.normalize("NFC", s).casefold()
    for a, b in TONE.items():
        s = s.replace(a, b)
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"[“”\"'‘’«»*`]", " ", s)
    s = re.sub(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", r"\1/\2/\3", s)
    s = re.sub(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\b", r"\1/\2", s)
    s = re.sub(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", lambda m: m.group(0).replace(".", "").replace(",", "."), s)
    s = re.sub(r"(\d),(\d)", r"\1.\2", s)
    s = re.sub(r"(\d+)\.(\d*?)0+(?!\d)", r"\1.\2", s)
    s = re.sub(r"(\d+)\.(?!\d)", r"\1", s)
    s = re.sub(r"(?<![\d.])0+(\d)", r"\1", s)
    s = re.sub(r"\s+%", "%", s)
    s = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", s)
    s = re.sub(r"[,;:()\[\]!?…]", " ", s)
    s = re.sub(r"\s*-\s*", " - ", s)
    for a, b in ABBR.items():
        s = re.sub(r"(?<!\w)" + re.escape(a) + r"(?!\w)", b, s)
    return re.sub(r"\s+", " ", s).strip()


def fact_hit(fact: str, answer: str) -> bool:
    a = norm(answer)
    return any(v and re.search(r"(?<![\w.])" + re.escape(v) + r"(?!\w)", a)
               for v in (norm(x) for x in fact.split("|")))


def load_questions(path: Path) -> list[dict[str, Any]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


@dataclass
class Retrieved:
    source_file: str
    text: str
    start: int
    end: int


def chunk_hits(r: Retrieved, gold: dict[str, str], raw_text: str | None) -> bool:
    """README rule 1 (anchor substring) or rule 2 (offset overlap with the anchor span in the raw file)."""
    if r.source_file != gold["file"]:
        return False
    anchor = gold["anchor"]
    if anchor in r.text:
        return True
    if raw_text is None:
        return False
    s = raw_text.find(anchor)
    if s < 0:
        return False
    e = s + len(anchor)
    return r.start < e and s < r.end


def retrieval_metrics(questions: list[dict[str, Any]], results: dict[str, list[Retrieved]],
                      raw: dict[str, str], k: int) -> dict[str, Any]:
    """hit@1, hit@k, full_recall@k, MRR over answerable questions; by type and for no-diacritic ones."""

    def one(q: dict[str, Any]) -> dict[str, float]:
        got = results.get(q["id"], [])[:k]
        first = None
        covered = set()
        for rank, r in enumerate(got, start=1):
            for gi, g in enumerate(q["gold"]):
                if chunk_hits(r, g, raw.get(g["file"])):
                    covered.add(gi)
                    if first is None:
                        first = rank
        return {"hit@1": float(first == 1), f"hit@{k}": float(first is not None),
                f"full_recall@{k}": float(len(covered) == len(q["gold"])), "mrr": 1.0 / first if first else 0.0}

    def agg(qs: Iterable[dict[str, Any]]) -> dict[str, Any]:
        rows = [one(q) for q in qs if q.get("gold")]
        if not rows:
            return {"n": 0}
        keys = rows[0].keys()
        return {"n": len(rows), **{key: round(sum(r[key] for r in rows) / len(rows), 4) for key in keys}}

    answerable = [q for q in questions if q.get("gold")]
    out = agg(answerable)
    out["by_type"] = {t: agg([q for q in answerable if q["type"] == t])
                      for t in sorted({q["type"] for q in answerable})}
    out["no_diacritics"] = agg([q for q in answerable if q.get("no_diacritics")])
    out["misses"] = [q["id"] for q in answerable if one(q)[f"hit@{k}"] == 0.0]
    return out
