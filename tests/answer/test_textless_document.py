"""A question about what a document says whose text the corpus lacks is refused by name, with the closest
passages; a question about that document itself (validity, date) is still answered from the registry."""

from __future__ import annotations


def test_the_first_document_a_question_names_is_found_by_position(ask_service) -> None:  # noqa: ANN001
    reg = ask_service.knowledge.registry
    assert reg.first_named("Nghị định 152/2025 hay Thông tư 15/2025 quy định mẫu?").number == "152/2025/NĐ-CP"
    assert reg.first_named("Thông tư 15/2025 hay Nghị định 152/2025 quy định mẫu?").number == "15/2025/TT-BNV"
    assert reg.first_named("Tiêu chuẩn Lao động tiên tiến là gì?") is None


def test_content_of_a_document_without_text_is_refused_by_name(ask_service) -> None:  # noqa: ANN001
    reg = ask_service.knowledge.registry
    textless = [d for d in reg.docs if not d.files and not d.in_force_to]
    assert textless  # the registry knows documents the corpus has no text of (each with its basis)
    d = reg.by_number("15/2025/TT-BNV")
    assert d is not None and not d.files
    a = ask_service.ask("Thông tư 15/2025/TT-BNV quy định hồ sơ đề nghị tặng Bằng khen gồm những gì?")
    assert a.refused and a.mode == "refusal", a.answer
    assert a.answer.startswith(f"Kho chưa có toàn văn {d.short_name}"), a.answer[:200]
    assert a.citations and "tdkt ingest" in a.answer  # the closest passages, and how to add the text


def test_a_question_about_the_textless_document_itself_is_not_refused_for_it(ask_service) -> None:  # noqa: ANN001
    for q in ("Thông tư 15/2025/TT-BNV có hiệu lực từ ngày nào?", "Thông tư 15/2025 thay thế văn bản nào?"):
        assert not ask_service._asks_textless(q, ask_service._missing(q)), q
    q = "Thông tư 15/2025/TT-BNV quy định mẫu báo cáo thành tích thế nào?"
    assert ask_service._asks_textless(q, ask_service._missing(q))
    a = ask_service.ask("Thông tư 15/2025 có hiệu lực từ ngày nào?")
    assert not a.refused, a.answer
    assert "05/8/2025" in a.answer  # the registry's date (basis in knowledge/registry.yaml)


def test_content_of_a_document_the_corpus_only_cites_is_refused_by_number(ask_service) -> None:  # noqa: ANN001
    kn = ask_service.knowledge
    indexed = {m.number for m in kn.documents() if m.number}
    cited = "05/2024/QĐ-UBND"  # cited in the Bình Sơn plan's grounds ("Căn cứ Quyết định 05/2024/QĐ-UBND …")
    assert cited not in indexed and not any(d.number == cited for d in kn.registry.docs)
    assert any(cited in c.text for c in kn.searcher.chunks)
    a = ask_service.ask(f"Theo Quyết định {cited} thì tiêu chuẩn xét tặng Cờ thi đua là gì?")
    assert a.refused and a.answer.startswith(f"Kho chưa có toàn văn văn bản số {cited}"), a.answer[:200]
    assert "tdkt ingest" in a.answer and a.citations
    # a document the corpus holds, named by its number, is answered; validity questions are not this path's
    assert ask_service._unindexed_named("Theo Nghị định 152/2025/NĐ-CP thì LĐTT được thưởng bao nhiêu?") is None
    assert ask_service._unindexed_named(f"Quyết định {cited} còn hiệu lực không?") is None
