"""POST /telegram/webhook: Telegram webhook mode (when TDKT_TELEGRAM_WEBHOOK_URL and the bot token are set)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from assistant.config import Settings

router = APIRouter(tags=["Telegram"])


async def start(settings: Settings, services: Any) -> Any:
    """Build the bot application in webhook mode and register the webhook with Telegram."""
    from bot.app import build_application
    from bot.run import start_webhook

    application = build_application(settings, services.ask, services.drafts, services.store,
                                    knowledge=services.knowledge, webhook=True)
    await start_webhook(application, settings)
    return application


async def stop(application: Any) -> None:
    from bot.run import stop_webhook

    await stop_webhook(application)


@router.post("/telegram/webhook", include_in_schema=False)
async def telegram_webhook(request: Request) -> dict[str, bool]:
    from bot.run import SECRET_HEADER, check_webhook_secret, process_webhook_update

    application = request.app.state.telegram
    if application is None:
        raise HTTPException(404, "Chế độ webhook Telegram chưa bật.")
    if not check_webhook_secret(request.app.state.settings, request.headers.get(SECRET_HEADER)):
        raise HTTPException(403, "Sai mã bí mật webhook.")
    try:
        payload = await request.json()
    except ValueError as exc:
        raise HTTPException(400, "Dữ liệu webhook không phải JSON hợp lệ.") from exc
    await process_webhook_update(application, payload)
    return {"ok": True}
