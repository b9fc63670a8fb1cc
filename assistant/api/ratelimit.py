"""Sliding-window rate limiter per bucket (key, visitor or client IP), kept in memory (one process)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


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
