"""Fault injection with real processes: kill -9, a CLI writer beside a live server, damaged and missing files,
read-only and full data dirs, a held writer lock. Each asserts: previous answers still served, nothing lost
after the next run, a clear message, no traceback."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from faultkit import FIRST, LATER, PLANS, QUERY, cli, cli_popen, corpus, flat, no_traceback, serve
from helpers import make_settings

from assistant.index import layout
from assistant.index.service import Knowledge

SEED = int(os.environ.get("TDKT_FAULT_SEED", time.time_ns() % 100_000))
ADMIN = {"X-API-Key": "dev-admin"}


def _kn(data: Path) -> Knowledge:
    return Knowledge(make_settings(data, extra_corpus=[]))


def _top(data: Path) -> tuple[str, float]:
    """Top chunk of the reference question and its dense part (0 = the dense half is missing)."""
    h = _kn(data).search(QUERY, k=1)[0]
    return h.chunk.chunk_id, h.parts["dense"]


def _consistent(data: Path, names: list[str], exact: bool = True) -> None:
    """Catalog holds `names` (exactly, or at least when a server also ingested its default corpus), every live
    chunk has its vector and no vector is orphaned; health ok."""
    kn = _kn(data)
    assert sorted(kn.catalog.docs) == sorted(names) if exact else set(names) <= set(kn.catalog.docs)
    assert set(kn.store.all_ids()) == set(kn.catalog.chunks)
    assert kn.health()["status"] == "ok", kn.health()


def _kill_at(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL `proc` after `delay` s; False when it had already finished."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def test_kill_9_during_rebuild_keeps_previous_index_serving(index_copy: tuple[Path, Path]) -> None:
    d, data = index_copy
    rng = random.Random(SEED)
    top, dense = _top(data)
    assert dense > 0
    degraded_polls, polls = 0, 0
    for attempt in range(2):
        proc = cli_popen(data, "ingest", "--rebuild", str(d))
        stop = threading.Event()

        def poll(stop: threading.Event = stop) -> None:
            nonlocal degraded_polls, polls
            reader = _kn(data)
            while not stop.is_set():
                h = reader.search(QUERY, k=1)
                polls += 1
                if not h or h[0].chunk.chunk_id != top or h[0].parts["dense"] == 0:
                    degraded_polls += 1
                time.sleep(0.3)

        t = threading.Thread(target=poll)
        t.start()
        delay = rng.uniform(2.0, 25.0)
        killed = _kill_at(proc, delay)
        stop.set()
        t.join()
        print(f"seed={SEED} attempt={attempt} kill after {delay:.1f}s killed={killed}")
        assert _top(data)[0] == top
        assert _kn(data).health()["vectors_missing"] == 0
    print(f"search polls during killed rebuilds: {polls}, degraded: {degraded_polls}")
    assert polls > 0 and degraded_polls == 0
    run = cli(data, "ingest", str(d))
    assert run.code == 0
    no_traceback(run)
    _consistent(data, FIRST)
    root = _kn(data).index_dir
    kept = {layout.current_generation(root).name, layout.previous_name(root)}  # a rebuild that finished first
    assert {p.name for p in root.glob(layout.GEN_PREFIX + "*")} <= kept  # abandoned builds cleaned up
    # a rebuild that completes switches atomically and cleans up the abandoned generations
    done = cli(data, "ingest", "--rebuild", str(d))
    assert done.code == 0
    no_traceback(done)
    _consistent(data, FIRST)
    gens = [p.name for p in (_kn(data).index_dir).glob(layout.GEN_PREFIX + "*")]
    assert len(gens) <= 2


def test_kill_9_during_incremental_ingest_loses_nothing(index_copy: tuple[Path, Path], tmp_path: Path) -> None:
    d, data = index_copy
    rng = random.Random(SEED + 1)
    top, _ = _top(data)
    later = corpus(tmp_path / "later", LATER)
    proc = cli_popen(data, "ingest", str(later))
    _kill_at(proc, rng.uniform(2.0, 15.0))
    assert _top(data)[0] == top
    assert set(FIRST) <= set(_kn(data).catalog.docs)
    run = cli(data, "ingest", str(later))
    assert run.code == 0
    no_traceback(run)
    _consistent(data, FIRST + LATER)


def test_cli_writer_beside_live_server(live_server: tuple[str, Path, Path], tmp_path: Path) -> None:
    url, d, data = live_server
    later = corpus(tmp_path / "later", LATER)
    run = cli(data, "ingest", str(later))
    assert run.code == 0
    no_traceback(run)
    # the server notices the CLI's commit without a restart
    docs = httpx.get(url + "/api/documents", headers=ADMIN, timeout=60).json()["documents"]
    assert {x["source_file"] for x in docs} >= set(FIRST + LATER)
    # an upload through the server merges with what the CLI wrote (nothing dropped, no vectors deleted)
    up = tmp_path / "upload-plan.txt"  # a name of its own: uploads may not shadow a bundled document
    shutil.copy(PLANS / "004_c0df25c7958726b6.txt", up)
    with up.open("rb") as fh:
        r = httpx.post(url + "/api/documents", headers=ADMIN, files={"file": (up.name, fh, "text/plain")},
                       timeout=600)
    assert r.status_code == 201, r.text
    _consistent(data, FIRST + LATER + [up.name], exact=False)
    # a CLI --rebuild beside the server: every search keeps answering 200 with results
    proc = cli_popen(data, "ingest", "--rebuild", str(d), str(later), str(data / "uploads"))
    codes: list[int] = []
    while proc.poll() is None:
        s = httpx.get(url + "/api/search", params={"q": QUERY, "k": 3}, headers=ADMIN, timeout=120)
        codes.append(s.status_code)
        assert s.status_code == 200 and s.json()["results"], s.text
        time.sleep(0.5)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    s = httpx.get(url + "/api/search", params={"q": QUERY, "k": 3}, headers=ADMIN, timeout=120)
    assert s.status_code == 200 and s.json()["results"]
    h = httpx.get(url + "/healthz", timeout=60).json()
    assert h["status"] == "ok" and h["documents"] >= len(FIRST + LATER) + 1, h
    print(f"searches during the rebuild: {len(codes)}, all 200")


def test_corrupt_catalog_message_then_rebuild(index_copy: tuple[Path, Path]) -> None:
    d, data = index_copy
    cat = _kn(data).gen.catalog_path
    cat.write_bytes(cat.read_bytes()[:1000])
    run = cli(data, "search", QUERY)
    assert run.code == 1 and "tdkt ingest --rebuild" in flat(run.err)
    no_traceback(run)
    run = cli(data, "ingest", str(d))
    assert run.code == 1 and "tdkt ingest --rebuild" in flat(run.err)
    no_traceback(run)
    fixed = cli(data, "ingest", "--rebuild", str(d))
    assert fixed.code == 0 and "chuyển sang" in flat(fixed.out)
    no_traceback(fixed)
    _consistent(data, FIRST)


def test_damaged_vector_store_serves_lexically_then_rebuild(index_copy: tuple[Path, Path]) -> None:
    d, data = index_copy
    db = _kn(data).gen.chroma_dir / "chroma.sqlite3"
    db.write_bytes(os.urandom(4096) * 8)
    run = cli(data, "search", QUERY, "--json")
    assert run.code == 0 and json.loads(run.out) and "--rebuild" in flat(run.err)
    no_traceback(run)
    fixed = cli(data, "ingest", "--rebuild", str(d))
    assert fixed.code == 0
    no_traceback(fixed)
    _consistent(data, FIRST)


def test_lost_vector_store_repaired_by_next_ingest(index_copy: tuple[Path, Path]) -> None:
    d, data = index_copy
    n = len(_kn(data).catalog.chunks)
    shutil.rmtree(_kn(data).gen.chroma_dir)
    run = cli(data, "search", QUERY, "--json")
    assert run.code == 0 and json.loads(run.out) and "chưa có vector" in flat(run.err)
    t = time.monotonic()
    fix = cli(data, "ingest", str(d), "--json")
    print(f"repair after a lost vector store ({n} chunks): {time.monotonic() - t:.1f} s")
    assert fix.code == 0 and json.loads(fix.out)["vectors_repaired"] == n
    _consistent(data, FIRST)


def test_missing_texts_restored(index_copy: tuple[Path, Path]) -> None:
    d, data = index_copy
    shutil.rmtree(_kn(data).index_dir / "texts")
    run = cli(data, "ingest", str(d), "--json")
    assert run.code == 0 and json.loads(run.out)["texts_restored"] == len(FIRST)
    _consistent(data, FIRST)


def test_broken_memory_database_answers_with_notice(index_copy: tuple[Path, Path]) -> None:
    _, data = index_copy
    (data / "memory.sqlite3").write_bytes(b"garbage, not sqlite" * 500)
    run = cli(data, "ask", QUERY, "--json", "--conversation", "c1")
    assert run.code == 0, run.err
    no_traceback(run)
    ans = json.loads(run.out)
    assert ans["citations"] and any("memory" in n for n in ans["notes"])


def test_writer_lock_held_gives_clear_message(index_copy: tuple[Path, Path], tmp_path: Path) -> None:
    _, data = index_copy
    later = corpus(tmp_path / "later", LATER)
    before = _kn(data).catalog.path.read_bytes()
    with layout.writer_lock(_kn(data).index_dir, 1.0):
        run = cli(data, "ingest", str(later), TDKT_INDEX_LOCK_TIMEOUT="1")
    assert run.code == 1 and "tiến trình khác" in flat(run.err)
    no_traceback(run)
    assert _kn(data).catalog.path.read_bytes() == before


def test_read_only_data_dir_still_answers(index_copy: tuple[Path, Path], small_fs: Path, tmp_path: Path) -> None:
    d, data = index_copy
    ro = small_fs / "data"
    shutil.copytree(data, ro)
    top, _ = _top(data)  # nothing on the mount may be open while it is remounted read-only
    r = subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], capture_output=True)
    if r.returncode:
        pytest.skip(f"cannot remount read-only: {r.stderr!r}")
    run = cli(ro, "search", QUERY, "--json")
    assert run.code == 0 and json.loads(run.out)[0]["parts"]["dense"] > 0
    no_traceback(run)
    ask = cli(ro, "ask", QUERY, "--json", "--conversation", "c1")
    assert ask.code == 0 and json.loads(ask.out)["citations"]
    no_traceback(ask)
    later = corpus(tmp_path / "later", LATER)
    run = cli(ro, "ingest", str(later))
    assert run.code == 1 and "Không ghi được" in flat(run.err)
    no_traceback(run)
    assert _kn(ro).search(QUERY, k=1)[0].chunk.chunk_id == top


def test_full_data_dir_keeps_previous_index(index_copy: tuple[Path, Path], small_fs: Path, tmp_path: Path) -> None:
    d, data = index_copy
    full = small_fs / "data"
    shutil.copytree(data, full)
    top, _ = _top(full)
    before = _kn(full).catalog.path.read_bytes()
    filler = small_fs / "filler"
    with filler.open("wb", buffering=0) as fh:  # unbuffered: nothing left to flush on close
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    later = corpus(tmp_path / "later", LATER)
    run = cli(full, "ingest", str(later))
    assert run.code == 1 and "Không ghi được" in flat(run.err)
    no_traceback(run)
    assert _kn(full).catalog.path.read_bytes() == before
    s = cli(full, "search", QUERY, "--json")
    assert s.code == 0 and json.loads(s.out)[0]["citation"]
    no_traceback(s)
    ask = cli(full, "ask", QUERY, "--json", "--conversation", "c1")
    assert ask.code == 0 and json.loads(ask.out)["citations"]
    no_traceback(ask)
    filler.unlink()
    run = cli(full, "ingest", str(later))
    assert run.code == 0
    _consistent(full, FIRST + LATER)
    assert _top(full)[0] == top


def test_server_start_up_repairs_a_lost_vector_store(index_copy: tuple[Path, Path], tmp_path: Path) -> None:
    """Start-up check: the server reports degraded at once, keeps answering, repairs in the background."""
    d, data = index_copy
    shutil.rmtree(_kn(data).gen.chroma_dir)
    with serve(data, wait_ready=False) as (url, proc):
        seen: list[str] = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                h = httpx.get(url + "/healthz", timeout=30).json()
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.5)
                continue
            seen.append(h["status"])
            s = httpx.get(url + "/api/search", params={"q": QUERY, "k": 1}, headers=ADMIN, timeout=60)
            assert s.status_code == 200 and s.json()["results"]
            if h["status"] == "ok":
                break
            assert h["status"] == "degraded" and h["problems"]
            time.sleep(1.0)
        print(f"health states seen during start-up repair: {seen}")
        assert seen and seen[0] == "degraded" and seen[-1] == "ok", seen
    _consistent(data, FIRST, exact=False)
