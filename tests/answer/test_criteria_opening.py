"""Criteria openings: every condition of the asked title stated compactly (verbatim pieces keeping figures and titles),
the passage announcing that title's own criteria leading; authority questions detected compositionally."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT
from test_conclusion import assert_conclusion_from_sources

from assistant.answer.conclusion import AnswerTypes, build_conclusion, compact_condition, criteria_head
from evals.answers import opening
from evals.question_gen import condition_fact, criteria_questions
from evals.scoring import fact_hit

TYPES = AnswerTypes.load(ROOT / "knowledge" / "answer_types.yaml")
COND = ("Có thành tích xuất sắc tiêu biểu được lựa chọn trong số những cá nhân có 02 lần liên tục được tặng danh hiệu "
        "“Chiến sĩ thi đua cơ sở” hoặc có sáng kiến được áp dụng hiệu quả trong phạm vi toàn tỉnh, có phạm vi ảnh hưởng")


def _pieces_verbatim(text: str, source: str) -> None:
    flat = re.sub(r"\s+", " ", source.replace("“", "").replace("”", ""))
    for piece in re.split(r"\s*…\s*", text):
        if piece.strip(" ;,"):
            assert piece.strip(" ;,").replace("“", "").replace("”", "") in flat, piece


def test_compact_condition_keeps_its_start_figures_and_titles_verbatim() -> None:
    out = compact_condition(COND, 90)
    assert len(out) <= 90 and out.startswith("Có thành tích xuất sắc")
    assert "02 lần liên tục" in out and "“Chiến sĩ thi đua cơ sở”" in out
    _pieces_verbatim(out, COND)
    assert compact_condition("Hoàn thành tốt nhiệm vụ trở lên", 90) == "Hoàn thành tốt nhiệm vụ trở lên"


def test_criteria_head_drops_boilerplate_keeps_one_of_and_the_condition_it_carries() -> None:
    head, own = criteria_head("1. Danh hiệu “Chiến sĩ thi đua toàn quốc” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:")
    assert (head, own) == ("Danh hiệu Chiến sĩ thi đua toàn quốc", None)
    line = ("a) Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh để tặng hoặc truy tặng cho cá nhân gương mẫu chấp hành tốt "
            "chủ trương của Đảng, chính sách, pháp luật của Nhà nước và đạt một trong các tiêu chuẩn sau đây:")
    head, own = criteria_head(line)
    assert head == "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh … đạt một trong các tiêu chuẩn"
    assert own and own.startswith("Để tặng hoặc truy tặng cho cá nhân gương mẫu") and own.endswith("của Nhà nước")
    _pieces_verbatim(head.lower(), line.lower())


def test_items_run_together_on_one_line_are_each_a_condition() -> None:
    quote = ("1. Danh hiệu “Chiến sĩ thi đua toàn quốc” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:\n"
             "a) " + COND + " trong toàn tỉnh; b)Có sáng kiến đã được áp dụng hiệu quả và có khả năng nhân rộng trong "
             "toàn quốc hoặc có đề tài khoa học, đề án khoa học, công trình khoa học và công nghệ đã được nghiệm thu.")
    c = build_conclusion("Tiêu chuẩn Chiến sĩ thi đua toàn quốc là gì?", quote, TYPES, lambda _t: 0.0, [], "criteria")
    assert c is not None and c.text.startswith("Danh hiệu Chiến sĩ thi đua toàn quốc: ")
    assert "02 lần liên tục" in c.text and "; Có sáng kiến" in c.text and "b)" not in c.text


def test_every_condition_of_a_title_is_in_the_opening(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Tiêu chuẩn danh hiệu Chiến sĩ thi đua toàn quốc là gì?")
    head = opening(a.answer)
    assert not a.refused and "02 lần liên tục" in head and "Có sáng kiến" in head
    assert head.startswith("Danh hiệu Chiến sĩ thi đua toàn quốc:")  # no 'để tặng cho … đạt các tiêu chuẩn sau đây'
    assert_conclusion_from_sources(a)


def test_the_passage_announcing_the_asked_titles_own_criteria_leads(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Ở tỉnh Bắc Ninh, tiêu chuẩn xét tặng Tập thể lao động tiên tiến là gì?")
    assert "“Tập thể lao động tiên tiến”" in a.citations[0].quote  # not the individual title's khoản
    assert "70%" in opening(a.answer)
    assert_conclusion_from_sources(a)


def test_generated_criteria_set_takes_its_facts_from_the_conditions(knowledge) -> None:  # noqa: ANN001
    qs = criteria_questions(knowledge, ROOT / "knowledge" / "rules.yaml")
    titles = {q["question"] for q in qs}
    assert len(qs) >= 24 and len(titles) == len(qs)
    for q in qs:
        raw = knowledge.raw_text(q["gold"][0]["file"]) or ""
        assert raw.count(q["gold"][0]["anchor"]) == 1
        flat = re.sub(r"\s+", " ", raw.replace("“", "").replace("”", ""))
        for f in q["key_facts"]:
            assert f in flat, (q["id"], f)
    assert condition_fact("a) Có 02 lần liên tục được tặng danh hiệu “Chiến sĩ thi đua cơ sở”;") == "02 lần liên tục"
    assert condition_fact("Có cá nhân đạt danh hiệu “Chiến sĩ thi đua cơ sở”.") == "Chiến sĩ thi đua cơ sở"
    assert condition_fact("b) Hoàn thành xuất sắc nhiệm vụ được giao;") == "Hoàn thành xuất"
    assert fact_hit("02 lần liên tục", "… có 2 lần liên tục được tặng …")


@pytest.mark.parametrize("q", ["Ai có quyền hủy bỏ quyết định khen thưởng?", "ai ký quyết định tặng bằng khen vậy",
                               "Ai làm thủ tục đề nghị khen thưởng cho công chức?", "Cấp nào quyết định tặng Cờ thi đua?",
                               "Bằng khen của Thủ tướng do ai đề nghị?", "ai co tham quyen quyet dinh tang bang khen",
                               "Ai là người ký kế hoạch thi đua?", "Ai phải lập hồ sơ đề nghị?"])
def test_who_acts_is_an_authority_question(q: str) -> None:
    assert TYPES.detect(q) == "authority"


@pytest.mark.parametrize("q", ["Những ai được xét tặng danh hiệu Lao động tiên tiến?",
                               "Ai được xét tặng danh hiệu Lao động tiên tiến?", "Bằng khen tặng cho ai?",
                               "Ai cũng được khen thưởng à?"])
def test_who_receives_is_not_an_authority_question(q: str) -> None:
    assert TYPES.detect(q) != "authority"


def test_an_eligibility_opening_states_each_open_condition(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Tập thể em năm nay hoàn thành xuất sắc nhiệm vụ, ở Bắc Ninh có đủ điều kiện Tập thể lao động "
                        "xuất sắc không?")
    head = opening(a.answer)
    assert head.startswith("Chưa xác định được") and len(head) <= 400
    assert "70%" in head and "Chiến sĩ thi đua cơ sở" in head  # the open conditions' figures and titles, not only
    # their provisions
    cited = " ".join(c.quote for c in a.citations)
    for piece in re.findall(r"(?:: |; )([^;\[]+?) \[(\d+)\]", head.split("cần đánh giá", 1)[1]):
        for part in re.split(r"\s*…\s*", piece[0].strip("() ")):
            if part:
                assert part in cited.replace("“", "").replace("”", ""), part


def test_a_yes_no_question_on_meeting_the_criteria_states_the_conditions(ask_service) -> None:  # noqa: ANN001
    # asked of the asker's own case with nothing of their record: the eligibility checker lists each condition as
    # not yet decided (what to tell), each condition's words taken from its cited provision
    a = ask_service.ask("Em có đủ điều kiện Lao động tiên tiến không ạ?")
    head = opening(a.answer)
    assert head.startswith("Chưa xác định")
    assert "Hoàn thành tốt nhiệm vụ trở lên" in head and "Có tinh thần tự lực" in head
    assert "đạt các tiêu chuẩn sau đây" not in head  # the list head without its boilerplate
    quotes = " ".join(c.quote for c in a.citations)
    items = re.findall(r"\[\d+\] \(([^()]+?)(?: …)?\)", a.conclusion)
    assert len(items) >= 2, a.conclusion
    for item in items:
        assert item in quotes.replace("“", "").replace("”", ""), item
    # asked of someone else, the same conditions open the usual grounded answer
    b = ask_service.ask("Người lao động có đủ điều kiện Lao động tiên tiến không?")
    assert "Hoàn thành tốt nhiệm vụ trở lên" in opening(b.answer)
    assert_conclusion_from_sources(b)


def test_a_national_question_is_led_by_national_law_when_a_provincial_rule_matches_closer(ask_service) -> None:  # noqa: ANN001
    # the provincial regulation's heading repeats the question's words ('tiêu chuẩn xét tặng'); the law's article holds
    # the same criteria list and is of the question's scope (no province named)
    a = ask_service.ask("Tiêu chuẩn xét tặng Lao động tiên tiến là gì?")
    assert a.citations[0].source_file == "luat-06-2022-qh15.md"
    assert not a.conclusion.startswith("Quy định riêng") and "Hoàn thành tốt nhiệm vụ trở lên" in a.conclusion
    b = ask_service.ask("Ở tỉnh Bắc Ninh, tiêu chuẩn xét tặng Lao động tiên tiến là gì?")
    assert b.citations[0].source_file.startswith("qd-86-2025")  # the province named: its own rule leads
