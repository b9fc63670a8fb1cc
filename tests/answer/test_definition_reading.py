"""A meaning is asked of a concept: "X là gì?" where X carries a year, a place or a document number asks a fact
(a plan's theme, a target), not a definition, so the definition check does not hold it against the passages."""

from __future__ import annotations

from helpers import ROOT

from assistant.answer.evidence import Evidence, Words

KNOW = ROOT / "knowledge"


def test_concrete_questions_ask_no_meaning(knowledge) -> None:  # noqa: ANN001
    ev = Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))
    assert ev.defined_term("Văn bản hành chính là gì?") == "van ban hanh chinh"
    plans = [c.meta for c in knowledge.searcher.chunks if c.meta and c.meta.kind == "plan" and c.meta.locality
             and c.meta.year]
    assert plans
    for m in {(p.locality, p.year): p for p in plans}.values():
        assert ev.defined_term(f"Chủ đề thi đua năm {m.year} của {m.locality} là gì?") is None
        assert ev.defined_term(f"Khẩu hiệu thi đua của {m.locality} là gì?") is None
    assert ev.defined_term("Chủ đề thi đua của tỉnh Kon Tum là gì?") is None
    assert ev.defined_term("Mục tiêu của Kế hoạch 21/KH-UBND là gì?") is None
