"""'… được định nghĩa thế nào?' asks a definition whatever the term: the definitions article answers it."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("question", "defined"), [
    ("Văn bản hành chính được định nghĩa thế nào?", "Văn bản hành chính là"),
    ("Khen thưởng được định nghĩa như thế nào?", "Khen thưởng là"),
    ("Định nghĩa văn bản điện tử là gì?", "Văn bản điện tử là"),
    ("Văn thư cơ quan được định nghĩa thế nào?", "Văn thư cơ quan là"),
    ("định nghĩa lập hồ sơ theo nghị định 30", "Lập hồ sơ là"),
])
def test_a_definition_question_is_answered_by_the_definitions_article(ask_service, question: str,  # noqa: ANN001
                                                                      defined: str) -> None:
    a = ask_service.ask(question)
    assert not a.refused, a.answer[:300]
    assert a.citations and "Điều 3" in a.citations[0].citation, [c.citation for c in a.citations]
    assert defined in (a.conclusion or ""), a.answer[:300]
