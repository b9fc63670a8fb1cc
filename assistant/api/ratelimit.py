"""Sliding-window rate limiters per bucket (key, visitor or client IP): in memory (one process), or in the shared
database when TDKT_DATABASE_URL is set, so that every API worker behind a load balancer counts the same hits."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant import db as dbmod
from assistant.db import Database

if TYPE_CHECKING:
    from assistant.config import Settings

log = logging.getLogger(__name__)
SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_hits (
    bucket TEXT NOT NULL,
    t DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_hits_by_bucket ON rate_hits(bucket, t);
"""


class SlidingWindowLimiter:
    """Allow at most `limit` hits per `window` seconds for each key."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Record one hit; return 0 if allowed, else the seconds to wait before the next allowed hit."""
        now = self._clock()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(q[0] + self.window - now, 0.001)
            q.append(now)
            return 0.0

    def peek(self, key: str) -> float:
        """0 if `key` may hit now, else the seconds to wait (records nothing)."""
        now = self._clock()
        with self._lock:
            q = self._hits.get(key)
            if not q:
                return 0.0
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(q[0] + self.window - now, 0.001)
            return 0.0

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


class SharedLimiter:
    """The same sliding window, its hits stored in the shared database (one row per hit, pruned as it slides).

    A hit is one short transaction serialised per bucket (a PostgreSQL advisory lock on the bucket), so two
    workers cannot both take the last allowed hit. Times are wall-clock seconds (the workers' clocks are assumed
    NTP-synchronised). When the database is unreachable the request is allowed and the error logged: a
    database outage must not take the whole API down."""

    def __init__(self, db: Database, name: str, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.name = name
        self.limit = limit
        self.window = window
        self._clock = clock

    def _bucket(self, key: str) -> str:
        import hashlib

        return f"{self.name}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"  # never store the API key itself

    def _check(self, key: str, record: bool) -> float:
        now = self._clock()
        bucket = self._bucket(key)
        try:
            self.db.ensure_schema("ratelimit", SCHEMA)  # here, not at start-up: a database outage never stops the app
            with self.db.transaction(lock_key=bucket) as con:
                con.execute("DELETE FROM rate_hits WHERE bucket = ? AND t <= ?", (bucket, now - self.window))
                n, oldest = con.execute("SELECT COUNT(*), MIN(t) FROM rate_hits WHERE bucket = ?",
                                        (bucket,)).fetchall()[0]
                if n >= self.limit:
                    return max(float(oldest) + self.window - now, 0.001)
                if record:
                    con.execute("INSERT INTO rate_hits (bucket, t) VALUES (?, ?)", (bucket, now))
                return 0.0
        except (*dbmod.errors(), OSError) as e:
            log.error("shared rate limit unavailable (%s), request allowed: %s", self.db.where, e)
            return 0.0

    def hit(self, key: str) -> float:
        """Record one hit; return 0 if allowed, else the seconds to wait before the next allowed hit."""
        return self._check(key, record=True)

    def peek(self, key: str) -> float:
        """0 if `key` may hit now, else the seconds to wait (records nothing)."""
        return self._check(key, record=False)

    def reset(self) -> None:
        self.db.ensure_schema("ratelimit", SCHEMA)
        self.db.execute("DELETE FROM rate_hits WHERE bucket LIKE ?", (f"{self.name}:%",))


def make_limiter(settings: Settings, name: str, limit: int,
                 window: float = 60.0) -> SlidingWindowLimiter | SharedLimiter:
    """A limiter shared by every worker through the state database (TDKT_DATABASE_URL, or the SQLite state file
    when TDKT_SHARED_STATE is set), else one kept in this process's memory."""
    if settings.database_url or settings.shared_state:
        return SharedLimiter(dbmod.open_database(settings), name, limit, window)
    return SlidingWindowLimiter(limit, window)
