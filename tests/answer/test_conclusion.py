"""Answer types and the conclusion line on the real corpus: the asked fact first, only verbatim spans or arithmetic."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT

from assistant.answer.conclusion import AnswerTypes, build_conclusion, question_parts
from assistant.corpus.normalize import fold

TYPES = AnswerTypes.load(ROOT / "knowledge" / "answer_types.yaml")


def _flat(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[“”*]", "", s)).strip().lower()


def assert_conclusion_from_sources(a) -> None:  # noqa: ANN001
    """Every sentence of the conclusion is a verbatim span of a cited quote (quote marks and the first letter's
    case aside), a registry validity line, a missing-text line or shown arithmetic — nothing else."""
    assert a.conclusion and a.answer.startswith(a.conclusion)
    assert "“" not in a.conclusion, "the conclusion precedes the first verbatim quote"
    quotes = _flat(" ".join(c.quote.replace("\n", " ") for c in a.citations))
    body = re.sub(r"\s*\[\d+\]", "", a.conclusion)
    body = re.sub(r"[^.]*: ngày ký \d{2}/\d{2}/\d{4}\.", "", body)  # the registry's date of a named document
    labels = [_flat(c.citation) for c in a.citations]
    for piece in re.split(r"(?<=[.;:])\s+|\s…\s?|…", body):
        p = _flat(piece).rstrip(" .;:,")
        if any(label.startswith(p) for label in labels):  # the name of a cited document ('<plan>: …')
            continue
        if len(p) < 12 or p.startswith(("tính theo mức lương cơ sở", "kho chưa có toàn văn", "quy định riêng của")) \
                or "hết hiệu lực từ" in p or "có hiệu lực từ" in p or "làm tròn lên" in p or "×" in p \
                or re.fullmatch(r"[\d.]+ đồng", p):
            continue
        assert p in quotes, f"not from a cited passage: {piece!r}"


@pytest.mark.parametrize("q,kind", [
    ("Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?", "amount"),
    ("Muốn được Chiến sĩ thi đua toàn quốc thì cần mấy lần liên tục?", "count"),
    ("Thời hạn thẩm định hồ sơ là bao lâu?", "duration"),
    ("Ai có thẩm quyền quyết định tặng Cờ thi đua?", "authority"),
    ("Người được ký thừa ủy quyền có được ủy quyền lại không?", "yesno"),
    ("Nghị định 152/2025/NĐ-CP có hiệu lực từ ngày nào?", "date"),
    ("Hồ sơ đề nghị khen thưởng gồm những giấy tờ gì?", "components"),
    ("Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?", "criteria"),
    ("1 sáng kiến có dùng cho cả CSTĐ cơ sở lẫn bằng khen không?", "yesno"),  # "lẫn" is not "lần"
    ("tien thuong lao dong tien tien bao nhieu", "amount"),
    ("Tiền thưởng Chiến sĩ thi đua cơ sở là bao nhiêu tiền?", "amount"),
    ("Bị hủy quyết định thì phải nộp lại tiền thưởng trong bao nhiêu ngày?", "duration"),  # a time limit about it
    ("tien thuong duoc chi tra trong may thang", "duration"),
])
def test_answer_type_detection(q: str, kind: str) -> None:
    assert TYPES.detect(q) == kind


def test_question_parts_split_two_questions() -> None:
    parts = question_parts("Hội đồng họp định kỳ mấy tháng một lần? Phiên họp cần tối thiểu bao nhiêu ủy viên dự?")
    assert len(parts) == 2 and [TYPES.detect(p) for p in parts] == ["duration", "count"]


def test_list_conclusion_keeps_items_verbatim_and_short() -> None:
    quote = ("Điều 9. Hồ sơ\n1. Hồ sơ đề nghị gồm:\na) Tờ trình của cơ quan;\nb) Báo cáo thành tích;\n"
             "c) Biên bản họp Hội đồng.\n2. Hồ sơ nộp qua bưu điện.")
    c = build_conclusion("Hồ sơ gồm những gì?", quote, TYPES, lambda t: float("ho so" in t), [])
    assert c is not None
    assert c.text == "Hồ sơ đề nghị gồm: Tờ trình của cơ quan; Báo cáo thành tích; Biên bản họp Hội đồng"


def test_amount_type_states_the_multiplier_first(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Tiền thưởng danh hiệu Chiến sĩ thi đua toàn quốc là mấy lần lương cơ sở?")
    assert not a.refused and "4,5 lần mức lương cơ sở" in a.conclusion
    assert a.conclusion.index("4,5 lần") < 120
    assert_conclusion_from_sources(a)


def test_amount_with_the_users_base_shows_the_arithmetic_and_the_rounding_rule(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Lao động tiên tiến được thưởng bao nhiêu, lương cơ sở 2.340.000 đồng?")
    assert a.conclusion.startswith("Tính theo mức lương cơ sở bạn nêu: 0,3 × 2.340.000 đồng = 702.000 đồng")
    assert "710.000 đồng" in a.conclusion  # rounded up as the decree's own passage says, and cited
    rounding = [c for c in a.citations if "làm tròn" in c.quote]
    assert rounding and rounding[0].scope and "gián tiếp" in rounding[0].scope
    assert_conclusion_from_sources(a)


def test_count_type(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Muốn được Chiến sĩ thi đua toàn quốc thì cần mấy lần liên tục?")
    assert not a.refused and "02 lần liên tục" in a.conclusion
    assert_conclusion_from_sources(a)


def test_duration_type(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Bộ Nội vụ thẩm định hồ sơ khen thưởng trình Thủ tướng trong bao nhiêu ngày?")
    assert not a.refused and re.search(r"\d+ ngày làm việc", a.conclusion)
    assert_conclusion_from_sources(a)


def test_deadline_with_a_start_date_is_computed_first(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Lấy ý kiến nhân dân về danh sách dự kiến Công dân Thủ đô ưu tú trong bao lâu? "
                        "Nếu bắt đầu ngày 05/01/2026 thì hạn là ngày nào?")
    assert not a.refused and a.conclusion.startswith("Thời hạn")
    assert re.search(r"\d{2}/\d{2}/2026", a.conclusion) and "ngày làm việc" in a.conclusion


def test_authority_type(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Ai quyết định tặng danh hiệu Gia đình văn hóa?")
    assert not a.refused and a.conclusion.startswith("Chủ tịch Ủy ban nhân dân cấp xã quyết định tặng")
    assert_conclusion_from_sources(a)


def test_date_type_from_the_registry_and_the_passage(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Nghị định 152/2025/NĐ-CP có hiệu lực từ ngày nào?")
    assert not a.refused and "01/7/2025" in a.conclusion
    assert_conclusion_from_sources(a)


def test_yes_no_type_quotes_the_deciding_sentence(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Người được ký thừa ủy quyền có được giao lại cho người khác ký không?")
    assert not a.refused and "không được ủy quyền lại" in a.conclusion
    assert_conclusion_from_sources(a)


def test_components_type_lists_the_items(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Bộ hồ sơ đề nghị xét tặng danh hiệu thi đua có những giấy tờ nào?")
    assert not a.refused
    for item in ("Tờ trình", "Báo cáo thành tích", "Biên bản bình xét thi đua"):
        assert item in a.conclusion
    assert_conclusion_from_sources(a)


def test_criteria_type_lists_the_conditions(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Muốn đạt Chiến sĩ thi đua cơ sở cần những tiêu chuẩn gì theo luật?")
    assert not a.refused and "Lao động tiên tiến" in a.conclusion and "sáng kiến" in a.conclusion
    assert_conclusion_from_sources(a)


def test_definition_starts_with_the_term(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Khen thưởng được hiểu như thế nào?")
    assert fold(a.conclusion).startswith("khen thuong la ")
    assert_conclusion_from_sources(a)


def test_conclusion_is_in_the_json_contract(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?")
    d = a.model_dump()
    assert d["conclusion"] and d["answer"].startswith(d["conclusion"])
    refused = ask_service.ask("Giá vé tàu hỏa Hà Nội - Sài Gòn tháng này là bao nhiêu?")
    assert refused.refused and refused.conclusion and "Không tìm thấy căn cứ" in refused.conclusion


def test_long_list_names_every_item_in_short_verbatim_form(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Quyết định tặng danh hiệu thi đua bị hủy bỏ trong các trường hợp nào?")
    head = a.conclusion
    # all four conditions named within the opening (each a verbatim span or its start … its end)
    for start in ("Có hành vi gian dối", "Cung cấp thông tin sai sự thật", "Thẩm định, xét, duyệt", "Có kết luận"):
        assert start in head
    assert len(head) <= 400
    assert_conclusion_from_sources(a)


def test_short_item_and_relevant_clauses_keep_figures_and_ends() -> None:
    from assistant.answer.conclusion import relevant_clauses, short_item

    item = ("Danh hiệu “Xã, phường, đặc khu tiêu biểu” được tặng Bằng khen kèm theo khung, "
            "được thưởng 2,0 lần mức lương cơ sở")
    short = short_item(item, lambda t: 0.0)
    assert short.startswith("Danh hiệu") and short.endswith("2,0 lần mức lương cơ sở") and len(short) <= 75
    cond = "Thẩm định, xét, duyệt, đề nghị danh hiệu thi đua, hình thức khen thưởng trái quy định của pháp luật"
    out = relevant_clauses(cond, 70, lambda t: 0.0)
    assert out.startswith("Thẩm định") and out.endswith("trái quy định của pháp luật") and len(out) <= 70


def test_yes_no_is_decided_by_the_sentence_stating_the_condition(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Tập đoàn kinh tế có thuộc đối tượng xét danh hiệu Tập thể lao động xuất sắc của tỉnh Bắc Ninh "
                        "không?")
    assert "trừ các Tập đoàn kinh tế" in a.conclusion
    assert not a.conclusion.startswith(("Có.", "Không.")), "no verdict code cannot decide"
    assert_conclusion_from_sources(a)


def test_a_long_sentence_announcing_the_fact_gives_way_to_it(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Năm 2024 huyện Chi Lăng phát động phong trào thi đua theo chủ đề nào?")
    assert "Siết chặt kỷ cương, tăng cường trách nhiệm" in a.conclusion and a.conclusion.startswith("…")
    assert_conclusion_from_sources(a)


def test_a_duty_a_plan_assigns_answers_who(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Trong kế hoạch thi đua 2025 của Bình Sơn, phòng nào tham mưu cho UBND huyện giải quyết vấn đề "
                        "phát sinh?")
    assert a.conclusion.startswith("Phòng Nội vụ")
    assert_conclusion_from_sources(a)


def test_a_figure_the_question_names_picks_its_sentence_even_when_glued(ask_service) -> None:  # noqa: ANN001
    from assistant.answer.conclusion import build_conclusion, sentences

    chunk = next(c for c in ask_service.knowledge.searcher.chunks
                 if c.source_file == "nd-98-2023.md" and "từ 80% trở lên" in c.text and ").Đối với" in c.text)
    assert any(s.startswith("Đối với danh hiệu “Chiến sĩ thi đua cơ sở”") for s in sentences(chunk.text))
    q = "Họp xét Chiến sĩ thi đua cơ sở có phải được 80% phiếu đồng ý không?"
    con = build_conclusion(q, chunk.text, ask_service.types, lambda t: 0.0, ["chien si thi dua co so"], budget=200)
    assert con and "80%" in con.text and len(con.text) <= 202
    flat = " ".join(chunk.text.split()).replace("“", "").replace("”", "")
    for piece in con.text.strip("… ").split(" … "):
        assert " ".join(piece.split()) in flat


def test_a_closing_block_the_passage_runs_into_is_no_sentence_of_it() -> None:
    from assistant.answer.conclusion import body_lines, sentences

    quote = ("Yêu cầu các cơ quan, đơn vị tổ chức triển khai phong trào thi đua ngay từ đầu năm.\n"
             "Nơi nhận:\n- Sở Nội vụ;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    assert sentences(quote) == ["Yêu cầu các cơ quan, đơn vị tổ chức triển khai phong trào thi đua ngay từ đầu năm."]
    # the closing block itself, quoted alone (who signed), keeps its lines
    closing = "Nơi nhận:\n- Sở Nội vụ;\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    assert body_lines(closing) == ["Nơi nhận:", "- Sở Nội vụ;", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def test_a_fact_is_read_with_the_line_announcing_its_series() -> None:
    # "Đối với khen thưởng tổng kết năm:" announces the date three ';'-separated parts later; the other khoản's
    # date shares more words with the question ("năm học") but is announced for another case
    from assistant.answer.conclusion import _announcing, fact_sentence, sentences

    quote = ("2. Đối với khen thưởng tổng kết năm: Các cơ quan, đơn vị, địa phương; các Cụm, Khối thi đua tổ chức "
             "bình xét thi đua; gửi hồ sơ đề nghị khen thưởng đến Sở Nội vụ trước ngày 10/12 hằng năm.\n"
             "3. Đối với ngành Giáo dục và Đào tạo: Căn cứ thời gian kết thúc năm học, gửi hồ sơ đề nghị khen thưởng "
             "đến Sở Nội vụ trước ngày 10/7 hằng năm.")
    sents = sentences(quote)
    i = next(j for j, s in enumerate(sents) if "10/12" in s)
    assert _announcing(sents, i).startswith("Đối với khen thưởng tổng kết năm")
    types = AnswerTypes.load(ROOT / "knowledge" / "answer_types.yaml")
    q = fold("Khen thưởng tổng kết năm thì gửi hồ sơ đề nghị khen thưởng đến Sở Nội vụ trước ngày nào")
    words = set(q.split())
    got = fact_sentence(quote, "date", types, lambda t: len(words & set(t.split())) / len(words), [], 200)
    assert got and "10/12" in got, got


def test_a_sub_item_over_dashed_items_heads_their_list() -> None:
    quote = ("V. THỦ TỤC, HỒ SƠ VÀ THỜI GIAN KHEN THƯỞNG\n1. Thủ tục, hồ sơ đề nghị khen thưởng\n"
             "a) Thủ tục, hồ sơ đề nghị khen thưởng cấp Nhà nước\nThực hiện theo hướng dẫn của Bộ Nội vụ.\n"
             "b) Thủ tục, hồ sơ đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh\n- Tờ trình đề nghị khen thưởng;\n"
             "- Biên bản họp xét khen thưởng;\n- Báo cáo thành tích của tập thể, cá nhân.")
    q = "Hồ sơ đề nghị tặng Bằng khen của Chủ tịch UBND tỉnh gồm những gì?"
    words = set(fold(q).split())
    c = build_conclusion(q, quote, TYPES, lambda t: len(words & set(t.split())) / len(words), [])
    assert c is not None and c.text.startswith("Thủ tục, hồ sơ đề nghị tặng Bằng khen"), c
    assert "Tờ trình" in c.text and "Biên bản" in c.text and "Báo cáo thành tích" in c.text, c.text


def test_the_noun_whose_parts_are_asked_follows_the_topic() -> None:
    from assistant.answer.conclusion import list_subject

    assert list_subject("Theo Luật Thi đua, khen thưởng thì hồ sơ gồm những giấy tờ gì?") == "ho so"
    assert list_subject("Hồ sơ đề nghị xét tặng gồm những gì?") == "ho so"
    # the folded 'thi' of 'thi đua' closes no topic
    assert list_subject("Hồ sơ xét thi đua gồm những gì?") == "ho so"


def test_a_list_part_is_answered_by_the_list_of_the_asked_noun(ask_service) -> None:  # noqa: ANN001
    q = ("Đơn vị tôi chuẩn bị đề nghị danh hiệu thi đua cho công chức. Theo Luật Thi đua, khen thưởng thì hồ sơ đề "
         "nghị xét tặng gồm những gì? Và cơ quan nào quy định chi tiết hồ sơ, thủ tục?")
    head = ask_service.ask(q).answer.split("\n\n")[0]
    assert head.startswith("Hồ sơ đề nghị xét tặng danh hiệu thi đua gồm"), head
    assert "Tờ trình" in head and "Biên bản bình xét thi đua" in head, head
