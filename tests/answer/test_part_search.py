"""Search for questions of several parts: each part's best passage joins the whole question's when it matches the
whole question well enough; a question of one part is searched as before."""

from __future__ import annotations

from assistant.answer.part_search import WHOLE_KEPT, search_with_parts


def _support(ask_service, q: str):  # noqa: ANN001, ANN202
    return lambda h: ask_service._supports(q, [h])[0]


def test_a_part_the_whole_search_misses_is_searched_alone(ask_service) -> None:  # noqa: ANN001
    k = ask_service.knowledge
    a = "Chủ tịch Ủy ban nhân dân cấp xã quyết định tặng những danh hiệu nào"
    b = "tiền thưởng danh hiệu Chiến sĩ thi đua cơ sở là bao nhiêu lần mức lương cơ sở"
    q = f"{a}, và {b}?"
    whole = k.search(q, 5)
    got = search_with_parts(k.search, q, ask_service.types, _support(ask_service, q))
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
