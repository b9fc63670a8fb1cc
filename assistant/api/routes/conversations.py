"""The caller's conversation list and history (restored after a reload) and 👍/👎 feedback."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from assistant.api.auth import User, require_user
from assistant.api.deps import ServicesDep
from assistant.api.errors import ApiError
from assistant.api.routes.common import check_text, optional_text, require_json
from assistant.api.schemas import (
    ConversationHistory,
    ConversationList,
    FeedbackBody,
    FeedbackSaved,
)
from assistant.api.signing import draft_links

router = APIRouter(prefix="/api", tags=["Hội thoại"])
MAX_FEEDBACK_TEXT = 20_000


def _not_found(cid: str) -> ApiError:
    return ApiError(404, code="conversation_not_found",
                    message="Không tìm thấy hội thoại này (conversation not found).", detail={"conversation_id": cid})


def record_conversation(services: Any, user: Any, cid: str, title: str) -> None:
    """Add the conversation to the caller's list (titled by its first message); never fails the request."""
    with contextlib.suppress(Exception):  # the list is a convenience; answering must not depend on it
        services.feedback.touch_conversation(user.owner_id, cid, title)


async def record_conversation_async(services: Any, user: Any, cid: str, title: str) -> None:
    await run_in_threadpool(record_conversation, services, user, cid, title)


@router.get("/conversations", response_model=ConversationList, dependencies=[Depends(require_user)],
            summary="Danh sách hội thoại của tôi")
def list_conversations(user: User, services: ServicesDep) -> ConversationList:
    items = services.feedback.conversations(user.owner_id)
    return ConversationList(conversations=[vars(c) for c in items])


@router.get("/conversations/{conversation_id}", response_model=ConversationHistory,
            dependencies=[Depends(require_user)], summary="Các lượt hỏi đáp của một hội thoại")
def conversation_history(conversation_id: str, request: Request, user: User,
                         services: ServicesDep) -> ConversationHistory:
    if not services.feedback.owns(user.owner_id, conversation_id):
        raise _not_found(conversation_id)
    store = services.store
    turns = [{"role": t.role, "text": t.text, "created": t.created} for t in store.history(conversation_id)
             if t.role in ("user", "assistant")]
    last = next((t for t in reversed(turns) if t["role"] == "assistant"), None)
    if last is not None:
        last["citations"] = store.get_meta(conversation_id, "last_citations", []) or []
        last["warnings"] = store.get_meta(conversation_id, "last_warnings", []) or []
    return ConversationHistory(id=conversation_id, turns=turns, last_draft=_last_draft(request, store,
                                                                                       conversation_id))


def _last_draft(request: Request, store: Any, cid: str) -> dict[str, Any] | None:
    """The conversation's latest draft with fresh signed download links, or None."""
    record = store.last_draft_record(cid)
    if record is None:
        return None
    draft = dict(record.draft)
    draft["links"] = draft_links(request.app.state.signer, record.id)
    draft["conversation_id"] = cid
    return draft


@router.delete("/conversations/{conversation_id}", dependencies=[Depends(require_user)],
               summary="Xóa hội thoại khỏi danh sách")
def forget_conversation(conversation_id: str, user: User, services: ServicesDep) -> dict[str, Any]:
    if not services.feedback.forget_conversation(user.owner_id, conversation_id):
        raise _not_found(conversation_id)
    return {"conversation_id": conversation_id, "removed": True}


@router.post("/feedback", response_model=FeedbackSaved, status_code=201,
             dependencies=[Depends(require_user), Depends(require_json)], summary="Gửi đánh giá 👍/👎 cho câu trả lời")
def feedback(body: FeedbackBody, user: User, services: ServicesDep) -> FeedbackSaved:
    question = check_text(body.question, MAX_FEEDBACK_TEXT, "Câu hỏi")
    answer = check_text(body.answer, MAX_FEEDBACK_TEXT, "Câu trả lời")
    comment = optional_text(body.comment, 2000, "Góp ý")
    fid = services.feedback.add_feedback(
        user.owner_id, body.rating, conversation_id=body.conversation_id, comment=comment,
        question=question, answer=answer, sources=[c.model_dump() for c in body.sources],
    )
    return FeedbackSaved(id=fid)
