"""GET /api/search: ranked passages for a query."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from assistant.api.auth import require_user
from assistant.api.deps import KnowledgeDep, SettingsDep
from assistant.api.present import hit_to_passage
from assistant.api.routes.common import check_text
from assistant.api.schemas import SearchResponse

router = APIRouter(prefix="/api", tags=["Tra cứu"])


@router.get("/search", response_model=SearchResponse, dependencies=[Depends(require_user)],
            summary="Tìm các đoạn văn bản liên quan")
def search(
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    q: Annotated[str, Query(description="Từ khóa hoặc câu hỏi")],
    k: Annotated[int | None, Query(ge=1, le=50, description="Số đoạn trả về")] = None,
) -> SearchResponse:
    query = check_text(q, settings.max_question_chars, "Từ khóa tìm kiếm")
    k = k or settings.top_k
    hits = knowledge.search(query, k=k)
    return SearchResponse(query=query, k=k, results=[hit_to_passage(h) for h in hits])
