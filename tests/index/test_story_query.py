"""What the question names: the asker's story's years are facts about them, not the period asked about; its titles
are searched for only when the question sentence names none of its own; a place typed without spaces is named."""

from __future__ import annotations

from assistant.corpus.normalize import fold

STORY = "Em là giáo viên, 3 năm 2022, 2023, 2024 em đều đạt Chiến sĩ thi đua cơ sở, có 2 sáng kiến."


def test_the_years_of_the_story_are_not_asked(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    qi = s.analyse(f"{STORY} Tiền thưởng danh hiệu chiến sĩ thi đua cấp tỉnh là bao nhiêu?")
    assert not qi.years, qi.years
    assert s.analyse("Năm 2024 tiền thưởng danh hiệu Chiến sĩ thi đua cơ sở là bao nhiêu?").years == {2024}


def test_the_titles_of_the_story_join_only_a_question_that_names_none(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    named = s.analyse(f"{STORY} Tiền thưởng danh hiệu Lao động tiên tiến là bao nhiêu?")
    assert "chien si thi dua co so" not in named.expanded, named.expanded
    bare = s.analyse(f"{STORY} Vậy em có đủ điều kiện không?")
    assert "chien si thi dua co so" in bare.expanded, bare.expanded


def test_a_term_a_text_defines_is_no_title_of_the_question(knowledge) -> None:  # noqa: ANN001
    # "hồ sơ" is quoted where the archives decree defines it, so it reads as a quoted name; the question sentence
    # that names only it still asks about the story's award
    s = knowledge.searcher
    assert "ho so" in s.defined_terms
    qi = s.analyse(f"{STORY} Hồ sơ đề nghị phải nộp cho đơn vị chậm nhất ngày nào?")
    assert "chien si thi dua co so" in qi.expanded, qi.expanded


def test_a_place_typed_without_its_spaces_is_that_place(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    spaced = [loc for loc in s.localities if " " in loc]
    assert "bac ninh" in spaced and "dak lak" in spaced
    for typed, place in (("BắcNinh", "bac ninh"), ("ĐắkLắk", "dak lak"), ("daklak", "dak lak")):
        qi = s.analyse(f"Kế hoạch thi đua năm 2025 của {typed} có những chỉ tiêu gì?")
        assert place in qi.localities and place in fold(qi.expanded), (typed, qi.localities)
    # a word that merely contains a place's letters names nothing
    assert not s.analyse("Kế hoạch thi đua hangbacninhx có gì?").localities
