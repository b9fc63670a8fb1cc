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


def test_a_title_named_only_in_the_askers_story_is_the_subject_of_the_amount(ask_service) -> None:  # noqa: ANN001
    # the normaliser puts the asker's situation apart from the question; the question part names no title
    q = ("Chị đồng nghiệp em mới có quyết định công nhận LĐTT (ký tháng 10/2025). Ngoài tiền thưởng thì chị ấy có "
         "được tặng gì không, tiền thưởng tính bằng bao nhiêu lần lương cơ sở ạ?")
    nq = ask_service.knowledge.searcher.normaliser.normalise(q)
    assert "tiên tiến" in nq.story and "tiên tiến" not in nq.text.lower()
    a = ask_service.ask(q)
    assert not a.refused
    head = _opening(a.answer)
    figures = re.findall(r"[^.]*\d+,\d+\s+lần\s+mức\s+lương[^.]*", head)
    # the individual's title, never another title's figure (the collective "Tập thể Lao động tiên tiến" included)
    assert figures and all("Lao động tiên tiến" in f and "Tập thể" not in f for f in figures), head


def test_a_title_asked_by_another_wording_is_read_as_the_corpus_names_it(ask_service) -> None:  # noqa: ANN001
    # "CSTĐ cấp tỉnh" (knowledge/rules.yaml: an alias of "Chiến sĩ thi đua Bộ, ban, ngành, tỉnh", with its basis)
    a = ask_service.ask("CSTĐ cấp tỉnh được thưởng bao nhiêu lần lương cơ sở?")
    assert not a.refused, a.answer
    head = _opening(a.answer)
    figures = re.findall(r"[^.]*\d+,\d+\s+lần\s+mức\s+lương[^.]*", head)
    assert figures and all("bộ, ban, ngành, tỉnh" in f.lower() for f in figures), head


def test_a_named_title_ends_with_its_sentence_or_bracket(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    assert ev.entities("Anh ấy được Bằng khen Bộ trưởng (năm 2025). Ngoài ra thì sao?") == ["bang khen bo truong"]
    assert ev.entities("Chị ấy đạt danh hiệu Lao động tiên tiến. Ngoài tiền thưởng còn gì?") == [
        "danh hieu lao dong tien tien"]


def test_a_named_title_ends_at_a_comma_unless_the_corpus_coordinates_across_it(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    q = "Phường mình được công nhận danh hiệu phường tiêu biểu, ngoài ra có 2 tổ dân phố văn hóa. Thưởng bao nhiêu?"
    assert ev.entities(q) == ["danh hieu phuong tieu bieu"]
    # the corpus writes "bộ, ban, ngành, tỉnh": the coordination is part of the name
    assert any(e.endswith("bo, ban, nganh, tinh") for e in ev.entities(
        "Danh hiệu chiến sĩ thi đua bộ, ban, ngành, tỉnh cần tiêu chuẩn gì?"))


def test_chat_shorthand_in_an_unmarked_question_is_expanded_unmarked() -> None:
    from assistant.answer.followup import expand_abbreviations

    table = {"dc": "được", "LĐTT": "Lao động tiên tiến"}
    assert expand_abbreviations("tap the dc thuong bao nhieu", table) == "tap the duoc thuong bao nhieu"
    assert expand_abbreviations("LĐTT dc thưởng bao nhiêu", table) == "Lao động tiên tiến được thưởng bao nhiêu"


def test_an_unmarked_amount_question_with_shorthand_opens_with_the_figure(ask_service) -> None:  # noqa: ANN001
    # "dc" once became a marked "được" inside an unmarked question, which then matched no sentence as unmarked
    for q in ("tap the lao dong xuat sac dc thuong may lan luong co so",
              "danh hieu xa, phuong, dac khu tieu bieu dc thuong bao nhieu lan luong co so vay"):
        a = ask_service.ask(q)
        assert not a.refused, a.answer
        head = _opening(a.answer)
        assert re.search(r"\d+,\d+\s+lần\s+mức\s+lương", head), head
