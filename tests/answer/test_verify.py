"""Answer verification: figures, dates and document numbers must come from the sources; citations must exist."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assistant.answer.verify import (
    extract_citations,
    extract_doc_refs,
    extract_numbers,
    find_unsupported,
    support_forms,
    verify_answer,
)

P_PLAN = (
    "Số: 21 /KH-UBND\nBình Sơn, ngày 03 tháng 02 năm 2025\n"
    "KH 21/KH-UBND huyện Bình Sơn 2025 › II. Nội dung và chỉ tiêu › 2. Chỉ tiêu thi đua\n"
    "- (1) Tổng giá trị sản xuất khoảng 28.603,61 tỷ đồng;\n"
    "- (2) Tốc độ tăng trưởng tổng giá trị sản phẩm trên địa bàn khoảng 9,48%;\n"
    "- (12) Tỷ lệ hộ nghèo giảm năm 2025 so với năm 2024: 0,77%;"
)
P_DECREE = (
    "Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định chi tiết thi hành một số điều "
    "của Luật Thi đua, khen thưởng số 06/2022/QH15. Nghị định này hết hiệu lực từ ngày 01/7/2025."
)
P_AWARD = "Điều 24. Danh hiệu “Chiến sĩ thi đua cơ sở” được tặng hằng năm cho cá nhân đạt các tiêu chuẩn sau: 1. Đạt danh hiệu “Lao động tiên tiến”; mức tiền thưởng 1,0 lần mức lương cơ sở; kinh phí 2.340.000 đồng."
PASSAGES = [P_PLAN, P_DECREE, P_AWARD]
Q = "Chỉ tiêu tổng giá trị sản xuất của huyện Bình Sơn năm 2025 là bao nhiêu?"


def test_copied_answer_passes():
    answer = (
        "Theo Kế hoạch số 21/KH-UBND ngày 03/02/2025, tổng giá trị sản xuất khoảng 28.603,61 tỷ đồng; "
        "tốc độ tăng trưởng khoảng 9,48% [1]."
    )
    res = verify_answer(answer, PASSAGES, Q, 3)
    assert res.ok, res.problems
    assert res.cited == [1]


def test_invented_amount_is_caught():
    answer = "Cá nhân đạt Chiến sĩ thi đua cơ sở được thưởng 10 triệu đồng [3]."
    res = verify_answer(answer, PASSAGES, "Chiến sĩ thi đua cơ sở được thưởng bao nhiêu?", 3)
    assert not res.ok
    assert res.unsupported_numbers == ["10 triệu"]
    assert any("10 triệu" in p for p in res.problems)


def test_invented_amount_not_rescued_by_small_number_elsewhere():
    # "10" alone occurs in the sources (Điều 10), but "10 triệu" (= 10.000.000) does not.
    res = verify_answer("Mức thưởng 10 triệu đồng [1].", ["Điều 10. Mức thưởng theo quy định."], "?", 1)
    assert res.unsupported_numbers == ["10 triệu"]


def test_amount_in_other_format_matches():
    res = verify_answer("Kinh phí là 2,34 triệu đồng [3].", PASSAGES, Q, 3)
    assert res.ok, res.problems
    res = verify_answer("Tổng giá trị sản xuất khoảng 28603,61 tỷ đồng [1].", PASSAGES, Q, 3)
    assert res.ok, res.problems


def test_citation_out_of_range_is_caught():
    res = verify_answer("Tổng giá trị sản xuất khoảng 28.603,61 tỷ đồng [7].", PASSAGES, Q, 3)
    assert not res.ok
    assert res.bad_refs == [7]
    assert any("[7]" in p for p in res.problems)
    assert verify_answer("Xem [0].", PASSAGES, Q, 3).bad_refs == [0]


def test_no_citation_is_flagged_only_when_passages_given():
    res = verify_answer("Tổng giá trị sản xuất khoảng 28.603,61 tỷ đồng.", PASSAGES, Q, 3)
    assert not res.ok and any("không trích dẫn" in p for p in res.problems)
    assert verify_answer("Không tìm thấy thông tin trong văn bản.", [], Q, 0).ok


def test_date_in_other_format_still_matches():
    for answer in (
        "Nghị định 98/2023/NĐ-CP hết hiệu lực từ ngày 1/7/2025 [2].",
        "Nghị định 98/2023/NĐ-CP hết hiệu lực từ ngày 01 tháng 7 năm 2025 [2].",
        "Nghị định 98/2023/NĐ-CP hết hiệu lực từ 01-07-2025 [2].",
        "Nghị định 98 hết hiệu lực từ tháng 7/2025 [2].",
        "Nghị định 98 ban hành ngày 31/12/2023, hết hiệu lực năm 2025 [2].",
    ):
        res = verify_answer(answer, PASSAGES, "?", 3)
        assert res.ok, (answer, res.problems)


def test_wrong_date_is_caught():
    res = verify_answer("Nghị định 98/2023/NĐ-CP hết hiệu lực từ ngày 01/01/2025 [2].", PASSAGES, "?", 3)
    assert res.unsupported_numbers == ["01/01/2025"]


def test_invented_document_number_is_caught():
    res = verify_answer("Căn cứ Nghị định 91/2017/NĐ-CP, tỷ lệ không quá 15% [2].", PASSAGES, "?", 3)
    assert res.unsupported_doc_refs == ["91/2017/NĐ-CP"]
    assert res.unsupported_numbers == ["15%"]
    assert not res.ok


def test_doc_number_year_must_match():
    res = verify_answer("Theo Nghị định 98/2024/NĐ-CP [2].", PASSAGES, "?", 3)
    assert res.unsupported_doc_refs == ["98/2024/NĐ-CP"]
    assert verify_answer("Theo Nghị định 98 và Luật số 06/2022/QH15 [2].", PASSAGES, "?", 3).ok


def test_numbers_from_question_count_as_supported():
    res = verify_answer("Năm 2026 chưa có kế hoạch trong nguồn [1].", PASSAGES, "Kế hoạch năm 2026 thế nào?", 3)
    assert res.ok, res.problems


def test_list_markers_and_structure_numbers():
    answer = (
        "Các tiêu chuẩn:\n1. Đạt danh hiệu “Lao động tiên tiến” [3];\n2) Mức thưởng 1,0 lần mức lương cơ sở [3].\n"
        "- (12) Tỷ lệ hộ nghèo giảm 0,77% [1].\nTheo Điều 24 [3]."
    )
    res = verify_answer(answer, PASSAGES, "?", 3)
    assert res.ok, res.problems
    res = verify_answer("Theo Điều 37 [3].", PASSAGES, "?", 3)
    assert res.unsupported_numbers == ["37"]


def test_multi_citations():
    assert extract_citations("a [1, 2] b [3-4] c [2][5]") == [1, 2, 3, 4, 2, 5]
    res = verify_answer("Tăng 9,48% [1, 4].", PASSAGES, Q, 3)
    assert res.bad_refs == [4] and res.cited == [1]


def test_empty_answer_fails():
    assert not verify_answer("   ", PASSAGES, Q, 3).ok


def test_extract_numbers_canonical_forms():
    text = "Tổng 28.603,61 tỷ đồng; 2.340.000 đồng; 4,5 lần; 15%; ngày 15 tháng 12 năm 2025; 01/7/2025; năm 2024."
    assert extract_numbers(text) == {
        "28603610000000", "2340000", "4.5", "15%", "2025-12-15", "2025-07-01", "2024",
    }
    assert extract_numbers("1,5") == extract_numbers("1.5") == extract_numbers("1,50") == {"1.5"}
    assert extract_numbers("01/07/2025") == extract_numbers("1/7/2025") == extract_numbers(
        "ngày 01 tháng 7 năm 2025") == {"2025-07-01"}
    assert extract_numbers("10 triệu đồng") == extract_numbers("10.000.000 đồng") == {"10000000"}
    # citations, list markers and document numbers are not figures
    assert extract_numbers("1. Xem [2] theo 98/2023/NĐ-CP") == set()


def test_extract_doc_refs_canonical_forms():
    text = "Căn cứ Luật số 06/2022/QH15, Nghị định 98/2023/NĐ-CP, Kế hoạch số 21 /KH-UBND và Nghị định 152."
    assert extract_doc_refs(text) == {"6/2022/QH15", "98/2023/NĐ-CP", "21/KH-UBND", "NĐ 152"}
    assert extract_doc_refs("quyết định 86/2025/qđ-ubnd") == {"86/2025/QĐ-UBND"}


def test_find_unsupported_for_drafting():
    draft = "Phấn đấu tổng giá trị sản xuất đạt 28.603,61 tỷ đồng, tỷ lệ hộ nghèo giảm 1,2%; 100% xã đạt chuẩn."
    nums, refs = find_unsupported(draft, [P_PLAN])
    assert nums == ["1,2%", "100%"] and refs == []
    assert "2025" in support_forms([P_DECREE])  # a full date lends its year


# --- properties ---------------------------------------------------------------------------------------------
def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(st.integers(min_value=1000, max_value=10**12))
def test_vn_thousands_equal_plain(n):
    assert extract_numbers(f"giá trị {_vn(n)} đồng") == extract_numbers(f"giá trị {n} đồng") == {str(n)}


@given(st.integers(min_value=0, max_value=9999), st.integers(min_value=1, max_value=99))
def test_decimal_comma_equals_dot(i, frac):
    vn = f"{_vn(i)},{frac:02d}"
    assert extract_numbers(f"đạt {vn}%") == extract_numbers(f"đạt {i}.{frac:02d}%")


@given(st.dates(min_value=__import__("datetime").date(1990, 1, 1), max_value=__import__("datetime").date(2099, 12, 31)))
def test_date_formats_equal(d):
    forms = [
        f"{d.day}/{d.month}/{d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"ngày {d.day:02d} tháng {d.month} năm {d.year}",
        f"ngày {d.day} tháng {d.month:02d} năm {d.year}",
    ]
    assert all(extract_numbers(f) == {d.isoformat()} for f in forms)


@given(st.sampled_from(PASSAGES), st.integers(min_value=1, max_value=3))
def test_copying_a_passage_verbatim_passes(passage, n):
    answer = f"{passage} [{n}]"
    assert verify_answer(answer, PASSAGES, "?", 3).ok


def test_party_document_numbers():
    text = "Thực hiện Chỉ thị số 41-CT/TW ngày 18/12/2024 của Ban Bí thư"
    assert extract_doc_refs(text) == {"41-CT/TW"}
    assert verify_answer("Theo Chỉ thị 41 [1].", [text], "?", 1).ok
    assert verify_answer("Theo Chỉ thị số 42-CT/TW [1].", [text], "?", 1).unsupported_doc_refs == ["42-CT/TW"]


def test_ty_le_is_not_a_multiplier():
    assert extract_numbers("đạt 85 tỷ lệ hộ") == {"85"}
    assert extract_numbers("đạt 85 tỷ đồng") == {"85000000000"}
