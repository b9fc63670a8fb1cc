"""Access control for the bot: allowlist of user/chat ids and one request in flight per user."""

from __future__ import annotations

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


class Busy(Exception):
    """Raised when the user already has a request in flight."""


class UserGate:
    """One request in flight per user: `async with gate.hold(uid)` raises Busy if another is running.

    Used only from the event loop thread, so a plain set is enough (no awaits between check and add).
    """

    def __init__(self) -> None:
        self._busy: set[int] = set()

    def is_busy(self, user_id: int) -> bool:
        return user_id in self._busy

    @contextlib.asynccontextmanager
    async def hold(self, user_id: int) -> AsyncIterator[None]:
        if user_id in self._busy:
            raise Busy(user_id)
        self._busy.add(user_id)
        try:
            yield
        finally:
            self._busy.discard(user_id)
