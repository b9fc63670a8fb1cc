"""POST /api/ask (JSON) and POST /api/ask/stream (server-sent events)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from assistant.answer.models import Answer
from assistant.api.auth import User, require_user
from assistant.api.deps import AskDep, ServicesDep, SettingsDep
from assistant.api.routes.common import check_text, require_json, sse
from assistant.api.routes.conversations import record_conversation, record_conversation_async
from assistant.api.schemas import AskRequest, AskResponse

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["Hỏi đáp"])
_guards = [Depends(require_user), Depends(require_json)]


@router.post("/ask", response_model=AskResponse, dependencies=_guards, summary="Hỏi một câu (JSON)")
def ask(body: AskRequest, user: User, service: AskDep, services: ServicesDep, settings: SettingsDep) -> Answer:
    question = check_text(body.question, settings.max_question_chars, "Câu hỏi")
    cid = services.conversation(body.conversation_id, user)
    answer: Answer = service.ask(question, conversation_id=cid)
    if not answer.conversation_id:
        answer = answer.model_copy(update={"conversation_id": cid})
    record_conversation(services, user, cid, question)
    return answer


@router.post(
    "/ask/stream",
    dependencies=_guards,
    summary="Hỏi một câu, trả lời dạng luồng (text/event-stream)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "event: token | line | final | error"}},
)
async def ask_stream(
    body: AskRequest, user: User, service: AskDep, services: ServicesDep, settings: SettingsDep
) -> StreamingResponse:
    question = check_text(body.question, settings.max_question_chars, "Câu hỏi")
    cid = await run_in_threadpool(services.conversation, body.conversation_id, user)

    async def events() -> AsyncIterator[str]:
        try:
            iterator = await run_in_threadpool(service.ask_stream, question, conversation_id=cid)
            async for ev in iterate_in_threadpool(iterator):
                if ev.type == "token":
                    yield sse("token", {"text": ev.text})
                elif ev.type == "line":  # the model's verified conclusion line, shown above the streamed answer
                    yield sse("line", {"text": ev.text})
                elif ev.type == "grounded":  # the grounded answer is complete; the tokens already carried it
                    continue
                elif ev.type == "final" and ev.answer is not None:
                    answer = ev.answer
                    if not answer.conversation_id:
                        answer = answer.model_copy(update={"conversation_id": cid})
                    await record_conversation_async(services, user, cid, question)
                    yield sse("final", answer.model_dump(mode="json"))
                else:
                    yield sse("error", {"code": "ask_failed", "message": ev.text or "Không trả lời được câu hỏi."})
        except Exception as exc:  # the stream already started: report in-band
            log.exception("ask_stream failed: %s", exc)
            yield sse("error", {"code": "internal_error", "message": "Lỗi máy chủ khi trả lời (internal error)."})

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", "X-Conversation-Id": cid},
    )
