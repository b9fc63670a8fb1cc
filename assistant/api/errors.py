"""Uniform JSON errors: {"error": {"code", "message" (Vietnamese), "detail"}} for every failure."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.index.errors import IndexProblem

log = logging.getLogger(__name__)

# Default Vietnamese message (English in brackets) per HTTP status.
MESSAGES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ (bad request)."),
    401: ("unauthorized", "Thiếu hoặc sai khóa API (missing or invalid API key)."),
    403: ("forbidden", "Khóa API này không có quyền thực hiện thao tác (forbidden)."),
    404: ("not_found", "Không tìm thấy đường dẫn hoặc tài nguyên (not found)."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ cho đường dẫn này (method not allowed)."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn (payload too large)."),
    415: ("unsupported_media_type", "Kiểu nội dung không được hỗ trợ (unsupported media type)."),
    422: ("validation_error", "Dữ liệu gửi lên không hợp lệ (validation error)."),
    429: ("rate_limited", "Quá nhiều yêu cầu, vui lòng thử lại sau (rate limited)."),
    500: ("internal_error", "Lỗi máy chủ nội bộ (internal error)."),
    503: ("unavailable", "Dịch vụ chưa sẵn sàng, vui lòng thử lại sau (service unavailable)."),
}


class ApiError(Exception):
    """An error the API reports as JSON with a given status, code and Vietnamese message."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        detail: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = MESSAGES.get(status, ("error", "Đã xảy ra lỗi (error)."))
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.detail = detail
        self.headers = headers
        super().__init__(self.message)


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def error_response(
    status: int, code: str | None = None, message: str | None = None, detail: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    err = ApiError(status, code, message, detail)
    return JSONResponse(error_body(err.code, err.message, err.detail), status_code=status, headers=headers)


def _validation_detail(exc: RequestValidationError) -> tuple[str, str, list[dict[str, Any]]]:
    items = []
    invalid_json = False
    for e in exc.errors():
        if e.get("type") == "json_invalid":
            invalid_json = True
        items.append({"loc": list(e.get("loc", [])), "msg": e.get("msg"), "type": e.get("type")})
    if invalid_json:
        return "invalid_json", "Nội dung JSON không hợp lệ (malformed JSON).", items
    return "validation_error", "Dữ liệu gửi lên không hợp lệ (validation error).", items


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers so that every error, including 404/405 from routing, is JSON."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.code, exc.message, exc.detail), status_code=exc.status, headers=exc.headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = MESSAGES.get(exc.status_code, ("error", "Đã xảy ra lỗi (error)."))
        detail = exc.detail if isinstance(exc.detail, str | dict | list) else None
        if isinstance(detail, dict) and isinstance(detail.get("message"), str):
            detail = dict(detail)
            message = detail.pop("message")
        elif isinstance(detail, str) and detail == StarletteHTTPException(exc.status_code).detail:
            detail = None  # the English reason phrase adds nothing
        return JSONResponse(
            error_body(code, message, detail), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, message, items = _validation_detail(exc)
        return JSONResponse(error_body(code, message, items), status_code=422)

    @app.exception_handler(IndexProblem)
    async def _index_problem(_: Request, exc: IndexProblem) -> JSONResponse:
        code = {"IndexBusy": "index_busy", "IndexWriteError": "index_not_writable"}.get(
            type(exc).__name__, "index_damaged")
        return JSONResponse(error_body(code, str(exc)), status_code=503)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("Unhandled error: %s", exc)
        return error_response(500)
