"""A question on what a document in force says is not answered by a rule found only in the expired one it replaced."""

from __future__ import annotations

from assistant.answer.models import Citation


def _cite(n: int, number: str, in_force: bool) -> Citation:
    return Citation(n=n, source_file=f"f{n}.md", citation=f"Điều {n}", quote="…", start=0, end=1,
                    in_force=in_force, doc_number=number)


Q = "Theo Nghị định 152/2025/NĐ-CP thì hồ sơ gửi Bộ Nội vụ chậm nhất vào ngày nào?"
OLD = _cite(2, "98/2023/NĐ-CP", False)
LAW = _cite(1, "06/2022/QH15", True)


def test_the_asked_sentence_cited_only_from_the_expired_decree_is_no_answer(ask_service) -> None:  # noqa: ANN001
    fact = "Hồ sơ gửi đến Bộ Nội vụ chậm nhất vào ngày 31 tháng 12 của năm liền kề [2]."
    why = ask_service._expired_instead(Q, fact, [LAW, OLD])
    assert why and "98/2023" in why and "hết hiệu lực" in why, why
    # a second sentence from the law in force completes the opening; the asked one still rests on the expired decree
    why = ask_service._expired_instead(Q, fact + " Có thành tích xuất sắc tiêu biểu [1].", [LAW, OLD])
    assert why and "98/2023" in why, why


def test_a_fact_from_the_text_in_force_or_of_a_named_expired_decree_stands(ask_service) -> None:  # noqa: ANN001
    fact = "Có thành tích xuất sắc tiêu biểu [1]. Hồ sơ gửi chậm nhất vào ngày 31 tháng 12 [2]."
    assert ask_service._expired_instead(Q, fact, [LAW, OLD]) is None
    named = "Theo Nghị định 98/2023/NĐ-CP trước đây thì hồ sơ gửi Bộ Nội vụ chậm nhất vào ngày nào?"
    assert ask_service._expired_instead(named, "Hồ sơ gửi chậm nhất vào ngày 31 tháng 12 [2].", [LAW, OLD]) is None
