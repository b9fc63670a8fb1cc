"""A clause that covers only those the other clauses leave out ("… không thuộc đối tượng quy định tại khoản 1 và
khoản 2 Điều này") leads an answer only when the question names one of the groups it lists."""

from __future__ import annotations

from datetime import date

from helpers import ROOT

from assistant.answer.evidence import Words
from assistant.answer.lead import LeadContext, residual_unnamed
from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold
from assistant.index.retriever import QueryInfo

RESIDUAL = ("3. Danh hiệu “Lao động tiên tiến” để tặng cho công nhân, nông dân, người lao động không thuộc đối tượng "
            "quy định tại khoản 1 và khoản 2 Điều này và đạt các tiêu chuẩn sau đây:\na) Lao động, sản xuất có hiệu quả")


def _ctx(question: str) -> LeadContext:
    words = Words.load(ROOT / "knowledge" / "ask.yaml", ROOT / "knowledge" / "retrieval.yaml")
    info = QueryInfo(question, fold(question), True, set(), set(), set(), set(), False)
    return LeadContext(info, False, date(2026, 11, 21), residual_markers=words.residual)


def test_residual_clause_is_known_and_its_groups_read() -> None:
    c = Chunk("c", "d", "f.md", RESIDUAL, "Khoản 3 Điều 24", ["Điều 24"], 0, len(RESIDUAL))
    assert residual_unnamed(c, _ctx("Tiêu chuẩn Lao động tiên tiến là gì?"))
    assert not residual_unnamed(c, _ctx("Tôi là nông dân, muốn được Lao động tiên tiến cần gì?"))
    assert not residual_unnamed(c, _ctx("Công nhân được xét Lao động tiên tiến khi nào?"))
    plain = Chunk("c", "d", "f.md", "1. Danh hiệu “Lao động tiên tiến” để tặng cho cán bộ, công chức", "K1", ["Điều 24"],
                  0, 10)
    assert not residual_unnamed(plain, _ctx("Tiêu chuẩn Lao động tiên tiến là gì?"))


def test_every_residual_clause_of_the_corpus_names_its_groups(knowledge) -> None:  # noqa: ANN001
    """Each clause of the corpus written as a residual lists at least one group before the marker (so that a
    question naming it lets the clause lead)."""
    ctx = _ctx("câu hỏi không nêu nhóm nào")
    residual = [c for c in knowledge.searcher.chunks if any(m in fold(c.text) for m in ctx.residual_markers)]
    assert residual
    for c in residual:
        assert residual_unnamed(c, ctx), c.citation


def test_general_clause_leads_when_the_asker_names_no_group(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Tôi muốn được xét Lao động tiên tiến năm nay thì có đủ điều kiện không?")
    assert not a.refused
    assert not any(m in fold(a.citations[0].quote) for m in _ctx("").residual_markers), a.citations[0].citation
    b = ask_service.ask("Tôi là nông dân, muốn được xét Lao động tiên tiến thì cần tiêu chuẩn gì?")
    assert "nong dan" in fold(b.citations[0].quote), b.citations[0].citation
