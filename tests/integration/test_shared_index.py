"""Two Knowledge objects with their own data dirs over one Chroma server and one database (SQLite file here: the
shared index works with either): a rebuild on one switches the other to the new generation, old collections are
dropped beyond the previous one, and a worker that is offline from the database keeps serving what it has."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest
from helpers import RAW
from liveservers import chroma_server, knowledge_dir

from assistant.config import Settings
from assistant.db import Database
from assistant.index.service import Knowledge
from assistant.index.shared import SharedIndex

DOCS = ["chi-thi-41-ct-tw-2024.md", "tt-01-2024-tt-bnv.md"]

pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason=f"{RAW} missing")


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    tmp = tmp_path_factory.mktemp("shared-index")
    kd = knowledge_dir(tmp, DOCS)
    with chroma_server(tmp) as url:
        yield tmp, kd, url


def _settings(tmp: Path, kd: Path, url: str, name: str) -> Settings:
    return Settings(data_dir=tmp / name, knowledge_dir=kd, extra_corpus=[], chroma_url=url,
                    shared_poll_seconds=0.0, embed_threads=1)


def _collections(url: str) -> list[str]:
    host, port = url.removeprefix("http://").split(":")
    return sorted(getattr(c, "name", c) for c in chromadb.HttpClient(host=host, port=int(port)).list_collections())


def test_rebuild_on_one_worker_switches_the_other(shared_env: tuple[Path, Path, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    tmp, kd, url = shared_env
    db = Database(sqlite_path=tmp / "shared-state.sqlite3")
    monkeypatch.setattr("assistant.db.open_database", lambda settings, name="": db)
    a = Knowledge(_settings(tmp, kd, url, "a"))
    a.ingest()
    b = Knowledge(_settings(tmp, kd, url, "b"))
    assert b.stats()["chunks"] == a.stats()["chunks"] > 0 and b.stats()["vectors_missing"] == 0
    first = a.gen.name

    a.ingest(rebuild=True)
    assert a.gen.name != first
    _follows(b, a)  # pulled in the background after a version check
    hits = b.search("Chỉ thị 41-CT/TW tăng cường sự lãnh đạo của Đảng")
    assert hits and hits[0].chunk.source_file == "chi-thi-41-ct-tw-2024.md"
    second = a.gen.name

    b.ingest(rebuild=True)  # the other worker rebuilds: the oldest generation's collection is dropped
    _follows(a, b)
    assert a.gen.name not in (first, second)
    names = _collections(url)
    assert any(n.endswith(b.gen.name) for n in names) and any(n.endswith(second) for n in names), names
    assert not any(n.endswith(first or "-base") for n in names), names


def _follows(reader: Knowledge, writer: Knowledge, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while reader.gen.name != writer.gen.name and time.monotonic() < deadline:
        reader.search("thi đua")
        time.sleep(0.2)
    assert reader.gen.name == writer.gen.name
    assert reader.stats()["chunks"] == writer.stats()["chunks"] and reader.stats()["vectors_missing"] == 0


def test_database_outage_keeps_the_synced_index_serving(shared_env: tuple[Path, Path, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    tmp, kd, url = shared_env
    db = Database(sqlite_path=tmp / "shared-state.sqlite3")
    monkeypatch.setattr("assistant.db.open_database", lambda settings, name="": db)
    c = Knowledge(_settings(tmp, kd, url, "c"))
    assert c.stats()["chunks"] > 0
    broken = tmp / "broken.sqlite3"
    broken.write_bytes(b"not a database " * 100)
    c.shared = SharedIndex(Database(sqlite_path=broken), c.index_dir.name, c.index_dir)
    hits = c.search("Chỉ thị 41-CT/TW")  # the version check fails: logged, the local mirror still answers
    assert hits and hits[0].chunk.source_file == "chi-thi-41-ct-tw-2024.md"
