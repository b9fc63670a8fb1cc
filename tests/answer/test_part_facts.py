"""Each part of a question answered from the right sentence: a list of titles quoted around the asked one, an amount
taken only from the sentence naming the asked title (in any wording), an open part never answered by a sentence
about another title, the fact never pushed out by its continuation; slot features judged per part; titles named
shortened; abbreviations added after the generated set was reviewed."""

from __future__ import annotations

import re

import yaml

from assistant.answer.conclusion import fact_sentence
from assistant.corpus.normalize import fold


def _multiplier(text: str) -> set[str]:
    return set(re.findall(r"\d+,\d+ lần mức lương cơ sở", text))


def _rule_line(ask_service, title_words: str) -> str:  # noqa: ANN001
    """The corpus line stating the multiplier of the title whose (folded) name holds `title_words`."""
    for c in ask_service.knowledge.searcher.chunks:
        for line in c.text.split("\n"):
            if title_words in fold(line) and _multiplier(line):
                return line
    raise AssertionError(title_words)


def test_a_list_of_titles_is_quoted_around_the_asked_one(ask_service) -> None:  # noqa: ANN001
    line = _rule_line(ask_service, "co thi dua cua bo, ban, nganh, tinh")
    a = ask_service.ask("Muốn được Cờ thi đua của UBND tỉnh thì cần tiêu chuẩn gì, và nếu được tặng thì mức tiền "
                        "thưởng là bao nhiêu lần lương cơ sở?")
    assert not a.refused, a.answer[:300]
    assert any(line.strip() in c.quote for c in a.citations), [c.quote[-200:] for c in a.citations]
    # both parts in the opening: the criteria list and the asked title's own multiplier
    assert _multiplier(line) <= _multiplier(a.conclusion or ""), a.conclusion
    assert "Hoàn thành vượt" in (a.conclusion or ""), a.conclusion


def test_an_open_part_is_not_answered_by_another_titles_sentence(ask_service) -> None:  # noqa: ANN001
    line = _rule_line(ask_service, "to dan pho van hoa")
    a = ask_service.ask("Tổ dân phố được công nhận danh hiệu tổ dân phố văn hóa thì được thưởng bao nhiêu lần lương "
                        "cơ sở, có bằng không?")
    assert not a.refused, a.answer[:300]
    assert _multiplier(a.conclusion or "") == _multiplier(line), a.conclusion


def test_the_continuation_never_pushes_out_the_fact(ask_service) -> None:  # noqa: ANN001
    quote = ("Trước ngày 31 tháng 7 của năm xét tặng, cơ quan có văn bản thông báo về việc xét tặng gửi các cơ quan, "
             "tổ chức và đơn vị, cá nhân có liên quan;\nđăng tải thông báo trên Cổng thông tin điện tử của cơ quan "
             "và trang thông tin của đơn vị trực thuộc.")
    for budget in (100, 150, 200):
        got = fact_sentence(quote, "date", ask_service.types, lambda t: 0.5, [], budget)
        assert got and "31 tháng 7" in got, (budget, got)


