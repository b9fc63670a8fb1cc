"""GET/POST /api/documents (list, upload + ingest) and DELETE /api/documents/{source_file}; every change is
audited, and an upload never silently replaces a document of the same name (replace=true makes it explicit)."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from assistant.api.auth import Admin, client_ip, require_admin, require_user
from assistant.api.deps import KnowledgeDep, ServicesDep, SettingsDep
from assistant.api.errors import ApiError
from assistant.api.present import doc_to_dict, report_errors, to_jsonable
from assistant.api.routes.common import require_multipart
from assistant.api.schemas import DocumentsResponse, UploadResponse
from assistant.index.errors import IndexProblem

router = APIRouter(prefix="/api", tags=["Tài liệu"])
try:
    from assistant.corpus.loaders import SUPPORTED_EXTENSIONS as ALLOWED_SUFFIXES
except ImportError:  # pragma: no cover - loaders are part of the core
    ALLOWED_SUFFIXES = {".md", ".txt", ".docx", ".pdf", ".html", ".htm"}
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str | None) -> str:
    """Basename only, no path tricks, no control characters."""
    base = Path((name or "").replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base or base.startswith("."):
        raise ApiError(400, code="bad_filename", message="Tên tệp không hợp lệ (invalid file name).")
    return base[:200]


@router.get("/documents", response_model=DocumentsResponse, dependencies=[Depends(require_user)],
            summary="Danh sách văn bản đã nạp")
def list_documents(knowledge: KnowledgeDep) -> DocumentsResponse:
    return DocumentsResponse(documents=[doc_to_dict(m) for m in knowledge.documents()])


def _copy_limited(upload: UploadFile, dest: Path, max_bytes: int, max_mb: float) -> None:
    size = 0
    with dest.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                raise ApiError(413, code="file_too_large",
                               message=f"Tệp quá lớn, tối đa {max_mb:g} MB (file too large).")
            out.write(chunk)


def _validate_with_loader(path: Path, settings: Any) -> None:
    """Let the corpus loader read the file first; its Vietnamese reason becomes a 400."""
    try:
        from assistant.corpus.loaders import LoadError, load_file
    except ImportError:
        return
    try:
        load_file(path, int(settings.max_file_mb * 1024 * 1024))
    except LoadError as exc:
        raise ApiError(400, code="unreadable_file", message=str(exc), detail={"source_file": path.name}) from exc


def corpus_names(settings: Any) -> set[str]:
    """File names of the bundled and extra corpus (an upload must not silently shadow them)."""
    names: set[str] = set()
    for root in settings.corpus_roots():
        for p in Path(root).rglob("*"):
            if p.is_file():
                names.add(p.name)
    return names


def check_name_free(name: str, knowledge: Any, settings: Any, replace: bool) -> None:
    """409 when `name` is already a document (official corpus or an earlier upload) and replace is not set."""
    if replace:
        return
    official = name in corpus_names(settings)
    if official or name in {m.source_file for m in knowledge.documents()}:
        what = "văn bản của kho chính thức" if official else "văn bản đã tải lên"
        raise ApiError(409, code="name_conflict",
                       message=f"Đã có {what} tên “{name}”. Đổi tên tệp, hoặc chọn “thay thế” (replace=true) nếu "
                               "muốn thay văn bản đó (a document with this name exists).",
                       detail={"source_file": name, "official": official})


def stage_upload(file: UploadFile, knowledge: Any, settings: Any, replace: bool) -> Path:
    """Check type, name and content, then move the file into data_dir/uploads; return its path."""
    name = safe_filename(file.filename)
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ApiError(415, code="unsupported_file_type",
                       message=f"Định dạng tệp '{suffix or '?'}' không được hỗ trợ; hãy dùng "
                               f"{', '.join(sorted(ALLOWED_SUFFIXES))} (unsupported file type).")
    check_name_free(name, knowledge, settings, replace)
    uploads = Path(settings.data_dir) / "uploads"
    incoming = uploads / ".incoming" / uuid.uuid4().hex
    incoming.mkdir(parents=True, exist_ok=True)
    staged = incoming / name
    final = uploads / name
    try:
        _copy_limited(file, staged, int(settings.max_file_mb * 1024 * 1024), settings.max_file_mb)
        _validate_with_loader(staged, settings)
        staged.replace(final)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    return final


def ingest_upload(knowledge: Any, final: Path, progress: Any = None) -> dict[str, Any]:
    """Ingest one staged upload; on failure the file is removed again and a 400 explains why."""
    name = final.name
    try:
        report = knowledge.ingest([final], progress=progress) if progress else knowledge.ingest([final])
    except IndexProblem:  # busy, damaged or not writable: a 503 with the index's own message
        final.unlink(missing_ok=True)
        raise
    except Exception as exc:
        final.unlink(missing_ok=True)
        raise ApiError(400, code="ingest_failed", message=f"Không nạp được tệp {name}: {exc}") from exc
    errors = report_errors(report)
    if errors and name not in {m.source_file for m in knowledge.documents()}:
        final.unlink(missing_ok=True)
        raise ApiError(400, code="unreadable_file", message="; ".join(errors), detail={"source_file": name})
    return to_jsonable(report)


@router.post("/documents", response_model=UploadResponse, status_code=201,
             dependencies=[Depends(require_admin), Depends(require_multipart)],
             summary="Tải lên và nạp một văn bản (quản trị)")
def upload_document(request: Request, admin: Admin, knowledge: KnowledgeDep, settings: SettingsDep,
                    services: ServicesDep,
                    file: UploadFile = File(..., description="Tệp .docx, .pdf, .md, .txt, .html"),
                    replace: bool = Form(False, description="Thay văn bản cùng tên (mặc định: từ chối).")
                    ) -> UploadResponse:
    final = stage_upload(file, knowledge, settings, replace)
    report = ingest_upload(knowledge, final)
    services.feedback.audit(admin.actor, "upload", final.name, client_ip(request),
                            {"replace": replace, "added": report.get("added"), "updated": report.get("updated")})
    return UploadResponse(source_file=final.name, report=report)


@router.delete("/documents/{source_file}", dependencies=[Depends(require_admin)],
               summary="Xóa một văn bản khỏi kho (quản trị)")
def delete_document(source_file: str, request: Request, admin: Admin, knowledge: KnowledgeDep,
                    settings: SettingsDep, services: ServicesDep) -> dict[str, Any]:
    if source_file not in {m.source_file for m in knowledge.documents()}:
        raise ApiError(404, code="document_not_found", message="Không tìm thấy văn bản này (document not found).",
                       detail={"source_file": source_file})
    removed = knowledge.remove(source_file)
    uploaded = Path(settings.data_dir) / "uploads" / Path(source_file).name
    uploaded.unlink(missing_ok=True)
    services.feedback.audit(admin.actor, "remove", source_file, client_ip(request), {"removed": bool(removed)})
    return {"source_file": source_file, "removed": to_jsonable(removed)}
