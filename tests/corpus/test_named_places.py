"""Places a question names as an administrative unit and a proper name, known to the corpus or not."""

from __future__ import annotations

from assistant.corpus.metadata import named_places


def test_unit_and_proper_name() -> None:
    assert named_places("Bảng tiêu chí của Cụm thi đua các huyện đồng bằng tỉnh Quảng Ngãi gồm gì?") == ["Quảng Ngãi"]
    assert named_places("Kế hoạch năm 2025 của xã Quang Trung") == ["Quang Trung"]
    assert named_places("xã Đông Hòa, tỉnh Phú Yên") == ["Đông Hòa", "Phú Yên"]


def test_levels_without_a_name_are_no_place() -> None:
    assert named_places("Chủ tịch UBND tỉnh có thẩm quyền gì?") == []
    assert named_places("Ủy ban nhân dân cấp xã") == []
    assert named_places("tỉnh. Quảng") == []
