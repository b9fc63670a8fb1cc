"""Admin API behind the admin key: upload with ingest progress, re-index, index health, feedback CSV, audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from assistant.api.auth import Admin, client_ip, require_admin
from assistant.api.deps import KnowledgeDep, ServicesDep, SettingsDep
from assistant.api.errors import ApiError
from assistant.api.present import to_jsonable
from assistant.api.routes.common import require_multipart
from assistant.api.routes.documents import ingest_upload, stage_upload

router = APIRouter(prefix="/api/admin", tags=["Quản trị"], dependencies=[Depends(require_admin)])


def _jobs(request: Request) -> Any:
    return request.app.state.jobs


def _audit_when_done(services: Any, actor: str, client: str, action: str) -> Any:
    def done(job: Any) -> None:
        services.feedback.audit(actor, action, job.target, client,
                                {"state": job.state, "message": job.message, "job": job.id})
    return done


@router.post("/uploads", status_code=202, dependencies=[Depends(require_multipart)],
             summary="Tải lên một văn bản, nạp ở nền (theo dõi tiến độ qua /api/admin/jobs/{id})")
def upload(request: Request, admin: Admin, knowledge: KnowledgeDep, settings: SettingsDep, services: ServicesDep,
           file: UploadFile = File(..., description="Tệp .docx, .pdf, .md, .txt, .html"),
           replace: bool = Form(False, description="Thay văn bản cùng tên (mặc định: từ chối).")) -> dict[str, Any]:
    final = stage_upload(file, knowledge, settings, replace)

    def work(progress: Any) -> dict[str, Any]:
        report = ingest_upload(knowledge, final, progress)
        return {"report": report, "message": f"Đã nạp {final.name}."}

    job = _jobs(request).start("upload", final.name, work,
                               _audit_when_done(services, admin.actor, client_ip(request), "upload"))
    return _jobs(request).view(job)


@router.post("/reindex", status_code=202, summary="Nạp lại toàn bộ kho (chỉ các tệp thay đổi được nhúng lại)")
def reindex(request: Request, admin: Admin, knowledge: KnowledgeDep, services: ServicesDep) -> dict[str, Any]:
    def work(progress: Any) -> dict[str, Any]:
        report = to_jsonable(knowledge.ingest(progress=progress))
        changed = len(report.get("added", [])) + len(report.get("updated", []))
        return {"report": report, "message": f"Đã nạp lại: {changed} văn bản thay đổi, "
                                             f"{len(report.get('errors', []))} lỗi."}

    job = _jobs(request).start("reindex", "*", work,
                               _audit_when_done(services, admin.actor, client_ip(request), "reindex"))
    return _jobs(request).view(job)


@router.get("/jobs/{job_id}", summary="Tiến độ một tác vụ nạp")
def job_status(job_id: str, request: Request) -> dict[str, Any]:
    job = _jobs(request).get(job_id)
    if job is None:
        raise ApiError(404, code="job_not_found", message="Không tìm thấy tác vụ này (job not found).")
    return _jobs(request).view(job)


@router.get("/health", summary="Tình trạng chỉ mục và mô hình")
def health(knowledge: KnowledgeDep, services: ServicesDep) -> dict[str, Any]:
    stats = to_jsonable(knowledge.stats())
    docs = knowledge.documents()
    return {
        "status": "ok" if docs else "empty",
        "stats": stats,
        "uploads": sum(1 for m in docs if (knowledge.uploads_dir / m.source_file).is_file())
        if hasattr(knowledge, "uploads_dir") else None,
        "llm": services.core.llm_provider,
        "llm_error": services.core.llm_error,
    }


@router.get("/feedback.csv", summary="Xuất đánh giá 👍/👎 (CSV)", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def feedback_csv(request: Request, admin: Admin, services: ServicesDep) -> Response:
    services.feedback.audit(admin.actor, "export_feedback", "feedback.csv", client_ip(request))
    return Response(services.feedback.feedback_csv().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="tdkt-feedback.csv"'})


@router.get("/audit", summary="Nhật ký quản trị (ai, khi nào, làm gì)")
def audit(services: ServicesDep) -> dict[str, Any]:
    return {"entries": services.feedback.audit_log()}
