"""Fixtures of the bot tests: the fake Bot API server, settings pointing at it, and a scenario runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botkit import run_bot
from fakes.botapi_server import BotAPIServer, running_server


@pytest.fixture
def api() -> Any:
    with running_server() as srv:
        yield srv


@pytest.fixture
def bot_settings(settings: Any, api: BotAPIServer) -> Any:
    return settings.model_copy(
        update={
            "telegram_bot_token": api.token,
            "telegram_base_url": api.base_url,
            "telegram_webhook_url": None,
        }
    )


@pytest.fixture
def go(api, bot_settings, ask_service, draft_service, store, knowledge):  # type: ignore[no-untyped-def]
    def _go(scenario: Callable[[], Any], settings: Any = None, ask: Any = None, drafts: Any = None) -> None:
        run_bot(
            api,
            settings or bot_settings,
            ask or ask_service,
            drafts or draft_service,
            store,
            knowledge,
            scenario,
        )

    return _go
