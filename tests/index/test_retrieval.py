"""Hybrid retrieval on the real corpus: diacritics, document numbers, localities, validity, filters."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import EVALS
from langchain_core.retrievers import BaseRetriever

from assistant.index.retriever import Filters


def _cites(hits) -> list[str]:  # noqa: ANN001
    return [h.chunk.citation for h in hits]


def test_no_diacritics_finds_the_same_article(knowledge) -> None:  # noqa: ANN001
    a = knowledge.search("tiêu chuẩn danh hiệu chiến sĩ thi đua cơ sở", k=3)
    b = knowledge.search("tieu chuan danh hieu chien si thi dua co so", k=3)
    assert "Điều 23" in a[0].chunk.citation
    assert any("Điều 23" in c for c in _cites(b))


def test_locality_and_year_rank_the_right_plan(knowledge) -> None:  # noqa: ANN001
    hits = knowledge.search("Tỷ lệ gia đình văn hóa của Bình Sơn năm 2025", k=3)
    assert hits[0].chunk.source_file == "001_53c0be273c9cb1a6.txt"
    assert "85%" in hits[0].chunk.text


def test_validity_question_prefers_the_repealing_provision(knowledge) -> None:  # noqa: ANN001
    hits = knowledge.search("Nghị định 98/2023/NĐ-CP còn hiệu lực không?", k=3)
    assert any("Điều 59" in c and "152/2025" in c for c in _cites(hits))


def test_filters_restrict_results(knowledge) -> None:  # noqa: ANN001
    hits = knowledge.search("chỉ tiêu thi đua", k=10, filters=Filters(kind="plan", year=2024))
    assert hits and all(h.chunk.meta.kind == "plan" and h.chunk.meta.year == 2024 for h in hits)
    hits = knowledge.search("mức tiền thưởng", k=10, filters=Filters(in_force_on=date(2026, 1, 1)))
    assert all(h.chunk.meta.source_file != "nd-98-2023.md" for h in hits)
    assert knowledge.search("mức tiền thưởng", filters=Filters(locality="Không Có")) == []
    hits = knowledge.search("chỉ tiêu", k=20, filters=Filters(exclude_files=["001_53c0be273c9cb1a6.txt"]))
    assert all(h.chunk.source_file != "001_53c0be273c9cb1a6.txt" for h in hits)


def test_langchain_retriever_interface(knowledge) -> None:  # noqa: ANN001
    r = knowledge.retriever(k=2)
    assert isinstance(r, BaseRetriever)
    docs = r.invoke("Hội đồng Thi đua - Khen thưởng tỉnh Bắc Ninh họp định kỳ")
    assert len(docs) == 2 and docs[0].metadata["source_file"] and docs[0].metadata["citation"]
    assert docs[0].metadata["end"] > docs[0].metadata["start"]


def test_empty_query_returns_nothing(knowledge) -> None:  # noqa: ANN001
    assert knowledge.search("   ") == []


@pytest.mark.skipif(not EVALS.exists(), reason="dev questions not present")
def test_dev_retrieval_quality_floor(knowledge) -> None:  # noqa: ANN001
    """Guards against regressions; the measured figures are reported by `tdkt eval retrieval`."""
    from evals.retrieval import evaluate_retrieval

    res = evaluate_retrieval(knowledge, EVALS, k=5)
    assert res["hit@5"] >= 0.85 and res["no_diacritics"]["hit@5"] >= 0.75
