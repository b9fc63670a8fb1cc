"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for tests: real wire shapes, JSON and SSE streaming."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[list[dict[str, Any]]], str]


@dataclass
class Reply:
    """One scripted answer; the optional fields override the server-wide mode for this request only."""

    text: str = ""
    delay: float | None = None
    status: int | None = None
    malformed: bool | None = None
    trickle: float | None = None  # seconds between single bytes of the response body (a slow-drip server)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
        return

    # --- helpers ---------------------------------------------------------------------------------
    def _send_json(self, status: int, payload: Any, raw: bytes | None = None) -> None:
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (e.g. its total deadline)
            self._write(body)

    def _write(self, data: bytes) -> None:
        """Write the body; in trickle mode one byte at a time, `trickle` seconds apart (stops when closing)."""
        gap = getattr(self, "trickle", 0.0) or 0.0
        if not gap:
            self.wfile.write(data)
            self.wfile.flush()
            return
        for i in range(len(data)):
            if self.server.owner._closing.wait(gap):
                return
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()

    def _sse(self, payload: Any) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        self._write(f"data: {data}\n\n".encode())

    # --- routes ----------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        srv = self.server.owner
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self._send_json(200, {"object": "list", "data": [
                {"id": srv.model, "object": "model", "created": srv.created, "owned_by": "tests"}]})
        else:
            self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        srv = self.server.owner
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, {"error": {"message": "invalid JSON body", "type": "invalid_request_error"}})
            return
        reply = srv._next(body)
        delay = srv.delay if reply.delay is None else reply.delay
        status = srv.status if reply.status is None else reply.status
        malformed = srv.malformed if reply.malformed is None else reply.malformed
        self.trickle = srv.trickle if reply.trickle is None else reply.trickle
        if delay and srv._closing.wait(delay):
            return
        if status != 200:
            self._send_json(status, {"error": {"message": f"scripted failure {status}", "type": "server_error",
                                               "param": None, "code": None}})
            return
        cid = "chatcmpl-" + uuid.uuid4().hex[:24]
        model = body.get("model") or srv.model
        created = int(time.time())
        usage = {"prompt_tokens": _count(body.get("messages", [])), "completion_tokens": len(reply.text.split()),
                 "total_tokens": 0}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if body.get("stream"):
            with contextlib.suppress(OSError):  # the client gave up (e.g. its total deadline)
                self._stream(cid, model, created, reply.text, usage, malformed,
                             bool((body.get("stream_options") or {}).get("include_usage")))
            return
        if malformed:
            self._send_json(200, None, raw=b'{"id": "' + cid.encode() + b'", "object": "chat.completion", "choi')
            return
        self._send_json(200, {
            "id": cid, "object": "chat.completion", "created": created, "model": model,
            "system_fingerprint": "fp_scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": usage,
        })

    def _stream(self, cid: str, model: str, created: int, text: str, usage: dict[str, int],
                malformed: bool, include_usage: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                    "system_fingerprint": "fp_scripted",
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

        self._sse(chunk({"role": "assistant", "content": ""}))
        pieces = _pieces(text)
        for i, piece in enumerate(pieces):
            if malformed and i >= max(1, len(pieces) // 2):
                self.wfile.write(b'data: {"id": "' + cid.encode() + b'", "object": "chat.completion.chunk", "cho')
                self.wfile.flush()
                return  # connection closes: truncated stream, no [DONE]
            self._sse(chunk({"content": piece}))
        if malformed:
            self.wfile.write(b"data: {not json}\n\n")
            return
        self._sse(chunk({}, "stop"))
        if include_usage:
            self._sse({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                       "choices": [], "usage": usage})
        self._sse("[DONE]")


def _pieces(text: str) -> list[str]:
    """Split text into word-ish streaming pieces that concatenate back to the exact text."""
    out: list[str] = []
    cur = ""
    for ch in text:
        cur += ch
        if ch == " ":
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def _count(messages: list[dict[str, Any]]) -> int:
    return sum(len(str(m.get("content", "")).split()) for m in messages)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: ScriptedOpenAI


class ScriptedOpenAI:
    """`with ScriptedOpenAI() as srv:` → srv.base_url ("http://127.0.0.1:PORT/v1"); srv.script(...) per test.

    Each request takes the next queued reply; when the queue is empty it asks `responder(messages)`, else
    answers `default`. Modes (server-wide, or per Reply): delay seconds, HTTP status, malformed body/stream, trickle (one byte
    every `trickle` seconds).
    Every request body received is kept in `srv.requests`.
    """

    def __init__(self, model: str = "scripted-model", default: str = "Xin chào.") -> None:
        self.model = model
        self.default = default
        self.created = int(time.time())
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0
        self.trickle = 0.0
        self.status = 200
        self.malformed = False
        self.responder: Responder | None = None
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> ScriptedOpenAI:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> ScriptedOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- scripting ------------------------------------------------------------------------------
    def script(
        self,
        *replies: str | Reply,
        responder: Responder | None = None,
        delay: float = 0.0,
        status: int = 200,
        malformed: bool = False,
        trickle: float = 0.0,
    ) -> ScriptedOpenAI:
        """Replace the script: queued replies, a fallback responder, and the server-wide mode."""
        with self._lock:
            self._queue = deque(r if isinstance(r, Reply) else Reply(text=r) for r in replies)
            self.responder = responder
            self.delay, self.status, self.malformed = delay, status, malformed
            self.trickle = trickle
        return self

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self._queue:
                return self._queue.popleft()
            responder = self.responder
        if responder is not None:
            return Reply(text=responder(list(body.get("messages", []))))
        return Reply(text=self.default)

    @property
    def last_messages(self) -> list[dict[str, Any]]:
        return list(self.requests[-1].get("messages", [])) if self.requests else []
