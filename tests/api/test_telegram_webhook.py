"""Telegram webhook mode through the FastAPI app: real uvicorn, real PTB Application, Bot API fake on loopback."""

from __future__ import annotations

import httpx
from apilive import LiveServer
from fakes.botapi_server import running_server

from assistant.api.app import create_app
from bot import texts
from bot.run import SECRET_HEADER, webhook_secret


def test_webhook_route_feeds_updates_to_the_bot(settings, knowledge, ask_service, draft_service, store) -> None:  # noqa: ANN001
    with running_server() as api:
        s = settings.model_copy(update={"telegram_bot_token": api.token, "telegram_base_url": api.base_url,
                                        "telegram_webhook_url": "https://tdkt.example.org/telegram/webhook"})
        app = create_app(s, knowledge=knowledge, ask=ask_service, drafts=draft_service, store=store)
        srv = LiveServer(app).start()
        try:
            assert api.webhook_url == s.telegram_webhook_url  # registered at startup
            update = api.text_update(990_000_001, 990_000_001, "/help")
            r = httpx.post(srv.url + "/telegram/webhook", json=update)
            assert r.status_code == 403  # no secret header
            r = httpx.post(srv.url + "/telegram/webhook", json=update, headers={SECRET_HEADER: webhook_secret(s)})
            assert r.status_code == 200 and r.json() == {"ok": True}
            calls = api.wait_for_sync("sendMessage", lambda c: texts.HELP_INTRO[:20] in c.text, timeout=20)
            assert calls
            r = httpx.post(srv.url + "/telegram/webhook", content=b"{bad", headers={
                SECRET_HEADER: webhook_secret(s), "Content-Type": "application/json"})
            assert r.status_code == 400
        finally:
            srv.stop()


def test_webhook_route_is_off_without_webhook_mode(settings, knowledge, ask_service, draft_service, store) -> None:  # noqa: ANN001
    app = create_app(settings, knowledge=knowledge, ask=ask_service, drafts=draft_service, store=store)
    srv = LiveServer(app).start()
    try:
        assert httpx.post(srv.url + "/telegram/webhook", json={}).status_code == 404
    finally:
        srv.stop()
