"""Vector store behind a small interface: an embedded Chroma PersistentClient collection."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from assistant.index.embeddings import ChromaEmbeddingFunction

# Chroma cannot rebuild our embedding function from its stored config and says so on every load; we always
# pass vectors ourselves, so the message is noise.
warnings.filterwarnings("ignore", message="Could not reconstruct embedding function")


class ChromaStore:
    """Stores passage vectors by chunk id; never uses Chroma's default (downloading) embedding function."""

    def __init__(self, path: Path, collection: str, embeddings: Embeddings) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        )
        self.embeddings = embeddings
        self.ef = ChromaEmbeddingFunction(embeddings)
        self.name = collection
        self.col = self.client.get_or_create_collection(
            collection, embedding_function=self.ef, metadata={"hnsw:space": "cosine"}
        )

    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(ids)
        for i in range(0, len(ids), 500):
            got = self.col.get(ids=ids[i : i + 500], include=[])
            found.update(got["ids"])
        return found

    def add(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        if not ids:
            return
        vecs = self.embeddings.embed_documents(texts)
        for i in range(0, len(ids), 256):
            self.col.upsert(ids=ids[i : i + 256], embeddings=vecs[i : i + 256], documents=texts[i : i + 256],
                            metadatas=metadatas[i : i + 256])

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        for i in range(0, len(ids), 500):
            self.col.delete(ids=ids[i : i + 500])

    def all_ids(self) -> list[str]:
        return list(self.col.get(include=[])["ids"])

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        count = self.col.count()
        if count == 0:
            return []
        res = self.col.query(query_embeddings=[vector], n_results=min(n, count), include=["distances"])
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=False)]

    def reset(self) -> None:
        self.client.delete_collection(self.name)
        self.col = self.client.get_or_create_collection(
            self.name, embedding_function=self.ef, metadata={"hnsw:space": "cosine"}
        )
