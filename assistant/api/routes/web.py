"""Public web assets: the chat page (/), the admin page (/admin), /widget.js (+ /widget/config, readable from any
origin so a refused portal gets a clear message), /chat.js, /chat.css and offline Swagger UI at /docs."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)
_NO_CACHE = {"Cache-Control": "no-cache"}


def swagger_dir() -> Path | None:
    """Swagger UI assets shipped by the `swagger-ui-bundle` package, if installed."""
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    path = Path(swagger_ui_bundle.swagger_ui_path)
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def page_config(request: Request) -> dict[str, object]:
    settings = request.app.state.settings
    return {
        "apiKey": request.app.state.web_key,
        "apiBase": "",
        "maxQuestionChars": settings.max_question_chars,
        "maxPromptChars": settings.max_prompt_chars,
    }


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    cfg = json.dumps(page_config(request), ensure_ascii=False).replace("</", "<\\/")
    return HTMLResponse(html.replace("__TDKT_CONFIG__", cfg), headers=_NO_CACHE)


def _asset(name: str, media_type: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type=media_type, headers=_NO_CACHE)


@router.get("/admin", response_class=HTMLResponse)
def admin_page() -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / "admin.html").read_text(encoding="utf-8"), headers=_NO_CACHE)


@router.get("/admin.js")
def admin_js() -> FileResponse:
    return _asset("admin.js", "text/javascript; charset=utf-8")


def origin_allowed(request: Request) -> bool:
    """Whether the calling page's origin may use the API (CORS list, or the server's own origin)."""
    origin = request.headers.get("origin")
    if not origin:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    allowed = request.app.state.settings.cors_origins
    return origin == own or origin in allowed or "*" in allowed


@router.get("/widget/config")
def widget_config(request: Request) -> JSONResponse:
    """Limits and whether this origin is allowed; readable cross-origin (it holds nothing secret)."""
    settings = request.app.state.settings
    body = {"origin_allowed": origin_allowed(request), "max_question_chars": settings.max_question_chars,
            "max_prompt_chars": settings.max_prompt_chars}
    return JSONResponse(body, headers={"Access-Control-Allow-Origin": "*", **_NO_CACHE})


@router.get("/widget.js")
def widget_js() -> FileResponse:
    return _asset("widget.js", "text/javascript; charset=utf-8")


@router.get("/chat.js")
def chat_js() -> FileResponse:
    return _asset("chat.js", "text/javascript; charset=utf-8")


@router.get("/chat.css")
def chat_css() -> FileResponse:
    return _asset("chat.css", "text/css; charset=utf-8")


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    title = f"{request.app.title} — API"
    if swagger_dir() is None:
        return HTMLResponse(
            f"<!doctype html><meta charset=utf-8><title>{title}</title>"
            "<p>Giao diện Swagger chưa được cài (gói <code>swagger-ui-bundle</code>). "
            "Đặc tả OpenAPI: <a href='/openapi.json'>/openapi.json</a></p>"
        )
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=title,
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )
