"""Chat-model factory (none | openai-compatible | local GGUF via xllamacpp) and error-mapping chat helpers.

Local provider design: `LocalGGUFChat` calls xllamacpp's in-process `Server.handle_chat_completions` (the
llama.cpp server engine, OpenAI-shaped dicts in and out, streaming through a callback) rather than pointing
ChatOpenAI at the HTTP port that engine also opens on 127.0.0.1. Why: no unauthenticated local port to
depend on, errors surface as Python exceptions, the model is loaded once per process and shared, and a
stream can be cancelled between tokens (the callback returns True), which enforces `llm_timeout`. Measured
caveat (both designs share it): prompt processing itself cannot be interrupted, so after a timeout the
worker thread finishes at its next token; it is a non-daemon thread because a daemon thread torn down
inside llama.cpp at interpreter exit aborts the process ("FATAL: exception not rethrown").

Total deadline (every provider): `chat_stream`/`chat` consume the model's stream in a worker thread and give up
at `llm_timeout` seconds after the call started, stream included — an HTTP server that trickles one byte every
few seconds (which per-read timeouts never catch) cannot hold the caller past it. The abandoned worker closes
the stream at its next chunk (closing the HTTP response, or stopping the local engine at its next token).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.config import Settings

DEFAULT_GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MAX_LOCAL_TEMPERATURE = 0.2
INSTALL_HINT = "Chưa cài mô hình cục bộ: chạy `pip install -e .[local-llm]` rồi `tdkt model install`"


class LLMError(RuntimeError):
    """A call to the language model failed (transport, timeout, HTTP error, bad response); fall back."""


class LLMUnavailable(LLMError):
    """The requested provider cannot be built here (not configured, not installed, model file missing)."""


# --------------------------------------------------------------------------------------------------
# factory
# --------------------------------------------------------------------------------------------------
def local_model_path(settings: Settings) -> Path:
    """settings.model_path, else data_dir/models/<default GGUF name>."""
    if settings.model_path:
        return Path(settings.model_path)
    return Path(settings.data_dir) / "models" / DEFAULT_GGUF


def make_chat_model(settings: Settings, provider: str | None = None) -> BaseChatModel | None:
    """Build the chat model for `provider` (default settings.llm); None for 'none'. Raises LLMUnavailable."""
    name = (provider or settings.llm or "none").strip().lower()
    if name == "none":
        return None
    if name == "openai":
        if not settings.llm_base_url:
            raise LLMUnavailable(
                "Chưa cấu hình địa chỉ máy chủ mô hình: đặt TDKT_LLM_BASE_URL (vd. http://127.0.0.1:8080/v1) "
                "[llm_base_url missing]"
            )
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,  # type: ignore[arg-type]
            timeout=settings.llm_timeout,
            max_retries=0,
            temperature=settings.llm_temperature,
            # Sent as plain `max_tokens` (langchain-openai would rename it to max_completion_tokens, which
            # llama.cpp / Ollama / older vLLM servers ignore, letting small models ramble on).
            extra_body={"max_tokens": settings.llm_max_tokens},
        )
    if name == "local":
        try:
            import xllamacpp  # noqa: F401
        except ImportError as exc:
            raise LLMUnavailable(INSTALL_HINT) from exc
        path = local_model_path(settings)
        if not path.is_file():
            raise LLMUnavailable(f"{INSTALL_HINT} [không thấy tệp mô hình {path}]")
        return LocalGGUFChat(
            model_path=str(path),
            n_threads=settings.llm_threads,
            temperature=min(settings.llm_temperature, MAX_LOCAL_TEMPERATURE),
            max_tokens=settings.llm_max_tokens,
            timeout=settings.llm_timeout,
        )
    raise LLMUnavailable(f"Nhà cung cấp mô hình không hợp lệ: {name!r} (none | openai | local)")


# --------------------------------------------------------------------------------------------------
# local GGUF through xllamacpp
# --------------------------------------------------------------------------------------------------
_SERVERS: dict[tuple[str, int, int], Any] = {}
_SERVERS_LOCK = threading.Lock()


def _load_server(path: str, n_threads: int, n_ctx: int) -> Any:
    """Load (once per process) an xllamacpp Server for the GGUF file."""
    key = (path, n_threads, n_ctx)
    with _SERVERS_LOCK:
        if key in _SERVERS:
            return _SERVERS[key]
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise LLMUnavailable(INSTALL_HINT) from exc
        params = xlc.CommonParams()
        params.model.path = path
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        params.warmup = False
        params.verbosity = 0  # llama.cpp logs only errors (default 3 prints every slot event)
        try:
            server = xlc.Server(params)
        except Exception as exc:  # noqa: BLE001 - native loader errors vary
            raise LLMUnavailable(f"Không nạp được mô hình {path} [{exc}]") from exc
        _SERVERS[key] = server
        return server


def _role(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, ChatMessage):
        return message.role
    return "user"


class LocalGGUFChat(BaseChatModel):
    """A GGUF model run in-process by xllamacpp (llama.cpp), as a LangChain chat model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_threads: int = 2
    n_ctx: int = 4096
    temperature: float = 0.1
    max_tokens: int = 512
    repeat_penalty: float = 1.12
    timeout: float = 60.0
    _server: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "xllamacpp-gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "temperature": self.temperature, "max_tokens": self.max_tokens}

    def _engine(self) -> Any:
        if self._server is None:
            self._server = _load_server(self.model_path, self.n_threads, self.n_ctx)
        return self._server

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool) -> dict[str, Any]:
        req: dict[str, Any] = {
            "messages": [{"role": _role(m), "content": str(m.text)} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": min(self.temperature, MAX_LOCAL_TEMPERATURE),
            "repeat_penalty": self.repeat_penalty,
            "stream": stream,
        }
        if stop:
            req["stop"] = stop
        return req

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # Generate through the stream so the timeout is enforced between tokens.
        text = "".join(str(c.text) for c in self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        server = self._engine()
        req = self._request(messages, stop, stream=True)
        out: queue.Queue[tuple[str, Any]] = queue.Queue()
        cancel = threading.Event()

        def on_chunk(chunk: Any) -> bool:
            out.put(("chunk", chunk))
            return cancel.is_set()

        def work() -> None:
            try:
                server.handle_chat_completions(req, on_chunk)
                out.put(("done", None))
            except BaseException as exc:  # noqa: BLE001 - forwarded to the consumer
                out.put(("error", exc))

        # Not a daemon: a native call cannot be killed, and a daemon thread torn down inside llama.cpp at
        # interpreter exit aborts the process. After a timeout the thread stops at the next token (cancel).
        threading.Thread(target=work, name="xllamacpp-gen", daemon=False).start()
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"local model exceeded {self.timeout}s")
                try:
                    kind, item = out.get(timeout=remaining)
                except queue.Empty as exc:
                    raise TimeoutError(f"local model exceeded {self.timeout}s") from exc
                if kind == "done":
                    return
                if kind == "error":
                    raise item
                texts, finish = _parse_chunk(item)
                for piece in texts:
                    gen = ChatGenerationChunk(message=AIMessageChunk(content=piece))
                    if run_manager:
                        run_manager.on_llm_new_token(piece, chunk=gen)
                    yield gen
                if finish:
                    meta = {"finish_reason": finish, "model_name": Path(self.model_path).name}
                    yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=meta))
        finally:
            cancel.set()


