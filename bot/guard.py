"""Access control and ordering for the bot: allowlist of user/chat ids, one queue of messages per user."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable


class Allowlist:
    """Allowed Telegram user or chat ids; an empty list lets everyone in."""

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self.ids = {int(i) for i in ids}

    def allows(self, user_id: int | None, chat_id: int | None) -> bool:
        if not self.ids:
            return True
        return (user_id is not None and user_id in self.ids) or (chat_id is not None and chat_id in self.ids)


class QueueFull(Exception):
    """Raised when a user already has `limit` messages waiting."""


class UserQueue:
    """Each user's requests run one at a time in arrival order (asyncio.Lock wakes waiters FIFO).

    Used only from the event loop thread, so plain dicts are enough. `limit` bounds the messages waiting
    behind the running one, so one user cannot pile up unbounded work.
    """

    def __init__(self, limit: int = 5) -> None:
        self.limit = limit
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    def is_busy(self, key: int) -> bool:
        lock = self._locks.get(key)
        return lock is not None and lock.locked()

    def waiting(self, key: int) -> int:
        return self._waiting.get(key, 0)

    @contextlib.asynccontextmanager
    async def turn(self, key: int) -> AsyncIterator[None]:
        """Wait for this user's earlier requests to finish, then hold the user's turn. QueueFull if too many wait."""
        if self.is_busy(key) and self.waiting(key) >= self.limit:
            raise QueueFull(key)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self.waiting(key) + 1
        acquired = False
        try:
            await lock.acquire()
            acquired = True
            self._waiting[key] -= 1
            yield
        finally:
            if acquired:
                lock.release()
            else:
                self._waiting[key] -= 1
            if not self._waiting.get(key) and not lock.locked():
                self._locks.pop(key, None)
                self._waiting.pop(key, None)
