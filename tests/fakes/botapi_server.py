"""A small Telegram Bot API server on 127.0.0.1 (starlette + uvicorn in a thread) speaking the real protocol.

python-telegram-bot posts form or multipart bodies to ``{base}/bot{TOKEN}/{method}``; values that are not
strings arrive JSON-encoded. Every call is recorded (``srv.calls``) so tests can assert on what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_ID = 7000000001
BOT_USERNAME = "tdkt_test_bot"


@dataclass
class Call:
    """One Bot API call as received: method name, string params, uploaded files (name -> (filename, bytes))."""

    method: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def json(self, key: str, default: Any = None) -> Any:
        raw = self.params.get(key)
        if raw is None:
            return default
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    @property
    def text(self) -> str:
        return self.params.get("text", "")


class BotAPIServer:
    """Fake Bot API: queue updates with push_*, read what the bot sent with wait_for / calls."""

    def __init__(self, token: str = "123456:TEST-token") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.inbox: list[tuple[float, dict[str, Any]]] = []  # every update queued, with its time (transcripts)
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._next_callback_id = 0
        self._lock = threading.Lock()
        self._fail: dict[str, int] = {}
        self._server: uvicorn.Server | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def start(self) -> BotAPIServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])])
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", access_log=False, timeout_graceful_shutdown=2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Bot API server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> BotAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ test helpers
    def fail_next(self, method: str, n: int = 1) -> None:
        """Answer the next n calls of `method` with HTTP 429 (retry after 1 s)."""
        with self._lock:
            self._fail[method] = self._fail.get(method, 0) + n

    def _message(self, user_id: int, chat_id: int, **content: Any) -> dict[str, Any]:
        with self._lock:
            mid = self._next_message_id
            self._next_message_id += 1
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id == user_id else "group"}
        if chat_id == user_id:
            chat["first_name"] = f"U{user_id}"
        else:
            chat["title"] = f"Nhóm {chat_id}"
        return {
            "message_id": mid,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": "vi"},
            **content,
        }

    def push_update(self, message: dict[str, Any]) -> int:
        with self._lock:
            uid = self._next_update_id
            self._next_update_id += 1
            update = {"update_id": uid, "message": message}
            self._updates.append(update)
            self.inbox.append((time.monotonic(), update))
        return uid

    def text_update(self, user_id: int, chat_id: int | None = None, text: str = "") -> dict[str, Any]:
        """A text-message Update as Telegram sends it (bot_command entity when it starts with '/')."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            cmd = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(cmd)}]
        message = self._message(user_id, chat_id if chat_id is not None else user_id, **content)
        with self._lock:
            uid = self._next_update_id
            self._next_update_id += 1
        return {"update_id": uid, "message": message}

    def push_text(self, user_id: int, chat_id: int | None = None, text: str = "") -> int:
        """Queue a text message for getUpdates."""
        update = self.text_update(user_id, chat_id, text)
        with self._lock:
            self._updates.append(update)
            self.inbox.append((time.monotonic(), update))
        return int(update["update_id"])

    def push_callback(self, user_id: int, message: Call, data: str, chat_id: int | None = None) -> int:
        """Queue a press on an inline button (callback_query) of a message the bot sent (`message`)."""
        chat = chat_id if chat_id is not None else user_id
        with self._lock:
            uid = self._next_update_id
            self._next_update_id += 1
            self._next_callback_id += 1
            cq_id = str(self._next_callback_id)
        sent = {
            "message_id": int(message.params.get("_message_id", 0)),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private" if chat == user_id else "group"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "TDKT", "username": BOT_USERNAME},
            "text": message.text,
        }
        update = {
            "update_id": uid,
            "callback_query": {
                "id": cq_id,
                "chat_instance": f"ci{chat}",
                "from": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": "vi"},
                "message": sent,
                "data": data,
            },
        }
        with self._lock:
            self._updates.append(update)
            self.inbox.append((time.monotonic(), update))
        return uid

    @staticmethod
    def buttons(call: Call) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button of a sent message."""
        markup = call.json("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        return [(b.get("text", ""), b.get("callback_data", "")) for row in rows for b in row]

    def transcript(self, chat_id: int | None = None) -> list[str]:
        """What a person would have seen, in time order: user messages, button presses, bot messages, files."""
        with self._lock:
            events: list[tuple[float, str]] = []
            for at, upd in self.inbox:
                if "message" in upd:
                    m = upd["message"]
                    if chat_id is None or m["chat"]["id"] == chat_id:
                        events.append((at, f"👤 {m.get('text') or '[không phải chữ]'}"))
                elif "callback_query" in upd:
                    cq = upd["callback_query"]
                    if chat_id is None or cq["message"]["chat"]["id"] == chat_id:
                        events.append((at, f"👤 [bấm nút {cq['data']}]"))
            for c in self.calls:
                if chat_id is not None and c.get("chat_id") != str(chat_id):
                    continue
                if c.method == "sendMessage":
                    text = html.unescape(re.sub(r"<[^>]+>", "", c.text))
                    btns = " ".join(f"[{t}]" for t, _ in self.buttons(c))
                    events.append((c.at, f"🤖 {text}" + (f"\n   {btns}" if btns else "")))
                elif c.method == "sendDocument" and "document" in c.files:
                    events.append((c.at, f"🤖 [tệp {c.files['document'][0]}] {c.get('caption') or ''}".rstrip()))
                elif c.method == "answerCallbackQuery" and c.get("text"):
                    events.append((c.at, f"🤖 (thông báo) {c.get('text')}"))
        return [line for _, line in sorted(events, key=lambda e: e[0])]

    def push_sticker(self, user_id: int, chat_id: int | None = None) -> int:
        sticker = {
            "file_id": "CAACAgIAAxkBAAIBsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self.push_update(self._message(user_id, chat_id or user_id, sticker=sticker))

    def push_photo(self, user_id: int, chat_id: int | None = None, caption: str | None = None) -> int:
        photo = [
            {
                "file_id": "AgACAgphoto-s",
                "file_unique_id": "AQADphoto-s",
                "width": 90,
                "height": 67,
                "file_size": 1200,
            },
            {
                "file_id": "AgACAgphoto-m",
                "file_unique_id": "AQADphoto-m",
                "width": 800,
                "height": 600,
                "file_size": 52000,
            },
        ]
        extra: dict[str, Any] = {"photo": photo}
        if caption:
            extra["caption"] = caption
        return self.push_update(self._message(user_id, chat_id or user_id, **extra))

    def push_voice(self, user_id: int, chat_id: int | None = None) -> int:
        voice = {
            "file_id": "AwACAgvoice",
            "file_unique_id": "AgADvoice",
            "duration": 3,
            "mime_type": "audio/ogg",
        }
        return self.push_update(self._message(user_id, chat_id or user_id, voice=voice))

    def sent(self, method: str, chat_id: int | None = None) -> list[Call]:
        with self._lock:
            calls = list(self.calls)
        return [
            c for c in calls if c.method == method and (chat_id is None or c.get("chat_id") == str(chat_id))
        ]

    def _find(self, method: str, predicate: Callable[[Call], bool] | None, count: int) -> list[Call] | None:
        found = [c for c in self.sent(method) if predicate is None or predicate(c)]
        return found if len(found) >= count else None

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        count: int = 1,
    ) -> list[Call]:
        """Wait (asynchronously, so the bot keeps running in the same loop) until `count` calls match."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(method, predicate, count)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                got = [(c.method, c.params.get("text", "")[:80]) for c in self.sent(method)]
                raise TimeoutError(f"no {count} x {method} matching within {timeout}s; got {got}")
            await asyncio.sleep(0.02)

    async def wait_for_any(self, chat_id: int, methods: tuple[str, ...], timeout: float = 10.0) -> Call:
        """The first call of any of `methods` addressed to chat_id."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                calls = list(self.calls)
            for c in calls:
                if c.method in methods and c.get("chat_id") == str(chat_id):
                    return c
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing sent to {chat_id} within {timeout}s")
            await asyncio.sleep(0.02)

    def wait_for_sync(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        count: int = 1,
    ) -> list[Call]:
        """Blocking variant for tests whose bot runs in another thread."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._find(method, predicate, count)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {count} x {method} matching within {timeout}s")
            time.sleep(0.02)

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # ------------------------------------------------------------------ protocol
    async def _endpoint(self, request: Request) -> JSONResponse:
        token = request.path_params["token"]
        method = request.path_params["method"]
        if token != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        params: dict[str, str] = dict(request.query_params)
        files: dict[str, tuple[str, bytes]] = {}
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = await request.json()
            params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        elif ctype:
            form = await request.form()
            for key, value in form.multi_items():
                if isinstance(value, str):
                    params[key] = value
                else:
                    files[key] = (value.filename or key, await value.read())
        call = Call(method, params, files)
        with self._lock:
            self.calls.append(call)
            failing = self._fail.get(method, 0)
            if failing:
                self._fail[method] = failing - 1
        if failing:
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status_code=429,
            )
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status_code=404,
            )
        result = await handler(call)
        if isinstance(result, JSONResponse):
            return result
        return JSONResponse({"ok": True, "result": result})

    def _bad(self, description: str) -> JSONResponse:
        return JSONResponse({"ok": False, "error_code": 400, "description": description}, status_code=400)

    def _bot_message(self, call: Call, **content: Any) -> dict[str, Any]:
        chat_id = int(call.get("chat_id"))
        with self._lock:
            mid = self._next_message_id
            self._next_message_id += 1
        call.params.setdefault("_message_id", str(mid))
        return {
            "message_id": mid,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "TDKT", "username": BOT_USERNAME},
            **content,
        }

    async def _m_getme(self, call: Call) -> Any:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "TDKT",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_getupdates(self, call: Call) -> Any:
        offset = int(call.get("offset") or 0)
        limit = int(call.get("limit") or 100)
        timeout = float(call.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:
                    # confirming: drop everything below offset (real Bot API semantics)
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                batch = self._updates[:limit]
            if batch or self._stopping or time.monotonic() >= deadline:
                return batch
            await asyncio.sleep(0.02)

    async def _m_sendmessage(self, call: Call) -> Any:
        text = call.text
        if not text.strip():
            return self._bad("Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096 and call.get("parse_mode") is None:
            return self._bad("Bad Request: message is too long")
        if call.get("parse_mode") == "HTML":
            err = _check_html(text)
            if err:
                return self._bad(f"Bad Request: can't parse entities: {err}")
            plain = html.unescape(re.sub(r"<[^>]+>", "", text))
            if len(plain.encode("utf-16-le")) // 2 > 4096:
                return self._bad("Bad Request: message is too long")
        return self._bot_message(call, text=text)

    async def _m_editmessagetext(self, call: Call) -> Any:
        return self._bot_message(call, text=call.text, message_id=int(call.get("message_id") or 0))

    async def _m_sendchataction(self, call: Call) -> Any:
        return True

    async def _m_answercallbackquery(self, call: Call) -> Any:
        if not call.get("callback_query_id"):
            return self._bad("Bad Request: query id is empty")
        return True

    async def _m_editmessagereplymarkup(self, call: Call) -> Any:
        return self._bot_message(call, text="", message_id=int(call.get("message_id") or 0))

    async def _m_senddocument(self, call: Call) -> Any:
        if "document" not in call.files:
            return self._bad("Bad Request: there is no document in the request")
        name, data = call.files["document"]
        doc = {
            "file_id": f"BQACAgdoc{len(self.calls)}",
            "file_unique_id": f"AgADdoc{len(self.calls)}",
            "file_name": name,
            "mime_type": "application/octet-stream",
            "file_size": len(data),
        }
        extra: dict[str, Any] = {"document": doc}
        if call.get("caption"):
            extra["caption"] = call.get("caption")
        return self._bot_message(call, **extra)

    async def _m_deletewebhook(self, call: Call) -> Any:
        self.webhook_url = ""
        if call.get("drop_pending_updates") in ("true", "True"):
            with self._lock:
                self._updates.clear()
        return True

    async def _m_setwebhook(self, call: Call) -> Any:
        self.webhook_url = call.get("url", "")
        self.webhook_secret = call.get("secret_token")
        return True

    async def _m_getwebhookinfo(self, call: Call) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_setmycommands(self, call: Call) -> Any:
        return True

    async def _m_getmycommands(self, call: Call) -> Any:
        return []

    async def _m_close(self, call: Call) -> Any:
        return True

    async def _m_logout(self, call: Call) -> Any:
        return True


def _check_html(text: str) -> str | None:
    """Very small Telegram-HTML validator: supported tags balanced, entities complete."""
    allowed = {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "a",
        "blockquote",
        "tg-spoiler",
    }
    stack: list[str] = []
    for m in re.finditer(r"<(/?)([a-zA-Z-]+)[^>]*>|<|&([a-zA-Z]+|#\d+|#x[0-9a-fA-F]+)?(;?)", text):
        if m.group(0) == "<":
            return "unsupported start tag"
        if m.group(0).startswith("&"):
            if not m.group(3) or not m.group(4):
                return "unclosed entity"
            continue
        closing, tag = m.group(1), m.group(2).lower()
        if tag not in allowed:
            return f"unsupported tag {tag}"
        if closing:
            if not stack or stack.pop() != tag:
                return f"unmatched end tag {tag}"
        else:
            stack.append(tag)
    if stack:
        return "unclosed tag"
    return None


@contextlib.contextmanager
def running_server(token: str = "123456:TEST-token"):  # type: ignore[no-untyped-def]
    srv = BotAPIServer(token).start()
    try:
        yield srv
    finally:
        srv.stop()
