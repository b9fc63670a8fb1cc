"""Two-phase ingest, partial vectors, consistency repair, damaged/missing files and bad inputs (in process)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import ROOT, make_settings

from assistant.index.errors import IndexDamaged
from assistant.index.service import Knowledge

PLANS = ROOT / "knowledge" / "plans"
SMALL = "002_464e77930257098f.txt"
OTHER = "003_6d2c2d446d8b7b2d.txt"
QUERY = "tổng đàn lợn cả năm xã Quang Trung"


def _corpus(tmp: Path, names: list[str]) -> Path:
    d = tmp / "corpus"
    d.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copy(PLANS / n, d / n)
    return d


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One small index with vectors (corpus dir, data dir), copied by each test that changes it."""
    tmp = tmp_path_factory.mktemp("resil")
    d = _corpus(tmp, [SMALL])
    data = tmp / "data"
    rep = Knowledge(make_settings(data, extra_corpus=[])).ingest([d])
    assert rep.added == [SMALL] and not rep.errors
    return d, data


def _copy(built: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Knowledge]:
    d, data = built
    dest = tmp_path / "data"
    shutil.copytree(data, dest)
    return d, Knowledge(make_settings(dest, extra_corpus=[]))


def test_two_phase_ingest_then_embed_missing(tmp_path: Path) -> None:
    d = _corpus(tmp_path, [SMALL])
    kn = Knowledge(make_settings(tmp_path / "data", extra_corpus=[]))
    rep = kn.ingest([d], embed=False)
    n = rep.chunks_total
    assert rep.added == [SMALL] and rep.chunks_embedded == 0 and rep.vectors_missing == n > 0
    st = kn.stats()
    assert st["chunks"] == n and st["vectors_missing"] == n and kn.health()["status"] == "degraded"
    hits = kn.search(QUERY, k=3)  # lexical half only, no model needed
    assert hits and "lợn" in hits[0].chunk.text and all(h.parts["dense"] == 0 for h in hits)
    # a second process sees the committed chunks too
    other = Knowledge(make_settings(tmp_path / "data", extra_corpus=[]))
    assert other.search(QUERY, k=1)[0].chunk.chunk_id == hits[0].chunk.chunk_id
    assert kn.embed_missing() == n
    assert kn.stats()["vectors_missing"] == 0 and kn.embed_missing() == 0
    hits2 = other.search(QUERY, k=3)  # the reader reloads: dense now contributes
    assert any(h.parts["dense"] > 0 for h in hits2)
    assert kn.health()["status"] == "ok"


def test_partial_vectors_and_repair_on_ingest(built: tuple[Path, Path], tmp_path: Path) -> None:
    d, kn = _copy(built, tmp_path)
    ids = sorted(kn.catalog.chunks)
    lost = ids[: len(ids) // 2]
    kn.store.delete(lost)
    fresh = Knowledge(kn.settings)
    assert fresh.stats()["vectors_missing"] == len(lost)
    assert fresh.search(QUERY, k=3)  # partial dense vectors: search still works
    rep = fresh.ingest([d])
    assert rep.unchanged == [SMALL] and rep.vectors_repaired == len(lost)
    assert set(fresh.store.all_ids()) == set(ids) and fresh.stats()["vectors_missing"] == 0


def test_lost_vector_store_is_served_lexically_then_repaired(built: tuple[Path, Path], tmp_path: Path) -> None:
    d, kn = _copy(built, tmp_path)
    n = len(kn.catalog.chunks)
    shutil.rmtree(kn.gen.chroma_dir)
    fresh = Knowledge(kn.settings)
    h = fresh.health()
    assert h["status"] == "degraded" and h["vectors_missing"] == n
    assert fresh.search(QUERY, k=1)
    rep = fresh.ingest([d])
    assert rep.vectors_repaired == n and Knowledge(kn.settings).health()["status"] == "ok"


def test_missing_texts_are_restored_from_sources(built: tuple[Path, Path], tmp_path: Path) -> None:
    d, kn = _copy(built, tmp_path)
    original = kn.raw_text(SMALL)
    shutil.rmtree(kn.index_dir / "texts")
    fresh = Knowledge(kn.settings)
    assert fresh.health()["status"] == "degraded"
    assert fresh.raw_text(SMALL) == original  # served (and written back) from the source file
    assert fresh.health()["status"] == "ok"


def test_corrupt_catalog_gives_clear_error_and_rebuild_moves_it_aside(built: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    d, kn = _copy(built, tmp_path)
    cat = kn.gen.catalog_path
    cat.write_bytes(cat.read_bytes()[: cat.stat().st_size // 2])
    broken = Knowledge(kn.settings)
    with pytest.raises(IndexDamaged) as exc:
        broken.search(QUERY)
    assert "tdkt ingest --rebuild" in str(exc.value)
    assert broken.health()["status"] == "error"
    with pytest.raises(IndexDamaged):
        broken.ingest([d])
    rep = broken.ingest([d], rebuild=True)
    assert rep.added == [SMALL] and any("chuyển sang" in n for n in rep.notices)
    assert list((kn.index_dir / "damaged").glob("*/catalog.json"))
    assert Knowledge(kn.settings).search(QUERY, k=1)


def test_corrupt_vector_store_degrades_to_lexical(built: tuple[Path, Path], tmp_path: Path) -> None:
    d, kn = _copy(built, tmp_path)
    db = kn.gen.chroma_dir / "chroma.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    broken = Knowledge(kn.settings)
    hits = broken.search(QUERY, k=1)
    assert hits and hits[0].parts["dense"] == 0
    h = broken.health()
    assert h["status"] == "degraded" and any("--rebuild" in p for p in h["problems"])
    with pytest.raises(IndexDamaged):
        broken.ingest([d])
    rep = broken.ingest([d], rebuild=True)
    assert rep.added == [SMALL] and any("chuyển sang" in n for n in rep.notices)
    assert Knowledge(kn.settings).health()["status"] == "ok"


def test_bad_file_name_and_oversized_structure_do_not_abort_the_folder(tmp_path: Path) -> None:
    d = _corpus(tmp_path, [SMALL])
    bad = os.path.join(os.fsencode(d), b"k\xe9 ho\xe1ch.md")  # Latin-1 bytes: not valid UTF-8
    with open(bad, "wb") as f:
        f.write("# Kế hoạch\n\nNội dung thi đua.\n".encode())
    lines = ["# Quy định thử nghiệm\n"]
    lines += [f"\n## Điều {i}. Nội dung {i}\n\nNội dung điều {i}.\n" for i in range(1, 401)]
    (d / "many.md").write_text("".join(lines), encoding="utf-8")
    kn = Knowledge(make_settings(tmp_path / "data", extra_corpus=[], max_chunks_per_file=100))
    rep = kn.ingest([d], embed=False)
    errs = {e["file"]: e["reason"] for e in rep.errors}
    assert rep.added == [SMALL]
    assert any("UTF-8" in r for r in errs.values()) and "đoạn/tệp" in errs["many.md"]
    assert kn.catalog.path.exists() and kn.stats()["documents"] == 1
