"""Background admin jobs (upload + ingest, re-index) with progress that the admin page polls."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)
MAX_JOBS = 50


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


class Jobs:
    """Run one job at a time per process in a thread; keep the last MAX_JOBS for polling."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()

    def start(self, kind: str, target: str, work: Work, on_done: Callable[[Job], None] | None = None) -> Job:
        job = Job(id=uuid.uuid4().hex[:16], kind=kind, target=target, message="Đang chờ…")
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.pop(next(iter(self._jobs)))

        def progress(name: str, i: int, n: int) -> None:
            job.current, job.done, job.total = name, i, n
            job.message = f"Đang nạp {name} ({i}/{n})"

        def run() -> None:
            with self._run_lock:
                try:
                    job.message = "Đang nạp…"
                    job.result = work(progress)
                    job.state = "done"
                    job.message = job.result.pop("message", "Hoàn tất.")
                except Exception as exc:  # reported to the admin page, never raised into the server
                    log.exception("job %s failed", job.id)
                    job.state = "failed"
                    job.message = str(getattr(exc, "message", None) or exc)
                if on_done is not None:
                    on_done(job)

        threading.Thread(target=run, name=f"job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    @staticmethod
    def view(job: Job) -> dict[str, Any]:
        return asdict(job)
