"""The criteria of a title are answered only from a sentence stating them for that title (in any wording the rule
table gives it); a title the corpus only lists, or names inside another document's name, is refused by name.
Also: names end at brackets, a term's span of years is no plan year, and a lead-in is read with what it announces."""

from __future__ import annotations

import re

from assistant.corpus.normalize import fold


def test_criteria_are_stated_only_by_a_sentence_about_the_title(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    # stated in a reworded (secondary) quote of the Law: it counts
    assert ev.criteria_stated("nha giao uu tu")
    # the corpus names these titles only in lists (the Law's list of titles, who decides them)
    assert not ev.criteria_stated("gia dinh van hoa")
    assert not ev.criteria_stated("ba me viet nam anh hung")
    # "Thông tư số 16/2020/TT-BYT … ban hành tiêu chuẩn … giải thưởng Hải Thượng Lãn Ông" names another document
    assert not ev.criteria_stated("giai thuong hai thuong lan ong")


def test_a_criteria_question_about_a_listed_title_is_refused_by_name(ask_service) -> None:  # noqa: ANN001
    for q, name in (("Tiêu chuẩn để hộ gia đình được công nhận danh hiệu Gia đình văn hóa gồm những gì?",
                     "Gia đình văn hóa"),
                    ("Cụ bà đã đủ tiêu chuẩn để đề nghị tặng danh hiệu Bà mẹ Việt Nam anh hùng chưa?",
                     "Bà mẹ Việt Nam anh hùng")):
        a = ask_service.ask(q)
        assert a.refused, a.answer[:300]
        assert f"tiêu chuẩn, điều kiện của “{name}”" in a.answer, a.answer[:300]
        assert a.citations  # the closest passages are shown
    a = ask_service.ask("Tiêu chuẩn danh hiệu Nhà giáo ưu tú gồm những gì?")
    assert not a.refused, a.answer[:300]
    assert "Nhà giáo ưu tú" in (a.conclusion or "")


def test_a_title_asked_in_another_wording_is_found_in_each_wording(ask_service) -> None:  # noqa: ANN001
    # the rule table gives "Cờ thi đua của Bộ, ban, ngành, tỉnh" (the Law, NĐ 152) the province's wording
    a = ask_service.ask("Cờ thi đua của UBND tỉnh được thưởng bao nhiêu lần lương cơ sở?")
    assert not a.refused, a.answer[:300]
    assert "8,0 lần mức lương cơ sở" in (a.conclusion or ""), a.conclusion
    a = ask_service.ask("Tiêu chuẩn Cờ thi đua cấp tỉnh ở Bắc Ninh là gì?")
    assert not a.refused, a.answer[:300]
    con = a.conclusion or ""
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh" in con and "Tập thể lao động xuất sắc" not in con, con
    assert not ask_service.evidence.title_variants("Tiêu chuẩn Cờ thi đua cấp tỉnh là gì?")


def test_a_name_ends_at_a_bracket(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    assert ev.absent_names("năm 2024 huyện Chi Lăng (Lạng Sơn) phát động thi đua với chủ đề gì?") == []
    assert ev.absent_names("ad oi nam 2024 huyen Chi Lang (Lang Son) phat dong thi dua chu de gi") == []
    assert ev.absent_names("huyện Chi Lăng (Hòa Vang Xanh) phát động thi đua với chủ đề gì?") == ["Hòa Vang Xanh"]



def test_a_sentence_s_opening_function_word_is_no_part_of_a_name(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    assert ev.absent_names("Cô đã đủ để đề nghị Nhà giáo ưu tú chưa? Còn Nhà giáo nhân dân thì cần bao nhiêu năm?") == []
    assert ev.absent_names("Còn Hòa Vang Xanh thì phát động thi đua với chủ đề gì?") == ["Hòa Vang Xanh"]


def test_a_span_of_years_is_no_plan_year(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    kn = ask_service.knowledge
    plans = [m for m in kn.documents() if m.kind == "plan" and m.locality and m.year]
    m = plans[0]
    place, year = m.locality, m.year
    other = year + 3
    for q, flagged in ((f"Kế hoạch của {place} nhiệm kỳ {year} - {other} đặt chỉ tiêu gì?", False),
                       (f"Kế hoạch của {place} năm {other} đặt chỉ tiêu gì?", True)):
        hits = kn.search(q, k=5)
        reasons: list[str] = []
        ev._scope_checks(q, hits, [fold(h.chunk.text) for h in hits], None, reasons)
        assert any("không có kế hoạch" in r for r in reasons) is flagged, (q, reasons)


def test_dates_of_weekdays_months_and_events_are_dates(ask_service) -> None:  # noqa: ANN001
    pats = ask_service.types.answer["date"]
    for text in ("gửi trước 15:00 ngày thứ Sáu hằng tuần", "từ tháng 10/2025", "từ ngày ban hành Kế hoạch",
                 "đến khi tổ chức thành công Đại hội"):
        assert any(p.search(text) for p in pats), text
    for text in ("Điều 5: Hồ sơ", "trong 05 ngày làm việc", "Nghị định 152/2025/NĐ-CP"):
        assert not any(p.search(text) for p in pats), text


def test_a_lead_in_is_read_with_what_it_announces(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Trường THCS ở Bắc Ninh gửi hồ sơ khen thưởng theo năm học trước ngày nào? "
                        "Có khác hạn khen thưởng tổng kết năm không?")
    con = a.conclusion or ""
    assert "10/7" in con, con
    # 'Đối với khen thưởng tổng kết năm:' never stands alone: its deadline comes with it, or it is left out
    assert not re.search(r"tổng kết năm \[\d+\]", con), con


def test_a_date_of_another_titles_rules_is_no_answer(ask_service) -> None:  # noqa: ANN001
    # QĐ 71/2025 (the rules of "Công dân Thủ đô ưu tú") never names "Công dân danh dự Thủ đô"; its deadline is not
    # that title's
    a = ask_service.ask("Hồ sơ đề nghị tặng danh hiệu Công dân danh dự Thủ đô phải gửi trước ngày nào hằng năm?")
    assert a.refused, a.answer[:300]
    assert "không phải của “Công dân danh dự Thủ đô”" in a.answer, a.answer[:300]
    a = ask_service.ask("Hồ sơ đề nghị danh hiệu Công dân Thủ đô ưu tú gửi trước ngày nào?")
    assert not a.refused and "31 tháng 3" in (a.conclusion or ""), a.answer[:300]
    a = ask_service.ask("Ai quyết định tặng danh hiệu Công dân danh dự Thủ đô?")
    assert not a.refused and "Chủ tịch Ủy ban nhân dân thành phố Hà Nội" in (a.conclusion or ""), a.answer[:300]


def test_an_issue_date_is_no_month_answer(ask_service) -> None:  # noqa: ANN001
    pats = ask_service.types.answer["date"]
    text = "Nghị quyết số 83/2025/NQ-HĐND ngày 27 tháng 11 năm 2025 của Hội đồng nhân dân"
    assert not any(p.search(text) for p in pats), [p.pattern for p in pats if p.search(text)]


def test_a_value_that_leaves_out_the_asked_case_is_no_answer(ask_service) -> None:  # noqa: ANN001
    # QĐ 86/2025 Bắc Ninh: "… trước 10 ngày (trừ khen thưởng đột xuất)"
    a = ask_service.ask("Ở Bắc Ninh, hồ sơ khen thưởng đột xuất phải gửi Sở Nội vụ trước bao nhiêu ngày?")
    assert a.refused and "loại trừ “khen thưởng đột xuất”" in a.answer, a.answer[:300]
    a = ask_service.ask("Ở Bắc Ninh, hồ sơ đề nghị khen thưởng theo chuyên đề gửi Sở Nội vụ trước bao nhiêu ngày?")
    assert not a.refused and "trước 10 ngày" in (a.conclusion or ""), a.answer[:300]


def test_a_rule_found_only_in_an_expired_decree_is_no_answer_to_the_current_one(ask_service) -> None:  # noqa: ANN001
    q = "Theo Nghị định 152/2025/NĐ-CP đang có hiệu lực, khi họp xét Chiến sĩ thi đua cơ sở cần tỷ lệ phiếu đồng ý bao nhiêu?"
    a = ask_service.ask(q)
    assert a.refused, a.answer[:300]
    assert "Nghị định 98/2023/NĐ-CP, văn bản đã hết hiệu lực" in a.answer, a.answer[:300]
    # asked of the expired decree itself (a past case), it is answered, with its validity first
    a = ask_service.ask("Năm 2024 họp xét Chiến sĩ thi đua cơ sở theo Nghị định 98/2023/NĐ-CP cần tỷ lệ phiếu đồng ý "
                        "bao nhiêu?")
    assert not a.refused, a.answer[:300]
    assert "hết hiệu lực" in (a.conclusion or "")


def test_a_longer_title_beginning_with_an_alias_is_not_that_title(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    # "Cờ thi đua cấp huyện" is no wording of a title: still flagged as a title the corpus does not have
    assert ev.title_variants("Tiêu chuẩn Cờ thi đua cấp huyện là gì?")
    assert not ev.title_variants("Tiêu chuẩn Cờ thi đua cấp tỉnh là gì?")


def test_a_corpus_term_named_beside_the_title_does_not_stand_for_its_criteria(ask_service) -> None:  # noqa: ANN001
    # "hồ sơ" is quoted as a term in the corpus (NĐ 30/2020) and has "criteria" sentences of its own
    a = ask_service.ask("Cụ bà có 2 con là liệt sĩ đã đủ tiêu chuẩn đề nghị danh hiệu Bà mẹ Việt Nam anh hùng chưa, "
                        "hồ sơ gồm những gì?")
    assert a.refused and "Bà mẹ Việt Nam anh hùng" in a.answer, a.answer[:300]
