"""The one composition root: knowledge, LLM, conversation store, ask/draft services and feedback for every channel."""

from __future__ import annotations

import logging
import threading
from typing import Any

from assistant.config import Settings

log = logging.getLogger(__name__)

_UNSET: Any = object()


class Services:
    """Every service a channel needs, built lazily from one Settings (thread-safe); any may be injected.

    The CLI, the API (web page, widget, REST) and the Telegram bot all use this class, so a setting such as
    `TDKT_LLM` or the conversation store reaches every channel the same way.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        knowledge: Any = None,
        llm: Any = _UNSET,
        store: Any = None,
        ask: Any = None,
        drafts: Any = None,
        feedback: Any = None,
        llm_provider: str | None = None,
        on_llm_error: Any = None,
    ) -> None:
        self.settings = settings
        self._knowledge = knowledge
        self._llm = llm
        self._store = store
        self._ask = ask
        self._drafts = drafts
        self._feedback = feedback
        self._llm_provider = llm_provider
        self._on_llm_error = on_llm_error
        self.llm_error: str | None = None
        self._lock = threading.RLock()

    @property
    def llm_provider(self) -> str:
        return self._llm_provider or self.settings.llm

    @property
    def knowledge(self) -> Any:
        with self._lock:
            if self._knowledge is None:
                from assistant.index.service import Knowledge

                self._knowledge = Knowledge(self.settings)
            return self._knowledge

    @property
    def llm(self) -> Any:
        """The configured chat model, or None (grounded mode) when none is configured or it cannot load."""
        with self._lock:
            if self._llm is _UNSET:
                self._llm = self._make_llm()
            return self._llm

    def _make_llm(self) -> Any:
        provider = self.llm_provider
        if provider == "none":
            return None
        from assistant.llm import LLMUnavailable, make_chat_model

        try:
            return make_chat_model(self.settings, provider)
        except LLMUnavailable as exc:
            self.llm_error = str(exc)
            log.warning("LLM %s unavailable, answering in grounded mode: %s", provider, exc)
            if self._on_llm_error is not None:
                self._on_llm_error(str(exc))
            return None

    @property
    def store(self) -> Any:
        with self._lock:
            if self._store is None:
                from assistant.memory import Store

                self._store = Store.from_settings(self.settings)
            return self._store

    @property
    def ask(self) -> Any:
        with self._lock:
            if self._ask is None:
                from assistant.answer.service import AskService

                self._ask = AskService(self.settings, self.knowledge, llm=self.llm, store=self.store)
            return self._ask

    @property
    def drafts(self) -> Any:
        with self._lock:
            if self._drafts is None:
                from assistant.drafting.service import DraftService

                self._drafts = DraftService(self.settings, self.knowledge, llm=self.llm, store=self.store)
            return self._drafts


    @property
    def feedback(self) -> Any:
        """Feedback, the web conversation list and the audit log (assistant.feedback)."""
        with self._lock:
            if self._feedback is None:
                from assistant.feedback import FeedbackStore

                self._feedback = FeedbackStore.from_settings(self.settings)
            return self._feedback


def build_services(settings: Settings, llm_provider: str | None = None, **injected: Any) -> Services:
    """The services every channel uses, built from `settings` (injected ones are kept as given)."""
    return Services(settings, llm_provider=llm_provider, **injected)
