"""Whether a named document is in force, or what replaced it, is answered from the registry's dates (each entry
with its basis) even when no passage matches the question well enough."""

from __future__ import annotations

from datetime import date


def test_what_replaced_a_document_is_answered_from_the_registry(ask_service) -> None:  # noqa: ANN001
    reg = ask_service.knowledge.registry
    old = next(d for d in reg.docs if d.replaced_by and d.in_force_to and d.files and d.doc_type == "thong-tu")
    new = reg.by_number(old.replaced_by)
    assert new is not None
    short = old.short_name.rsplit("/", 1)[0]  # "Thông tư 01/2024": no passage matches it well enough
    for q in (f"{old.short_name} được thay thế bởi văn bản nào?", f"{short} được thay thế bởi văn bản nào?"):
        a = ask_service.ask(q)
        assert not a.refused, a.answer
        assert a.conclusion and new.number in a.conclusion and old.in_force_to.strftime("%Y") in a.conclusion
    got = ask_service._registry_status(f"{short} được thay thế bởi văn bản nào?")
    assert got is not None and "registry.yaml" in got.answer and old.basis in got.answer  # with its basis


def test_a_registry_answer_is_only_for_validity_questions(ask_service) -> None:  # noqa: ANN001
    assert ask_service._registry_status("Thông tư 01/2024 quy định những gì về hồ sơ?") is None
    got = ask_service._registry_status("Thông tư 15/2025 có hiệu lực từ ngày nào?")
    assert got is not None and "05/8/2025" in (got.conclusion or "")
    assert ask_service.today >= date(2025, 8, 5)


def test_a_rule_asked_about_under_a_document_is_no_registry_question(ask_service) -> None:  # noqa: ANN001
    # the rule, not the document, is what the question asks about: the registry's dates do not answer it
    q = "Quy định tỷ lệ Chiến sĩ thi đua cơ sở trên số Lao động tiên tiến còn áp dụng theo Nghị định 152/2025 không?"
    assert ask_service._registry_status(q) is None
    assert ask_service._registry_status("Hiện nay Nghị định 98/2023 còn áp dụng không?") is not None
