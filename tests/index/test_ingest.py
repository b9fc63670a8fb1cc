"""Incremental and atomic ingestion on a small real corpus, with bad files among good ones."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus.test_loaders import encode_cp1258
from helpers import ROOT, make_settings

from assistant.index import layout
from assistant.index.service import Knowledge

PLANS = ROOT / "knowledge" / "plans"


def _corpus(tmp: Path, names: list[str]) -> Path:
    d = tmp / "corpus"
    d.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copy(PLANS / n, d / n)
    return d


def _check_consistent(kn: Knowledge) -> None:
    live = set(kn.catalog.chunks)
    assert live, "catalog is empty"
    assert kn.store.existing(sorted(live)) == live
    for e in kn.catalog.docs.values():
        assert set(e.chunk_ids) <= live


def test_incremental_update_and_removal(tmp_path: Path) -> None:
    d = _corpus(tmp_path, ["002_464e77930257098f.txt", "003_6d2c2d446d8b7b2d.txt"])
    s = make_settings(tmp_path / "data", extra_corpus=[])
    kn = Knowledge(s)
    r1 = kn.ingest([d])
    assert sorted(r1.added) == ["002_464e77930257098f.txt", "003_6d2c2d446d8b7b2d.txt"] and not r1.errors
    assert r1.chunks_embedded == r1.chunks_total > 0
    # unchanged: nothing embedded, nothing changed
    r2 = Knowledge(s).ingest([d])
    assert r2.chunks_embedded == 0 and len(r2.unchanged) == 2
    # change one document: its chunks are replaced, no stale chunk remains
    f = d / "002_464e77930257098f.txt"
    f.write_text(f.read_text("utf-8").replace("4.900 con", "5.100 con"), encoding="utf-8")
    kn3 = Knowledge(s)
    r3 = kn3.ingest([d])
    assert r3.updated == ["002_464e77930257098f.txt"] and 0 < r3.chunks_embedded < r1.chunks_embedded
    texts = " ".join(c["text"] for c in kn3.catalog.chunks.values())
    assert "5.100 con" in texts and "4.900 con" not in texts
    assert set(kn3.store.all_ids()) == set(kn3.catalog.chunks)
    hits = kn3.search("tổng đàn lợn cả năm xã Quang Trung", k=3)
    assert hits and "5.100" in hits[0].chunk.text
    # removal through a full scan of the folder
    f.unlink()
    kn4 = Knowledge(s)
    r4 = kn4.ingest([d])
    assert r4.unchanged == ["003_6d2c2d446d8b7b2d.txt"]
    assert kn4.remove("003_6d2c2d446d8b7b2d.txt") and not kn4.catalog.chunks and not kn4.store.all_ids()


def test_bad_files_are_reported_and_good_ones_ingested(tmp_path: Path) -> None:
    d = _corpus(tmp_path, ["002_464e77930257098f.txt"])
    (d / "empty.txt").write_bytes(b"")
    (d / "fake.docx").write_bytes(os.urandom(2048))
    (d / "virus.pdf").write_bytes(b"MZ\x90\x00" + os.urandom(1000))
    (d / "notes.xyz").write_text("không hỗ trợ", encoding="utf-8")
    (d / "legacy.txt").write_bytes(encode_cp1258("Kế hoạch thi đua năm 2024 của xã Hòa An, phát động phong trào."))
    big = d / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    s = make_settings(tmp_path / "data", extra_corpus=[], max_file_mb=20)
    kn = Knowledge(s)
    rep = kn.ingest([d, d / "notes.xyz", tmp_path / "missing.md"])
    errs = {e["file"]: e["reason"] for e in rep.errors}
    assert set(errs) >= {"empty.txt", "fake.docx", "virus.pdf", "huge.txt", "notes.xyz", "missing.md"}
    assert "rỗng" in errs["empty.txt"] and "quá lớn" in errs["huge.txt"]
    assert sorted(rep.added) == ["002_464e77930257098f.txt", "legacy.txt"]
    before = json.loads(kn.catalog.path.read_text("utf-8"))
    # a second run with only broken files changes nothing
    rep2 = Knowledge(s).ingest([d / "fake.docx", d / "empty.txt"])
    assert len(rep2.errors) == 2 and json.loads(kn.catalog.path.read_text("utf-8")) == before


def _wait_until_locked(lock: Path, proc: subprocess.Popen, limit: float = 120.0) -> bool:
    """True once another process holds the flock on `lock` (polled without blocking); False if `proc` ended first."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if lock.exists():
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                return True
            finally:
                os.close(fd)
        time.sleep(0.01)
    return False


