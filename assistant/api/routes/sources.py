"""GET /api/sources/{source_file}: the passage around [start, end) for highlighting, with validity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from assistant.api.auth import require_user
from assistant.api.deps import KnowledgeDep
from assistant.api.errors import ApiError
from assistant.api.present import doc_to_dict
from assistant.api.schemas import SourceResponse
from assistant.corpus.normalize import clean_text

router = APIRouter(prefix="/api", tags=["Tra cứu"])


@router.get("/sources/{source_file:path}", response_model=SourceResponse, dependencies=[Depends(require_user)],
            summary="Đoạn văn bản gốc quanh trích dẫn")
def source(
    source_file: str,
    knowledge: KnowledgeDep,
    start: Annotated[int, Query(ge=0)],
    end: Annotated[int, Query(ge=0)],
    context: Annotated[int, Query(ge=0, le=20000)] = 600,
) -> SourceResponse:
    metas = {m.source_file: m for m in knowledge.documents()}
    if source_file not in metas:
        raise ApiError(404, code="document_not_found", message="Không tìm thấy văn bản này (document not found).",
                       detail={"source_file": source_file})
    raw = knowledge.raw_text(source_file)
    if raw is None:
        raise ApiError(404, code="text_not_found", message="Không tìm thấy nội dung gốc của văn bản (text not found).",
                       detail={"source_file": source_file})
    if end < start or end > len(raw):
        raise ApiError(422, code="bad_range", message="Vị trí trích dẫn không hợp lệ (invalid range).",
                       detail={"start": start, "end": end, "length": len(raw)})
    lo, hi = max(0, start - context), min(len(raw), end + context)
    return SourceResponse(
        source_file=source_file, start=start, end=end,
        text_before=raw[lo:start], highlight=raw[start:end], text_after=raw[end:hi],
        display_before=clean_text(raw[lo:start]), display_highlight=clean_text(raw[start:end]),
        display_after=clean_text(raw[end:hi]),
        truncated_before=lo > 0, truncated_after=hi < len(raw),
        document=doc_to_dict(metas[source_file]),
    )
