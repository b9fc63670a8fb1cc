"""POST /api/draft and the draft downloads GET /api/drafts/{id}.docx|.md."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, Response

from assistant.api.auth import DownloadUser, User, require_user
from assistant.api.deps import ArchiveDep, DraftsDep, ServicesDep, SettingsDep
from assistant.api.errors import ApiError
from assistant.api.routes.common import check_text, require_json
from assistant.api.schemas import DraftBody, DraftResponse

router = APIRouter(prefix="/api", tags=["Soạn thảo"])
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _links(draft_id: str) -> dict[str, str]:
    return {"docx": f"/api/drafts/{draft_id}.docx", "md": f"/api/drafts/{draft_id}.md"}


def _not_found(draft_id: str) -> ApiError:
    return ApiError(404, code="draft_not_found", message="Không tìm thấy bản dự thảo này (draft not found).",
                    detail={"draft_id": draft_id})


@router.post("/draft", response_model=DraftResponse, dependencies=[Depends(require_user), Depends(require_json)],
             summary="Soạn dự thảo văn bản")
def draft(body: DraftBody, user: User, service: DraftsDep, services: ServicesDep, archive: ArchiveDep,
          settings: SettingsDep) -> DraftResponse:
    cid = services.conversation(body.conversation_id, user)
    if body.base:  # refinement of a stored draft: the prompt may be empty
        if archive.get(body.base) is None:
            raise _not_found(body.base)
        prompt = body.prompt or ""
    else:
        prompt = check_text(body.prompt, settings.max_prompt_chars, "Yêu cầu soạn thảo")
    result = service.draft(prompt, section=body.section, instruction=body.instruction, conversation_id=cid,
                           base=archive.get(body.base) if body.base else None)
    if not result.markdown:
        result = result.model_copy(update={"markdown": service.to_markdown(result)})
    archive.save(result, cid)
    if body.base:  # files rendered from the previous version of this draft are stale
        for ext in ("docx", "md"):
            archive.file_path(result.draft_id, ext).unlink(missing_ok=True)
    return DraftResponse(**result.model_dump(), links=_links(result.draft_id), conversation_id=cid)


@router.get("/drafts/{draft_id}.docx", response_class=FileResponse, summary="Tải dự thảo .docx",
            responses={200: {"content": {DOCX_TYPE: {}}}})
def download_docx(draft_id: str, _: DownloadUser, service: DraftsDep, archive: ArchiveDep) -> FileResponse:
    found = archive.get(draft_id)
    if found is None:
        raise _not_found(draft_id)
    path = archive.file_path(draft_id, "docx")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        service.to_docx(found, path)
    return FileResponse(path, media_type=DOCX_TYPE, filename=f"du-thao-{draft_id}.docx")


@router.get("/drafts/{draft_id}.md", summary="Tải dự thảo .md", responses={200: {"content": {"text/markdown": {}}}})
def download_md(draft_id: str, _: DownloadUser, service: DraftsDep, archive: ArchiveDep) -> Response:
    found = archive.get(draft_id)
    if found is None:
        raise _not_found(draft_id)
    text = found.markdown or service.to_markdown(found)
    return Response(
        text.encode("utf-8"),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="du-thao-{draft_id}.md"'},
    )