def _parse_chunk(chunk: Any) -> tuple[list[str], str | None]:
    """Content deltas and finish reason of one OpenAI-shaped stream chunk; raises on an error chunk."""
    if isinstance(chunk, (str, bytes)):
        chunk = json.loads(chunk)
    if not isinstance(chunk, dict):
        return [], None
    if "error" in chunk:
        raise RuntimeError(str(chunk["error"]))
    texts: list[str] = []
    finish: str | None = None
    for choice in chunk.get("choices") or []:
        content = (choice.get("delta") or {}).get("content")
        if content:
            texts.append(str(content))
        finish = choice.get("finish_reason") or finish
    return texts, finish


# --------------------------------------------------------------------------------------------------
# helpers that map every failure to LLMError
# --------------------------------------------------------------------------------------------------
def _describe(exc: BaseException) -> str:
    """A Vietnamese message for a transport/format failure."""
    name = type(exc).__name__
    text = str(exc)
    status = getattr(exc, "status_code", None)
    if isinstance(exc, TimeoutError) or "Timeout" in name or "timed out" in text.lower():
        return f"Mô hình ngôn ngữ không trả lời kịp (hết thời gian chờ) [timeout: {name}]"
    if "Connection" in name or isinstance(exc, ConnectionError):
        return f"Không kết nối được tới máy chủ mô hình ngôn ngữ [connection: {name}]"
    if isinstance(status, int):
        if status >= 500:
            return f"Máy chủ mô hình ngôn ngữ gặp lỗi (HTTP {status}) [server error]"
        return f"Máy chủ mô hình ngôn ngữ từ chối yêu cầu (HTTP {status}) [{name}]"
    if isinstance(exc, (json.JSONDecodeError, ValueError, KeyError, TypeError, AttributeError)) or "JSON" in text:
        return f"Máy chủ mô hình ngôn ngữ trả về dữ liệu không hợp lệ [malformed response: {name}]"
    return f"Lỗi khi gọi mô hình ngôn ngữ [{name}: {text[:200]}]"


