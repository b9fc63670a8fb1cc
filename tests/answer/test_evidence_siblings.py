"""The asked slot is looked up in the retrieved passages' siblings (the other khoản of their Điều), as the answer
does (siblings.py), on the real index: a question whose value sits only in a sibling khoản is not "slot missing"."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT, TODAY, narrow_decider_patterns

from assistant.answer.evidence import Evidence, Words
from assistant.answer.siblings import sibling_passages

KNOW = ROOT / "knowledge"
LAW = "luat-06-2022-qh15.md"


@pytest.fixture(scope="module")
def evidence(knowledge) -> Evidence:  # noqa: ANN001
    return Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))


@pytest.fixture(scope="module")
def narrow(knowledge) -> Evidence:  # noqa: ANN001
    """The evidence checks with decider patterns that do not read "do X quy định" as a decider: every khoản of the
    law's article on deciders states one otherwise, and the case of a retrieved khoản without a decider whose
    sibling has one would not arise on this corpus."""
    words = Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml")
    words.types.answer["authority"] = narrow_decider_patterns(words)
    return Evidence(knowledge.searcher, words)


def _decider_khoan(knowledge, title: str, pats: list[re.Pattern[str]]):  # noqa: ANN001, ANN202
    """The khoản of the law's Điều on who decides the titles that names `title` with a decider."""
    return [c for c in knowledge.searcher.chunks if c.source_file == LAW and not c.secondary
            and f"“{title}”" in c.text and any(p.search(c.text) and "quyết định tặng" in c.text for p in pats)]


@pytest.mark.parametrize(("title", "q"), [
    ("Lao động tiên tiến", "Ai có thẩm quyền quyết định tặng Lao động tiên tiến?"),
    ("Tập thể lao động tiên tiến", "Tập thể lao động tiên tiến do cấp nào quyết định?"),
])
def test_decider_in_a_sibling_khoan_counts_as_the_asked_slot(narrow: Evidence, knowledge, title: str,  # noqa: ANN001
                                                             q: str) -> None:
    evidence = narrow
    holders = _decider_khoan(knowledge, title, evidence.w.types.answer["authority"])
    assert holders, "the law names who decides the title"
    pats = evidence.w.types.answer["authority"]
    # the retrieval finds a decider itself (the authority answer slot); the passages retrieved without any
    # passage stating a decider are the case of this test (before the sibling lookup: slot_missing 1, reason
    # "không nêu …")
    assert any(p.search(h.chunk.text) for h in knowledge.search(q, k=5) for p in pats)
    plain = [h for h in knowledge.search(q, k=40) if not any(p.search(h.chunk.text) for p in pats)]
    arts = {(c.source_file, c.label.get("dieu")) for c in holders}
    near = [h for h in plain if (h.chunk.source_file, h.chunk.label.get("dieu")) in arts]
    assert near, "another khoản of the decider's Điều is retrieved"
    hits = (near[:1] + [h for h in plain if h not in near[:1]])[:5]
    # … but a retrieved passage's Điều does, in another khoản that names the title
    sib = {c.chunk_id for h in hits for c in sibling_passages(h.chunk, evidence.by_file, set())}
    assert any(c.chunk_id in sib for c in holders)
    feats, reasons, _, _ = evidence.checks(q, hits, TODAY.year)
    assert feats["slot_asked"] == 1.0 and feats["slot_missing"] == 0.5, feats
    assert feats["slot_far"] == 0.0  # the decider sentence names the asked title
    assert not any("thẩm quyền" in r for r in reasons)
    assert evidence.assess(q, hits, TODAY.year).supported


def test_wider_passages_keep_the_hits_first_and_add_each_sibling_once(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    hits = knowledge.search("Ai có thẩm quyền quyết định tặng Lao động tiên tiến?", k=5)
    wider = evidence.wider_passages(hits)
    assert [c.chunk_id for c in wider[:len(hits)]] == [h.chunk.chunk_id for h in hits]
    assert len({c.chunk_id for c in wider}) == len(wider) > len(hits)
    # siblings come from the documents of the hits, from the same Điều
    keys = {(h.chunk.source_file, h.chunk.label.get("dieu")) for h in hits}
    assert all((c.source_file, c.label.get("dieu")) in keys for c in wider)