def test_killed_ingest_leaves_previous_index_usable(tmp_path: Path) -> None:
    names = sorted(p.name for p in PLANS.glob("*.txt"))
    d = _corpus(tmp_path, names[:2])
    s = make_settings(tmp_path / "data", extra_corpus=[])
    Knowledge(s).ingest([d])
    before = Knowledge(s)
    q = before.search("tổng đàn lợn cả năm xã Quang Trung", k=3)
    assert q
    for n in names[2:]:
        shutil.copy(PLANS / n, d / n)
    env = {**os.environ, "TDKT_DATA_DIR": str(s.data_dir), "TDKT_EXTRA_CORPUS": ""}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ingest", str(d)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # kill it while it writes: once it holds the writer lock, and a moment later (embedding the three new plans
    # takes seconds), not after a fixed time — on a quiet machine the whole ingest may finish within it
    assert _wait_until_locked(before.index_dir / layout.LOCK_NAME, proc), "the ingest never took the writer lock"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    after = Knowledge(s)
    _check_consistent(after)
    assert sorted(after.catalog.docs) == names[:2]  # killed before its commit: the previous catalog stands
    assert after.search("tổng đàn lợn cả năm xã Quang Trung", k=3)[0].chunk.chunk_id == q[0].chunk.chunk_id
    done = Knowledge(s)
    rep = done.ingest([d])
    assert not rep.errors
    assert sorted(done.catalog.docs) == names
    _check_consistent(done)


@pytest.mark.skipif(shutil.which("true") is None, reason="no shell")
def test_rebuild_starts_from_scratch(tmp_path: Path) -> None:
    d = _corpus(tmp_path, ["003_6d2c2d446d8b7b2d.txt"])
    s = make_settings(tmp_path / "data", extra_corpus=[])
    n = Knowledge(s).ingest([d]).chunks_total
    rep = Knowledge(s).ingest([d], rebuild=True)
    assert rep.chunks_embedded == n == rep.chunks_total


def test_ingest_that_changes_nothing_rewrites_nothing_and_a_change_is_adopted_without_a_reload(
        tmp_path: Path) -> None:
    from assistant.index import layout
    from assistant.index.catalog import Catalog

    d = _corpus(tmp_path, ["002_464e77930257098f.txt", "003_6d2c2d446d8b7b2d.txt"])
    s = make_settings(tmp_path / "data", extra_corpus=[])
    Knowledge(s).ingest([d])
    kn = Knowledge(s)  # a fresh server process: opens the index, then its start-up ingest
    before_cat, before_token = kn.catalog, layout.generation_token(kn.gen)
    kn.search("tổng đàn lợn")
    searcher = kn.searcher
    rep = kn.ingest([d])
    assert len(rep.unchanged) == 2 and not (rep.added or rep.updated or rep.removed)
    # catalog.json not rewritten, the stamp not touched: this and every other reader keep catalog and searcher
    assert layout.generation_token(kn.gen) == before_token
    assert kn.catalog is before_cat and kn.searcher is searcher
    # a change: the reader takes the committed catalog as it is, equal to what a fresh load reads
    f = d / "002_464e77930257098f.txt"
    f.write_text(f.read_text("utf-8").replace("4.900 con", "5.100 con"), encoding="utf-8")
    rep = kn.ingest([d])
    assert rep.updated == ["002_464e77930257098f.txt"]
    assert layout.generation_token(kn.gen) != before_token
    cat = kn.catalog
    assert cat is not before_cat and kn.searcher is not searcher
    fresh = Catalog.load(kn.gen.catalog_path, s.embedding)
    assert cat.chunks == fresh.chunks and {k: v.to_json() for k, v in cat.docs.items()} == \
        {k: v.to_json() for k, v in fresh.docs.items()}
    assert any("5.100 con" in c["text"] for c in cat.chunks.values())
    assert any("4.900 con" in c["text"] for c in before_cat.chunks.values())
