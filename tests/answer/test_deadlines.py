"""Deadline arithmetic over knowledge/holidays.yaml, deadline detection in real phrasings, user dates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer.deadlines import (
    DEFAULT_HOLIDAYS,
    HolidayCalendar,
    explain_deadline,
    find_deadlines,
    parse_user_date,
)


@pytest.fixture(scope="module")
def cal() -> HolidayCalendar:
    return HolidayCalendar.load(DEFAULT_HOLIDAYS)


# --- the table --------------------------------------------------------------------------------------


def test_table_records_its_source_and_covers_2023_2030() -> None:
    data = yaml.safe_load(DEFAULT_HOLIDAYS.read_text(encoding="utf-8"))
    assert data["source"]["package"] == "holidays"
    assert data["source"]["version"]
    assert data["source"]["generated"]
    assert any("Labor Code" in ref["title"] for ref in data["source"]["legal_basis"])
    assert data["years"] == [2023, 2030]
    assert data["extra_days_off"] == [] and data["extra_working_days"] == []
    text = DEFAULT_HOLIDAYS.read_text(encoding="utf-8")
    assert "Thủ tướng" in text and "extra_working_days" in text
    by_year: dict[int, set[str]] = {}
    for row in data["holidays"]:
        by_year.setdefault(row["date"].year, set()).add(row["group"])
    for year in range(2023, 2031):
        assert {"Tết Dương lịch", "Tết Nguyên đán", "Ngày Giỗ Tổ Hùng Vương", "Ngày Chiến thắng",
                "Ngày Quốc tế Lao động", "Quốc khánh"} <= by_year[year], year


# --- working days -----------------------------------------------------------------------------------


def test_working_days_across_tet_2026(cal: HolidayCalendar) -> None:
    # Fri 13/02 is day 1; 14–22/02 are weekend + Tết days in the table; Mon 23/02 is day 2.
    end, steps = cal.add_working_days(date(2026, 2, 12), 5)
    assert end == date(2026, 2, 26)
    trace = " ".join(steps)
    assert "Bỏ qua: 14/02/2026–22/02/2026" in trace and "Tết Nguyên đán" in trace
    assert "không tính ngày 12/02/2026" in trace and "hôm sau" in trace
    assert "ngày làm việc thứ 1 là thứ Sáu, 13/02/2026" in trace
    assert steps[-1].startswith("Ngày làm việc thứ 5: thứ Năm, 26/02/2026")
    for d in range(16, 21):
        assert not cal.is_working_day(date(2026, 2, d))


def test_working_days_across_30_4_and_1_5(cal: HolidayCalendar) -> None:
    end, steps = cal.add_working_days(date(2026, 4, 29), 1)  # 30/4 Thu, 1/5 Fri, then the weekend
    assert end == date(2026, 5, 4)
    assert "30/04/2026–03/05/2026" in " ".join(steps)
    # 2025: 02/5 is a day off swapped with Saturday 26/4, which becomes a working day
    assert cal.is_working_day(date(2025, 4, 26))
    assert cal.add_working_days(date(2025, 4, 25), 1)[0] == date(2025, 4, 26)
    end, steps = cal.add_working_days(date(2025, 4, 25), 4)
    assert end == date(2025, 5, 5)
    assert any("26/04/2025" in s and "làm" in s for s in steps)


def test_working_days_across_national_day(cal: HolidayCalendar) -> None:
    assert cal.add_working_days(date(2025, 8, 29), 1)[0] == date(2025, 9, 3)
    end, steps = cal.add_working_days(date(2026, 8, 28), 1)  # 31/8 swapped day off, 1–2/9 Quốc khánh
    assert end == date(2026, 9, 3)
    assert "Quốc khánh" in " ".join(steps)


def test_weekends_are_skipped(cal: HolidayCalendar) -> None:
    end, steps = cal.add_working_days(date(2026, 1, 9), 1)
    assert end == date(2026, 1, 12)
    assert "Bỏ qua 2 ngày thứ Bảy, Chủ nhật" in " ".join(steps)
    assert cal.add_working_days(date(2025, 12, 31), 1)[0] == date(2026, 1, 2)  # 1/1 is a holiday
    assert cal.add_working_days(date(2026, 3, 2), 10)[0] == date(2026, 3, 16)


def test_zero_and_negative(cal: HolidayCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 17), 0)[0] == date(2026, 2, 17)
    with pytest.raises(ValueError, match="≥ 0"):
        cal.add_working_days(date(2026, 1, 5), -1)
    with pytest.raises(ValueError):
        cal.add_days(date(2026, 1, 5), -3)


def test_calendar_days_and_months(cal: HolidayCalendar) -> None:
    end, steps = cal.add_days(date(2026, 2, 5), 150)
    assert end == date(2026, 7, 5)
    assert "Chủ nhật" in steps[-1] and "ngày nghỉ" in steps[-1]
    assert cal.add_months(date(2026, 1, 31), 1)[0] == date(2026, 2, 28)
    assert cal.add_months(date(2026, 3, 5), 12)[0] == date(2027, 3, 5)


def test_outside_the_table_warns(cal: HolidayCalendar) -> None:
    end, steps = cal.add_working_days(date(2031, 1, 2), 1)
    assert end == date(2031, 1, 3)
    assert "2023–2030" in " ".join(steps)


def test_office_additions(tmp_path: Path) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text(
        "years: [2026, 2026]\n"
        "holidays:\n  - {date: 2026-01-01, name: Tết Dương lịch, group: Tết Dương lịch}\n"
        "extra_days_off:\n  - {date: 2026-01-05, name: Nghỉ theo thông báo}\n"
        "extra_working_days:\n  - {date: 2026-01-10, name: Làm bù}\n",
        encoding="utf-8",
    )
    c = HolidayCalendar.load(path)
    assert not c.is_working_day(date(2026, 1, 5))
    assert c.is_working_day(date(2026, 1, 10))  # a Saturday made a working day
    end, steps = c.add_working_days(date(2026, 1, 2), 2)  # Mon 5 off → Tue 6 (1), Wed 7 (2)
    assert end == date(2026, 1, 7)
    assert "Nghỉ theo thông báo" in " ".join(steps)


def test_bad_table_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("holidays:\n  - {date: 2026-13-01, name: x}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        HolidayCalendar.load(path)


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 6, 30)), st.integers(1, 60))
def test_working_day_count_property(start: date, n: int) -> None:
    c = HolidayCalendar.load(DEFAULT_HOLIDAYS)
    end, _ = c.add_working_days(start, n)
    assert c.is_working_day(end)
    days = (end - start).days
    assert sum(c.is_working_day(start + timedelta(days=i)) for i in range(1, days + 1)) == n


# --- detection (short sentences copied from the corpus: QĐ 71/2025 Hà Nội, QĐ 3621/QĐ-BYT, QĐ 86/2025 Bắc
# Ninh, NĐ 30/2020, KH 157 Cần Thơ; hard wraps kept as in the raw files) -------------------------------


def _one(text: str):
    found = find_deadlines(text)
    assert len(found) == 1, found
    m = found[0]
    assert text[m.start : m.end] == m.text
    return m


def test_detect_working_days_with_condition() -> None:
    text = ("2. Thời gian Bộ Nội vụ thẩm định hồ sơ khen thưởng và trình Thủ tướng Chính phủ trong thời hạn "
            "20 ngày làm việc, kể từ ngày nhận đủ hồ sơ theo quy định. Việc xem xét")
    m = _one(text)
    assert (m.kind, m.value, m.lead) == ("period_working_days", 20, "trong thời hạn")
    assert m.condition == "kể từ ngày nhận đủ hồ sơ theo quy định"
    assert m.text.startswith("trong thời hạn 20") and m.text.endswith("theo quy định")


def test_detect_period_days_across_hard_wraps() -> None:
    text = "**Tổng thời gian xử lý theo\nquy định:**\n150 ngày kể từ ngày nhận đủ hồ\nsơ hợp lệ.\n|"
    m = _one(text)
    assert (m.kind, m.value) == ("period_days", 150)
    assert m.condition == "kể từ ngày nhận đủ hồ sơ hợp lệ"
    m = _one("2. Trong thời hạn 15\nngày sau khi phát hiện vi phạm của cá nhân được các cơ quan có thẩm quyền kết\n"
             "luận, Sở Nội vụ thành phố Hà Nội có trách nhiệm")
    assert (m.kind, m.value) == ("period_days", 15)
    assert m.condition.startswith("sau khi phát hiện vi phạm")


def test_detect_short_working_days() -> None:
    m = _one("dân (trong thời hạn 07 ngày làm việc);")
    assert (m.kind, m.value, m.condition) == ("period_working_days", 7, None)
    m = _one("Văn bản phải được Văn thư cơ quan trình trong ngày, chậm nhất là trong ngày làm việc tiếp theo đến")
    assert (m.kind, m.value) == ("period_working_days", 1)


def test_detect_recurring_dates() -> None:
    m = _one("thành phố Hà Nội qua Sở Nội vụ\nthành phố Hà Nội trước ngày 31 tháng 3 hằng năm.")
    assert (m.kind, m.day, m.month, m.year, m.condition) == ("recurring_date", 31, 3, None, "hằng năm")
    m = _one("gửi hồ sơ đề nghị khen thưởng đến Sở Nội vụ (qua Phòng Thi\nđua, khen thưởng) trước ngày 10/12 hằng năm.")
    assert (m.kind, m.day, m.month) == ("recurring_date", 10, 12)
    m = _one("gửi hồ sơ về đơn vị trực tiếp quản lý chậm nhất là ngày 15 tháng 8 của\nnăm xét tặng.")
    assert (m.kind, m.day, m.month, m.condition) == ("recurring_date", 15, 8, "của năm xét tặng")
    m = _one("nộp về Văn phòng trước ngày 15/11")
    assert (m.kind, m.day, m.month) == ("recurring_date", 15, 11)


def test_detect_absolute_dates() -> None:
    m = _one("báo cáo kết quả chậm nhất ngày 31/01/2024.")
    assert m.kind == "absolute_date" and m.date == date(2024, 1, 31)
    m = _one("đánh giá kết quả thực hiện, xếp hạng thi đua trước ngày 31 tháng 12 năm 2025.")
    assert m.kind == "absolute_date" and m.date == date(2025, 12, 31)
    m = _one("gửi hồ sơ *trước ngày 31/3/2026 *để tổng hợp, thẩm định")
    assert m.date == date(2026, 3, 31)


def test_detect_months() -> None:
    m = _one("b) Hội đồng họp định kỳ 06\ntháng một lần để đánh giá công tác của Hội đồng")
    assert (m.kind, m.value, m.lead) == ("period_months", 6, "định kỳ")
    m = _one("b) Đối với hồ sơ, tài liệu khác: Trong thời hạn 01 năm kể từ ngày công việc kết thúc.")
    assert (m.kind, m.value, m.unit, m.amount) == ("period_months", 1, "năm", 12)


def test_no_false_positives() -> None:
    text = ("Quyết định này có hiệu lực kể từ ngày 06 tháng 12 năm 2025. Triển khai nhiệm vụ 06 tháng tiếp theo; "
            "hoàn thành tốt nhiệm vụ trong 05 năm liên tục; dịp kỷ niệm ngày Giải phóng Thủ đô (10/10) hằng năm; "
            "tham gia cách mạng trước ngày 01 tháng 01 năm 1945.")
    assert find_deadlines(text) == []


def test_several_mentions_in_order_with_offsets() -> None:
    text = "Nộp chậm nhất ngày 31/01/2024; thẩm định trong thời hạn 20 ngày làm việc kể từ ngày nhận đủ hồ sơ."
    found = find_deadlines(text)
    assert [m.kind for m in found] == ["absolute_date", "period_working_days"]
    assert all(text[m.start : m.end] == m.text for m in found)
    assert found[1].to_dict()["condition"] == "kể từ ngày nhận đủ hồ sơ"


# --- user dates and explanations -------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Hồ sơ nộp ngày 05/3/2026 thì khi nào có kết quả?", date(2026, 3, 5)),
        ("nhận đủ hồ sơ ngày 5 tháng 3 năm 2026", date(2026, 3, 5)),
        ("ngày 05-03-2026", date(2026, 3, 5)),
        ("ngày 5.3.2026", date(2026, 3, 5)),
        ("ngày 31/02/2026 hay 02/03/2026?", date(2026, 3, 2)),
        ("Tiêu chuẩn Chiến sĩ thi đua cơ sở là gì?", None),
        ("nộp ngày 05/3", None),
    ],
)
def test_parse_user_date(question: str, expected: date | None) -> None:
    assert parse_user_date(question) == expected


def test_parse_user_date_default_year() -> None:
    assert parse_user_date("nộp ngày 05/3", default_year=2026) == date(2026, 3, 5)


def test_explain_with_and_without_start(cal: HolidayCalendar) -> None:
    m = find_deadlines("trong thời hạn 20 ngày làm việc, kể từ ngày nhận đủ hồ sơ theo quy định.")[0]
    rule = explain_deadline(m, None, cal)
    assert "20 ngày làm việc kể từ ngày nhận đủ hồ sơ" in rule and "ngày bắt đầu" in rule
    text = explain_deadline(m, date(2026, 2, 5), cal)
    # 06/02 (1), 09–13/02 (2–6), Tết and weekends 14–22/02, 23–27/02 (7–11), 02–06/03 (12–16), 09–12/03 (17–20)
    assert "hạn cuối là thứ Năm, 12/03/2026" in text
    assert "Tết Nguyên đán" in text and "không tính ngày 05/02/2026" in text
    m = find_deadlines("thành phố Hà Nội trước ngày 31 tháng 3 hằng năm.")[0]
    assert "31/03/2026" in explain_deadline(m, date(2026, 2, 5), cal)
    m = find_deadlines("báo cáo chậm nhất ngày 31/3/2026.")[0]
    out = explain_deadline(m, date(2026, 3, 2), cal)
    assert "29 ngày theo lịch" in out and "ngày làm việc" in out


def test_bare_truoc_without_ngay_is_not_a_deadline() -> None:
    assert find_deadlines("Chỉ dùng cho hồ sơ/thời kỳ trước 01/7/2025 hoặc để so sánh.") == []
