"""A quantity asked of a provision that states none but hands the matter to a part of its own text the corpus lacks
("… theo quy định tại Phụ lục I Nghị định này"): refused, the missing part named, how to add it; questions built
here from every such sentence of the corpus."""

from __future__ import annotations

import re

import pytest

from assistant.answer.missing import HOW_TO_ADD, delegated_missing, holds_value


@pytest.mark.parametrize(("text", "value"), [
    ("1. Thể thức văn bản hành chính được thực hiện theo quy định tại Phụ lục I Nghị định này.", False),
    ("Điều 9. Kỹ thuật trình bày\na) Khổ giấy theo Nghị định số 30/2020/NĐ-CP và khoản 2 Điều 8.", False),
    ("b) Khi đóng dấu lên chữ ký, dấu đóng phải trùm lên khoảng 1/3 chữ ký về phía bên trái.", True),
    ("Hồ sơ gồm 03 bộ, nộp trong 30 ngày.", True),
])
def test_holds_value_ignores_list_marks_and_references(text: str, value: bool) -> None:
    assert holds_value(text) is value


def _delegations(knowledge):  # noqa: ANN001, ANN202
    s = knowledge.searcher
    return [(c, m, sentence) for c in s.chunks if not c.secondary
            for m, sentence in delegated_missing(c, knowledge.registry, s.chunks)]


def test_a_quantity_handed_to_a_missing_part_is_refused_naming_it(ask_service, knowledge) -> None:  # noqa: ANN001
    found = _delegations(knowledge)
    assert len(found) >= 5, "the corpus hands several matters to appendices it does not hold"
    named = 0
    for _c, m, sentence in found:
        subject = re.split(r"\s+(?:được thực hiện |được )?theo quy định tại", sentence)[0]
        subject = re.sub(r"^(?:[a-zđ]\)|\d+\.)\s*", "", subject).strip(" ,")
        a = ask_service.ask(f"{subject} là bao nhiêu?")
        part = m.short.removeprefix("Kho chưa có toàn văn ").rstrip(".")
        if a.refused and part in a.answer:
            named += 1
            assert HOW_TO_ADD in a.answer and a.citations
            assert not re.search(r"\d+,\d+\s+lần", a.answer.split("\n\n", 1)[0])
    # the question built from a sentence may lead to another passage that answers it (its own list, say)
    assert named >= 0.8 * len(found), (named, len(found))


def test_the_part_named_is_the_one_about_the_question(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Viết hoa trong văn bản hành chính có mấy quy tắc?")
    assert a.refused
    opening = a.answer.split("Không tìm thấy", 1)[0]
    assert "Phụ lục II " in opening and "Phụ lục I " not in opening and "Phụ lục III" not in opening, opening


def test_not_a_quantity_or_a_figure_stated_is_answered(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Kỹ thuật trình bày văn bản gồm những gì?")
    assert not a.refused and "phông chữ" in a.answer.lower()
    b = ask_service.ask("Khi đóng dấu lên chữ ký thì dấu phải trùm lên bao nhiêu phần chữ ký?")
    assert not b.refused and "1/3" in b.answer.split("\n\n", 1)[0]
