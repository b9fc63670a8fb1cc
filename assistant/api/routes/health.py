"""GET /healthz (public): a real check of the index (catalog, vector store queried now, texts) and its size."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from assistant.api.schemas import Health

log = logging.getLogger(__name__)
router = APIRouter(tags=["Hệ thống"])


@router.get("/healthz", response_model=Health, summary="Tình trạng máy chủ")
def healthz(request: Request) -> Health:
    """ok, degraded (answers still served; the reasons say what to repair) or error (index unreadable)."""
    settings = request.app.state.settings
    limits = {"max_question_chars": settings.max_question_chars, "max_prompt_chars": settings.max_prompt_chars}
    try:
        h = request.app.state.services.knowledge.health()
    except Exception as exc:  # noqa: BLE001 - health must answer whatever the index state
        log.warning("healthz: knowledge unavailable: %s", exc)
        return Health(status="error", problems=[f"Không kiểm tra được chỉ mục: {exc}"], **limits)
    job = getattr(request.app.state, "embedding", None)  # set by `tdkt serve` (assistant/serving.py)
    return Health(status=h["status"], documents=h.get("documents"), chunks=h.get("chunks"),
                  vectors_missing=h.get("vectors_missing"), updating=bool(h.get("updating")),
                  problems=list(h.get("problems", [])), embedding=job.snapshot() if job is not None else None,
                  **limits)
