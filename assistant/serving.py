"""First run of `tdkt serve`: bind the port (clear message when busy), commit the index for keyword search, serve
at once, and build the dense vectors in a background thread while /healthz and the page say so."""

from __future__ import annotations

import errno
import inspect
import logging
import os
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

PORT_BUSY = (
    "Cổng {port} trên {host} đang được một chương trình khác sử dụng (có thể là một `tdkt serve` khác).\n"
    "Chạy trên cổng khác:  TDKT_PORT={alt} make run   (hoặc: tdkt serve --port {alt})\n"
    "[port {port} is already in use]"
)
PROGRESS_TAG = "TDKT-EMBED"
PORT_DENIED = "Không mở được cổng {port} trên {host}: {reason}. Chọn cổng khác: TDKT_PORT={alt} make run"


class PortBusy(Exception):
    """The port cannot be bound; the message is the Vietnamese explanation with the command to use instead."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket bound to (host, port), handed to uvicorn, so "busy" is known before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is not "busy"
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        alt = port + 1 if port < 65535 else 8001
        if exc.errno == errno.EADDRINUSE:
            raise PortBusy(PORT_BUSY.format(host=host, port=port, alt=alt)) from exc
        raise PortBusy(PORT_DENIED.format(host=host, port=port, alt=alt, reason=exc.strerror or exc)) from exc
    sock.set_inheritable(True)
    return sock


def document_title(knowledge: Any, name: str) -> str:
    """A readable name for an ingested file: its catalog title, else the registry's, else the file name."""
    try:
        meta = knowledge.doc_meta(name)
    except Exception:  # noqa: BLE001 - a title is cosmetic
        meta = None
    if meta is not None and (getattr(meta, "short_name", "") or getattr(meta, "title", "")):
        return str(meta.short_name or meta.title)
    registry = getattr(knowledge, "registry", None)
    for doc in getattr(registry, "docs", []) or []:
        if name in (doc.files or []):
            return str(doc.short_name or doc.title or doc.number or name)
    plan = (getattr(registry, "plans", None) or {}).get(name)
    if isinstance(plan, dict) and plan.get("title"):
        who = f" — {plan['issuer']}" if plan.get("issuer") else ""
        return f"{plan['title']}{who}"
    return name


def supports_two_phase(knowledge: Any) -> bool:
    """True when the index can commit chunks for keyword search first and embed them later."""
    try:
        params = inspect.signature(knowledge.ingest).parameters
    except (TypeError, ValueError):
        return False
    return "embed" in params and callable(getattr(knowledge, "embed_missing", None))


def vectors_missing(knowledge: Any) -> int:
    try:
        return int(knowledge.stats().get("vectors_missing") or 0)
    except Exception:  # noqa: BLE001 - unknown means "nothing to do" here; /healthz reports store problems
        return 0


class _Stopped(Exception):
    """The embedding child was ended by EmbeddingJob.stop()."""


