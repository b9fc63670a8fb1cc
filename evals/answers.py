"""Answer evaluation: key-fact coverage, refusal accuracy, false refusals, citation hits, validity warnings."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from assistant.answer.llm_answer import llm_outcome
from assistant.answer.service import AskService
from evals.scoring import Retrieved, chunk_hits, fact_hit, load_questions

# A refusal must say the corpus has no basis; used to score unanswerable questions.
OPENING_CHARS = 400  # the opening scored by lead-fact coverage (issue 8)
REFUSAL_PHRASES = ("không tìm thấy căn cứ", "không tìm thấy thông tin", "không có trong kho", "không có căn cứ")


def is_refusal(answer: dict[str, Any]) -> bool:
    text = answer["answer"].lower()
    return bool(answer.get("refused")) or any(p in text for p in REFUSAL_PHRASES)


def evaluate_answers(ask: AskService, questions_path: Path, llm: Any = None) -> dict[str, Any]:
    questions = load_questions(questions_path)
    raw = {m.source_file: ask.knowledge.raw_text(m.source_file) or "" for m in ask.knowledge.documents()}
    rows = []
    llm_stats: list[tuple[float, int, float]] = []  # (time to first token, pieces, generation seconds)
    outcomes = {"model": 0, "fallback": 0, "timeout": 0, "refused": 0, "verdict": 0}  # how answers used the model (--llm)
    for q in questions:
        t = time.perf_counter()
        first: float | None = None
        pieces = 0
        final = None
        for ev in ask.ask_stream(q["question"], llm=llm):
            if ev.type == "token":
                pieces += 1
                first = first if first is not None else time.perf_counter() - t
            elif ev.type == "final":
                final = ev.answer
        assert final is not None
        a = final.model_dump()
        dt = time.perf_counter() - t
        outcome = llm_outcome(final) if llm is not None else None
        if outcome:
            outcomes[outcome] += 1
        generated = final.mode == "llm" or any("không kiểm chứng" in n for n in final.notes)
        if llm is not None and generated and first is not None:
            llm_stats.append((first, pieces, max(1e-6, dt - first)))
        refused = is_refusal(a)
        row: dict[str, Any] = {"id": q["id"], "type": q["type"], "refused": refused, "seconds": round(dt, 3),
                               "mode": final.mode}
        if q["type"] == "unanswerable":
            invented = bool(re.search(r"\d", _strip_refs(a))) and not refused
            row["refusal_ok"] = refused and not invented
        else:
            facts = q.get("key_facts", [])
            hit = [f for f in facts if fact_hit(f, a["answer"])]
            row["coverage"] = len(hit) / len(facts) if facts else 1.0
            lead = opening(a["answer"])
            row["lead_coverage"] = sum(fact_hit(f, lead) for f in facts) / len(facts) if facts else 1.0
            row["missing_facts"] = [f for f in facts if f not in hit]
            cites = [Retrieved(c["source_file"], c["quote"], c["start"], c["end"]) for c in a["citations"]]
            row["citation_hit"] = any(chunk_hits(c, g, raw.get(g["file"])) for c in cites for g in q["gold"])
            if q["type"] == "validity":
                row["has_warning"] = bool(a["warnings"]) or "hết hiệu lực" in a["answer"]
        rows.append(row)
    ans = [r for r in rows if r["type"] != "unanswerable"]
    una = [r for r in rows if r["type"] == "unanswerable"]

    def mean(xs: list[float]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    by_type: dict[str, Any] = {}
    for t in sorted({r["type"] for r in rows}):
        rs = [r for r in rows if r["type"] == t]
        if t == "unanswerable":
            by_type[t] = {"n": len(rs), "refusal_accuracy": mean([float(r["refusal_ok"]) for r in rs])}
        else:
            by_type[t] = {"n": len(rs), "lead_fact_coverage": mean([r["lead_coverage"] for r in rs]),
                          "key_fact_coverage": mean([r["coverage"] for r in rs]),
                          "citation_hit": mean([float(r["citation_hit"]) for r in rs]),
                          "false_refusals": sum(r["refused"] for r in rs)}
    lat = sorted(r["seconds"] for r in rows)
    return {
        "n": len(rows),
        "lead_fact_coverage": mean([r["lead_coverage"] for r in ans]),
        "key_fact_coverage": mean([r["coverage"] for r in ans]),
        "refusal_accuracy": mean([float(r["refusal_ok"]) for r in una]),
        "false_refusal_rate": mean([float(r["refused"]) for r in ans]),
        "citation_hit": mean([float(r["citation_hit"]) for r in ans]),
        "validity_warnings": f"{sum(r.get('has_warning', False) for r in ans)}/"
                             f"{sum(1 for r in ans if r['type'] == 'validity')}",
        "by_type": by_type,
        "latency_p50": lat[len(lat) // 2] if lat else None,
        "llm_answers": len(llm_stats),
        "llm_outcomes": outcomes if llm is not None else None,
        "llm_ttft_p50_s": round(sorted(x[0] for x in llm_stats)[len(llm_stats) // 2], 2) if llm_stats else None,
        "llm_tokens_per_s": round(sum(x[1] for x in llm_stats) / sum(x[2] for x in llm_stats), 2)
        if llm_stats else None,
        "latency_p95": lat[int(len(lat) * 0.95) - 1] if lat else None,
        "lead_misses": [r["id"] for r in ans if r["lead_coverage"] < r["coverage"]],
        "failures": [r for r in rows if r.get("coverage", 1.0) < 1.0 or r.get("refusal_ok") is False
                     or (r["type"] != "unanswerable" and (r["refused"] or not r["citation_hit"]))],
    }


def opening(answer: str, max_chars: int = OPENING_CHARS) -> str:
    """The answer's opening: text before its first verbatim quote “ or first blank line, at most 400 characters."""
    cut = len(answer)
    for mark in ("“", "\n\n"):
        i = answer.find(mark)
        if i >= 0:
            cut = min(cut, i)
    return answer[: min(cut, max_chars)]


def _strip_refs(a: dict[str, Any]) -> str:
    # the refusal lists the closest passages; only the sentence before them counts as the answer
    return a["answer"].split("\n\n")[0]
