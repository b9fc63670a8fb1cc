"""The year asked of a place is the one written nearest it: a plan of that place for another year is no answer,
while a later year the question names for comparison, or a year of the asker's own work, changes nothing."""

from __future__ import annotations


def _plan_years(ask_service) -> dict[str, set[int]]:  # noqa: ANN001
    out: dict[str, set[int]] = {}
    for c in ask_service.knowledge.searcher.chunks:
        m = c.meta
        if m and m.kind == "plan" and m.locality and m.year:
            out.setdefault(m.locality, set()).add(m.year)
    return out


def test_the_year_nearest_the_place_decides(ask_service) -> None:  # noqa: ANN001
    ev = ask_service.evidence
    checked = 0
    for place, years in _plan_years(ask_service).items():
        have = min(years)
        lacking = max(years) + 1
        asked = f"Cho em xin chỉ tiêu thi đua năm {lacking} của {place} để đối chiếu với năm {have}."
        reasons: list[str] = []
        hits = ask_service.knowledge.search(asked, 5)
        assert ev.checks(asked, hits, ask_service.today.year)[0]["scope_missing"] >= 1, asked
        other = f"Soạn kế hoạch thi đua năm {lacking}, em dùng chỉ tiêu năm {have} của {place} được không?"
        feats, reasons, _, _ = ev.checks(other, ask_service.knowledge.search(other, 5), ask_service.today.year)
        assert not any(str(lacking) in r for r in reasons), (other, reasons)
        checked += 1
    assert checked


def test_targets_of_a_year_the_corpus_lacks_are_not_given_for_another(ask_service) -> None:  # noqa: ANN001
    rows = [r for r in ask_service.indicators.rows if r.locality and r.year and len(r.metric.split()) >= 3]
    assert rows
    r = rows[0]
    years = _plan_years(ask_service).get(r.locality, {r.year})
    lacking = max(years) + 1
    a = ask_service._indicator_answer(f"Chỉ tiêu {r.metric} năm {lacking} của {r.locality} là bao nhiêu, "
                                      f"so với năm {r.year}?")
    assert a is not None and a.refused, a
    assert str(lacking) in a.answer.split("\n\n")[0] and not a.citations
    # the year asked is there, the one compared with is not: the targets, with what is missing said first
    b = ask_service._indicator_answer(f"Chỉ tiêu {r.metric} năm {r.year} của {r.locality} là bao nhiêu, "
                                      f"so với năm {lacking}?")
    assert b is not None and not b.refused and str(lacking) in b.answer.split("\n\n")[0], b


def test_who_decides_now_is_not_answered_by_an_abolished_level(ask_service) -> None:  # noqa: ANN001
    reform = ask_service.knowledge.registry.reforms[0]
    a = ask_service.ask("Sau sắp xếp chính quyền hai cấp, không còn UBND huyện nữa thì danh hiệu Chiến sĩ thi đua cơ "
                        "sở cho công chức xã do ai quyết định tặng?")
    assert a.refused, a.answer[:300]
    first = a.answer.split("\n\n")[0]
    assert "cấp huyện" in first and str(reform["date"].year) in first, first
    # a question that names no abolished unit, or asks of a year before the reform, is not refused for it
    for q in ("Ai quyết định tặng danh hiệu Chiến sĩ thi đua cơ sở?",
              f"Năm {reform['date'].year - 1} ai quyết định tặng danh hiệu Chiến sĩ thi đua cơ sở cho công chức "
              "cấp huyện?"):
        assert f"không còn từ {reform['date']:%d/%m/%Y}" not in ask_service.ask(q).answer, q


def test_years_of_a_span_a_date_or_a_document_number_are_not_asked() -> None:
    from assistant.corpus.normalize import asked_years

    q = "Theo Nghị quyết 12/2023/NQ-HĐND, giai đoạn 2021-2025, ngày 05/01/2026, chỉ tiêu năm 2024 là bao nhiêu?"
    assert [y for _, y in asked_years(q)] == [2024]
    assert all(q[i:i + 4] == str(y) for i, y in asked_years(q))  # positions in the text itself


def test_a_document_signed_before_the_reform_is_asked_what_it_says(ask_service) -> None:  # noqa: ANN001
    reform = ask_service.knowledge.registry.reforms[0]
    plans = [m for m in ask_service.knowledge.documents()
             if m.kind == "plan" and m.signed and m.signed < reform["date"] and m.locality and m.number]
    assert plans
    # the district's plan (signed before the reform) says who examines the dossiers: that is what is asked
    a = ask_service.ask("Theo kế hoạch 21/KH-UBND năm 2025 của huyện Bình Sơn, cơ quan nào thẩm định hồ sơ trình "
                        "UBND huyện khen thưởng?")
    head = a.answer.split("\n\n")[0]
    assert not a.refused and head.startswith("Phòng Nội vụ: Thẩm định hồ sơ"), head
    # asked of now, the same duty of an abolished level is still no answer
    b = ask_service.ask("Hiện nay không còn UBND huyện thì cơ quan nào thẩm định hồ sơ trình UBND huyện khen thưởng?")
    assert b.refused and f"không còn từ {reform['date']:%d/%m/%Y}" in b.answer, b.answer[:300]


def test_a_duty_after_its_actors_sentence_is_the_actors() -> None:
    from helpers import ROOT

    from assistant.answer.conclusion import AnswerTypes, fact_sentence
    from assistant.corpus.normalize import fold

    types = AnswerTypes.load(ROOT / "knowledge" / "answer_types.yaml")
    quote = ("3. Phòng Văn hóa theo dõi phong trào thi đua của ngành, tổng hợp báo cáo theo quy định.\n"
             "4. Phòng Nội vụ theo dõi, kiểm tra việc thực hiện Kế hoạch này, tổng hợp báo cáo kết quả theo quy định. "
             "Thẩm định hồ sơ trình Ủy ban nhân dân khen thưởng và đề xuất cấp trên khen thưởng.")
    words = set(fold("cơ quan nào thẩm định hồ sơ trình khen thưởng").split())
    got = fact_sentence(quote, "authority", types, lambda t: len(words & set(t.split())) / len(words), [], 300)
    assert got == "Phòng Nội vụ: Thẩm định hồ sơ trình Ủy ban nhân dân khen thưởng và đề xuất cấp trên khen thưởng"
