"""Session fixtures for API tests: real uvicorn servers over create_app with the real core services."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from apilive import ADMIN_KEY, USER_KEY, LiveServer, api_settings  # tests/api is on sys.path (no __init__)

from assistant.api import create_app


@pytest.fixture(scope="session")
def api_server(settings, knowledge, ask_service, draft_service) -> Iterator[LiveServer]:
    app = create_app(api_settings(settings), knowledge, ask_service, draft_service)
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def limited_server(settings, knowledge, ask_service, draft_service) -> Iterator[LiveServer]:
    """Tight limits: 3 requests/minute per key, 0.01 MB bodies."""
    app = create_app(api_settings(settings, rate_limit_per_minute=3, max_body_mb=0.01),
                     knowledge, ask_service, draft_service)
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture()
def client(api_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": USER_KEY}, timeout=120) as c:
        yield c


@pytest.fixture()
def admin(api_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.url, headers={"X-API-Key": ADMIN_KEY}, timeout=300) as c:
        yield c


@pytest.fixture()
def anon(api_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.url, timeout=60) as c:
        yield c


@pytest.fixture()
def start_server(settings, knowledge, ask_service, draft_service) -> Iterator[object]:
    """Start extra live servers with their own settings (and optionally their own services); stopped after."""
    started: list[LiveServer] = []

    def start(services=None, **update) -> LiveServer:  # noqa: ANN001
        s = api_settings(settings, **update)
        if services is not None:
            app = create_app(s, services=services)
        else:
            app = create_app(s, knowledge, ask_service, draft_service)
        server = LiveServer(app).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
