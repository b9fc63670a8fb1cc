"""A count the question asks ("mấy Bằng khen", "bao nhiêu năm") is a number of things in a provision: the month and
year of a date ("ngày 18 tháng 11 năm 2025") are none; and a question naming a plan by its number is judged on that
plan's passages, not on another plan's figures."""

from __future__ import annotations

import pytest
from helpers import ROOT

from assistant.answer.conclusion import AnswerTypes
from assistant.corpus.registry import norm_number

TYPES = AnswerTypes.load(ROOT / "knowledge" / "answer_types.yaml")


def _counts(text: str) -> list[str]:
    return [m.group(0) for p in TYPES.answer["count"] for m in p.finditer(text)]


@pytest.mark.parametrize("text", [
    "Kế hoạch 0124/KH-UBND ngày 18 tháng 11 năm 2025 của UBND tỉnh",
    "Hà Nội, ngày 05 tháng 12 năm 2025",
])
def test_a_dates_month_and_year_are_no_count(text: str) -> None:
    assert _counts(text) == []


@pytest.mark.parametrize(("text", "count"), [
    ("có 03 năm liên tục hoàn thành xuất sắc nhiệm vụ", "03 năm liên tục"),
    ("mỗi xã, phường chọn 02 trường hợp", "02 trường"),
    ("thời gian trực tiếp giảng dạy từ 15 năm trở lên", "15 năm"),
])
def test_a_count_is_read(text: str, count: str) -> None:
    assert any(count in c for c in _counts(text))


def test_a_plan_named_by_number_is_judged_on_its_own_passages(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    plans = sorted({c.meta.number: c.meta.locality for c in ask_service.knowledge.searcher.chunks
                    if c.meta and c.meta.kind == "plan" and c.meta.number and c.meta.locality}.items())
    assert len(plans) >= 2
    for (number, place), (other, other_place) in zip(plans, plans[1:] + plans[:1], strict=True):
        q = f"KH {number.split('/')[0]} {place} mỗi sở được đề nghị mấy Bằng khen?"
        hits = ask_service.knowledge.search(q, 3) + ask_service.knowledge.search(f"KH {other} {other_place}", 2)
        own = ev.of_named_plans(q, hits)
        assert own and all(norm_number(h.chunk.meta.number) == norm_number(number) for h in own), q
        assert len(own) < len(hits)  # another plan's passages are left out
        unnamed = "Mỗi sở được đề nghị mấy Bằng khen?"  # no plan named: every passage counts
        assert ev.of_named_plans(unnamed, hits) == hits
