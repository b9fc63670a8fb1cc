"""POST /api/draft (whole draft, or one section regenerated with an instruction), POST /api/intent, and the
draft downloads GET /api/drafts/{id}.docx|.md (API key header, or a short-lived signed link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from assistant.api.auth import (
    ApiKeyDoc,
    BearerDoc,
    Principal,
    User,
    authenticate,
    extract_key,
    require_user,
)
from assistant.api.deps import WEB_CHANNEL, ArchiveDep, DraftsDep, ServicesDep, SettingsDep
from assistant.api.errors import ApiError
from assistant.api.routes.common import check_text, optional_text, require_json
from assistant.api.routes.conversations import record_conversation
from assistant.api.schemas import DraftBody, DraftResponse, IntentBody, IntentResponse
from assistant.api.signing import draft_links
from assistant.drafting.intent import drafting_intent

router = APIRouter(prefix="/api", tags=["Soạn thảo"])
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _not_found(draft_id: str) -> ApiError:
    return ApiError(404, code="draft_not_found", message="Không tìm thấy bản dự thảo này (draft not found).",
                    detail={"draft_id": draft_id})


def _base_draft(draft_id: str, user: Principal, services: ServicesDep, archive: ArchiveDep):  # noqa: ANN202
    """The caller's earlier draft to regenerate a section of (404 when unknown or someone else's)."""
    record = services.store.get_draft_record(draft_id) if draft_id else None
    if record is None or services.store.owner(record.conversation_id or "") != (WEB_CHANNEL, user.owner_id):
        raise _not_found(draft_id)
    found = archive.get(draft_id)
    if found is None:
        raise _not_found(draft_id)
    return found


@router.post("/draft", response_model=DraftResponse, dependencies=[Depends(require_user), Depends(require_json)],
             summary="Soạn dự thảo văn bản (hoặc soạn lại một phần theo chỉ dẫn)")
def draft(body: DraftBody, request: Request, user: User, service: DraftsDep, services: ServicesDep,
          archive: ArchiveDep, settings: SettingsDep) -> DraftResponse:
    instruction = optional_text(body.instruction, 2000, "Chỉ dẫn") or None
    base = None
    if body.base_draft_id:
        base = _base_draft(body.base_draft_id, user, services, archive)
        if not body.section:
            raise ApiError(422, code="section_required",
                           message="Hãy chọn phần cần soạn lại (section required with base_draft_id).")
        prompt = optional_text(body.prompt, settings.max_prompt_chars, "Yêu cầu soạn thảo")
    else:
        prompt = check_text(body.prompt, settings.max_prompt_chars, "Yêu cầu soạn thảo")
    cid = services.conversation(body.conversation_id, user)
    result = service.draft(prompt, section=body.section, instruction=instruction, conversation_id=cid, base=base)
    if not result.markdown:
        result = result.model_copy(update={"markdown": service.to_markdown(result)})
    archive.save(result, cid)
    record_conversation(services, user, cid, prompt or result.request.prompt)
    return DraftResponse(**result.model_dump(), links=draft_links(request.app.state.signer, result.draft_id), conversation_id=cid)


@router.post("/intent", response_model=IntentResponse, dependencies=[Depends(require_user), Depends(require_json)],
             summary="Tin nhắn là câu hỏi hay yêu cầu soạn văn bản?")
def intent(body: IntentBody, settings: SettingsDep) -> IntentResponse:
    text = check_text(body.text, max(settings.max_prompt_chars, settings.max_question_chars), "Tin nhắn")
    found = drafting_intent(text, settings)
    if found is None:
        return IntentResponse(action="ask")
    return IntentResponse(action="draft" if found.explicit else "ask", offer_draft=not found.explicit,
                          doc_type=found.doc_type, label=found.label)


def download_access(request: Request, _k: ApiKeyDoc = None, _b: BearerDoc = None,
                    exp: Annotated[str | None, Query(description="Hết hạn (liên kết ký)")] = None,
                    sig: Annotated[str | None, Query(description="Chữ ký (liên kết ký)")] = None) -> None:
    """A valid signed link, else the API key in a header (never a key in the URL)."""
    if (exp is not None or sig is not None) and request.app.state.signer.verify(request.url.path, exp, sig):
        return
    if (exp is not None or sig is not None) and extract_key(request) is None:
        raise ApiError(403, code="link_expired",
                       message="Liên kết tải đã hết hạn hoặc không hợp lệ; hãy tải lại từ trang hội thoại "
                               "(expired or invalid link).")
    authenticate(request)


@router.get("/drafts/{draft_id}.docx", response_class=FileResponse, summary="Tải dự thảo .docx",
            dependencies=[Depends(download_access)], responses={200: {"content": {DOCX_TYPE: {}}}})
def download_docx(draft_id: str, service: DraftsDep, archive: ArchiveDep) -> FileResponse:
    found = archive.get(draft_id)
    if found is None:
        raise _not_found(draft_id)
    path = archive.file_path(draft_id, "docx")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        service.to_docx(found, path)
    return FileResponse(path, media_type=DOCX_TYPE, filename=f"du-thao-{draft_id}.docx")


@router.get("/drafts/{draft_id}.md", summary="Tải dự thảo .md", dependencies=[Depends(download_access)],
            responses={200: {"content": {"text/markdown": {}}}})
def download_md(draft_id: str, service: DraftsDep, archive: ArchiveDep) -> Response:
    found = archive.get(draft_id)
    if found is None:
        raise _not_found(draft_id)
    text = found.markdown or service.to_markdown(found)
    return Response(
        text.encode("utf-8"),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="du-thao-{draft_id}.md"'},
    )
