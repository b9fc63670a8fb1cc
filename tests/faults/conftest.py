"""Fixtures for the fault-injection suite: a small real index, a live `tdkt serve`, a size-limited tmpfs."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultkit import FIRST, corpus, serve
from helpers import make_settings


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
    with serve(data) as (url, _):
        yield url, d, data


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
