"""Service wiring: a lazy container on app.state and FastAPI dependencies that hand services to routes."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import Depends, Request

from assistant.api.archive import DraftArchive
from assistant.api.auth import Principal
from assistant.api.errors import ApiError
from assistant.config import Settings

log = logging.getLogger(__name__)
WEB_CHANNEL = "web"


class Services:
    """Holds the core services; any not injected is built from settings on first use (thread-safe)."""

    def __init__(
        self,
        settings: Settings,
        knowledge: Any = None,
        ask: Any = None,
        drafts: Any = None,
        store: Any = None,
    ) -> None:
        self.settings = settings
        self._knowledge = knowledge
        self._ask = ask
        self._drafts = drafts
        self._store = store
        self._lock = threading.RLock()
        self.archive = DraftArchive(settings, lambda: self.store)

    @property
    def knowledge(self) -> Any:
        with self._lock:
            if self._knowledge is None:
                from assistant.index.service import Knowledge

                self._knowledge = Knowledge(self.settings)
            return self._knowledge

    @property
    def ask(self) -> Any:
        with self._lock:
            if self._ask is None:
                from assistant.answer.service import AskService

                self._ask = AskService(self.settings, self.knowledge)
            return self._ask

    @property
    def drafts(self) -> Any:
        with self._lock:
            if self._drafts is None:
                from assistant.drafting.service import DraftService

                self._drafts = DraftService(self.settings, self.knowledge)
            return self._drafts

    @property
    def store(self) -> Any:
        with self._lock:
            if self._store is None:
                from assistant.memory import Store

                self._store = Store.from_settings(self.settings)
            return self._store

    def conversation(self, conversation_id: str | None, principal: Principal) -> str:
        """The conversation to continue for this caller (channel "web", owner = a hash of the API key)."""
        return self.store.get_or_create(conversation_id, WEB_CHANNEL, principal.owner_id)


def get_services(request: Request) -> Services:
    return request.app.state.services


def _service(request: Request, name: str) -> Any:
    try:
        return getattr(get_services(request), name)
    except Exception as exc:
        log.exception("%s service unavailable", name)
        raise ApiError(503, detail={"service": name, "reason": str(exc)}) from exc


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


# Plain `def` dependencies run in the threadpool, so a lazy (slow) construction never blocks the event loop.
def get_knowledge(request: Request) -> Any:
    return _service(request, "knowledge")


def get_ask(request: Request) -> Any:
    return _service(request, "ask")


def get_drafts(request: Request) -> Any:
    return _service(request, "drafts")


def get_archive(request: Request) -> DraftArchive:
    return get_services(request).archive


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
KnowledgeDep = Annotated[Any, Depends(get_knowledge)]
AskDep = Annotated[Any, Depends(get_ask)]
DraftsDep = Annotated[Any, Depends(get_drafts)]
ArchiveDep = Annotated[DraftArchive, Depends(get_archive)]
