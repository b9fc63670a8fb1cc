"""A local plan's passages count as named when the question names the plan by its number, not only by its place
(the local_unnamed feature of the abstention score)."""

from __future__ import annotations

from helpers import ROOT

from assistant.answer.evidence import Evidence, Words
from assistant.corpus.normalize import fold

KNOW = ROOT / "knowledge"


def test_naming_the_plans_number_names_its_locality(knowledge) -> None:  # noqa: ANN001
    ev = Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))
    plans = {c.source_file: c.meta for c in knowledge.searcher.chunks
             if c.meta and c.meta.kind == "plan" and c.meta.number and c.meta.locality and "/" in c.meta.number}
    assert plans
    checked = 0
    for f, m in sorted(plans.items()):
        by_number = f"Kế hoạch số {m.number} gồm những mục lớn nào?"
        if fold(m.locality) in fold(by_number):
            continue
        hits = [h for h in knowledge.search(by_number, k=5) if h.chunk.source_file == f]
        if not hits:
            continue
        assert ev.local_unnamed(by_number, hits) == 0.0, by_number
        assert ev.local_unnamed("Kế hoạch gồm những mục lớn nào?", hits) == 1.0
        checked += 1
    assert checked


def test_a_province_the_corpus_lacks_still_counts_as_named(knowledge) -> None:  # noqa: ANN001
    """Another province's regulation does not answer a question placed in a province of its own, even one no document
    of the corpus comes from (named as 'tỉnh <Name>')."""
    ev = Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))
    place = next(p for p in ("Kon Tum", "Điện Biên", "Sóc Trăng") if fold(p) not in knowledge.searcher.localities)
    general = "Cơ quan thường trực của Hội đồng Thi đua - Khen thưởng tỉnh là cơ quan nào?"
    hits = [h for h in knowledge.search(general, k=5) if h.chunk.meta and h.chunk.meta.level == "tinh"
            and h.chunk.meta.kind != "plan"]
    assert hits
    assert ev.local_unnamed(general, hits) == 0.0
    assert ev.local_unnamed(f"Ở tỉnh {place}, cơ quan thường trực của Hội đồng tỉnh là cơ quan nào?", hits) == 1.0
