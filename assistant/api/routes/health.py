"""GET /healthz (public): liveness plus corpus size."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request

from assistant.api.schemas import Health

log = logging.getLogger(__name__)
router = APIRouter(tags=["Hệ thống"])


def _chunk_count(knowledge: Any) -> int | None:
    for name in ("chunk_count", "count"):
        fn = getattr(knowledge, name, None)
        if callable(fn):
            return int(fn())
    stats = getattr(knowledge, "stats", None)
    if callable(stats):
        s = stats()
        value = s.get("chunks") if isinstance(s, dict) else getattr(s, "chunks", None)
        return int(value) if value is not None else None
    return None


@router.get("/healthz", response_model=Health, summary="Tình trạng máy chủ")
def healthz(request: Request) -> Health:
    settings = request.app.state.settings
    status, documents, chunks = "ok", None, None
    try:
        knowledge = request.app.state.services.knowledge
        documents = len(knowledge.documents())
        chunks = _chunk_count(knowledge)
    except Exception as exc:
        log.warning("healthz: knowledge unavailable: %s", exc)
        status = "degraded"
    job = getattr(request.app.state, "embedding", None)  # set by `tdkt serve` (assistant/serving.py)
    return Health(status=status, documents=documents, chunks=chunks,
                  embedding=job.snapshot() if job is not None else None,
                  max_question_chars=settings.max_question_chars, max_prompt_chars=settings.max_prompt_chars)
