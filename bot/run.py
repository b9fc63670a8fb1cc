"""Run modes of the bot: long polling (`tdkt bot`) and webhook helpers for the FastAPI app.

Webhook mode (when `settings.telegram_webhook_url` is set), to be mounted by the API app::

    application = build_application(settings, ask, drafts, store, webhook=True)
    await start_webhook(application, settings)          # lifespan startup: initialize, start, setWebhook
    ...
    @router.post("/telegram/webhook")
    async def telegram_webhook(request: Request):
        if not check_webhook_secret(settings, request.headers.get(SECRET_HEADER)):
            raise HTTPException(403)
        await process_webhook_update(application, await request.json())
        return {"ok": True}
    ...
    await stop_webhook(application)                      # lifespan shutdown
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from telegram import Update
from telegram.ext import Application

from assistant.services import Services, build_services
from bot.app import build_application, setup_commands

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def run_polling(settings: Any, *, services: Services | None = None) -> None:
    """Blocking: long-poll Telegram until Ctrl+C (used by `tdkt bot` and `make run`)."""
    svc = services or build_services(settings)
    application = build_application(
        settings, svc.ask, svc.drafts, svc.store, knowledge=svc.knowledge, webhook=False, post_init=setup_commands
    )
    log.info("Telegram bot: polling %s", settings.telegram_base_url)
    application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)


def webhook_secret(settings: Any) -> str:
    """Secret token Telegram echoes in SECRET_HEADER; derived from the bot token (no extra setting)."""
    token = settings.telegram_bot_token or ""
    return hashlib.sha256(f"tdkt-webhook:{token}".encode()).hexdigest()


def check_webhook_secret(settings: Any, header_value: str | None) -> bool:
    return bool(header_value) and hmac.compare_digest(str(header_value), webhook_secret(settings))


async def set_webhook(application: Application, settings: Any, url: str | None = None) -> bool:
    """Register the public webhook URL (settings.telegram_webhook_url) with Telegram."""
    target = url or settings.telegram_webhook_url
    if not target:
        raise ValueError("Chưa cấu hình TDKT_TELEGRAM_WEBHOOK_URL [webhook URL is not set]")
    return await application.bot.set_webhook(
        url=target, secret_token=webhook_secret(settings), allowed_updates=ALLOWED_UPDATES
    )


async def start_webhook(application: Application, settings: Any, url: str | None = None) -> None:
    """Lifespan startup for webhook mode: initialize + start the application, publish commands, set webhook."""
    await application.initialize()
    await application.start()
    await setup_commands(application)
    await set_webhook(application, settings, url)


async def stop_webhook(application: Application) -> None:
    """Lifespan shutdown for webhook mode (the webhook stays registered at Telegram)."""
    if application.running:
        await application.stop()
    await application.shutdown()


async def process_webhook_update(application: Application, payload: dict[str, Any]) -> None:
    """Feed one webhook payload (the JSON body Telegram POSTs) to a started application.

    Returns as soon as the update is queued, so the HTTP route can answer 200 quickly; the
    handlers run in the application's own tasks.
    """
    update = Update.de_json(payload, application.bot)
    if update is None:
        return
    await application.update_queue.put(update)
