"""Plan answers: a target with its breakdown, several targets in one question, target counts stated first."""

from __future__ import annotations

from evals.answers import opening


def test_a_target_that_announces_its_breakdown_carries_its_parts(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Chỉ tiêu tổng giá trị sản xuất địa bàn của xã Quang Trung năm 2024 là bao nhiêu?")
    head = opening(a.answer)
    for value in ("663 tỷ đồng", "377,4 tỷ.đ", "190,3 tỷ.đ", "95,3 tỷ.đ"):
        assert value in head
    assert "Thu nhập bình quân" not in a.answer.split("\n\n")[0], "the parts end where the unit changes"
    for c in a.citations:  # every part is cited at its own offsets
        raw = ask_service.knowledge.raw_text(c.source_file)
        assert raw[c.start:c.start + 20] == c.quote[:20]


def test_two_targets_joined_by_va_are_both_answered(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("xã Quang Trung năm 2024 giao sản lượng lương thực và sản lượng nuôi trồng thủy sản bao nhiêu?")
    head = opening(a.answer)
    assert "774 tấn" in head and "318 tấn" in head


def test_target_counts_open_the_answer_before_any_quote(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Kế hoạch thi đua 2025 của huyện Bình Sơn có mấy chỉ tiêu thi đua?")
    assert a.conclusion and "22 chỉ tiêu thi đua" in a.conclusion and "“" not in a.conclusion
    assert "22 chỉ tiêu" in opening(a.answer)
