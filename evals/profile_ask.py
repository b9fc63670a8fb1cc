"""Where a grounded answer's time goes: the bench's ask loop over an existing index, timed and under cProfile.

Usage (from the repository root, over the data dir of the settings, e.g. TDKT_DATA_DIR=.tdkt/test-index):
    python -m evals.profile_ask [--questions FILE] [--rounds 2] [--top 30] [--out ask.prof]
Each round asks every question once (as `tdkt bench` does), then searches each once; the printed p50/p95 come from
the unprofiled rounds, the function table from one more, profiled, round.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from pathlib import Path

from assistant.answer.service import AskService
from assistant.config import Settings
from assistant.index.service import Knowledge
from evals.bench import _pct
from evals.scoring import load_questions


def timed_round(ask: AskService, kn: Knowledge, questions: list[dict]) -> dict[str, float]:
    """Ask p50/p95 and search p50/p95 (ms) over the questions, each asked once and searched once."""
    asks, searches = [], []
    for q in questions:
        t = time.perf_counter()
        ask.ask(q["question"])
        asks.append(time.perf_counter() - t)
    for q in questions:
        t = time.perf_counter()
        kn.search(q["question"], k=5)
        searches.append(time.perf_counter() - t)
    return {"ask_ms_p50": _pct(asks, 0.5), "ask_ms_p95": _pct(asks, 0.95),
            "search_ms_p50": _pct(searches, 0.5), "search_ms_p95": _pct(searches, 0.95),
            "load_1min": round(os.getloadavg()[0], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=Path, default=None, help="questions .jsonl (default: ../shared/evals dev set)")
    ap.add_argument("--rounds", type=int, default=2, help="unprofiled rounds")
    ap.add_argument("--top", type=int, default=30, help="functions shown")
    ap.add_argument("--out", type=Path, default=None, help="also write the raw profile here")
    a = ap.parse_args()
    settings = Settings()
    qpath = a.questions or settings.knowledge_dir.parent.parent / "shared" / "evals" / "dev_questions.jsonl"
    questions = load_questions(qpath)
    kn = Knowledge(settings)
    kn.search("khởi động")  # model and BM25 loaded, as in a serving process
    ask = AskService(settings, kn)
    ask.ask("Tiêu chuẩn Lao động tiên tiến")
    for i in range(a.rounds):
        print(f"round {i + 1}: {timed_round(ask, kn, questions)}", flush=True)
    prof = cProfile.Profile()
    prof.enable()
    for q in questions:
        ask.ask(q["question"])
    prof.disable()
    if a.out:
        prof.dump_stats(a.out)
    st = pstats.Stats(prof)
    print(f"\nprofiled round ({len(questions)} asks), by cumulative time, project code:")
    st.sort_stats("cumulative").print_stats(r"assistant/", a.top)
    print("by own time, everything:")
    st.sort_stats("tottime").print_stats(a.top)


if __name__ == "__main__":
    main()
