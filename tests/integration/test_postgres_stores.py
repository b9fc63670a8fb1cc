"""The shared stores on a real PostgreSQL: conversations, feedback, rate limits and job records seen the same way
by two store objects (two workers), and an unreachable database degrading instead of failing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from liveservers import free_port, postgres, postgres_missing

from assistant.api.jobs import Jobs
from assistant.api.ratelimit import SharedLimiter
from assistant.db import Database
from assistant.feedback import FeedbackStore
from assistant.memory import MEMORY_NOTICE, Store

pytestmark = pytest.mark.skipif(postgres_missing() is not None, reason=postgres_missing() or "")


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres() as url:
        yield url


def test_conversations_and_drafts_are_shared(pg_url: str) -> None:
    a, b = Store(db=Database(url=pg_url), max_turns=3), Store(db=Database(url=pg_url), max_turns=3)
    cid = a.get_or_create("conv-pg-1", "web", "u1")
    for i in range(5):
        (a if i % 2 else b).add_turn(cid, "user", f"lượt {i}")
    assert [t.text for t in b.history(cid)] == ["lượt 2", "lượt 3", "lượt 4"]
    assert b.get_or_create(cid, "web", "u1") == cid and b.get_or_create(cid, "web", "someone else") != cid
    a.save_draft("dr-1", cid, {"p": 1}, {"v": 1})
    b.save_draft("dr-2", cid, {"p": 2}, {"v": 2})
    a.save_draft("dr-1", cid, {"p": 1}, {"v": 3})  # saved again: now the latest
    assert b.last_draft(cid) == {"v": 3} and a.get_draft("dr-2") == {"v": 2}
    a.set_meta(cid, "subject", {"year": 2024})
    b.set_meta(cid, "subject", {"year": 2025})
    assert a.get_meta(cid, "subject") == {"year": 2025} and a.notice is None and b.notice is None


def test_concurrent_creation_of_one_conversation(pg_url: str) -> None:
    stores = [Store(db=Database(url=pg_url)) for _ in range(4)]
    got: list[str] = []

    def create(s: Store) -> None:
        got.append(s.get_or_create("conv-race", "web", "u9"))

    threads = [threading.Thread(target=create, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == ["conv-race"] * 4


def test_feedback_and_audit_are_shared(pg_url: str) -> None:
    a, b = FeedbackStore(db=Database(url=pg_url)), FeedbackStore(db=Database(url=pg_url))
    fid = a.add_feedback("owner", "up", question="Câu hỏi 100%?", answer="Đáp", comment="tốt",
                         sources=[{"citation": "Điều 1", "source_file": "x.md"}])
    assert fid > 0 and "Câu hỏi 100%?" in b.feedback_csv() and "Điều 1 (x.md)" in b.feedback_csv()
    a.touch_conversation("owner", "c-1", "tiêu đề đầu")
    b.touch_conversation("owner", "c-1", "tiêu đề khác")
    b.touch_conversation("intruder", "c-1", "chiếm")
    assert [(c.id, c.title) for c in b.conversations("owner")] == [("c-1", "tiêu đề đầu")]
    assert not b.owns("intruder", "c-1") and a.forget_conversation("owner", "c-1") and not b.owns("owner", "c-1")
    a.audit("admin:1", "reindex", "*", "127.0.0.1", {"n": 1})
    assert b.audit_log(1)[0]["action"] == "reindex"


def test_rate_limit_is_counted_across_workers(pg_url: str) -> None:
    now = [1000.0]
    a = SharedLimiter(Database(url=pg_url), "t-key", 3, 60.0, clock=lambda: now[0])
    b = SharedLimiter(Database(url=pg_url), "t-key", 3, 60.0, clock=lambda: now[0])
    assert [a.hit("k"), b.hit("k"), a.hit("k")] == [0.0, 0.0, 0.0]
    assert b.hit("k") == pytest.approx(60.0) and a.peek("k") > 0 and b.peek("other") == 0.0
    now[0] += 61
    assert b.hit("k") == 0.0  # the window slid past the old hits


def test_rate_limit_allows_requests_when_the_database_is_down() -> None:
    down = SharedLimiter(Database(url=f"postgresql://tdkt@127.0.0.1:{free_port()}/postgres"), "t", 1)
    assert down.hit("k") == 0.0 and down.hit("k") == 0.0


def test_unreachable_database_degrades_memory_with_notice() -> None:
    s = Store(db=Database(url=f"postgresql://tdkt@127.0.0.1:{free_port()}/postgres"))
    assert s.notice == MEMORY_NOTICE and not s.broken  # may come back: retried on the next call
    cid = s.get_or_create(None, "web", "u1")
    s.add_turn(cid, "user", "câu hỏi")
    assert cid and s.history(cid) == [] and s.notice == MEMORY_NOTICE


def test_one_reindex_across_workers_and_shared_job_records(pg_url: str) -> None:
    a, b = Jobs(Database(url=pg_url)), Jobs(Database(url=pg_url))
    release = threading.Event()
    runs: list[str] = []

    def work(progress: Any) -> dict[str, Any]:
        runs.append("run")
        progress("tệp.md", 1, 2)
        release.wait(30)
        return {"message": "Xong."}

    first = a.start("reindex", "*", work)
    second = b.start("reindex", "*", work)
    assert second.id == first.id and second.state == "running"
    seen = b.get(first.id)
    assert seen is not None and seen.kind == "reindex"
    release.set()
    deadline = time.monotonic() + 30
    while (b.get(first.id) or first).state == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    done = b.get(first.id)
    assert done is not None and done.state == "done" and done.message == "Xong." and runs == ["run"]
    third = b.start("reindex", "*", lambda p: {"message": "Lần hai."})  # the lock is free again
    assert third.id != first.id