def test_a_title_named_shortened_is_the_corpus_title(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    # every long quoted name of the corpus, in a fixed order (a set's order changes with the process's hash seed);
    # a quoted phrase cut by dashes ("Độc lập - Tự do - Hạnh phúc", a form's motto) is no title
    longs = sorted(t for t in ask_service.knowledge.searcher.titles if len(t.split()) >= 6 and "-" not in t.split())
    assert longs
    for full in longs:
        words = full.replace(",", "").split()
        short = " ".join(words[:-1])
        assert full in ev.entities(f"Cho em hỏi {short} thì tiền thưởng bao nhiêu?"), full
        # a title written in full, or with a word that does not follow, is not read as another one
        assert full not in ev.shortened_titles(f"cho em hoi {short} khac thi sao"), full


def test_an_amount_the_corpus_does_not_state_is_refused_by_a_readable_name(ask_service) -> None:  # noqa: ANN001
    titles = ask_service.knowledge.searcher.titles
    lines = [fold(x) for c in ask_service.knowledge.searcher.chunks for x in c.text.split("\n") if _multiplier(x)]
    # a title the corpus quotes but states no multiplier for, whose name has five words or more
    unstated = [t for t in titles if len(t.split()) >= 5 and not any(t in x for x in lines)]
    assert unstated
    for t in unstated[:3]:
        short = " ".join(t.split()[:-1])
        a = ask_service.ask(f"{short} thì được thưởng bao nhiêu lần lương cơ sở?")
        assert a.refused, a.answer[:300]
        assert not _multiplier(a.answer.split("\n\n")[0]), a.answer[:300]
        assert re.search(r"[A-ZĐ]", a.answer.split("\n\n")[0].split("(", 1)[1]), a.answer[:300]  # not folded words


def test_slot_features_are_judged_per_part(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    kinds = ev.asked_kinds("Văn bản này do cơ quan nào ban hành, ký ngày nào?")
    assert set(kinds) >= {"authority", "date"}, kinds
    assert ev.asked_kinds("Văn bản này do cơ quan nào ban hành?") == ["authority"]


def test_defined_terms_are_no_titles_of_the_opening(ask_service) -> None:  # noqa: ANN001
    s = ask_service.knowledge.searcher
    assert s.defined_terms, "the corpus defines quoted terms (“…” là …)"
    for term in s.defined_terms:
        assert ask_service._titles_only([term]) == []


def test_abbreviations_added_after_the_review_are_expanded_but_not_generated(ask_service, tmp_path) -> None:  # noqa: ANN001
    from evals.abstention import generator_abbreviations

    vocab = yaml.safe_load((ask_service.settings.knowledge_dir / "query.yaml").read_text("utf-8"))
    added = [a for a in vocab["abbreviations"] if a.get("generated") is False]
    assert added
    used = generator_abbreviations(vocab)
    for a in added:
        assert (a["long"], a["short"]) not in used
        text = ask_service.knowledge.searcher.normaliser.normalise(f"Chủ tịch {a['short']} có được ký không?").text
        assert fold(a["long"]) in fold(text), (a, text)


def test_a_value_the_passage_labels_answers_what_is_asked_of_it(ask_service) -> None:  # noqa: ANN001
    from assistant.answer.conclusion import labelled_value, sentences

    # every plan sentence of the corpus that labels a value "… với chủ đề: …" answers "… chủ đề gì?"
    found = 0
    for c in ask_service.knowledge.searcher.chunks:
        if c.meta is None or c.meta.kind != "plan":
            continue
        sents = sentences(c.text)
        for s in sents:
            if re.search(r"chủ đề:\s*\S", s) or s.rstrip().endswith("chủ đề:"):
                got = labelled_value("Kế hoạch này phát động thi đua với chủ đề gì?", sents, 400)
                assert got and "chủ đề" in got, (c.citation, got)
                found += 1
                break
    assert found
    assert labelled_value("Kế hoạch này phát động thi đua với chủ đề gì?", ["Mục đích: tăng cường."], 400) is None


def test_a_name_ends_where_what_is_asked_of_it_begins(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    assert [e.split(" ", 2)[-1] if e.startswith("danh hieu ") else e
            for e in ev.entities("Danh hiệu Lao động tiên tiến tiêu chuẩn thế nào?")] == ["lao dong tien tien"]
    # a syllable of those words inside a name does not end it; a year after the name is not part of it
    got = ev.entities("Muốn đăng ký danh hiệu xã tiêu biểu năm 2025 thì cần tiêu chuẩn gì?")
    assert got and got[0].endswith("xa tieu bieu"), got


def test_criteria_of_a_title_the_corpus_only_lists_are_not_answered(ask_service) -> None:  # noqa: ANN001
    # a name the corpus writes only inside a coordination of a list of rewards, with no criteria stated for it
    a = ask_service.ask("Muốn đăng ký danh hiệu xã tiêu biểu thì cần đạt những tiêu chuẩn gì?")
    assert a.refused, a.answer[:300]


def test_a_question_typed_without_marks_is_read_folded_even_with_a_y(ask_service) -> None:  # noqa: ANN001
    from assistant.corpus.normalize import has_marks

    assert not has_marks("ty le cu tri di bau phai dat bao nhieu") and not has_marks("chien si thi dua co so")
    assert has_marks("tỷ lệ") and has_marks("đi")
    types = ask_service.types
    for q in ("ty le cu tri di bau phai dat bao nhieu", "Tỷ lệ phiếu đồng ý phải đạt bao nhiêu?"):
        assert types.detect(q) == "count", q  # a share asked, words between


def test_a_labelled_value_is_found_for_x_la_gi() -> None:
    from assistant.answer.conclusion import labelled_value

    sents = ["Ủy ban phát động thi đua với chủ đề:", "Đoàn kết, sáng tạo, về đích sớm."]
    for q in ("Chủ đề là gì?", "Hội nghị năm nay, chủ đề là gì?", "Kế hoạch có chủ đề gì?"):
        got = labelled_value(q, sents, 300)
        assert got and "Đoàn kết" in got, (q, got)


def test_a_plans_own_dates_answer_not_a_sentence_recalling_what_the_plan_is_for(ask_service) -> None:  # noqa: ANN001
    # every sentence recalling the plan's purpose repeats its title's words ("chi trả … không dùng tiền mặt"); the
    # one that answers says when
    a = ask_service.ask("Kế hoạch thi đua chi trả trợ giúp xã hội không dùng tiền mặt của thành phố Cần Thơ: đợt "
                        "02 thực hiện vét từ ngày nào đến ngày nào?")
    head = a.answer.split("\n\n")[0]
    assert not a.refused and "từ ngày 08 đến ngày 10 tháng 12" in head, head
    assert "Chỉ thị" not in head, head
    # the announcing line that completes the opening does not repeat the fact already stated
    assert head.count("Thực hiện vét trong 03 ngày làm việc") == 1, head
