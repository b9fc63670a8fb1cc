"""Shapes of answers to questions written the way officials ask them: the conditions already met stated by their
words, "hệ số" asking an amount only with an interrogative, and each target of a plan asked in one question."""

from __future__ import annotations

import re

from assistant.answer.indicators import terms_of


def test_an_open_eligibility_names_the_conditions_met_by_their_words(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Em là giáo viên, năm học này em được đánh giá hoàn thành xuất sắc nhiệm vụ nhưng không có "
                        "sáng kiến. Em có đủ điều kiện đề nghị Chiến sĩ thi đua cơ sở không?")
    con = a.conclusion or ""
    assert con.startswith("Chưa xác định được"), con
    done = con.split("đã đáp ứng:", 1)[1].split("; còn thiếu", 1)[0]
    assert "Hoàn thành xuất sắc nhiệm vụ" in done, con  # the met condition's own words, with its citation
    assert re.search(r"\[\d+\]", done)


def test_a_coefficient_is_asked_only_with_an_interrogative(ask_service) -> None:  # noqa: ANN001
    types = ask_service.types
    assert types.detect("Số tiền sau khi nhân hệ số có được làm tròn không?") != "amount"
    assert types.detect("Danh hiệu Lao động tiên tiến được thưởng hệ số bao nhiêu?") == "amount"
    a = ask_service.ask("Khi tính tiền thưởng thì số tiền sau khi nhân hệ số có được làm tròn không?")
    assert not a.refused, a.answer[:300]
    assert "làm tròn" in (a.conclusion or ""), a.conclusion


def test_each_target_asked_of_a_plan_is_answered(ask_service) -> None:  # noqa: ANN001
    by_plan: dict[str, list] = {}
    for r in ask_service.indicators.rows:
        if r.locality and r.year:
            by_plan.setdefault(r.source_file, []).append(r)
    # a short target first, right after the words that name the plan, then a longer one: whenever the question is
    # read as a question on targets, each target it asks is answered
    checked = 0
    for rows in by_plan.values():
        shorts = [r for r in rows if 2 <= len(terms_of(r.metric)) <= 3][:2]
        longs = [r for r in rows if len(terms_of(r.metric)) >= 4][:2]
        for a_row in shorts:
            for b_row in longs:
                q = (f"Kế hoạch phát động thi đua năm {a_row.year} của UBND {a_row.locality} đặt chỉ tiêu "
                     f"{a_row.metric} và {b_row.metric} là bao nhiêu?")
                metrics = [r.metric for r in ask_service._indicator_rows(q)]
                if b_row.metric in metrics:
                    checked += 1
                    assert a_row.metric in metrics, (q, metrics)
    assert checked


def test_how_a_rule_counts_is_no_eligibility_question(ask_service) -> None:  # noqa: ANN001
    elig = ask_service.eligibility
    q = "Chị em nghỉ thai sản 6 tháng trong năm 2025, thời gian nghỉ đó có được tính để bình xét Lao động tiên tiến không?"
    assert not elig.is_eligibility_question(q, yes_no=True)
    assert elig.is_eligibility_question("Em được LĐTT 2023, 2024 thì có được CSTĐ cơ sở không?", yes_no=True)


def test_facts_told_after_the_question_are_read(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("em co duoc de nghi CSTDCS nam 2025 khong, em duoc LDTT 2025 va co 1 sang kien cap co so")
    con = a.conclusion or ""
    assert "Lao động tiên tiến năm 2025" in con or "bạn nêu đạt Lao động tiên tiến" in a.answer, con


def test_a_part_asking_the_other_conditions_gets_the_subjects_list(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Muốn đề nghị Chiến sĩ thi đua cấp tỉnh thì cần mấy lần liên tục đạt Chiến sĩ thi đua cơ sở, "
                        "và còn cần thêm điều kiện gì nữa?")
    con = a.conclusion or ""
    assert "03 lần liên tục" in con and "sáng kiến" in con, con
    assert con.count("03 lần liên tục") == 1, con  # the list that holds the first fact replaces it, not repeats it


def test_rule_verbs_do_not_catch_eligibility_words_read_without_diacritics(ask_service) -> None:  # noqa: ANN001
    elig = ask_service.eligibility
    # folded, "cộng" would be the "công" of "công nhận"; "nhận" ends "đủ điều kiện nhận"
    assert elig.is_eligibility_question("Em có được công nhận Lao động tiên tiến năm 2025 không?", yes_no=True)
    assert elig.is_eligibility_question("em co duoc cong nhan LDTT nam 2025 khong", yes_no=True)


def test_a_number_the_asker_gives_or_no_text_cites_is_not_refused_as_cited(ask_service) -> None:  # noqa: ANN001
    # the asker's own paper, in the story before the question
    assert ask_service._unindexed_named("Em được khen theo QĐ 1234/QĐ-UBND năm 2024. Em có đủ điều kiện đề nghị "
                                        "Chiến sĩ thi đua cơ sở không?") is None
    # a number no text of the corpus writes (a typo): not known to be cited, so not said to be
    assert ask_service._unindexed_named("Theo Nghị định 152/2024/NĐ-CP thì hồ sơ gồm những gì?") is None


def test_a_fact_line_is_held_only_by_a_line_with_its_start() -> None:
    from assistant.answer.opening import _holds

    assert _holds("Danh hiệu X: Có thành tích xuất sắc tiêu biểu được lựa chọn …; Có sáng kiến [1].",
                  "Có thành tích xuất sắc tiêu biểu được lựa chọn trong số [1].")
    assert not _holds("Không có gì khác [1].", "Có [2].")  # a short line is never taken as held
