"""Vector store behind a small interface: an embedded Chroma PersistentClient collection, or a collection on a
shared Chroma server (`chroma run`, TDKT_CHROMA_URL) — one collection per index generation."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from assistant.index.embeddings import ChromaEmbeddingFunction
from assistant.index.errors import IndexDamaged, IndexWriteError

# Chroma cannot rebuild our embedding function from its stored config and says so on every load; we always
# pass vectors ourselves, so the message is noise.
warnings.filterwarnings("ignore", message="Could not reconstruct embedding function")

log = logging.getLogger(__name__)
_WRITE_PROBLEM = re.compile(r"read-?only|readonly|disk|full|no space|permission|I/O", re.I)


def _writable(path: Path) -> bool:
    """Can this process create files in `path` (or its nearest existing parent)?"""
    p = path
    while not p.exists():
        p = p.parent
    if not os.access(p, os.W_OK):
        return False
    try:
        fd, tmp = tempfile.mkstemp(dir=p, prefix=".probe-")
        os.close(fd)
        os.unlink(tmp)
        return True
    except OSError:
        return False


def _disk_full(path: Path, reserve: int = 1 << 20) -> bool:
    """Less than `reserve` bytes free where `path` lives."""
    p = path
    while not p.exists():
        p = p.parent
    try:
        st = os.statvfs(p)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < reserve


class ChromaStore:
    """Stores passage vectors by chunk id; never uses Chroma's default (downloading) embedding function.

    The embedding model is loaded only when a vector must be computed. A read-only data dir is served from a
    private temporary copy; a store that cannot be opened raises IndexDamaged; a failing query returns no
    dense hits (search falls back to its lexical half) and is remembered in `self.error`.
    """

    def __init__(self, path: Path, collection: str, embeddings: Embeddings | Callable[[], Embeddings]) -> None:
        self.path = path
        self.name = collection
        self.error: str | None = None
        self._emb_source = embeddings
        self._emb: Embeddings | None = None if callable(embeddings) and not isinstance(embeddings, Embeddings) \
            else embeddings  # type: ignore[assignment]
        self._tmp: Path | None = None
        self.read_only: str | None = None if _writable(path) else "thư mục dữ liệu chỉ đọc (read-only)"
        if not self.read_only:
            path.mkdir(parents=True, exist_ok=True)
            try:
                self._open(path)
                return
            except Exception as e:  # noqa: BLE001 - Chroma raises many kinds on a damaged or full store
                self.close()
                if not _disk_full(path):
                    raise IndexDamaged("không mở được kho vector (chroma)",
                                       f"{type(e).__name__}: {str(e)[:160]}") from e
                self.read_only = "ổ đĩa đầy (disk full)"
        # read-only or full data dir: serve searches from a private temporary copy
        if not (path / "chroma.sqlite3").exists():
            raise IndexDamaged("kho vector không có trong thư mục dữ liệu", str(path))
        try:
            self._tmp = Path(tempfile.mkdtemp(prefix="tdkt-ro-chroma-"))
            shutil.copytree(path, self._tmp / "chroma")
            self._open(self._tmp / "chroma")
        except Exception as e:  # noqa: BLE001
            self.close()
            raise IndexDamaged("không mở được kho vector (chroma)", f"{type(e).__name__}: {str(e)[:160]}") from e

    def _open(self, open_path: Path) -> None:
        self.open_path = open_path
        self.client = chromadb.PersistentClient(
            path=str(open_path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        )
        self.ef = ChromaEmbeddingFunction(_LazyEmbeddings(self))
        self.col = self.client.get_or_create_collection(
            self.name, embedding_function=self.ef, metadata={"hnsw:space": "cosine"}
        )
        self.col.count()

    @property
    def embeddings(self) -> Embeddings:
        if self._emb is None:
            self._emb = self._emb_source()  # type: ignore[operator]
        return self._emb

    def close(self) -> None:
        """Forget Chroma's cached client for this path, so the next open reads what other processes wrote."""
        if getattr(self, "open_path", None) is not None:
            SharedSystemClient._identifier_to_system.pop(str(self.open_path), None)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # ----------------------------------------------------------------------------------------- writing
    def _guard(self, what: str, fn: Callable[[], object]) -> object:
        if self.read_only:
            raise IndexWriteError(self.read_only)
        try:
            return fn()
        except (IndexWriteError, IndexDamaged):
            raise
        except Exception as e:  # noqa: BLE001
            if isinstance(e, OSError) or _WRITE_PROBLEM.search(str(e)):
                raise IndexWriteError(f"{what}: {str(e)[:200]}") from e
            raise IndexDamaged(f"kho vector lỗi khi {what}", f"{type(e).__name__}: {str(e)[:160]}") from e

    def add(self, ids: list[str], texts: list[str], metadatas: list[dict],
            progress: Callable[[int, int], None] | None = None, batch: int = 64) -> None:
        """Embed and upsert in batches (each batch is durable on its own; progress after each)."""
        if not ids:
            return
        for i in range(0, len(ids), batch):
            vecs = self.embeddings.embed_documents(texts[i : i + batch])
            self._guard("ghi vector", lambda i=i, vecs=vecs: self.col.upsert(
                ids=ids[i : i + batch], embeddings=vecs, documents=texts[i : i + batch],
                metadatas=metadatas[i : i + batch]))
            if progress:
                progress(min(i + batch, len(ids)), len(ids))

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 500):
            self._guard("xóa vector", lambda i=i: self.col.delete(ids=ids[i : i + 500]))

    # ----------------------------------------------------------------------------------------- reading
    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), 500):
            got = self.col.get(ids=ids[i : i + 500], include=[])
            found.update(got["ids"])
        return found

    def all_ids(self) -> list[str]:
        return list(self.col.get(include=[])["ids"])

    def count(self) -> int:
        return int(self.col.count())

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        try:  # no count() first: it costs ~30 ms at 55k vectors, and Chroma returns fewer than n when it has fewer
            res = self.col.query(query_embeddings=[vector], n_results=n, include=["distances"])
        except Exception as e:  # noqa: BLE001 - degrade to lexical search, never fail the request
            self.error = f"{type(e).__name__}: {str(e)[:200]}"
            log.warning("dense search unavailable, lexical only: %s", self.error)
            return []
        self.error = None
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=False)]

    def reset(self) -> None:
        self._guard("xóa bộ sưu tập", lambda: self.client.delete_collection(self.name))
        self.col = self.client.get_or_create_collection(
            self.name, embedding_function=self.ef, metadata={"hnsw:space": "cosine"}
        )


def server_collection(base: str, index_key: str, generation: str) -> str:
    """The collection of one index generation on a Chroma server: `<base>-<embedding key>-<generation>`.

    A rebuild fills a new generation's collection; readers switch when the shared database names the new
    generation (one row update, atomic), and the previous generation's collection is kept for the readers that
    have not switched yet."""
    return server_prefix(base, index_key) + (generation or "base")


def server_prefix(base: str, index_key: str) -> str:
    """The part of the collection names shared by every generation of one index on a Chroma server."""
    return re.sub(r"[^a-zA-Z0-9._-]", "-", f"{base}-{index_key}-")[:400]


class ChromaServerStore(ChromaStore):
    """The same interface over a Chroma server shared by every API worker (vectors computed by us, always:
    the collection is opened with our embedding function, never Chroma's default)."""

    def __init__(self, url: str, collection: str, embeddings: Embeddings | Callable[[], Embeddings]) -> None:
        self.url = url
        self.path = Path(collection)
        self.name = collection
        self.error = None
        self._emb_source = embeddings
        self._emb = None if callable(embeddings) and not isinstance(embeddings, Embeddings) \
            else embeddings  # type: ignore[assignment]
        self._tmp = None
        self.read_only = None
        self.open_path = None
        u = urlparse(url)
        try:
            self.client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or (443 if u.scheme == "https" else 8000),
                ssl=u.scheme == "https", settings=ChromaSettings(anonymized_telemetry=False))
            self.ef = ChromaEmbeddingFunction(_LazyEmbeddings(self))
            self.col = self.client.get_or_create_collection(
                self.name, embedding_function=self.ef, metadata={"hnsw:space": "cosine"})
        except Exception as e:  # noqa: BLE001 - connection refused, timeouts, server errors
            raise IndexDamaged(
                "", message=f"Không kết nối được máy chủ vector Chroma {url} (TDKT_CHROMA_URL): "
                            f"{type(e).__name__}: {str(e)[:160]} (Chroma server unreachable).") from e

    def close(self) -> None:
        """Nothing is cached per process: the server always answers with what every worker wrote."""

    def drop_generations_except(self, keep: set[str], prefix: str) -> list[str]:
        """Delete this index's collections (named `prefix` + generation) other than those in `keep`."""
        dropped = []
        for name in self._guard("liệt kê bộ sưu tập", self.client.list_collections) or []:  # type: ignore[union-attr]
            name = getattr(name, "name", name)
            if name.startswith(prefix) and name not in keep:
                self._guard("xóa bộ sưu tập", lambda name=name: self.client.delete_collection(name))
                dropped.append(name)
        return dropped


class _LazyEmbeddings(Embeddings):
    """Loads the store's embedding model on first use (Chroma only calls it if we ever pass raw texts)."""

    def __init__(self, store: ChromaStore) -> None:
        self.store = store

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.store.embeddings.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.store.embeddings.embed_query(text)
