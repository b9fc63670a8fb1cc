"""A question of one part asking a number, a time limit or a date is not answered by passages that state no value of
that kind ('… mấy Bằng khen?' answered by a list of award forms): it is refused, saying what is missing."""

from __future__ import annotations

from assistant.answer.models import Citation


def _cite(quote: str) -> Citation:
    return Citation(source_file="x.md", citation="Mục III.3", quote=quote, start=0, end=len(quote))


FORMS = "3. Hình thức khen thưởng\nCác hình thức khen thưởng bao gồm: Bằng khen của Thủ tướng Chính phủ; Giấy khen."
COUNTED = "Mỗi xã, phường chọn 02 trường hợp (tập thể hoặc cá nhân) đề nghị tặng Bằng khen."


def test_a_count_no_cited_passage_states_is_unstated(ask_service) -> None:  # noqa: ANN001
    q = "Mỗi sở được đề nghị mấy Bằng khen trong đợt thi đua này?"
    why = ask_service._value_unstated(q, "count", "Bằng khen của Thủ tướng Chính phủ [1].", [_cite(FORMS)], False)
    assert why and "con số" in why


def test_a_count_a_cited_passage_states_is_answered(ask_service) -> None:  # noqa: ANN001
    q = "Mỗi xã được đề nghị mấy Bằng khen trong đợt thi đua này?"
    assert ask_service._value_unstated(q, "count", "…", [_cite(FORMS), _cite(COUNTED)], False) is None


def test_only_a_question_of_one_part_and_not_a_documents_own_date(ask_service) -> None:  # noqa: ANN001
    two = "Hồ sơ gửi về đâu, và mỗi sở được đề nghị mấy Bằng khen?"
    assert ask_service._value_unstated(two, "count", "…", [_cite(FORMS)], False) is None  # the other part is answered
    own_date = "Kế hoạch này ban hành ngày nào?"
    assert ask_service._value_unstated(own_date, "date", "…", [_cite(FORMS)], False) is None  # the registry's date
    assert ask_service._value_unstated("Hạn nộp hồ sơ là ngày nào?", "date", "…", [_cite(FORMS)], True) is None


def test_the_service_refuses_such_a_question_with_the_reason(ask_service) -> None:  # noqa: ANN001
    # an award the plans list among their forms, asked as a count of a plan that sets none for it
    plans = sorted({c.meta.number for c in ask_service.knowledge.searcher.chunks
                    if c.meta and c.meta.kind == "plan" and c.meta.number and "Bằng khen" in c.text
                    and not any(p.search(c.text) for p in ask_service.types.answer["count"])})
    assert plans
    refused = 0
    for number in plans:
        a = ask_service.ask(f"Theo Kế hoạch {number}, mỗi sở được đề nghị mấy Bằng khen của Thủ tướng?")
        if a.refused:
            refused += 1
        else:  # answered: then a count is stated, never a list of forms alone
            assert any(p.search(a.answer) for p in ask_service.types.answer["count"]), a.answer[:300]
    assert refused  # at least one plan lists the award without a number for it
