"""The per-query shortcuts that keep search proportional to its candidates give the whole-corpus answers."""

from __future__ import annotations

import random
import re
from datetime import date

import numpy as np
import pytest

from assistant.corpus.normalize import fold
from assistant.index.retriever import Filters, PhraseIndex, SubstringIndex, top_candidates


def _regex_phrases(phrases: list[str], text: str) -> set[str]:
    return {p for p in phrases if re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", text)}


def test_phrase_index_matches_one_regex_per_phrase() -> None:
    phrases = ["quang trung", "quang", "an hoa 12", "an hoa 1", "binh son", "son", "phu loc 3", "-x", "a"]
    rng = random.Random(3)
    words = ["quang", "trung", "an", "hoa", "12", "1", "binh", "son", "phu", "loc", "3", "x", "a", "tay", "-"]
    idx = PhraseIndex(phrases)
    for _ in range(500):
        text = "".join(rng.choice(words) + rng.choice([" ", ", ", "-", "", "_"]) for _ in range(rng.randint(1, 9)))
        assert idx.find(text) == _regex_phrases(phrases, text), text


def test_substring_index_matches_plain_containment() -> None:
    items = {"lao dong tien tien", "tap the lao dong tien tien", "chien si thi dua", "abc", "thi", "dua co so"}
    idx = SubstringIndex(items)
    rng = random.Random(5)
    words = ["lao", "dong", "tien", "tap", "the", "chien", "si", "thi", "dua", "co", "so", "ab", "c"]
    for _ in range(500):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        assert idx.find(text) == {t for t in items if t in text}, text


def test_top_candidates_equals_a_stable_full_sort_with_ties() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(1, 400))
        fused = rng.integers(0, 6, n).astype(np.float64) / 5  # many zeros and many ties
        pos = np.nonzero(fused > 0)[0]
        want = pos if len(pos) <= 50 else pos[np.argsort(-fused[pos], kind="stable")[:50]]
        got = top_candidates(fused, 50)
        if len(pos) <= 50:
            assert list(got) == list(pos)
        else:
            assert list(got) == list(want)


def test_filter_mask_equals_per_chunk_filters(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    plan = next(c.meta for c in s.chunks if c.meta and c.meta.kind == "plan" and c.meta.locality)
    cases = [Filters(kind="plan"), Filters(locality=plan.locality), Filters(year=plan.year),
             Filters(in_force_on=date(2020, 1, 1)), Filters(exclude_files=[plan.source_file]),
             Filters(source_files=[plan.source_file], doc_type=[plan.doc_type])]
    for f in cases:
        want = np.array([f.accepts(c.meta) if c.meta else False for c in s.chunks])
        got = s.filter_mask(f)
        assert 0 < int(got.sum()) < len(s.chunks) or f.in_force_on  # the filter really selects
        assert (got == want).all()


def test_analyse_finds_localities_and_titles_of_the_corpus(knowledge) -> None:  # noqa: ANN001
    s = knowledge.searcher
    loc = s.localities[-1]
    title = sorted(s.titles, key=len)[-1]
    qi = s.analyse(f"Kế hoạch của {loc} năm 2025 về {title}")
    assert loc in qi.localities
    assert title in qi.titles
    assert fold(loc) == loc


def test_streaming_bm25_equals_bm25s_on_the_corpus(knowledge) -> None:  # noqa: ANN001
    """The compact BM25 build gives bm25s' matrix and scores bit for bit (search results unchanged)."""
    from array import array

    import bm25s

    from assistant.index.lexical import BM25Matrix, features

    texts = [c.embed_text for c in knowledge.searcher.chunks]
    for folded in (False, True):
        vocab: dict[str, int] = {}
        ids = [array("i", [vocab.setdefault(f, len(vocab)) for f in (features(t, folded) or ["∅"])]) for t in texts]
        ref = bm25s.BM25(k1=1.2, b=0.75)
        ref.index((ids, vocab), show_progress=False)
        m = BM25Matrix()
        for t in texts:
            m.add(features(t, folded) or ["∅"])
        m.finish()
        assert np.array_equal(ref.scores["indptr"], m.indptr) and np.array_equal(ref.scores["indices"], m.indices)
        assert np.array_equal(ref.scores["data"], m.data)
        for q in ("tiêu chuẩn lao động tiên tiến", "thoi han xet tang khen thuong", "Điều 22 khoản 1 hồ sơ hồ sơ"):
            f = features(q, folded)
            assert np.array_equal(np.asarray(ref.get_scores(f), dtype=np.float32), m.scores(f))


def test_packed_folded_texts_read_like_a_list(knowledge) -> None:  # noqa: ANN001
    from assistant.index.retriever import PackedTexts

    s = knowledge.searcher
    want = [fold(c.embed_text) for c in s.chunks]
    assert len(s.folded) == len(want) and list(s.folded) == want and s.folded[-1] == want[-1]
    p = PackedTexts()
    for t in ("", "đ › x", "abc"):
        p.append(t)
    assert list(p) == ["", "đ › x", "abc"] and p[1] == "đ › x"
    with pytest.raises(IndexError):
        p[3]


def test_catalog_shares_repeated_strings(knowledge) -> None:  # noqa: ANN001
    from assistant.index.catalog import Catalog

    cat = Catalog.load(knowledge.gen.catalog_path, knowledge.settings.embedding)
    by_doc: dict[str, list[dict]] = {}
    for d in cat.chunks.values():
        by_doc.setdefault(d["doc"], []).append(d)
    doc, rows = max(by_doc.items(), key=lambda kv: len(kv[1]))
    assert len(rows) > 1 and all(r["doc"] is rows[0]["doc"] for r in rows)
    assert all(r["breadcrumb"][0] is rows[0]["breadcrumb"][0] for r in rows if r["breadcrumb"]
               and r["breadcrumb"][0] == rows[0]["breadcrumb"][0])
    assert cat.chunks == knowledge.catalog.chunks


def test_bm25_build_scores_in_the_sort_buffer() -> None:
    """finish() turns the sorted entries into the matrix in place: at the build's peak the entries are not held
    twice (only one block's temporaries beside them); scores equal a build in one block."""
    import random
    import tracemalloc

    from assistant.index.lexical import BM25Matrix

    rng = random.Random(5)
    words = [f"w{i}" for i in range(500)]
    docs = [[rng.choice(words) for _ in range(rng.randint(50, 400))] for _ in range(3000)]
    small, whole = BM25Matrix(), BM25Matrix()
    small.block, whole.block = 4096, 1 << 30
    for d in docs:
        small.add(d)
        whole.add(d)
    whole.finish()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        small.finish()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert small.nbytes() > 4_000_000
    assert peak < 0.1 * small.nbytes()  # indices + data allocated beside the entries would add ≥ 1.0 × nbytes
    assert np.array_equal(small.indptr, whole.indptr) and np.array_equal(small.indices, whole.indices)
    assert np.array_equal(small.data, whole.data)
    q = ["w1", "w7", "w7", "w499"]
    assert np.array_equal(small.scores(q), whole.scores(q)) and small.scores(q).max() > 0
