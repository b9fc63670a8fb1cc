"""Chat-model factory (none | openai-compatible | local GGUF via xllamacpp) and error-mapping chat helpers.

Local provider design: `LocalGGUFChat` runs xllamacpp's in-process `Server.handle_chat_completions` (the
llama.cpp server engine, OpenAI-shaped dicts in and out, streaming through a callback) inside ONE child process
per model (`EngineProcess`), loaded once and kept between requests, rather than pointing ChatOpenAI at the HTTP
port that engine also opens: no unauthenticated local port, errors surface as exceptions. The child process
makes a call killable: a native prompt evaluation cannot be interrupted in-process, so a call that passes its
deadline (or is abandoned mid-generation) kills the child; the next call starts a fresh one (~2 s to load).

Total deadline (every provider): `chat_stream`/`chat` consume the model's stream in a worker thread and give up
at `llm_timeout` seconds after the call started, stream included — an HTTP server that trickles one byte every
few seconds (which per-read timeouts never catch) cannot hold the caller past it. The abandoned worker closes
the stream at its next chunk (closing the HTTP response, or stopping the local engine at its next token).
"""

from __future__ import annotations

import atexit
import contextlib
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
from pydantic import ConfigDict

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


def engine_main(path: str, n_threads: int, n_ctx: int) -> None:
    """Child process (`python -m assistant.llm PATH THREADS CTX`): load the model once, then answer requests (one
    JSON line each on stdin) with JSON lines on the original stdout; native logs go to stderr."""
    import os
    import sys

    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything the engine prints must not corrupt the protocol

    def send(kind: str, item: Any = None) -> None:
        proto.write(json.dumps({"kind": kind, "item": item}, ensure_ascii=False) + "\n")
        proto.flush()

    try:
        server = _load_server(path, n_threads, n_ctx)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        send("error", str(exc))
        return
    send("ready")
    for line in sys.stdin:
        if not line.strip():
            continue

        def on_chunk(chunk: Any) -> bool:
            send("chunk", chunk if isinstance(chunk, (str, dict, list)) else str(chunk))
            return False

        try:
            server.handle_chat_completions(json.loads(line), on_chunk)
            send("done")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            send("error", str(exc))


class EngineProcess:
    """The local model in a child process: loaded once and kept between requests, and KILLED when a call passes
    its deadline or is abandoned (a native prompt evaluation cannot be interrupted in-process); the next call
    starts a fresh one (the model loads in ~2 s)."""

    def __init__(self, path: str, n_threads: int, n_ctx: int) -> None:
        self.args = (path, n_threads, n_ctx)
        self.proc: Any = None
        self.lock = threading.Lock()
        self.starts = 0
        self._buf = b""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, deadline: float) -> None:
        if self.alive():
            return
        import subprocess
        import sys

        path, n_threads, n_ctx = self.args
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.llm", path, str(n_threads), str(n_ctx)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self._buf = b""
        self.starts += 1
        kind, item = self.recv(deadline)
        if kind != "ready":
            self.kill()
            raise LLMUnavailable(f"Không nạp được mô hình {path} [{item}]")

    def send(self, request: dict[str, Any]) -> None:
        if self.proc is None:
            raise RuntimeError("local model process was stopped")
        self.proc.stdin.write((json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def recv(self, deadline: float) -> tuple[str, Any]:
        """The next message, or TimeoutError at the deadline (the caller kills the process)."""
        import os
        import select

        if self.proc is None:
            raise RuntimeError("local model process was stopped")
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError("local model passed its deadline")
            data = os.read(fd, 65536)
            if not data:
                raise RuntimeError("local model process ended")
            self._buf += data
        line, _, self._buf = self._buf.partition(b"\n")
        msg = json.loads(line.decode("utf-8"))
        return str(msg.get("kind")), msg.get("item")

    def kill(self) -> None:
        """Kill the engine (safe from any thread, also twice: a deadline and a closing stream may race)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError, ProcessLookupError):
            proc.kill()
        with contextlib.suppress(Exception):
            proc.wait(timeout=10)
        for f in (proc.stdin, proc.stdout):
            if f is not None:
                with contextlib.suppress(OSError):
                    f.close()


_ENGINES: dict[tuple[str, int, int], EngineProcess] = {}


@atexit.register
def _kill_engines() -> None:
    """No engine process outlives the program (an abandoned call must not keep computing)."""
    for engine in list(_ENGINES.values()):
        engine.kill()


def engine_process(path: str, n_threads: int, n_ctx: int) -> EngineProcess:
    """The (one per process) engine process for a GGUF file."""
    key = (path, n_threads, n_ctx)
    with _SERVERS_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = EngineProcess(path, n_threads, n_ctx)
        return _ENGINES[key]


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

    @property
    def _llm_type(self) -> str:
        return "xllamacpp-gguf"

    def abort(self) -> None:
        """Kill the running call (the engine process restarts on the next call)."""
        engine_process(self.model_path, self.n_threads, self.n_ctx).kill()

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "temperature": self.temperature, "max_tokens": self.max_tokens}

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
        engine = engine_process(self.model_path, self.n_threads, self.n_ctx)
        req = self._request(messages, stop, stream=True)
        deadline = time.monotonic() + self.timeout
        with engine.lock:
            done = False
            try:
                engine.start(deadline)
                engine.send(req)
                while True:
                    kind, item = engine.recv(deadline)
                    if kind == "done":
                        done = True
                        return
                    if kind == "error":
                        done = True
                        raise RuntimeError(str(item))
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
                if not done:  # deadline, failure or abandoned mid-generation: kill the call
                    engine.kill()


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
    # Daemon: an abandoned HTTP read ends with the process; the local engine runs in its own (killed) process.
    worker = threading.Thread(target=_pump, args=(model, list(messages), out, cancel), name="llm-stream",
                              daemon=True)
    worker.start()
    deadline = time.monotonic() + limit if limit else None
    got = False
    finished = False
    try:
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            try:
                if wait is not None and wait <= 0:
                    raise queue.Empty
                kind, item = out.get(timeout=wait)
            except queue.Empty as exc:
                abort = getattr(model, "abort", None)
                if callable(abort):  # a local engine: kill the call now rather than at its next token
                    abort()
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


if __name__ == "__main__":  # the local engine's child process (EngineProcess)
    import sys as _sys

    engine_main(_sys.argv[1], int(_sys.argv[2]), int(_sys.argv[3]))
