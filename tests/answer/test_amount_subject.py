"""An amount is stated only for the title asked: never another title's figure from the same article."""

from __future__ import annotations

import re

from assistant.answer.conclusion import best_subject_sentences, title_overlap

_FIG = [re.compile(r"\d+(?:,\d+)?\s+lần\s+mức\s+lương")]
_SENTS = ["Danh hiệu “Tập thể lao động xuất sắc” được thưởng 1,5 lần mức lương cơ sở",
          "Danh hiệu “Tập thể Lao động tiên tiến” được thưởng 0,8 lần mức lương cơ sở",
          "Danh hiệu “Cờ thi đua của Chính phủ” được tặng cờ và được thưởng 12,0 lần mức lương cơ sở"]


def _opening(text: str) -> str:
    return text.split("“")[0].split("\n\n")[0]


def test_title_overlap_prefers_the_asked_subject() -> None:
    q = "Tập thể lao động xuất sắc thưởng bao nhiêu?"
    assert title_overlap(_SENTS[0], q) == 1.0
    assert title_overlap(_SENTS[2], q) < 0.5
    assert best_subject_sentences(_SENTS, q, _FIG) == [_SENTS[0]]


def test_no_sentence_left_when_no_figure_is_about_the_asked_title() -> None:
    assert best_subject_sentences(_SENTS, "Huy hiệu kỷ niệm được thưởng bao nhiêu?", _FIG) == []


def test_amount_answer_is_not_padded_with_another_titles_figure(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Tập thể lao động xuất sắc được thưởng bao nhiêu tiền?")
    assert not a.refused
    head = _opening(a.answer)
    assert "1,5 lần" in head and "0,8 lần" not in head, head


def test_amount_of_a_title_the_corpus_gives_none_for_is_refused(ask_service) -> None:  # noqa: ANN001
    a = ask_service.ask("Bằng khen của Chủ tịch UBND tỉnh được thưởng bao nhiêu tiền?")
    head = _opening(a.answer)
    assert a.refused and a.mode == "refusal", a.answer
    assert "không nêu mức tiền thưởng" in head and a.citations, head  # why, and the closest passages
    assert not re.search(r"\d+,\d+\s+lần\s+mức\s+lương", head), head  # no other title's multiplier
