"""POST /api/check: the eligibility checker (the asker's facts against a title's conditions, with quotes)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from assistant.answer.eligibility import EligibilityResult
from assistant.api.auth import require_user
from assistant.api.deps import AskDep, SettingsDep
from assistant.api.errors import ApiError
from assistant.api.routes.common import check_text, require_json

router = APIRouter(prefix="/api", tags=["Hỏi đáp"])
_guards = [Depends(require_user), Depends(require_json)]


class CheckRequest(BaseModel):
    question: str = Field(..., description="Câu hỏi kèm thông tin của bạn, ví dụ: 'em được CSTĐCS 2021, 2022, "
                                           "2023 thì có đủ điều kiện CSTĐ cấp tỉnh không?'")
    title: str | None = Field(None, max_length=60, description="Mã danh hiệu trong bảng điều kiện (tùy chọn).")


@router.post("/check", response_model=EligibilityResult, dependencies=_guards,
             summary="Kiểm tra điều kiện danh hiệu với thông tin của người hỏi")
def check(body: CheckRequest, service: AskDep, settings: SettingsDep) -> EligibilityResult:
    question = check_text(body.question, settings.max_question_chars, "Câu hỏi")
    checker = service.eligibility
    if body.title and body.title not in checker.table.rules:
        raise ApiError(422, code="unknown_title",
                       message=f"Không có danh hiệu mã “{body.title}” trong bảng điều kiện (unknown title).",
                       detail={"titles": sorted(checker.table.rules)})
    result = checker.check(question, body.title)
    if result is None:
        raise ApiError(422, code="no_title",
                       message="Không nhận ra danh hiệu cần kiểm tra trong câu hỏi. Hãy nêu tên danh hiệu, ví dụ "
                               "“Chiến sĩ thi đua cơ sở” (no known title in the question).",
                       detail={"titles": sorted(checker.table.rules)})
    return result
