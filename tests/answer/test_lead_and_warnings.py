"""Lead selection (scope, validity), missing provisions, warnings only for relied-on documents, plain refusals."""

from __future__ import annotations

import pytest

from assistant.answer.compose import plain_reasons


def test_provincial_rule_is_labelled_when_the_question_names_no_province(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Cơ quan thường trực của Hội đồng Thi đua - Khen thưởng tỉnh là cơ quan nào?")
    lead = a.citations[0]
    assert lead.source_file.startswith("qd-86-2025") and lead.scope == "Quy định riêng của tỉnh Bắc Ninh"
    assert a.conclusion.startswith("Quy định riêng của tỉnh Bắc Ninh: ")
    assert "(Quy định riêng của tỉnh Bắc Ninh)" in a.answer.split("\n\n")[1]


def test_provincial_rule_is_not_labelled_when_the_question_names_the_province(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Ở Bắc Ninh, cơ quan thường trực của Hội đồng Thi đua - Khen thưởng tỉnh là cơ quan nào?")
    assert a.citations[0].source_file.startswith("qd-86-2025") and a.citations[0].scope is None
    assert "Quy định riêng" not in a.conclusion


def test_in_force_decree_leads_over_the_expired_one_saying_the_same(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Danh hiệu Chiến sĩ thi đua cơ sở được thưởng bao nhiêu lần mức lương cơ sở?")
    assert a.citations[0].source_file == "nd-152-2025.md" and a.citations[0].in_force
    assert "1,0 lần mức lương cơ sở" in a.conclusion
    assert not any("98/2023" in w for w in a.warnings), "NĐ 98 is at most a supporting passage: no warning"


def test_an_expired_decree_the_question_names_is_said_first(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Theo NĐ 98/2023, Chiến sĩ thi đua cơ sở được thưởng bao nhiêu lần lương cơ sở?")
    assert a.conclusion.startswith("Nghị định 98/2023/NĐ-CP đã hết hiệu lực từ 01/7/2025")
    assert "152/2025" in a.conclusion and any("98/2023" in w for w in a.warnings)


def test_plan_does_not_lead_a_legal_question(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?")
    m = ask_service.knowledge.doc_meta(a.citations[0].source_file)
    assert m.kind == "legal" and m.level == "trung-uong"


def test_missing_article_is_named_with_how_to_add_it(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Điều 25 Luật Thi đua, khen thưởng 2022 quy định gì?")
    assert a.refused
    assert a.answer.startswith("Kho chưa có toàn văn Điều 25 Luật Thi đua, khen thưởng 2022.")
    assert "tdkt ingest" in a.answer and "/documents" in a.answer


def test_present_article_is_not_called_missing(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Điều 23 Luật Thi đua, khen thưởng 2022 quy định gì?")
    assert not a.refused and "Kho chưa có" not in a.answer


def test_document_without_text_is_named_in_the_opening(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Thông tư 15/2025/TT-BNV quy định gì về hồ sơ khen thưởng?")
    assert "Kho chưa có toàn văn Thông tư 15/2025/TT-BNV." in (a.conclusion or "")
    assert "tdkt ingest" in a.answer


def test_expired_decree_only_under_see_also_gets_no_warning(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Danh hiệu Chiến sĩ thi đua toàn quốc được thưởng bao nhiêu lần mức lương cơ sở?")
    assert a.citations[0].in_force
    see_also = [c for c in a.citations[1:] if not c.in_force]
    if see_also:  # shown as expired in place, not as a warning about the answer
        assert "văn bản đã hết hiệu lực" in a.answer.split("Xem thêm:", 1)[1]
    assert not any("98/2023" in w for w in a.warnings)


def test_amendment_note_once_per_conversation(ask_service, store) -> None:  # noqa: ANN001
    cid = store.new_conversation("test", "u-amend")
    first = ask_service.ask("Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?", conversation_id=cid)
    second = ask_service.ask("Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?", conversation_id=cid)
    amend = [w for w in first.warnings if "sửa đổi, bổ sung" in w]
    assert amend and not any("sửa đổi, bổ sung" in w for w in second.warnings)


@pytest.mark.parametrize("reasons,expected", [
    (["các đoạn liên quan không nói về “ho so”"], "các đoạn liên quan không nói về “Hồ sơ”"),
    (["mức khớp nội dung thấp (0.21)"], "các đoạn tìm được chỉ khớp một phần nhỏ nội dung câu hỏi"),
])
def test_refusal_reasons_in_plain_vietnamese(reasons: list[str], expected: str) -> None:
    assert plain_reasons(reasons, "Hồ sơ đề nghị tặng Huân chương Độc lập gồm những gì?") == [expected]


def test_list_subject_is_the_head_noun_before_gom() -> None:
    from assistant.answer.conclusion import list_subject

    assert list_subject("Hồ sơ đề nghị xét tặng Cờ thi đua của Chính phủ gồm những gì?") == "ho so"
    assert list_subject("Ở Hà Nội, thành phần Hội đồng xét tặng bao gồm những ai?") == "thanh phan"
    assert list_subject("Tiêu chuẩn Lao động tiên tiến là gì?") is None


def test_a_passage_holding_the_asked_list_leads_over_one_sharing_more_words(ask_service) -> None:  # noqa: ANN001
    # the standards article shares the title's words; the dossier article holds the asked enumeration
    q = "Hồ sơ đề nghị xét tặng Công dân Thủ đô ưu tú cần những giấy tờ gì, gồm những gì?"
    a = ask_service.ask(q)
    lead = a.citations[0]
    assert "Điều 6" in lead.citation and "Hồ sơ đề nghị xét" in lead.quote
    assert "Tờ trình" in a.conclusion


def test_holds_slot_checks_the_answer_pattern_or_the_list_head(ask_service) -> None:  # noqa: ANN001
    from assistant.answer.lead import LeadContext, holds_slot

    chunks = ask_service.knowledge.searcher.chunks
    dossier = next(c for c in chunks if c.source_file == "luat-06-2022-qh15.md" and c.label.get("dieu") == "84")
    amount = next(c for c in chunks if c.source_file == "nd-152-2025.md" and "0,3 lần mức lương cơ sở" in c.text)
    info = ask_service.knowledge.searcher.analyse("hồ sơ")
    lists = LeadContext(info, False, ask_service.today, list_subject="ho so")
    assert holds_slot(dossier, lists) and not holds_slot(amount, lists)
    money = LeadContext(info, False, ask_service.today, slot_patterns=ask_service.types.answer["amount"])
    assert holds_slot(amount, money) and not holds_slot(dossier, money)


def test_a_preamble_does_not_lead_a_question_about_a_rule(ask_service) -> None:  # noqa: ANN001
    from assistant.answer.lead import is_preamble

    a = ask_service.ask("Giám đốc công ty được đề nghị danh hiệu Công dân Thủ đô ưu tú thì hồ sơ cần thêm xác nhận gì?")
    chunks = [c for c in ask_service.knowledge.searcher.chunks if c.source_file == a.citations[0].source_file
              and c.start <= a.citations[0].start < c.end]
    assert chunks and not is_preamble(chunks[0])
