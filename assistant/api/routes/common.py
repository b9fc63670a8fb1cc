"""Shared route helpers: content-type checks, input length checks, ids, SSE framing."""

from __future__ import annotations

import email.message
import json
from typing import Any

from fastapi import Request

from assistant.api.errors import ApiError


def _content_type(request: Request) -> tuple[str, str]:
    value = request.headers.get("content-type")
    if not value:
        return "", ""
    msg = email.message.Message()
    msg["content-type"] = value
    return msg.get_content_maintype(), msg.get_content_subtype()


def require_json(request: Request) -> None:
    main, sub = _content_type(request)
    if not (main == "application" and (sub == "json" or sub.endswith("+json"))):
        raise ApiError(
            415,
            message="Hãy gửi dữ liệu dạng JSON với Content-Type: application/json (unsupported media type).",
            detail={"content_type": request.headers.get("content-type")},
        )


def require_multipart(request: Request) -> None:
    main, sub = _content_type(request)
    if not (main == "multipart" and sub == "form-data"):
        raise ApiError(
            415,
            message="Hãy tải tệp lên dạng multipart/form-data, trường 'file' (unsupported media type).",
            detail={"content_type": request.headers.get("content-type")},
        )


def _check_encodable(text: str, what: str) -> None:
    """A lone surrogate (from a JSON \\ud800 escape) cannot be stored or searched: 422, not 500."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(
            422, code="invalid_text",
            message=f"{what} chứa ký tự không hợp lệ ở vị trí {exc.start} (invalid character, lone surrogate).",
            detail={"position": exc.start},
        ) from exc


def check_text(value: str, limit: int, what: str) -> str:
    """Strip and bound a user text; 422 with a clear Vietnamese message otherwise."""
    text = (value or "").strip()
    _check_encodable(text, what)
    if not text:
        raise ApiError(422, code="empty_input", message=f"{what} đang trống (empty input).")
    if len(text) > limit:
        raise ApiError(
            422,
            code="input_too_long",
            message=f"{what} quá dài: {len(text)} ký tự, tối đa {limit} ký tự (input too long).",
            detail={"length": len(text), "max": limit},
        )
    return text


def sse(event: str, data: Any) -> str:
    """One server-sent event; JSON data on a single line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def optional_text(value: str | None, limit: int, what: str) -> str:
    """Like check_text, but an empty value is allowed (returns "")."""
    if not (value or "").strip():
        return ""
    return check_text(value or "", limit, what)
