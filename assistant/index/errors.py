"""Index failures reported to users as clear Vietnamese (+English) messages, never as tracebacks."""

from __future__ import annotations

REBUILD_HINT = "chạy `tdkt ingest --rebuild` để chuyển các tệp hỏng sang bên và xây lại chỉ mục"
BUSY_MESSAGE = ("Đang có tiến trình khác cập nhật chỉ mục; hãy thử lại sau khi tiến trình đó xong "
                "(another process is updating the index).")


class IndexProblem(RuntimeError):
    """Base of the index errors a channel shows as they are (message already in Vietnamese + English)."""


class IndexDamaged(IndexProblem):
    """The catalog or the vector store cannot be read."""

    def __init__(self, what: str, detail: str = "", *, message: str | None = None) -> None:
        tail = f" ({detail})" if detail else ""
        super().__init__(message or f"Chỉ mục bị hỏng: {what}{tail}. Hãy {REBUILD_HINT} "
                                    f"(index damaged: run `tdkt ingest --rebuild`).")


class IndexBusy(IndexProblem):
    """Another process holds the index writer lock for longer than we may wait."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"{BUSY_MESSAGE} [đã chờ {waited:.0f} giây]")


class IndexWriteError(IndexProblem):
    """The data directory cannot be written (read-only or full); the index on disk is unchanged."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"Không ghi được vào thư mục dữ liệu ({detail}); chỉ mục cũ vẫn được giữ nguyên và vẫn "
                         f"tra cứu được. Hãy kiểm tra quyền ghi và dung lượng đĩa (data dir not writable or full).")
