"""Retrieval evaluation of the tdkt pipeline (and optionally the baseline) on a questions file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant.index.service import Knowledge
from evals.scoring import Retrieved, load_questions, retrieval_metrics


def run_ours(knowledge: Knowledge, questions: list[dict[str, Any]], k: int) -> tuple[dict[str, list[Retrieved]],
                                                                                     list[float]]:
    results: dict[str, list[Retrieved]] = {}
    lat: list[float] = []
    for q in questions:
        t = time.perf_counter()
        hits = knowledge.search(q["question"], k=k)
        lat.append(time.perf_counter() - t)
        results[q["id"]] = [Retrieved(h.chunk.source_file, h.chunk.text, h.chunk.start, h.chunk.end) for h in hits]
    return results, lat


def raw_texts(knowledge: Knowledge) -> dict[str, str]:
    out = {}
    for m in knowledge.documents():
        t = knowledge.raw_text(m.source_file)
        if t is not None:
            out[m.source_file] = t
    return out


def evaluate_retrieval(knowledge: Knowledge, questions_path: Path, k: int = 5) -> dict[str, Any]:
    questions = load_questions(questions_path)
    results, lat = run_ours(knowledge, questions, k)
    return retrieval_metrics(questions, results, raw_texts(knowledge), k)
