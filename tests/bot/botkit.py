"""Shared helpers of the bot tests: fresh user ids, the real PTB lifecycle against the fake Bot API, predicates."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from fakes.botapi_server import BotAPIServer, Call

from bot.app import build_application
from bot.format import plain_of

QUESTION = "Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?"
DRAFT_PROMPT = (
    "/soan Kế hoạch tổ chức phong trào thi đua năm 2026 của UBND xã Quang Trung, "
    "chủ đề thi đua xây dựng nông thôn mới"
)
_counter = iter(range(100_000))


def new_user() -> int:
    """A fresh Telegram id per scenario (the Store is shared by the session)."""
    return 880_000_000 + next(_counter)


@contextlib.asynccontextmanager
async def running(app: Any) -> AsyncIterator[Any]:
    """initialize → start → start_polling, then a clean stop/shutdown (the real PTB lifecycle)."""
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def run_bot(
    api: BotAPIServer,
    settings: Any,
    ask: Any,
    drafts: Any,
    store: Any,
    knowledge: Any,
    scenario: Callable[[], Any],
) -> None:
    async def main() -> None:
        app = build_application(settings, ask, drafts, store, base_url=api.base_url, knowledge=knowledge)
        async with running(app):
            await scenario()

    asyncio.run(main())


def texts_to(api: BotAPIServer, chat_id: int) -> list[str]:
    return [c.text for c in api.sent("sendMessage", chat_id)]


def to(chat_id: int, needle: str | None = None) -> Callable[[Call], bool]:
    def pred(c: Call) -> bool:
        return c.get("chat_id") == str(chat_id) and (needle is None or needle in plain_of(c.text))

    return pred


def with_buttons(chat_id: int, prefix: str) -> Callable[[Call], bool]:
    """A message to chat_id carrying an inline button whose callback data starts with prefix."""

    def pred(c: Call) -> bool:
        return c.get("chat_id") == str(chat_id) and any(d.startswith(prefix) for _, d in BotAPIServer.buttons(c))

    return pred
