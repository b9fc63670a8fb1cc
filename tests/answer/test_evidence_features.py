"""Abstention features added for issue 8 item 6 (phrase run, asked slot near its subject, a locality's document the
question does not name, the question's own clause) and the generator's relabelling rules, on the real index."""

from __future__ import annotations

import pytest
from helpers import ROOT, TODAY

from assistant.answer.evidence import FEATURES, AbstentionModel, Evidence, Words, marked_reading
from assistant.corpus.normalize import fold
from assistant.index.retriever import Hit

KNOW = ROOT / "knowledge"
NGHE_AN = "kh-982-kh-ubnd-2025-nghe-an-dot-thi-dua-chao-mung-dai-hoi-xiv.md"


@pytest.fixture(scope="module")
def evidence(knowledge) -> Evidence:  # noqa: ANN001
    return Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))


def _hits(knowledge, pred) -> list[Hit]:  # noqa: ANN001
    return [Hit(c, 1.0, i) for i, c in enumerate(c for c in knowledge.searcher.chunks if pred(c))]


def test_stored_model_uses_the_new_features() -> None:
    m = AbstentionModel.load(KNOW / "abstention.json")
    assert m is not None
    assert {"phrase_run", "phrase_len", "slot_far", "local_unnamed", "article_gap"} <= set(m.features) == set(FEATURES)


def test_phrase_run_counts_the_longest_run_of_question_words_written_together(evidence: Evidence) -> None:
    q = "Kinh phí cho công tác văn thư được quy định ra sao?"
    share, length = evidence.phrase_run(q, fold("Điều 36. Kinh phí cho công tác văn thư"))
    assert length == 1.0 and share >= 0.6
    # the same words scattered over a text: no run longer than one or two content words
    share2, length2 = evidence.phrase_run(q, fold("Kinh phí sản xuất hiện vật; công tác thi đua; văn bản, thư mời"))
    assert share2 < share and length2 <= 0.5


def test_question_clause_is_the_asking_clause_after_a_situation() -> None:
    assert Evidence.question_clause("Xã em vừa sáp nhập với xã bên cạnh, quy định về hiệu lực thi hành như thế "
                                    "nào?") == "quy định về hiệu lực thi hành như thế nào?"
    # the question is asked before the comma: what follows is a list, not the question
    assert Evidence.question_clause("Pháp luật quy định gì về cấp số, thời gian ban hành văn bản?") is None
    assert Evidence.question_clause("Tiền thưởng Lao động tiên tiến bao nhiêu?") is None