@dataclass
class EmbeddingJob:
    """Builds the missing dense vectors in a background thread; `snapshot()` feeds /healthz and the page."""

    knowledge: Any
    on_progress: Callable[[dict[str, Any]], None] | None = None
    # run `embed_missing` in this child process (e.g. `tdkt embed-missing`): the embedding then holds neither
    # this process's index lock nor its GIL, so answers keep flowing; None = call knowledge.embed_missing here
    command: list[str] | None = None
    state: str = "idle"  # idle | building | ready | error | stopped
    done: int = 0
    total: int = 0
    started: float = 0.0
    finished: float = 0.0
    error: str | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)
    _proc: subprocess.Popen[str] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> EmbeddingJob:
        missing = vectors_missing(self.knowledge)
        if not missing:
            self.state = "ready"
            return self
        with self._lock:
            self.state, self.total, self.done, self.started = "building", missing, 0, time.monotonic()
        self._thread = threading.Thread(target=self._run, name="tdkt-embed", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """When the server stops: end the child (each embedded batch is already stored; the next run resumes)."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, _name: str, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, max(total, 1)
        if self.on_progress is not None:
            self.on_progress(self.snapshot())

    def _run_child(self) -> None:
        assert self.command is not None
        proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._proc = proc
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            parts = line.split()
            if len(parts) == 3 and parts[0] == PROGRESS_TAG:
                self._progress("", int(parts[1]), int(parts[2]))
        err = proc.stderr.read()
        if proc.wait() != 0:
            if proc.returncode < 0:  # stopped with the server (stop()): not an error
                raise _Stopped
            lines = [x for x in err.strip().splitlines() if x.strip()]
            raise RuntimeError(lines[-1] if lines else f"exit code {proc.returncode}")
        reload_index(self.knowledge)

    def _run(self) -> None:
        try:
            if self.command:
                self._run_child()
            else:
                self.knowledge.embed_missing(progress=self._progress)
        except _Stopped:
            with self._lock:
                self.state, self.finished = "stopped", time.monotonic()
            return
        except Exception as exc:  # noqa: BLE001 - keep serving from the keyword index
            log.exception("background embedding failed")
            with self._lock:
                self.state, self.error, self.finished = "error", f"{type(exc).__name__}: {exc}", time.monotonic()
        else:
            with self._lock:
                self.state, self.done, self.finished = "ready", self.total, time.monotonic()
        if self.on_progress is not None:
            self.on_progress(self.snapshot())

    def eta_seconds(self) -> int | None:
        if self.state != "building" or self.done <= 0:
            return None
        elapsed = time.monotonic() - self.started
        return int(elapsed / self.done * (self.total - self.done))

    def snapshot(self) -> dict[str, Any]:
        """State for /healthz and the page: state, done/total, ETA and a Vietnamese sentence."""
        with self._lock:
            state, done, total, error = self.state, self.done, self.total, self.error
        eta = self.eta_seconds()
        return {"state": state, "done": done, "total": total, "eta_seconds": eta,
                "message": embedding_message(state, done, total, eta, error)}


def eta_text(seconds: int | None) -> str:
    if seconds is None:
        return "đang ước tính thời gian"
    if seconds < 60:
        return f"còn khoảng {max(seconds, 1)} giây"
    return f"còn khoảng {round(seconds / 60)} phút"


def embedding_message(state: str, done: int, total: int, eta: int | None, error: str | None = None) -> str:
    if state == "building":
        pct = int(100 * done / total) if total else 0
        return (f"Đang tạo chỉ mục ngữ nghĩa ({done}/{total} đoạn, {pct}%, {eta_text(eta)}). "
                "Trong lúc này trợ lý trả lời dựa trên tìm kiếm theo từ khóa.")
    if state == "error":
        return (f"Không tạo được chỉ mục ngữ nghĩa ({error}); trợ lý trả lời dựa trên tìm kiếm theo từ khóa. "
                "Chạy `tdkt ingest` để thử lại.")
    if state == "ready":
        return "Chỉ mục đầy đủ (từ khóa + ngữ nghĩa)."
    return ""


def reload_index(knowledge: Any) -> None:
    """Make every reader (this process, `tdkt bot`, other workers) reload the index and use the new vectors.

    Readers reload when the catalog file's token (inode, mtime, size) changes; embedding does not rewrite the
    catalog, so its mtime is touched (content untouched, so this cannot race with a writer's commit).
    """
    path = getattr(getattr(knowledge, "gen", None), "catalog_path", None)
    if path is None:
        return
    try:
        os.utime(path)
    except OSError as exc:
        log.warning("could not signal readers to reload the index: %s", exc)


def embed_missing_with_progress(knowledge: Any, out: Any) -> int:
    """Body of `tdkt embed-missing`: embed the missing vectors, one machine-readable progress line per batch."""

    def progress(_name: str, done: int, total: int) -> None:
        print(f"{PROGRESS_TAG} {done} {total}", file=out, flush=True)

    n = knowledge.embed_missing(progress=progress)
    reload_index(knowledge)
    return int(n)
