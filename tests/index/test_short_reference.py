"""A document named the short way officials write it ("KH 0124", "QĐ số 71") is the document of that kind and number;
a plan named so leads its own passages over another plan's."""

from __future__ import annotations

import pytest

from assistant.corpus.registry import short_reference


@pytest.mark.parametrize(("number", "text", "named"), [
    ("0124/KH-UBND", "kh 0124 cua dak lak", True),
    ("0124/KH-UBND", "theo kh so 124 thi", True),
    ("71/2025/QĐ-UBND", "qd so 71 cua ha noi", True),
    ("0124/KH-UBND", "kh 01245", False),  # another number
    ("0124/KH-UBND", "qd 0124", False),  # another kind
    ("0124/KH-UBND", "kh 0124/2025", False),  # a longer number written in full
])
def test_short_reference(number: str, text: str, named: bool) -> None:
    pat = short_reference(number)
    assert pat is not None
    assert bool(pat.search(text)) is named


def test_a_number_without_a_kind_has_no_short_form() -> None:
    assert short_reference("12345") is None


def test_a_plan_named_by_number_leads_over_another_plan(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    plans = {m.number for m in s._doc_metas if m.kind == "plan"}
    if "0124/KH-UBND" not in plans or "0125/KH-UBND" not in plans:
        pytest.skip("the Đắk Lắk plans of ../shared/corpus/raw are not indexed")
    # both plans of Đắk Lắk have a section on the forms of reward; the one named by its number leads
    q = "KH 0125 Đắk Lắk khen thưởng những hình thức nào?"
    qi = s.analyse(q)
    assert qi.plan_numbers == {"0125/kh-ubnd"}
    hits = s.search(q, k=3)
    assert [h.chunk.meta.number for h in hits] == ["0125/KH-UBND"] * 3


def test_another_year_asked_beside_a_named_plan_keeps_that_year_s_plans(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    if "21/KH-UBND" not in {m.number for m in s._doc_metas if m.kind == "plan"}:
        pytest.skip("the Bình Sơn plan is not indexed")
    qi = s.analyse("Chỉ tiêu tỷ lệ gia đình văn hóa năm 2024 và trong Kế hoạch 21/KH-UBND năm 2025 là bao nhiêu?")
    assert qi.plan_numbers == {"21/kh-ubnd"}
    assert qi.other_plan_years == {2024}
