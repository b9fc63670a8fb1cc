"""Knowledge: the facade over corpus, catalog, vector store and hybrid search that upper layers use."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from assistant.config import Settings
from assistant.corpus.models import Chunk, DocMeta
from assistant.corpus.registry import Registry
from assistant.index.catalog import Catalog, chunk_from_json
from assistant.index.embeddings import embedding_key, make_embeddings
from assistant.index.ingest import IngestReport, Progress, ingest
from assistant.index.retriever import Filters, Hit, HybridSearcher, TdktRetriever
from assistant.index.vectorstore import ChromaStore


class Knowledge:
    """Owns the index in settings.data_dir; thread-safe for concurrent searches, one writer at a time."""

    def __init__(self, settings: Settings, today: date | None = None) -> None:
        self.settings = settings
        self.today = today
        self.registry = Registry.load(settings.registry_path)
        self._emb = None
        self._store: ChromaStore | None = None
        self._searcher: HybridSearcher | None = None
        self._lock = threading.RLock()
        key = embedding_key(settings.embedding)
        self.index_dir = settings.data_dir / "index" / key
        self.catalog = Catalog.load(self.index_dir / "catalog.json", settings.embedding)

    # --------------------------------------------------------------------------------- components
    @property
    def store(self) -> ChromaStore:
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._emb = make_embeddings(self.settings.embedding, self.settings.embed_threads)
                    self._store = ChromaStore(self.index_dir / "chroma", self.settings.collection, self._emb)
        return self._store

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    def default_paths(self) -> list[Path]:
        roots = list(self.settings.corpus_roots())
        if self.uploads_dir.is_dir():
            roots.append(self.uploads_dir)
        return roots

    # --------------------------------------------------------------------------------- writing
    def ingest(self, paths: list[Path] | None = None, rebuild: bool = False,
               progress: Progress | None = None) -> IngestReport:
        with self._lock:
            if rebuild:
                self.store.reset()
                self.catalog = Catalog(self.catalog.path, self.settings.embedding)
            max_bytes = int(self.settings.max_file_mb * 1024 * 1024)
            report = ingest(paths or self.default_paths(), self.catalog, self.store, self.registry,
                            self.index_dir / "texts", max_bytes, progress=progress)
            self._searcher = None
            return report

    def remove(self, source_file: str) -> bool:
        with self._lock:
            entry = self.catalog.docs.get(source_file)
            if not entry:
                return False
            self.catalog.drop(source_file)
            self.catalog.save()
            self.store.delete(entry.chunk_ids)
            self._searcher = None
            return True

    # --------------------------------------------------------------------------------- reading
    def chunks(self) -> list[Chunk]:
        metas = {k: v.meta for k, v in self.catalog.docs.items()}
        out = [chunk_from_json(cid, d, metas.get(d["doc"])) for cid, d in self.catalog.chunks.items()]
        out.sort(key=lambda c: (c.source_file, c.start))
        return out

    @property
    def searcher(self) -> HybridSearcher:
        s = self._searcher
        if s is None:
            with self._lock:
                if self._searcher is None:
                    self._searcher = HybridSearcher(self.chunks(), self.store, self.registry, today=self.today,
                                                    mode=self.settings.retrieval_mode, vocab=self._vocab())
                s = self._searcher
        return s

    def _vocab(self) -> dict:
        import yaml

        p = self.settings.knowledge_dir / "retrieval.yaml"
        vocab = (yaml.safe_load(p.read_text("utf-8")) or {}) if p.exists() else {}
        q = self.settings.knowledge_dir / "query.yaml"
        vocab["query"] = (yaml.safe_load(q.read_text("utf-8")) or {}) if q.exists() else {}
        return vocab

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        return self.searcher.search(query, k or self.settings.top_k, filters)

    def retriever(self, k: int = 5, filters: Filters | None = None) -> TdktRetriever:
        return TdktRetriever(searcher=self.searcher, k=k, filters=filters)

    def documents(self) -> list[DocMeta]:
        return [e.meta for e in sorted(self.catalog.docs.values(), key=lambda e: e.source_file)]

    def doc_meta(self, source_file: str) -> DocMeta | None:
        e = self.catalog.docs.get(source_file)
        return e.meta if e else None

    def raw_text(self, source_file: str) -> str | None:
        e = self.catalog.docs.get(source_file)
        if not e:
            return None
        p = self.index_dir / "texts" / e.text_file
        return p.read_text("utf-8") if p.exists() else None

    def stats(self) -> dict[str, int]:
        return {"documents": len(self.catalog.docs), "chunks": len(self.catalog.chunks)}
