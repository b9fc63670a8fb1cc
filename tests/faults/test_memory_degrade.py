"""The conversation store degrades instead of failing: broken file, database removed under a live store."""

from __future__ import annotations

from pathlib import Path

from assistant.memory import MEMORY_NOTICE, Store


def test_garbage_database_degrades_with_notice(tmp_path: Path) -> None:
    db = tmp_path / "memory.sqlite3"
    db.write_bytes(b"not a database " * 400)
    s = Store(db)
    assert s.broken and s.notice == MEMORY_NOTICE
    cid = s.get_or_create("c1", "web", "u1")
    assert cid == "c1" and s.new_conversation("web", "u1")
    s.add_turn(cid, "user", "câu hỏi")
    assert s.history(cid) == [] and s.get_meta(cid, "k", "mặc định") == "mặc định" and s.owner(cid) is None
    s.save_draft("d1", cid, {}, {})
    assert s.get_draft("d1") is None and s.last_draft(cid) is None
    assert db.read_bytes().startswith(b"not a database")  # nothing overwritten


def test_failure_after_start_is_noticed_and_recovers(tmp_path: Path) -> None:
    db = tmp_path / "memory.sqlite3"
    s = Store(db)
    cid = s.new_conversation("web", "u1")
    s.add_turn(cid, "user", "một")
    assert s.notice is None and len(s.history(cid)) == 1
    for p in tmp_path.glob("memory.sqlite3*"):
        p.write_bytes(b"\x00garbage" * 512)
    s.add_turn(cid, "user", "hai")  # no exception
    assert s.notice == MEMORY_NOTICE and s.history(cid) == []
    for p in tmp_path.glob("memory.sqlite3*"):
        p.unlink()
    fresh = Store(db)
    c2 = fresh.new_conversation("web", "u1")
    fresh.add_turn(c2, "user", "ba")
    assert fresh.notice is None and [t.text for t in fresh.history(c2)] == ["ba"]
