"""Service wiring: a lazy container on app.state and FastAPI dependencies that hand services to routes."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Depends, Request

from assistant.api.archive import DraftArchive
from assistant.api.auth import Principal
from assistant.api.errors import ApiError
from assistant.config import Settings
from assistant.services import Services as CoreServices

log = logging.getLogger(__name__)
WEB_CHANNEL = "web"


class ApiServices:
    """The core services (`assistant.services.Services`, the same wiring as every channel) plus the API's own."""

    def __init__(self, core: CoreServices) -> None:
        self.core = core
        self.settings = core.settings
        self.archive = DraftArchive(core.settings, lambda: self.store)

    def __getattr__(self, name: str) -> Any:  # knowledge, llm, store, ask, drafts
        return getattr(self.core, name)

    def conversation(self, conversation_id: str | None, principal: Principal) -> str:
        """The conversation to continue for this caller (channel "web", owner = a hash of the API key)."""
        return self.store.get_or_create(conversation_id, WEB_CHANNEL, principal.owner_id)


Services = ApiServices


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
