"""ASGI middleware rejecting request bodies larger than a limit (Content-Length and streamed size)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import error_response


def _message(limit_mb: float) -> str:
    return f"Dữ liệu gửi lên quá lớn, tối đa {limit_mb:g} MB (payload too large)."


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException so FastAPI's body reader re-raises it."""

    def __init__(self, limit_mb: float) -> None:
        super().__init__(413, detail={"max_body_mb": limit_mb, "message": _message(limit_mb)})


class BodyLimitMiddleware:
    """Answer 413 when Content-Length exceeds the limit, or when the streamed body grows past it."""

    def __init__(self, app: ASGIApp, max_bytes: int, limit_mb: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limit_mb = limit_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._reject(scope, receive, send)
                return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.limit_mb)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413, message=_message(self.limit_mb), detail={"max_body_mb": self.limit_mb},
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)
