"""Request/response shapes of the HTTP API (the service models are reused where they fit)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.answer.models import Answer
from assistant.drafting.models import Draft

ID_PATTERN = r"^[A-Za-z0-9_.:-]*$"  # conversation and draft ids (no spaces, no control or surrogate characters)


class AskRequest(BaseModel):
    question: str = Field(..., description="Câu hỏi (question).")
    conversation_id: str | None = Field(None, max_length=100, pattern=ID_PATTERN,
                                        description="Mã hội thoại để hỏi tiếp.")


class DraftBody(BaseModel):
    prompt: str = Field("", description="Yêu cầu soạn thảo, ví dụ: 'Kế hoạch thi đua năm 2026 của UBND xã …'.")
    section: str | None = Field(None, max_length=40, pattern=r"^[\w.\- ]+$",
                                description="Chỉ soạn lại một phần (I, II, III…).")
    instruction: str | None = Field(None, max_length=2000, description="Chỉ dẫn thêm cho lần soạn lại.")
    base_draft_id: str | None = Field(None, max_length=80, pattern=ID_PATTERN,
                                      description="Soạn lại phần `section` của dự thảo này (các phần khác giữ nguyên).")
    conversation_id: str | None = Field(None, max_length=100, pattern=ID_PATTERN)


class DraftLinks(BaseModel):
    docx: str
    md: str


class IntentBody(BaseModel):
    text: str = Field(..., description="Tin nhắn người dùng gõ trong khung chat.")


class IntentResponse(BaseModel):
    action: Literal["ask", "draft"] = Field(..., description="draft: tin nhắn yêu cầu soạn văn bản.")
    offer_draft: bool = Field(False, description="Câu hỏi nhắc tới một loại văn bản: gợi ý nút “Soạn”.")
    doc_type: str | None = None
    label: str | None = None


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
    embedding: dict[str, Any] | None = Field(
        None, description="Background build of the dense vectors (tdkt serve): state building|ready|error, done, "
        "total, eta_seconds, message. While building, answers use keyword search.")
    max_question_chars: int
    max_prompt_chars: int


class ConversationItem(BaseModel):
    id: str
    title: str
    created: str
    updated: str


class ConversationList(BaseModel):
    conversations: list[ConversationItem]


class ConversationHistory(BaseModel):
    id: str
    turns: list[dict[str, Any]] = Field(description="role user|assistant, text, created; the last answer has "
                                                    "its citations and warnings.")
    last_draft: dict[str, Any] | None = Field(None, description="The latest draft of the conversation, with "
                                                                "signed download links.")


class FeedbackSource(BaseModel):
    citation: str | None = Field(None, max_length=500)
    source_file: str | None = Field(None, max_length=300)
    start: int | None = None
    end: int | None = None


class FeedbackBody(BaseModel):
    rating: Literal["up", "down"] = Field(..., description="up = 👍, down = 👎")
    question: str = Field(..., description="Câu hỏi đã được trả lời.")
    answer: str = Field(..., description="Câu trả lời được đánh giá.")
    sources: list[FeedbackSource] = Field(default_factory=list, max_length=50)
    comment: str | None = Field(None, description="Góp ý thêm (không bắt buộc).")
    conversation_id: str | None = Field(None, max_length=100, pattern=ID_PATTERN)


class FeedbackSaved(BaseModel):
    id: int
