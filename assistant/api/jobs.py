"""Background admin jobs (upload + ingest, re-index) with progress that the admin page polls.

With TDKT_DATABASE_URL the job records live in the shared database (any worker behind the load balancer answers
the poll) and a re-index runs on one worker only: it holds a named database lock while it runs, and a second
re-index request — on any worker — gets the running job back instead of starting another one.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assistant import db as dbmod
from assistant.db import Database, Lock

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)
MAX_JOBS = 50
SINGLE_KINDS = ("reindex",)  # never two at once across workers: a second request joins the running one
SAVE_EVERY = 0.5  # seconds between progress writes to the shared database
SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    record_json TEXT NOT NULL,
    started TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_kind ON jobs(kind, state, started);
"""


@dataclass
class Job:
    """One job's visible state."""

    id: str
    kind: str
    target: str
    state: str = "running"  # running | done | failed
    current: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


Work = Callable[[Callable[[str, int, int], None]], dict[str, Any]]
_FIELDS = {f.name for f in fields(Job)}


class Jobs:
    """Run one job at a time per process in a thread; keep the last MAX_JOBS for polling (in the shared
    database when one is given, else in memory)."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._single = {kind: threading.Lock() for kind in SINGLE_KINDS}  # in-process form of the named lock

    @classmethod
    def from_settings(cls, settings: Settings) -> Jobs:
        shared = settings.database_url or settings.shared_state
        return cls(dbmod.open_database(settings) if shared else None)

    # ------------------------------------------------------------------------------------- records
    def _save(self, job: Job) -> None:
        if self.db is None:
            return
        try:
            self.db.ensure_schema("jobs", SCHEMA)
            self.db.execute(
                "INSERT INTO jobs (id, kind, target, state, record_json, started) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET state = excluded.state, record_json = excluded.record_json",
                (job.id, job.kind, job.target, job.state, json.dumps(asdict(job), ensure_ascii=False, default=str),
                 job.started))
        except (*dbmod.errors(), OSError) as e:  # the job goes on; only its record on other workers is stale
            log.error("job %s: shared record not saved: %s", job.id, e)

    def _load(self, job_id: str) -> Job | None:
        if self.db is None:
            return None
        self.db.ensure_schema("jobs", SCHEMA)
        row = self.db.fetchone("SELECT record_json FROM jobs WHERE id = ?", (job_id,))
        return _job_from_json(row[0]) if row else None

    def _running(self, kind: str) -> Job | None:
        """The job of `kind` that is running now (here or on another worker), if its record is found."""
        with self._lock:
            local = [j for j in self._jobs.values() if j.kind == kind and j.state == "running"]
        if local:
            return local[-1]
        if self.db is None:
            return None
        try:
            self.db.ensure_schema("jobs", SCHEMA)
            row = self.db.fetchone("SELECT record_json FROM jobs WHERE kind = ? AND state = ? ORDER BY started DESC "
                                   "LIMIT 1", (kind, "running"))
        except (*dbmod.errors(), OSError) as e:
            log.error("shared job records not readable: %s", e)
            return None
        return _job_from_json(row[0]) if row else None

    def _take_single(self, kind: str) -> Lock | None:
        if self.db is not None:
            return self.db.try_lock(f"tdkt-job-{kind}")
        lock = self._single[kind]
        return Lock(lock.release) if lock.acquire(blocking=False) else None

    # ------------------------------------------------------------------------------------- running
    def start(self, kind: str, target: str, work: Work, on_done: Callable[[Job], None] | None = None) -> Job:
        """Start `work` in a thread and return its job; for a single-run kind already running anywhere, the
        running job is returned (nothing new starts)."""
        single: Lock | None = None
        if kind in SINGLE_KINDS:
            try:
                single = self._take_single(kind)
            except (*dbmod.errors(), OSError) as e:
                log.error("job lock unavailable: %s", e)
                return Job(id=uuid.uuid4().hex[:16], kind=kind, target=target, state="failed",
                           message="Cơ sở dữ liệu chung không dùng được; chưa nạp lại được (shared database "
                                   "unavailable).")
            if single is None:
                running = self._running(kind)
                if running is not None:
                    return running
                return Job(id=uuid.uuid4().hex[:16], kind=kind, target=target, state="failed",
                           message="Một lần nạp lại khác đang chạy; yêu cầu này không được chạy thêm "
                                   "(another re-index is already running).")
        job = Job(id=uuid.uuid4().hex[:16], kind=kind, target=target, message="Đang chờ…")
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.pop(next(iter(self._jobs)))
        self._save(job)
        last_save = [time.monotonic()]

        def progress(name: str, i: int, n: int) -> None:
            job.current, job.done, job.total = name, i, n
            job.message = f"Đang nạp {name} ({i}/{n})"
            if time.monotonic() - last_save[0] >= SAVE_EVERY:
                last_save[0] = time.monotonic()
                self._save(job)

        def run() -> None:
            try:
                with self._run_lock:
                    try:
                        job.message = "Đang nạp…"
                        self._save(job)
                        job.result = work(progress)
                        job.state = "done"
                        job.message = job.result.pop("message", "Hoàn tất.")
                    except Exception as exc:  # reported to the admin page, never raised into the server
                        log.exception("job %s failed", job.id)
                        job.state = "failed"
                        job.message = str(getattr(exc, "message", None) or exc)
                    self._save(job)
                    if on_done is not None:
                        on_done(job)
            finally:
                if single is not None:
                    single.release()

        threading.Thread(target=run, name=f"job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        """A job of this worker (freshest), else its record in the shared database (another worker's job)."""
        job = self._jobs.get(job_id)
        if job is not None:
            return job
        try:
            return self._load(job_id)
        except (*dbmod.errors(), OSError) as e:
            log.error("job %s: shared record not readable: %s", job_id, e)
            return None

    @staticmethod
    def view(job: Job) -> dict[str, Any]:
        return asdict(job)


def _job_from_json(raw: str) -> Job:
    data = json.loads(raw)
    return Job(**{k: v for k, v in data.items() if k in _FIELDS})
