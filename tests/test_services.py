"""The composition root builds one set of services that carries the configured LLM and store to every channel."""

from __future__ import annotations

from pathlib import Path

from helpers import make_settings

from assistant.services import build_services


def test_openai_provider_reaches_ask_and_draft_services(tmp_path: Path, knowledge) -> None:  # noqa: ANN001
    settings = make_settings(tmp_path / "data", llm="openai", llm_base_url="http://127.0.0.1:9/v1")
    services = build_services(settings, knowledge=knowledge)
    assert services.llm is not None
    assert services.ask.llm is services.llm
    assert services.drafts.llm is services.llm
    assert services.ask.store is services.store


def test_unconfigured_llm_falls_back_to_grounded_with_a_reason(tmp_path: Path, knowledge) -> None:  # noqa: ANN001
    seen: list[str] = []
    settings = make_settings(tmp_path / "data", llm="openai", llm_base_url=None)
    services = build_services(settings, knowledge=knowledge, on_llm_error=seen.append)
    assert services.ask.llm is None
    assert services.llm_error and "TDKT_LLM_BASE_URL" in services.llm_error
    assert seen == [services.llm_error]


def test_none_provider_and_explicit_override(tmp_path: Path, knowledge) -> None:  # noqa: ANN001
    settings = make_settings(tmp_path / "data", llm="openai", llm_base_url="http://127.0.0.1:9/v1")
    assert build_services(settings, "none", knowledge=knowledge).ask.llm is None
