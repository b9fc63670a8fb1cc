"""Shared test constants and helpers (imported by tests; conftest files only hold fixtures)."""

from __future__ import annotations

import signal
import subprocess
from datetime import date
from pathlib import Path

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
RAW = SHARED / "corpus" / "raw"
EVALS = SHARED / "evals" / "dev_questions.jsonl"
TODAY = date(2026, 11, 21)


def make_settings(data_dir: Path, **kw: object) -> Settings:
    base: dict[str, object] = {"data_dir": data_dir, "extra_corpus": [RAW] if RAW.is_dir() else [],
                               "llm": "none", "telegram_bot_token": None}
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def llm_ask_service(ask_service, url: str, timeout: float, **kw: object):  # noqa: ANN001, ANN201
    """An AskService like `ask_service` whose LLM is the OpenAI-compatible server at `url` (total deadline `timeout`)."""
    from assistant.answer.service import AskService
    from assistant.llm import make_chat_model

    s = ask_service.settings.model_copy(update={"llm": "openai", "llm_base_url": url, "llm_timeout": timeout, **kw})
    return AskService(s, ask_service.knowledge, llm=make_chat_model(s), today=TODAY)


def stop_process(proc: subprocess.Popen, timeout: float = 20.0, sig: int = signal.SIGTERM) -> None:
    """Stop a server the test started: `sig` (SIGTERM, or SIGINT for a graceful shutdown), then kill it if it has
    not exited within `timeout` seconds; the process is reaped either way."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def narrow_decider_patterns(words) -> list:  # noqa: ANN001
    """The authority answer patterns of `words` (evidence.Words) without the reading of "do X quy định" as a decider:
    the case of a passage whose decider wording the patterns miss (every such passage of the corpus is read since)."""
    import re

    return [re.compile(p.pattern.replace(r"|quy\s+định", ""), p.flags) for p in words.types.answer["authority"]]

