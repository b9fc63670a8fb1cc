"""Build the python-telegram-bot Application wired to the core services (no business logic here)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application

from bot import texts
from bot.handlers import BotHandlers
from bot.logs import protect_token

TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"


def file_url_for(base_url: str) -> str:
    """Derive the file base URL from the Bot API base URL (".../bot" → ".../file/bot")."""
    base = base_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return TELEGRAM_FILE_URL


async def setup_commands(application: Application) -> None:
    """Publish the command menu (setMyCommands); failures are logged, not fatal."""
    try:
        await application.bot.set_my_commands([BotCommand(n, d[:256]) for n, d in texts.COMMANDS])
    except TelegramError as exc:  # pragma: no cover - network dependent
        logging.getLogger(__name__).warning("setMyCommands failed: %s", exc)


def build_application(
    settings: Any,
    ask: Any,
    drafts: Any,
    store: Any,
    base_url: str | None = None,
    *,
    knowledge: Any | None = None,
    base_file_url: str | None = None,
    webhook: bool | None = None,
    post_init: Callable[[Application], Awaitable[None]] | None = None,
    max_retries: int = 3,
) -> Application:
    """Application with AIORateLimiter (retries RetryAfter), concurrent updates and every handler.

    `knowledge` (for /tailieu) defaults to `ask.knowledge`. In webhook mode (`webhook=True`, default when
    `settings.telegram_webhook_url` is set) no Updater is created: feed updates with
    `bot.run.process_webhook_update`.
    """
    token = settings.telegram_bot_token
    if not token:
        raise ValueError("Chưa cấu hình TELEGRAM_BOT_TOKEN [Telegram bot token is not set]")
    protect_token(token)  # httpx logs every request URL, and the token is part of it
    base = (base_url or settings.telegram_base_url).rstrip("/")
    builder = (
        Application.builder()
        .token(token)
        .base_url(base)
        .base_file_url(base_file_url or file_url_for(base))
        .rate_limiter(AIORateLimiter(max_retries=max_retries))
        .concurrent_updates(True)
    )
    if webhook is None:
        webhook = bool(getattr(settings, "telegram_webhook_url", None))
    if webhook:
        builder = builder.updater(None)
    if post_init is not None:
        builder = builder.post_init(post_init)
    application = builder.build()
    handlers = BotHandlers(settings, ask, drafts, store, knowledge=knowledge)
    handlers.register(application)
    application.bot_data["tdkt_handlers"] = handlers
    return application
