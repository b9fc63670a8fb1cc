"""Shared fixtures: a real index over knowledge/ + ../shared/corpus/raw, and the real services on top of it.

The full corpus is embedded once into .tdkt/test-index (incremental: later runs embed nothing) and copied
into the session's tmp dir, so tests that upload or delete documents never touch the cache.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import RAW, ROOT, TODAY, make_settings

from assistant.config import Settings


@pytest.fixture(scope="session")
def corpus_available() -> bool:
    return RAW.is_dir()


@pytest.fixture(scope="session")
def built_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build (or update) the cached test index, then copy it to a private session directory."""
    from assistant.index.service import Knowledge

    cache = ROOT / ".tdkt" / "test-index"
    Knowledge(make_settings(cache)).ingest()
    dest = tmp_path_factory.mktemp("data")
    shutil.copytree(cache, dest, dirs_exist_ok=True)
    return dest


@pytest.fixture(scope="session")
def settings(built_index_dir: Path) -> Settings:
    return make_settings(built_index_dir)


@pytest.fixture(scope="session")
def knowledge(settings: Settings):  # noqa: ANN201
    from assistant.index.service import Knowledge

    kn = Knowledge(settings, today=TODAY)
    kn.ingest()
    return kn


@pytest.fixture(scope="session")
def store(settings: Settings):  # noqa: ANN201
    from assistant.memory import Store

    return Store.from_settings(settings)


@pytest.fixture(scope="session")
def ask_service(settings: Settings, knowledge, store):  # noqa: ANN001, ANN201
    from assistant.answer.service import AskService

    return AskService(settings, knowledge, store=store, today=TODAY)


@pytest.fixture(scope="session")
def draft_service(settings: Settings, knowledge):  # noqa: ANN001, ANN201
    from assistant.drafting.service import DraftService

    return DraftService(settings, knowledge, today=TODAY)


@pytest.fixture()
def tmp_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings with an empty private data dir and no extra corpus (for ingestion tests)."""
    yield make_settings(tmp_path / "data", extra_corpus=[])