def test_slot_far_wants_the_asked_value_next_to_the_named_subject(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    art50 = _hits(knowledge, lambda c: c.source_file == "nd-152-2025.md" and "lần mức lương cơ sở" in c.text)
    assert art50
    # the multiplier is written on the line that names the title
    assert evidence.slot_far("Tiền thưởng Lao động tiên tiến bao nhiêu?", [h.chunk for h in art50]) == 0.0
    # a category that holds the asked title: half of its words written as one run next to the amount
    assert 0.3 < evidence.slot_far("Cờ thi đua của Ủy ban nhân dân tỉnh được thưởng bao nhiêu tiền?", [h.chunk for h in art50]) < 0.7
    # amounts are there, but never next to this title
    assert evidence.slot_far("Công dân danh dự Thủ đô được thưởng bao nhiêu tiền?", [h.chunk for h in art50]) > 0.7
    # a share asked: only a % answers it, and Điều 50 has none
    assert evidence.slot_far("Tỷ lệ tối đa được đề nghị xét tặng “Lao động tiên tiến” là bao nhiêu %?", [h.chunk for h in art50]) == 1.0
    # nothing with a value form asked
    assert evidence.slot_far("Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?", [h.chunk for h in art50]) == 0.0


def test_slot_far_reads_a_sentence_without_a_title_with_its_section_heading(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    sec = _hits(knowledge, lambda c: "tỷ lệ cử tri đi bầu cử đạt từ 98%" in c.text
                and "Bằng khen của Chủ tịch UBND tỉnh" in " ".join(c.breadcrumb))
    if not sec:
        pytest.skip("the Đắk Lắk election plan of ../shared/corpus/raw is not indexed")
    # the share is written under the heading "Bằng khen của Chủ tịch UBND tỉnh", asked with the name in full
    q = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh về công tác bầu cử yêu cầu tỷ lệ cử tri đi bầu bao nhiêu %?"
    assert evidence.slot_far(q, [h.chunk for h in sec]) == 0.0
    # a title the heading does not name stays far
    assert evidence.slot_far("Cờ thi đua của Ủy ban nhân dân tỉnh yêu cầu tỷ lệ cử tri đi bầu bao nhiêu %?",
                             [h.chunk for h in sec]) > 0.3


def test_local_unnamed_is_the_share_of_passages_from_a_locality_the_question_does_not_name(
        evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    plan = _hits(knowledge, lambda c: c.source_file == NGHE_AN)[:3]
    assert plan and plan[0].chunk.meta.locality
    assert evidence.local_unnamed("Kế hoạch năm 2025 của Cà Mau nêu tiêu chí thi đua thế nào?", plan) == 1.0
    assert evidence.local_unnamed("Kế hoạch năm 2025 của Nghệ An nêu tiêu chí thi đua thế nào?", plan) == 0.0
    law = _hits(knowledge, lambda c: c.source_file == "luat-06-2022-qh15.md")[:3]
    assert evidence.local_unnamed("Kế hoạch năm 2025 của Cà Mau nêu tiêu chí thi đua thế nào?", law) == 0.0
    # a province's regulation may answer a general question; not one that names another locality
    bac_ninh = _hits(knowledge, lambda c: c.source_file == "qd-86-2025-qd-ubnd-bac-ninh-quy-dinh-tdkt.md")[:3]
    assert evidence.local_unnamed("Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?", bac_ninh) == 0.0
    assert evidence.local_unnamed("Ở Hà Nội tiêu chuẩn danh hiệu Lao động tiên tiến là gì?", bac_ninh) == 1.0
    assert evidence.local_unnamed("Ở Bắc Ninh tiêu chuẩn danh hiệu Lao động tiên tiến là gì?", bac_ninh) == 0.0


def test_features_are_computed_for_a_situated_question(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    q = "Xã em vừa sáp nhập với xã bên cạnh, tiền thưởng danh hiệu Lao động tiên tiến là bao nhiêu?"
    a = evidence.assess(q, knowledge.search(q, k=5), TODAY.year)
    assert set(FEATURES) <= set(a.features)
    assert a.features["phrase_len"] == 1.0 and a.features["slot_far"] == 0.0
    assert a.supported, (a.score, a.reasons)


def test_a_plan_question_about_a_locality_without_plans_is_refused(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    q = "Kế hoạch năm 2025 của Cà Mau nêu đối tượng thi đua thế nào?"
    a = evidence.assess(q, knowledge.search(q, k=5), TODAY.year)
    assert not a.supported, (a.score, a.features)


@pytest.fixture(scope="module")
def generated(knowledge):  # noqa: ANN001, ANN201
    import yaml

    from evals.abstention import generate, generator_abbreviations

    vocab = yaml.safe_load((KNOW / "query.yaml").read_text("utf-8")) or {}
    return generate(knowledge, generator_abbreviations(vocab))


@pytest.mark.parametrize(("kind", "least"), [("place_swap", 0.85), ("aspect_neg", 0.65), ("off_domain", 0.9)])
def test_generated_negatives_of_a_kind_are_mostly_refused(evidence: Evidence, knowledge, generated, kind: str,
                                                          least: float) -> None:  # noqa: ANN001
    items = [it for it in generated if it.kind == kind]
    assert len(items) >= 40
    refused = sum(not evidence.assess(it.question, knowledge.search(it.question, k=5), TODAY.year).supported
                  for it in items)
    assert refused / len(items) >= least


# ------------------------------------------------------------------------------------- generator relabelling
def test_aspect_titles_match_with_or_without_cua() -> None:
    from evals.abstention import _title_key

    assert _title_key("co thi dua cua chinh phu") == _title_key("co thi dua chinh phu")
    assert _title_key("danh hieu co thi dua cua chinh phu duoc thuong").find(_title_key("co thi dua chinh phu")) > 0


def test_definition_questions_are_generated_from_the_terms_a_law_defines(knowledge) -> None:  # noqa: ANN001
    import random

    from evals.abstention import definition_items

    items = definition_items(knowledge.searcher.chunks, random.Random(1), [])
    assert len(items) >= 10 and all(it.label == 1 and it.kind.startswith("definition") for it in items)
    files = {it.gold[0]["file"] for it in items}
    assert "nd-30-2020.md" in files
    # each question names the term its gold passage defines
    for it in items:
        c = next(c for c in knowledge.searcher.chunks if c.source_file == it.gold[0]["file"]
                 and c.start == it.gold[0]["start"])
        assert it.group.split("#", 1)[1] in fold(c.text)


def test_repeated_kfold_pools_every_shuffle() -> None:
    import random

    from evals.abstention import FEATURES as FS
    from evals.abstention import kfold

    rng = random.Random(0)
    rows = []
    for i in range(200):
        label = i % 2
        feats = {f: rng.random() for f in FS}
        feats["support"] = 0.7 * label + 0.3 * rng.random()  # separable by one feature
        rows.append({"features": feats, "label": label, "kind": "pos" if label else "neg", "group": f"g{i // 2}"})
    kf = kfold(rows, max_false_refusal=0.05)
    assert [r["seed"] for r in kf["repeats"]] == [3, 4, 5] and len(kf["fold_thresholds"]) == 15
    assert kf["refusal"] > 0.9 and kf["false_refusal"] < 0.2  # the threshold sits inside the positives: ~budget
    assert abs(kf["false_refusal"] - sum(r["false_refusal"] for r in kf["repeats"]) / 3) < 1e-3


def test_abstention_reads_stopwords_with_diacritics_when_the_question_has_them(evidence: Evidence) -> None:
    with marked_reading():
        # "thi" (of "thi đua"), "cơ" and "thẻ" are content; their folded forms are stopwords ("thì", "có", "thế")
        flags = dict(evidence.content_flags("Thì Chiến sĩ thi đua cơ sở được cấp thẻ không?"))
        assert flags["thi"] is True and flags["co"] is True and flags["the"] is True
        assert not dict(evidence.content_flags("thì sao"))["thi"]
        assert "thi_dua" in evidence.terms("Chiến sĩ thi đua cơ sở được thưởng bao nhiêu?")
        # typed without diacritics: "thi" may be "thì", read by the folded stopwords
        assert dict(evidence.content_flags("ldtt thi tien thuong bao nhieu"))["thi"] is False
    # outside the abstention checks (passage ranking of the answer) the folded reading stays
    assert "thi_dua" not in evidence.terms("Chiến sĩ thi đua cơ sở được thưởng bao nhiêu?")


def test_an_unaccented_question_stays_unaccented_after_abbreviations_are_expanded(evidence: Evidence,
                                                                                  knowledge) -> None:  # noqa: ANN001
    # the asked kind (amount) is found although the normaliser writes the title with diacritics
    q = "cho em hoi ldtt thi tien thuong bao nhieu vay a"
    feats = evidence.checks(q, knowledge.search(q, k=5), TODAY.year)[0]
    assert feats["slot_asked"] == 1.0


def test_article_gap_is_one_without_another_article_of_the_top_document(knowledge) -> None:  # noqa: ANN001
    cs = knowledge.searcher.chunks
    luat = [c for c in cs if c.source_file == "luat-06-2022-qh15.md" and c.breadcrumb]
    a, b = luat[0], next(c for c in luat if c.breadcrumb[-1] != luat[0].breadcrumb[-1])
    other = next(c for c in cs if c.source_file != a.source_file)
    assert Evidence.article_gap([Hit(a, 1.0, 0), Hit(other, 0.9, 1)]) == 1.0
    assert Evidence.article_gap([Hit(a, 1.0, 0), Hit(b, 0.8, 1)]) == pytest.approx(0.2)


def test_a_removed_plan_with_a_plan_of_the_same_locality_and_year_left_is_no_negative(knowledge) -> None:  # noqa: ANN001
    from evals.abstention import Overlap

    files = {c.source_file for c in knowledge.searcher.chunks}
    a = next(f for f in files if f.endswith("kh-0124-kh-ubnd-2025-dak-lak-dot-thi-dua-chao-mung-dai-hoi-xiv.md"))
    b = next(f for f in files if f.endswith("kh-0125-kh-ubnd-2025-dak-lak-thi-dua-bau-cu-qh-khoa-xvi.md"))
    ov = Overlap(knowledge.searcher)
    gold = [{"file": a, "start": 0, "end": 10}]
    assert ov.same_scope_plan(gold, {a})  # the other Đắk Lắk plan of 2025 is left
    assert not ov.same_scope_plan(gold, {a, b})  # both hidden: no plan of that locality and year
    assert not ov.same_scope_plan([{"file": "luat-06-2022-qh15.md", "start": 0, "end": 10}], {"luat-06-2022-qh15.md"})


def test_a_real_title_after_normalisation_is_no_variant(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    # the normaliser once wrote "tòan" for "toàn" and the title counted as invented (fixed in unify_tones)
    q = knowledge.searcher.normaliser.normalise("Muốn được Chiến sĩ thi đua toàn quốc thì cần mấy lần liên tục?").text
    assert evidence.title_variants(q) == []
    assert evidence.title_variants("Chiến sĩ thi đua cơ xanh được thưởng bao nhiêu?")


def test_a_capitalised_opener_is_no_part_of_a_name_the_corpus_writes(knowledge) -> None:  # noqa: ANN001
    from assistant.answer.evidence import Evidence, Words

    ev = Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))
    assert ev.absent_names("Tại Bắc Ninh, với danh hiệu Tập thể lao động xuất sắc thì ai quyết định?") == []
    assert ev.absent_names("Cà Mau năm 2025 có kế hoạch thi đua gì?") == ["Cà Mau"]  # a place no document has


def test_a_quoted_campaign_name_is_no_title(knowledge) -> None:  # noqa: ANN001
    from assistant.answer.evidence import Evidence, Words

    ev = Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))
    # titles are quoted after a head noun ("danh hiệu “…”"); a campaign's quoted name does not make "phong trào
    # thi đua bầu cử …" a title that does not exist
    assert ev.title_variants("Bằng khen trong phong trào thi đua bầu cử đại biểu Quốc hội thì cần gì?") == []
    assert ev.title_variants("Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ xanh là gì?") == ["chien si thi dua co xanh"]


def test_a_deadline_answers_a_thoi_han_question(evidence: Evidence) -> None:
    kinds = evidence.asked_kinds("Thời hạn gửi hồ sơ đề nghị tặng Bằng khen về Sở Nội vụ?")
    assert kinds[0] == "duration" and "date" in kinds
    assert evidence.asked_kinds("Bao lâu thì phải nộp lưu hồ sơ?") == ["duration"]
