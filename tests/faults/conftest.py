"""Fixtures for the fault-injection suite: a small real index, a live `tdkt serve`, a size-limited tmpfs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from faultkit import FIRST, corpus, env_for, free_port
from helpers import ROOT, make_settings


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(corpus dir, data dir) of a small index built once with real embeddings."""
    from assistant.index.service import Knowledge

    tmp = tmp_path_factory.mktemp("faults")
    d = corpus(tmp / "corpus", FIRST)
    data = tmp / "data"
    rep = Knowledge(make_settings(data, extra_corpus=[])).ingest([d])
    assert sorted(rep.added) == sorted(FIRST) and not rep.errors
    return d, data


@pytest.fixture()
def index_copy(small_index: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the small index and of its corpus folder (paths inside the catalog stay valid)."""
    d, data = small_index
    dest = tmp_path / "data"
    shutil.copytree(data, dest)
    return d, dest


@pytest.fixture()
def live_server(index_copy: tuple[Path, Path]) -> Iterator[tuple[str, Path, Path]]:
    """`tdkt serve` in its own process on 127.0.0.1 over the private index copy: (url, corpus, data)."""
    d, data = index_copy
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port), "--no-bot"], cwd=ROOT, env=env_for(data), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tdkt serve did not start: " + (proc.stderr.read() if proc.stderr else ""))
            time.sleep(0.5)
        yield url, d, data
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture()
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs mounted for the test (skipped when this machine does not allow mounting)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a size-limited tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