Messages = Sequence[BaseMessage] | Sequence[tuple[str, str]] | Sequence[dict[str, str]]


def model_timeout(model: Any) -> float | None:
    """The total deadline (seconds) configured on a chat model: settings.llm_timeout as given to the factory."""
    for name in ("timeout", "request_timeout"):
        value = getattr(model, name, None)
        if isinstance(value, (int, float)) and value > 0:
            return float(value)
    return None


def with_max_tokens(model: Any, max_tokens: int) -> Any:
    """A copy of the chat model that generates at most `max_tokens` (the model stays loaded: shared engine)."""
    if isinstance(model, LocalGGUFChat):
        return model.model_copy(update={"max_tokens": max_tokens})
    extra = getattr(model, "extra_body", None)
    if isinstance(model, BaseChatModel) and isinstance(extra, dict):
        return model.model_copy(update={"extra_body": {**extra, "max_tokens": max_tokens}})
    return model


def _pump(model: BaseChatModel, messages: list[Any], out: queue.Queue[tuple[str, Any]],
          cancel: threading.Event) -> None:
    """Worker: push the model's stream chunks to `out` until done, failed or cancelled (then the stream is
    closed, which closes the HTTP response or stops the local engine at its next token)."""
    try:
        stream = model.stream(messages)
        try:
            for chunk in stream:
                if cancel.is_set():
                    break
                out.put(("chunk", chunk))
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        out.put(("done", None))
    except BaseException as exc:  # noqa: BLE001 - forwarded to the consumer
        out.put(("error", exc))


def chat_stream(model: BaseChatModel, messages: Messages, timeout: float | None = None,
                meta: dict[str, Any] | None = None) -> Iterator[str]:
    """Yield the answer's text pieces within a TOTAL deadline (`timeout`, default the model's configured timeout),
    stream included: a server that trickles bytes cannot hold the caller past it. Any failure (also mid-stream, a
    stream cut before its finish_reason, or the deadline) raises LLMError, so a caller must discard what it already
    showed and fall back. Empty answer → LLMError. `meta` receives "finish_reason"."""
    limit = timeout if timeout is not None else model_timeout(model)
    out: queue.Queue[tuple[str, Any]] = queue.Queue()
    cancel = threading.Event()
    # A local engine's thread must not be a daemon (see module docstring); an HTTP read may be abandoned.
    worker = threading.Thread(target=_pump, args=(model, list(messages), out, cancel), name="llm-stream",
                              daemon=not isinstance(model, LocalGGUFChat))
    worker.start()
    deadline = time.monotonic() + limit if limit else None
    got = False
    finished = False
    try:
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                raise LLMError(_describe(TimeoutError(f"total deadline {limit}s")))
            try:
                kind, item = out.get(timeout=wait)
            except queue.Empty as exc:
                raise LLMError(_describe(TimeoutError(f"total deadline {limit}s"))) from exc
            if kind == "done":
                break
            if kind == "error":
                if isinstance(item, LLMError):
                    raise item
                raise LLMError(_describe(item)) from item
            reason = (item.response_metadata or {}).get("finish_reason")
            if reason:
                finished = True
                if meta is not None:
                    meta["finish_reason"] = reason
            piece = str(item.text)
            if piece:
                got = True
                yield piece
    finally:
        cancel.set()
    if not got:
        raise LLMError("Mô hình ngôn ngữ trả lời rỗng [empty response]")
    if not finished:
        raise LLMError("Luồng trả lời của mô hình bị cắt giữa chừng [stream ended without finish_reason]")


def chat(model: BaseChatModel, messages: Messages, timeout: float | None = None) -> str:
    """The whole answer as one string, within the same total deadline as chat_stream; any failure raises
    LLMError. Empty answer → LLMError."""
    text = "".join(chat_stream(model, messages, timeout))
    if not text.strip():
        raise LLMError("Mô hình ngôn ngữ trả lời rỗng [empty response]")
    return text
