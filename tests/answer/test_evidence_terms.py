"""The term a definition question asks and a title with a list inside its name, as the abstention checks read them."""

from __future__ import annotations

import pytest
from helpers import ROOT

from assistant.answer.evidence import Evidence, Words
from assistant.corpus.normalize import fold

KNOW = ROOT / "knowledge"


@pytest.fixture(scope="module")
def evidence(knowledge) -> Evidence:  # noqa: ANN001
    return Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))


@pytest.mark.parametrize(("q", "term"), [
    ("Theo quy định, khen thưởng được hiểu như thế nào?", "khen thuong"),
    ("Cho hỏi, “bản sao y” là gì?", "ban sao y"),
    ("Thế nào là văn bản điện tử?", "van ban dien tu"),
    ("Chiến sĩ thi đua bộ, ban, ngành, tỉnh là gì?", "chien si thi dua bo, ban, nganh, tinh"),  # the list stays whole
    ("Tiêu chuẩn danh hiệu Chiến sĩ thi đua Bộ, ban, ngành, tỉnh là gì?", None),  # criteria: a list, not a meaning
    ("Bình Sơn năm 2024: mục tiêu chung trong kế hoạch là gì?", None),  # what it is inside the plan
])
def test_defined_term(evidence: Evidence, q: str, term: str | None) -> None:
    assert evidence.defined_term(q) == term


def test_a_title_with_a_list_in_its_name_is_found_in_the_passage(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    q = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua Bộ, ban, ngành, tỉnh là gì?"
    hits = knowledge.search(q, k=5)
    assert any("chien si thi dua bo, ban, nganh, tinh" in fold(h.chunk.text) for h in hits)
    feats, reasons, _, _ = evidence.checks(q, hits, 2026)
    assert feats["entity_missing"] == 0.0 and feats["definition_missing"] == 0.0, reasons


@pytest.mark.parametrize("q", ["Xã phường tiêu biểu được thưởng mấy lần lương cơ sở?",
                               "xa phuong tieu bieu duoc thuong may lan luong co so"])
def test_interrogatives_are_no_content_terms(evidence: Evidence, q: str) -> None:
    assert "may" not in evidence.terms(q)
