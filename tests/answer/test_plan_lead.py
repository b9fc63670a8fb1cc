"""A plan question is led by the plan of the place and year it names; a value the question asks by its label
('chủ đề … là gì?') is the one the passage labels ('với chủ đề: “…”'); 'văn bản' heading a plan's designation
names that plan, not a term the passages must write."""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.answer.conclusion import asked_labels, sentences
from assistant.answer.lead import plan_asked
from assistant.corpus.models import DocMeta
from assistant.corpus.normalize import fold
from assistant.index.retriever import QueryInfo


def _info(years: set[int], places: set[str]) -> QueryInfo:
    return QueryInfo(text="", folded="", accented=True, doc_numbers=set(), years=years, localities=places,
                     titles=set(), names_old_doc=False)


def test_a_plan_of_another_year_or_place_is_not_the_asked_one() -> None:
    plan = DocMeta(doc_id="p", source_file="p.txt", kind="plan", year=2025, locality="Bình Sơn")
    assert plan_asked(plan, _info({2025}, {"binh son"}))
    assert plan_asked(plan, _info(set(), set()))  # the question names neither: any plan may answer
    assert not plan_asked(plan, _info({2024}, {"binh son"}))
    assert not plan_asked(plan, _info({2025}, {"chi lang"}))
    law = DocMeta(doc_id="l", source_file="l.md", kind="legal", year=2022)
    assert plan_asked(law, _info({2024}, {"binh son"}))  # a law's year says nothing of the year asked


def test_the_plan_of_the_asked_year_leads_when_a_later_plan_repeats_its_targets(ask_service) -> None:  # noqa: ANN001
    by_place: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    source: dict[tuple[str, int], str] = {}
    for r in ask_service.indicators.rows:
        if r.locality and r.year:
            by_place[r.locality][r.year].add(r.metric.lower())
            source[(r.locality, r.year)] = r.source_file
    checked = 0
    for place, years in by_place.items():
        shared = sorted(set.intersection(*years.values())) if len(years) > 1 else []
        if len(shared) < 2:
            continue
        for year in years:  # the targets both plans set, asked of one year
            a = ask_service.ask(f"Trong văn bản thi đua năm {year} của {place}, các chỉ tiêu {', '.join(shared)} "
                                f"được đăng ký ở mức nào?")
            assert not a.refused, (place, year)
            assert a.citations[0].source_file == source[(place, year)], (place, year, a.citations[0].citation)
            checked += 1
    assert checked


def test_a_label_and_its_short_value_on_one_line_are_one_sentence() -> None:
    assert sentences("- (11) Số trường đạt chuẩn Quốc gia năm 2024: 01 trường;") == [
        "- (11) Số trường đạt chuẩn Quốc gia năm 2024: 01 trường;"]
    long_value = "Hồ sơ gồm: " + "tờ trình, báo cáo thành tích của cá nhân và tập thể đề nghị khen thưởng " * 2
    assert len(sentences(long_value)) == 2


def test_the_label_a_question_asks_by() -> None:
    assert "chu de" in asked_labels("Chủ đề thi đua năm 2024 của huyện Chi Lăng là gì vậy ạ?")
    assert "chu de" in asked_labels("Huyện phát động thi đua với chủ đề gì?")
    assert asked_labels("Tiền thưởng Lao động tiên tiến bao nhiêu?") == []


def test_a_plans_theme_asked_by_its_label_opens_the_answer(ask_service) -> None:  # noqa: ANN001
    themes: dict[str, tuple[str, int, str]] = {}
    for c in ask_service.knowledge.searcher.chunks:
        m = c.meta
        hit = re.search(r"chủ đề:\s*\**“([^”]{20,})”", c.text)
        if m and m.kind == "plan" and m.locality and m.year and hit:
            themes.setdefault(m.source_file, (m.locality, m.year, hit.group(1)))
    assert themes
    for place, year, theme in themes.values():
        a = ask_service.ask(f"Chủ đề thi đua năm {year} của {place} là gì ạ?")
        opening = a.answer.split("\n\n")[0]
        assert fold(" ".join(theme.split()[:5])) in fold(opening), (place, year, opening)


def test_vanban_heading_a_retrieved_plans_designation_is_no_missing_term(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    checked = 0
    for c in ask_service.knowledge.searcher.chunks:
        m = c.meta
        if not (m and m.kind == "plan" and m.locality and m.year and m.title):
            continue
        words = re.findall(r"\w+", m.title.replace("V/v", ""))[:2]
        q = f"Văn bản {' '.join(words).lower()} năm {m.year} của {m.issuer or m.locality} gồm những chỉ tiêu nào?"
        hits = ask_service.knowledge.search(q, 5)
        if not any(h.chunk.source_file == m.source_file for h in hits):
            continue
        assert ev.designates_document(fold(q), "van ban", hits), q
        _, reasons, _, _ = ev.checks(q, hits, ask_service.today.year)
        assert not any("văn bản" in r.lower() for r in reasons), (q, reasons)
        # the same words before no retrieved document's title: the term stays asked
        assert not ev.designates_document(fold("văn bản hỏa tốc gửi ai?"), "van ban", hits)
        checked += 1
    assert checked


def test_a_target_only_another_places_plan_sets_is_not_given_for_the_asked_place(ask_service) -> None:  # noqa: ANN001
    chunks = ask_service.knowledge.searcher.chunks
    text_of: dict[tuple[str, int], str] = defaultdict(str)
    for c in chunks:
        if c.meta and c.meta.kind == "plan" and c.meta.locality and c.meta.year:
            text_of[(c.meta.locality, c.meta.year)] += fold(c.text) + "\n"
    checked = 0
    for r in ask_service.indicators.rows:
        if not (r.locality and r.year) or len(r.metric.split()) < 4:
            continue
        for (place, year), text in text_of.items():
            if place == r.locality or fold(r.metric) in text:
                continue
            a = ask_service.ask(f"Trong văn bản thi đua năm {year} của {place}, chỉ tiêu {r.metric.lower()} "
                                f"được đăng ký ở mức bao nhiêu?")
            assert a.refused or a.citations[0].source_file != r.source_file, (place, year, r.metric, a.answer[:200])
            checked += 1
            break
        if checked >= 6:
            break
    assert checked
