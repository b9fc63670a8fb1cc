"""SQLite conversation/draft store: persistence, bounded history, concurrency, reset, drafts, metadata."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.memory import DB_NAME, Store, Turn


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "memory.sqlite3"


def test_persistence_across_instances(db: Path) -> None:
    s1 = Store(db)
    cid = s1.new_conversation("web", "u1")
    s1.add_turn(cid, "user", "Tiêu chuẩn Chiến sĩ thi đua cơ sở?")
    s1.add_turn(cid, "assistant", "Theo Điều 23 …", meta={"citations": [{"n": 1, "source_file": "luat.md"}]})
    s1.save_draft("d1", cid, {"prompt": "Kế hoạch thi đua 2026"}, {"title": "KẾ HOẠCH", "sections": ["I."]})
    s1.set_meta(cid, "last_citations", [{"n": 1, "citation": "Điều 23"}])

    s2 = Store(db)
    hist = s2.history(cid)
    assert [t.role for t in hist] == ["user", "assistant"]
    assert hist[0] == Turn("user", "Tiêu chuẩn Chiến sĩ thi đua cơ sở?", {}, hist[0].created)
    assert hist[1].meta["citations"][0]["source_file"] == "luat.md"
    assert s2.get_draft("d1") == {"title": "KẾ HOẠCH", "sections": ["I."]}
    assert s2.last_draft(cid) == {"title": "KẾ HOẠCH", "sections": ["I."]}
    assert s2.get_meta(cid, "last_citations") == [{"n": 1, "citation": "Điều 23"}]
    assert s2.owner(cid) == ("web", "u1")
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"conversations", "turns", "drafts"} <= tables


def test_history_is_bounded(db: Path) -> None:
    s = Store(db, max_turns=4)
    cid = s.new_conversation("telegram", 42)
    for i in range(10):
        s.add_turn(cid, "user" if i % 2 == 0 else "assistant", f"tin {i}")
    assert [t.text for t in s.history(cid)] == ["tin 6", "tin 7", "tin 8", "tin 9"]
    assert [t.text for t in s.history(cid, limit=2)] == ["tin 8", "tin 9"]
    assert s.history(cid, limit=0) == []
    with sqlite3.connect(db) as con:  # the oldest turns are deleted, not just hidden
        assert con.execute("SELECT COUNT(*) FROM turns WHERE conversation_id = ?", (cid,)).fetchone()[0] == 4
    # a wider bound later does not resurrect dropped turns
    assert len(Store(db, max_turns=20).history(cid)) == 4


def test_concurrent_writers(db: Path) -> None:
    store = Store(db, max_turns=1000)
    cids = [store.new_conversation("web", f"u{i}") for i in range(4)]
    errors: list[BaseException] = []

    def writer(k: int) -> None:
        try:
            own = Store(db, max_turns=1000) if k % 2 else store  # shared instance and separate instances
            for j in range(25):
                own.add_turn(cids[k % 4], "user", f"w{k}-{j}")
                own.set_meta(cids[k % 4], f"k{k}", j)
                if j % 10 == 0:
                    own.save_draft(f"d{k}-{j}", cids[k % 4], {"k": k}, {"j": j})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = sum(len(store.history(c)) for c in cids)
    assert total == 8 * 25
    for k in range(8):
        texts = [t.text for t in store.history(cids[k % 4]) if t.text.startswith(f"w{k}-")]
        assert texts == [f"w{k}-{j}" for j in range(25)]  # each writer's turns kept in order
        assert store.get_meta(cids[k % 4], f"k{k}") == 24
    assert store.get_draft("d7-20") == {"j": 20}


def test_concurrent_bound_is_kept(db: Path) -> None:
    store = Store(db, max_turns=5)
    cid = store.new_conversation("web", "u")
    threads = [
        threading.Thread(target=lambda k=k: [store.add_turn(cid, "user", f"{k}-{j}") for j in range(20)])
        for k in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.history(cid)) == 5


def test_reset(db: Path) -> None:
    s = Store(db)
    cid = s.new_conversation("telegram", "7")
    other = s.new_conversation("telegram", "8")
    s.add_turn(cid, "user", "a")
    s.add_turn(other, "user", "b")
    s.set_meta(cid, "last_citations", [1])
    s.save_draft("d", cid, {}, {"x": 1})
    s.reset(cid)
    assert s.history(cid) == []
    assert s.get_meta(cid, "last_citations") is None
    assert s.get_meta(cid, "last_citations", default=[]) == []
    assert s.last_draft(cid) == {"x": 1}  # drafts survive a conversation reset
    assert [t.text for t in s.history(other)] == ["b"]
    s.add_turn(cid, "user", "again")
    assert [t.text for t in s.history(cid)] == ["again"]


def test_get_or_create(db: Path) -> None:
    s = Store(db)
    cid = s.get_or_create(None, "web", "u1")
    assert s.get_or_create(cid, "web", "u1") == cid
    assert s.get_or_create("tg-123", "telegram", 123) == "tg-123"  # unknown id: created with that id
    assert s.owner("tg-123") == ("telegram", "123")
    stolen = s.get_or_create(cid, "web", "intruder")  # someone else's id: a fresh conversation
    assert stolen != cid and s.owner(stolen) == ("web", "intruder")


def test_drafts_and_errors(db: Path) -> None:
    s = Store(db)
    cid = s.new_conversation("web", "u")
    assert s.get_draft("missing") is None
    assert s.last_draft(cid) is None
    s.save_draft("a", cid, {"p": 1}, {"v": 1})
    s.save_draft("b", cid, {"p": 2}, {"v": 2})
    assert s.last_draft(cid) == {"v": 2}
    s.save_draft("a", cid, {"p": 1}, {"v": 3})  # replacing a draft makes it the latest
    assert s.last_draft(cid) == {"v": 3}
    rec = s.get_draft_record("a")
    assert rec is not None and rec.request == {"p": 1} and rec.conversation_id == cid
    s.save_draft("free", None, {"p": 0}, {"v": 0})  # a draft outside any conversation
    assert s.get_draft("free") == {"v": 0}
    with pytest.raises(KeyError):
        s.add_turn("nope", "user", "x")
    with pytest.raises(KeyError):
        s.set_meta("nope", "k", 1)
    with pytest.raises(ValueError):
        Store(db, max_turns=0)


def test_from_settings(tmp_path: Path) -> None:
    s = Store.from_settings(Settings(data_dir=tmp_path, max_history_turns=3))
    assert s.db_path == tmp_path / DB_NAME and s.max_turns == 3
