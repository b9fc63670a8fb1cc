"""Request/response shapes of the HTTP API (the service models are reused where they fit)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from assistant.answer.models import Answer
from assistant.drafting.models import Draft


class AskRequest(BaseModel):
    question: str = Field(..., description="Câu hỏi (question).")
    conversation_id: str | None = Field(None, max_length=100, description="Mã hội thoại để hỏi tiếp.")


class DraftBody(BaseModel):
    prompt: str = Field(..., description="Yêu cầu soạn thảo, ví dụ: 'Kế hoạch thi đua năm 2026 của UBND xã …'.")
    section: str | None = Field(None, max_length=40, description="Chỉ soạn lại một phần (I, II, III…).")
    instruction: str | None = Field(None, max_length=2000, description="Chỉ dẫn thêm cho lần soạn lại.")
    conversation_id: str | None = Field(None, max_length=100)


class DraftLinks(BaseModel):
    docx: str
    md: str


class DraftResponse(Draft):
    links: DraftLinks
    conversation_id: str | None = None


class AskResponse(Answer):
    pass


class Passage(BaseModel):
    rank: int
    score: float
    citation: str
    source_file: str
    start: int
    end: int
    snippet: str
    breadcrumb: list[str] = Field(default_factory=list)


class SearchResponse(BaseModel):
    query: str
    k: int
    results: list[Passage]


class DocumentsResponse(BaseModel):
    documents: list[dict[str, Any]]


class UploadResponse(BaseModel):
    source_file: str
    report: dict[str, Any]


class SourceResponse(BaseModel):
    source_file: str
    start: int
    end: int
    text_before: str
    highlight: str
    text_after: str
    display_before: str = ""
    display_highlight: str = ""
    display_after: str = ""
    truncated_before: bool
    truncated_after: bool
    document: dict[str, Any] | None = None


class Health(BaseModel):
    status: str = Field(description="ok | degraded (search works, something needs repair) | error")
    documents: int | None = None
    chunks: int | None = None
    vectors_missing: int | None = Field(None, description="Chunks without a vector (found by keywords only).")
    updating: bool = Field(False, description="Another process is writing the index right now.")
    problems: list[str] = Field(default_factory=list, description="Vietnamese reasons for a degraded status.")
    max_question_chars: int
    max_prompt_chars: int
