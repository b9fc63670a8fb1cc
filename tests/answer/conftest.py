"""Fixtures of the answer tests: the scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.openai_server import ScriptedOpenAI


@pytest.fixture()
def llm_srv() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as srv:
        yield srv
