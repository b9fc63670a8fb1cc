"""Evidence's corpus statistics are streamed: no per-chunk feature sets are kept, and a view's IDF is exact."""

from __future__ import annotations

import math
from collections import Counter

from helpers import ROOT

from assistant.answer.evidence import Evidence, Words

KNOW = ROOT / "knowledge"


def _idf_brute(ev: Evidence) -> dict[str, float]:
    df: Counter[str] = Counter()
    for i in ev.visible:
        df.update(Evidence._features_of(ev.s.folded[i]))
    n = max(1, len(ev.visible))
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}


def test_idf_without_per_chunk_sets_and_views_match_a_recount(knowledge) -> None:  # noqa: ANN001
    ev = Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))
    assert ev.idf == _idf_brute(ev)
    assert "chunk_features" not in ev.__dict__  # a server never holds one set per chunk
    hidden = [m.source_file for m in knowledge.documents() if "ha-noi" in m.source_file]
    assert hidden
    reduced = ev.view(hidden)
    assert len(reduced.visible) < len(ev.visible)
    assert reduced.idf == _idf_brute(reduced) and reduced.idf != ev.idf
    assert reduced.view(hidden[:1]).idf == _idf_brute(reduced.view(hidden[:1]))
