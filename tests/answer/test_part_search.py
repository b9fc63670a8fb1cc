"""Search for questions of several parts: each part's best passage joins the whole question's when it matches the
whole question well enough; a question of one part is searched as before."""

from __future__ import annotations

from assistant.answer.part_search import WHOLE_KEPT, search_with_parts


def _support(ask_service, q: str):  # noqa: ANN001, ANN202
    return lambda h: ask_service._supports(q, [h])[0]


def _part_support(ask_service):  # noqa: ANN001, ANN202
    return lambda p, h: ask_service._supports(p, [h])[0]


def test_a_part_the_whole_search_misses_is_searched_alone(ask_service) -> None:  # noqa: ANN001
    k = ask_service.knowledge
    a = "Chủ tịch Ủy ban nhân dân cấp xã quyết định tặng những danh hiệu nào"
    b = "tiền thưởng danh hiệu Chiến sĩ thi đua cơ sở là bao nhiêu lần mức lương cơ sở"
    q = f"{a}, và {b}?"
    whole = k.search(q, 5)
    got = search_with_parts(k.search, q, ask_service.types, _support(ask_service, q),
                            part_support=_part_support(ask_service))
    assert [h.chunk.chunk_id for h in got[:WHOLE_KEPT]] == [h.chunk.chunk_id for h in whole[:WHOLE_KEPT]]
    ids = {h.chunk.chunk_id for h in got}
    own = [k.search(part, 1)[0].chunk.chunk_id for part in (a, b)]
    assert all(x in ids for x in own)  # each part's own best passage is among them
    assert any(x not in {h.chunk.chunk_id for h in whole} for x in own)  # one the whole search missed
    assert len(got) == 5


def test_a_question_of_one_part_is_searched_as_before(ask_service) -> None:  # noqa: ANN001
    k = ask_service.knowledge
    q = "Tiền thưởng danh hiệu Lao động tiên tiến là bao nhiêu?"
    got = search_with_parts(k.search, q, ask_service.types, _support(ask_service, q))
    assert [h.chunk.chunk_id for h in got] == [h.chunk.chunk_id for h in k.search(q, 5)]


def test_a_part_passage_that_matches_nothing_of_the_whole_is_left_out(ask_service) -> None:  # noqa: ANN001
    k = ask_service.knowledge
    q = "Chủ tịch Ủy ban nhân dân cấp xã quyết định tặng những danh hiệu nào, và tiền thưởng bao nhiêu?"
    got = search_with_parts(k.search, q, ask_service.types, lambda h: 0.0 if h not in k.search(q, 5) else 1.0)
    assert [h.chunk.chunk_id for h in got] == [h.chunk.chunk_id for h in k.search(q, 5)]



def _scripted(ask_service):  # noqa: ANN001, ANN202
    """Five passages of one document (A) and one of another (B), and a search that answers by a script: the whole
    question finds A0–A2 and B; the second part finds B alone, A4 in document A."""
    from assistant.index.retriever import Hit

    chunks = ask_service.knowledge.searcher.chunks
    doc_a = next(c.source_file for c in chunks if sum(x.source_file == c.source_file for x in chunks) >= 6)
    a = [c for c in chunks if c.source_file == doc_a][:5]
    b = next(c for c in chunks if c.source_file != doc_a)

    def search(text: str, k: int, filters=None) -> list[Hit]:  # noqa: ANN001
        if not text.startswith("và mỗi năm"):  # the whole question, or its first part
            return [Hit(c, 1.0 - i / 10, i) for i, c in enumerate([*a[:3], b, a[3]])][:k]
        if filters is not None and filters.source_files == [doc_a]:
            return [Hit(a[4], 0.5, 0)][:k]
        return [Hit(b, 0.9, 0), Hit(a[4], 0.4, 1)][:k]
    return search, a, b


def test_a_part_is_searched_in_the_lead_document_when_that_answers_it_as_well(ask_service) -> None:  # noqa: ANN001
    from assistant.index.retriever import Hit

    search, a, b = _scripted(ask_service)
    q = "Hồ sơ đề nghị xét tặng danh hiệu này gửi về trước ngày nào, và mỗi năm xét tặng tối đa bao nhiêu người?"
    ids = lambda hits: [h.chunk.chunk_id for h in hits]  # noqa: E731
    # the lead document's passage answers the part nearly as well as the one found alone: it is taken
    got = search_with_parts(search, q, ask_service.types, lambda h: 1.0,
                            part_support=lambda p, h: 0.7 if h.chunk is a[4] else 0.8)
    assert ids(got) == ids([Hit(c, 0, 0) for c in [*a[:3], a[4], b]])
    # one that answers it much worse is not: the part's own passage (B) is taken
    got = search_with_parts(search, q, ask_service.types, lambda h: 1.0,
                            part_support=lambda p, h: 0.2 if h.chunk is a[4] else 0.8)
    assert ids(got) == ids([Hit(c, 0, 0) for c in [*a[:3], b, a[3]]])


def test_a_part_naming_nothing_of_its_own_is_searched_in_the_lead_document(ask_service) -> None:  # noqa: ANN001
    # the second part names neither the award nor the city: alone it finds passages of other documents; in the lead
    # document (the city's rules of the award) it finds the provision on the yearly number
    k = ask_service.knowledge
    a = "Hồ sơ đề nghị xét tặng danh hiệu “Công dân Thủ đô ưu tú” gửi về Ủy ban nhân dân thành phố trước ngày nào"
    b = "mỗi năm xét tặng thưởng không quá bao nhiêu cá nhân"
    q = f"{a}, và {b}?"
    lead = k.search(q, 1)[0].chunk.source_file
    assert "cong-dan-thu-do" in lead
    got = search_with_parts(k.search, q, ask_service.types, _support(ask_service, q),
                            part_support=_part_support(ask_service))
    assert any("10 cá nhân" in h.chunk.text and h.chunk.source_file == lead for h in got), \
        [h.chunk.citation for h in got]
    assert not any("10 cá nhân" in h.chunk.text for h in k.search(q, 5))  # the whole search alone misses it


def test_a_part_takes_the_passage_holding_its_kind_of_fact(ask_service) -> None:  # noqa: ANN001
    """Of a part's two best passages not yet kept, the one stating the kind of fact the part asks (a count: '… không
    quá 10 cá nhân …') is taken before one that states none."""
    from assistant.index.retriever import Hit

    chunks = ask_service.knowledge.searcher.chunks
    pats = ask_service.types.answer["count"]
    counted = next(c for c in chunks if any(p.search(c.text) for p in pats))
    bare = [c for c in chunks if not any(p.search(c.text) for p in pats) and c.source_file != counted.source_file]
    whole = bare[:3]
    plain = bare[3]

    def search(text: str, k: int, filters=None) -> list[Hit]:  # noqa: ANN001
        if text.startswith("và"):  # the second part: a passage stating no count ranks above the one stating it
            return [Hit(plain, 0.9, 0), Hit(counted, 0.8, 1)][:k]
        return [Hit(c, 1.0 - i / 10, i) for i, c in enumerate(whole)][:k]

    q = "Hồ sơ đề nghị xét tặng danh hiệu này gửi về trước ngày nào, và mỗi năm xét tặng tối đa bao nhiêu người?"
    got = search_with_parts(search, q, ask_service.types, lambda h: 1.0)
    assert counted.chunk_id in [h.chunk.chunk_id for h in got]
    assert plain.chunk_id not in [h.chunk.chunk_id for h in got]
