"""The FastAPI application factory: services injected or built lazily, JSON errors, auth, CORS, limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from assistant.api.auth import VISITOR_HEADER
from assistant.api.bodylimit import BodyLimitMiddleware
from assistant.api.deps import ApiServices
from assistant.api.errors import install_error_handlers
from assistant.api.jobs import Jobs
from assistant.api.openapi30 import to_openapi30
from assistant.api.ratelimit import make_limiter
from assistant.api.routes import (
    admin,
    check,
    conversations,
    documents,
    draft,
    health,
    search,
    sources,
    telegram,
    web,
)
from assistant.api.routes import ask as ask_routes
from assistant.api.safety import check_bind, resolve_web_key
from assistant.api.signing import LinkSigner
from assistant.config import Settings, get_settings
from assistant.services import Services, build_services

log = logging.getLogger(__name__)
WIDGET_IP_FACTOR = 10  # visitors (browser sessions) behind one IP before that IP is limited as a whole


def create_app(
    settings: Settings | None = None,
    knowledge: Any = None,
    ask: Any = None,
    drafts: Any = None,
    *,
    store: Any = None,
    services: Services | None = None,
    web_key: str | None = None,
    warm: bool = True,
) -> FastAPI:
    """Build the app. Services not given are created from settings (warmed in the lifespan when `warm`)."""
    settings = settings or get_settings()
    check_bind(settings)
    if services is None:
        services = build_services(settings, knowledge=knowledge, ask=ask, drafts=drafts, store=store)
    api_services = ApiServices(services)

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        if warm:
            for name in ("knowledge", "ask", "drafts"):
                try:
                    await run_in_threadpool(getattr, api_services, name)
                except Exception as exc:  # keep serving: /healthz reports it, routes answer 5xx
                    log.error("Could not start %s service: %s", name, exc)
            try:  # catalog ↔ vectors ↔ texts/ checked; what is missing is re-embedded in the background
                repair = getattr(services.knowledge, "start_repair", None)
                if callable(repair):
                    await run_in_threadpool(repair)
            except Exception as exc:  # noqa: BLE001 - /healthz reports the state
                log.error("Index start-up check failed: %s", exc)
        tg = None
        if settings.telegram_bot_token and settings.telegram_webhook_url:
            tg = await telegram.start(settings, api_services)
            app_.state.telegram = tg
        yield
        if tg is not None:
            await telegram.stop(tg)

    app = FastAPI(
        title="Trợ lý Thi đua – Khen thưởng",
        description="Hỏi đáp, tra cứu và soạn thảo văn bản thi đua, khen thưởng. "
        "Xác thực bằng header `X-API-Key` hoặc `Authorization: Bearer`.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    roles = settings.api_key_roles()
    app.state.settings = settings
    app.state.services = api_services
    app.state.key_roles = roles
    app.state.limiter = make_limiter(settings, "key", settings.rate_limit_per_minute)
    app.state.widget_limiter = make_limiter(settings, "visitor", settings.widget_rate_limit_per_minute)
    app.state.widget_ip_limiter = make_limiter(settings, "widget-ip",
                                               settings.widget_rate_limit_per_minute * WIDGET_IP_FACTOR)
    app.state.auth_failures = make_limiter(settings, "auth-failures", settings.auth_failures_per_minute)
    app.state.jobs = Jobs.from_settings(settings)
    app.state.signer = LinkSigner(settings.signing_secret, settings.download_link_minutes * 60.0)
    app.state.web_key = resolve_web_key(settings, roles, web_key)

    install_error_handlers(app)
    app.state.telegram = None
    for module in (health, ask_routes, check, draft, conversations, search, documents, sources, admin, web, telegram):
        app.include_router(module.router)
    _serve_openapi30(app)
    sw = web.swagger_dir()
    if sw is not None:  # before /static, which would otherwise shadow it
        app.mount("/static/swagger", StaticFiles(directory=sw), name="swagger")
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")

    app.add_middleware(
        BodyLimitMiddleware, max_bytes=int(settings.max_body_mb * 1024 * 1024), limit_mb=settings.max_body_mb
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["X-API-Key", "Authorization", "Content-Type", VISITOR_HEADER],
        expose_headers=["Retry-After", "X-Conversation-Id", "Content-Disposition"],
        max_age=600,
    )
    return app


def _serve_openapi30(app: FastAPI) -> None:
    """/openapi.json in OpenAPI 3.0.3 (the bundled Swagger UI 4.x cannot render 3.1)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None or app.openapi_schema.get("openapi") != "3.0.3":
            app.openapi_schema = to_openapi30(original())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
