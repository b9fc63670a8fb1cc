"""Knowledge: the facade over corpus, catalog, vector store and hybrid search that upper layers use."""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.corpus.memo import Memo
from assistant.corpus.models import Chunk, DocMeta
from assistant.corpus.registry import Registry
from assistant.index import layout
from assistant.index.catalog import Catalog, chunk_from_json
from assistant.index.embeddings import CachedEmbeddings, EmbeddingCache, embedding_key, make_embeddings
from assistant.index.errors import REBUILD_HINT, IndexBusy, IndexDamaged, IndexProblem, IndexWriteError
from assistant.index.ingest import (
    IngestReport,
    Progress,
    collect_garbage,
    embed_missing,
    ingest,
    restore_text,
)
from assistant.index.native_engine import engine_for
from assistant.index.retriever import Filters, Hit, HybridSearcher, TdktRetriever
from assistant.index.vectorstore import ChromaServerStore, ChromaStore, server_collection, server_prefix

log = logging.getLogger(__name__)
RAW_TEXTS_KEPT = 32  # source texts kept in memory (each read once per change instead of once per quote)
RAW_TEXT_KEEP_BYTES = 1_000_000  # a larger text is read each time (memory stays bounded: ≤ 32 MB of kept texts)


QUESTION_WORDING = ("ask.yaml", "answer_types.yaml", "intent.yaml")  # knowledge files of question cues


class Knowledge:
    """Owns the index in settings.data_dir; thread-safe for concurrent searches, one writer at a time.

    Writers (ingest, remove, rebuild, embed_missing) hold a file lock shared by every process, re-read the
    catalog from disk first and merge their change into it. Readers notice a newer catalog or a switched
    generation (a rebuild finished elsewhere) and reload before answering. A rebuild builds a new generation
    and switches to it only when complete, so a killed rebuild leaves the previous index serving.
    """

    def __init__(self, settings: Settings, today: date | None = None) -> None:
        self.settings = settings
        self.today = today
        self.registry = Registry.load(settings.registry_path)
        self._emb: Any = None
        self._store: ChromaStore | None = None
        self._store_error: str | None = None
        self._searcher: HybridSearcher | None = None
        self._stale_searcher: HybridSearcher | None = None
        self._building = threading.Lock()
        self._vector_ids: set[str] | None = None
        self._lock = threading.RLock()  # reader state (catalog, store, searcher); held briefly
        self._write_lock = threading.RLock()  # one writer per process (plus the file lock across processes)
        self._own_tokens: set[tuple] = set()  # commits by this process: its open store already sees them
        self.index_dir = settings.data_dir / "index" / embedding_key(settings.embedding)
        self.shared = self._shared_index()
        self._next_pull = 0.0
        self._pulling = threading.Lock()
        self._first_pull = True
        self._probe = layout.CurrentProbe(self.index_dir)
        self._texts: Memo[str] = Memo(RAW_TEXTS_KEPT)
        self.gen = layout.current_generation(self.index_dir)
        self._token: tuple = ()
        self._catalog = Catalog(self.gen.catalog_path, settings.embedding)
        self._damage: str | None = None
        self.on_wait: Callable[[str], None] | None = None
        self._refresh(force=True)

    # --------------------------------------------------------------------------------- shared (multi-worker)
    def _shared_index(self) -> Any:
        """With a Chroma server (TDKT_CHROMA_URL): the index state shared through the database, else None."""
        if not self.settings.chroma_url:
            return None
        from assistant.db import open_database
        from assistant.index.shared import SharedIndex

        return SharedIndex(open_database(self.settings), self.index_dir.name, self.index_dir)

    def _pull_shared(self, force: bool = False) -> None:
        """Bring the local catalog and texts up to the shared generation. Forced (writers): now, in this thread.
        Otherwise at most every shared_poll_seconds: a version check (one indexed lookup) and, when this worker is
        behind, the download in a background thread — a request never waits for it; the next one sees the
        new catalog."""
        if self.shared is None or (not force and time.monotonic() < self._next_pull):
            return
        if not self._pulling.acquire(blocking=force):
            return  # another thread is pulling right now
        background = False
        try:
            self._next_pull = time.monotonic() + self.settings.shared_poll_seconds
            if force or self._first_pull:
                self._first_pull = False
                self.shared.pull()  # at start-up too: serve the shared index from the first request
            elif self.shared.behind():
                threading.Thread(target=self._pull_in_background, name="tdkt-index-pull", daemon=True).start()
                background = True
        except Exception as e:  # noqa: BLE001 - a database outage keeps the last synced index serving
            if force:
                raise IndexWriteError(f"cơ sở dữ liệu chung không dùng được: {type(e).__name__}: {e}") from e
            log.warning("shared index state unavailable, serving the last synced index: %s", e)
        finally:
            if not background:
                self._pulling.release()

    def _pull_in_background(self) -> None:
        try:
            self.shared.pull()
        except Exception as e:  # noqa: BLE001
            log.warning("shared index pull failed, serving the last synced index: %s", e)
        finally:
            self._pulling.release()

    def _remove_old(self, keep: set[str]) -> None:
        """Delete generations (local directories, and their collections on a Chroma server) not in `keep`."""
        layout.remove_old_generations(self.index_dir, keep=keep)
        if self.settings.chroma_url:
            store = self._read_store()
            if isinstance(store, ChromaServerStore):
                prefix = server_prefix(self.settings.collection, self.index_dir.name)
                store.drop_generations_except({server_collection(self.settings.collection, self.index_dir.name, g)
                                               for g in keep}, prefix)

    # --------------------------------------------------------------------------------- state on disk
    def _refresh(self, force: bool = False) -> None:
        """Reload the catalog (and reopen the store) when another process committed or switched generation."""
        self._pull_shared(force=False)
        token = self._probe.token()  # stat calls only: this runs before every read access
        if not force and token == self._token and token[0] == self.gen.name:
            return
        gen = layout.Generation(self.index_dir, token[0])
        with self._lock:
            if gen != self.gen or token != self._token or force:
                if gen != self.gen or (token != self._token and token not in self._own_tokens):
                    self._close_store()
                self._own_tokens.clear()
                self.gen = gen
                self._token = token
                try:
                    self._catalog = Catalog.load(gen.catalog_path, self.settings.embedding)
                    self._damage = None
                except IndexDamaged as e:
                    log.info("%s", e)
                    self._catalog = Catalog(gen.catalog_path, self.settings.embedding)
                    self._damage = str(e)
                if self.shared is not None and self._searcher is not None:
                    self._stale_searcher = self._searcher  # served while the new one builds (see `searcher`)
                self._searcher = None
                self._vector_ids = None

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
        self._store = None
        self._store_error = None

    def _embeddings(self) -> Any:
        if self._emb is None:
            inner = make_embeddings(self.settings.embedding, self.settings.embed_threads,
                                    engine_for(self.settings.embed_engine, self.settings.native_engine_dir))
            self._emb = CachedEmbeddings(inner, EmbeddingCache(layout.embed_cache_path(self.index_dir),
                                                               self.settings.embedding))
        return self._emb

    def _open_store(self, gen: layout.Generation) -> ChromaStore:
        if self.settings.chroma_url:
            return ChromaServerStore(self.settings.chroma_url, server_collection(
                self.settings.collection, self.index_dir.name, gen.name), self._embeddings)
        return ChromaStore(gen.chroma_dir, self.settings.collection, self._embeddings)

    @property
    def catalog(self) -> Catalog:
        """The live catalog (reloaded when changed on disk); IndexDamaged when catalog.json is unreadable."""
        self._refresh()
        if self._damage:
            raise IndexDamaged("", message=self._damage)
        return self._catalog

    @property
    def store(self) -> ChromaStore:
        """The current generation's vector store; IndexDamaged when it cannot be opened."""
        self._refresh()
        with self._lock:
            if self._store is None:
                self._store = self._open_store(self.gen)
            return self._store

    def _read_store(self) -> ChromaStore | None:
        """The store for searching, or None (lexical search only) when it cannot be opened."""
        try:
            return self.store
        except IndexProblem as e:
            self._store_error = str(e)
            log.info("vector store unavailable, lexical search only: %s", e)
            return None

    def _vectors(self, fresh: bool = False) -> set[str] | None:
        """Ids present in the vector store (cached until the next change), None when the store is unusable."""
        with self._lock:
            if self._vector_ids is None or fresh:
                store = self._read_store()
                if store is None:
                    return None
                try:
                    self._vector_ids = set(store.all_ids())
                except Exception as e:  # noqa: BLE001 - a damaged store degrades search, never crashes it
                    self._store_error = f"{type(e).__name__}: {e}"
                    return None
            return self._vector_ids

    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    def default_paths(self) -> list[Path]:
        roots = list(self.settings.corpus_roots())
        if self.uploads_dir.is_dir():
            roots.append(self.uploads_dir)
        return roots

    # --------------------------------------------------------------------------------- writing
    @contextlib.contextmanager
    def _writing(self, timeout: float | None = None, allow_damaged: bool = False) -> Iterator[Catalog]:
        """One writer: in-process lock + cross-process file lock, then the merge base: a copy of the reader's
        catalog when that is what is on disk (no second parse), else the catalog freshly read. Writers change that
        copy; readers keep theirs until the commit, after which they take the writer's (no reload). A writer
        that changed nothing (`Catalog.dirty` / `Catalog.store_changed` unset) rewrites, stamps and publishes
        nothing, so other readers keep their catalog and searcher."""
        with self._write_lock:
            try:
                wait = self.settings.index_lock_timeout if timeout is None else timeout
                lock = layout.writer_lock(self.index_dir, wait, self.on_wait)
                lock.__enter__()
            except OSError as e:
                raise IndexWriteError(f"{type(e).__name__}: {e.strerror or e}") from e
            shared_lock = self._shared_writer(wait, lock)
            published = False
            cat: Catalog | None = None
            clean = False
            try:
                self._pull_shared(force=True)
                self._refresh()  # token-checked under the writer lock: the reader's catalog is what is on disk
                if self._damage and not allow_damaged:
                    raise IndexDamaged("", message=self._damage)
                try:
                    cat = Catalog(self.gen.catalog_path, self.settings.embedding) if self._damage \
                        else self._catalog.copy()
                    yield cat
                    clean = True
                except OSError as e:
                    raise IndexWriteError(f"{type(e).__name__}: {e.strerror or e}") from e
                finally:
                    if not clean or cat is None or cat.saved or cat.dirty or cat.store_changed:
                        layout.touch_stamp(self.gen)  # a failed writer may have changed vectors: readers re-check
                        self._own_tokens.add(layout.generation_token(self.gen))
                        if clean and cat is not None and cat.saved and not cat.dirty:
                            self._adopt(cat)
                    else:
                        published = True  # nothing changed: nothing to publish
                if self.shared is not None and not self._damage and not published:
                    self.shared.publish(self.gen)
                    published = True
            finally:
                if self.shared is not None and not published and not self._damage:
                    with contextlib.suppress(Exception):  # what was committed locally is shared all the same
                        self.shared.publish(self.gen)
                if shared_lock is not None:
                    shared_lock.release()
                lock.__exit__(None, None, None)

    def _adopt(self, cat: Catalog) -> None:
        """After this process committed `cat`, readers use it as it is (catalog.json is not parsed again)."""
        with self._lock:
            gen = layout.current_generation(self.index_dir)
            if gen != self.gen or cat.path != gen.catalog_path:
                return  # switched meanwhile: `_refresh` reloads
            self._token = layout.generation_token(gen)
            self._own_tokens.clear()
            self._catalog = cat
            self._damage = None
            if self.shared is not None and self._searcher is not None:
                self._stale_searcher = self._searcher
            self._searcher = None
            self._vector_ids = None

    def _shared_writer(self, wait: float, local_lock: Any) -> Any:
        """With a shared index: the database lock that makes one worker the writer (IndexBusy after `wait`)."""
        if self.shared is None:
            return None
        start = time.monotonic()
        while True:
            try:
                held = self.shared.db.try_lock(f"tdkt-index-write-{self.index_dir.name}")
            except Exception as e:  # noqa: BLE001 - database down: no update, the index stays as it is
                local_lock.__exit__(None, None, None)
                raise IndexWriteError(f"cơ sở dữ liệu chung không dùng được: {type(e).__name__}: {e}") from e
            if held is not None:
                return held
            waited = time.monotonic() - start
            if waited >= wait:
                local_lock.__exit__(None, None, None)
                raise IndexBusy(waited)
            if self.on_wait is not None and waited < 0.25:
                from assistant.index.errors import BUSY_MESSAGE

                self.on_wait(BUSY_MESSAGE + " Đang chờ…")
            time.sleep(0.2)

    def _committer(self, cat: Catalog) -> Callable[[], None]:
        def commit() -> None:
            cat.save()
            self._own_tokens.add(layout.generation_token(self.gen))

        return commit

    def ingest(self, paths: list[Path] | None = None, rebuild: bool = False, progress: Progress | None = None,
               embed: bool = True) -> IngestReport:
        """Ingest (incremental) or rebuild; embed=False commits chunks without vectors (see embed_missing).

        Every embedding ingest also repairs the index: vectors missing for live chunks are embedded, vectors no
        chunk points to are deleted, and missing texts/ files are restored from the sources.
        """
        with self._writing(allow_damaged=rebuild) as cat:
            if rebuild:
                cat.store_changed = True  # a new generation: stamped and published like any change
                return self._rebuild(paths, progress, embed)
            store = self.store if embed else None
            if store is not None and store.read_only:
                raise IndexWriteError(store.read_only)
            report = ingest(paths or self.default_paths(), cat, store, self.registry,
                            layout.texts_dir(self.index_dir), self._max_bytes(), progress=progress,
                            max_chunks=self.settings.max_chunks_per_file, commit=self._committer(cat))
            self._repair_into(report, cat, store, progress)
            # generations left by a killed rebuild (no rebuild can be running: we hold the writer lock)
            self._remove_old({self.gen.name, layout.previous_name(self.index_dir)})
            return report

    def _max_bytes(self) -> int:
        return int(self.settings.max_file_mb * 1024 * 1024)

    def _repair_into(self, report: IngestReport, cat: Catalog, store: ChromaStore | None,
                     progress: Progress | None) -> None:
        report.texts_restored = self._restore_texts(cat)
        if store is None:
            vecs = self._vectors(fresh=True)
            report.vectors_missing = len(set(cat.chunks) - vecs) if vecs is not None else len(cat.chunks)
            return
        orphans = collect_garbage(cat, store)
        report.vectors_repaired = embed_missing(cat, store, progress)
        cat.store_changed = cat.store_changed or bool(orphans or report.vectors_repaired or report.chunks_embedded)
        report.chunks_embedded += report.vectors_repaired
        if report.vectors_repaired:
            report.notices.append(f"Đã nhúng bổ sung {report.vectors_repaired} đoạn thiếu vector "
                                  f"(repaired missing vectors).")

    def _restore_texts(self, cat: Catalog) -> int:
        tdir = layout.texts_dir(self.index_dir)
        n = 0
        for e in cat.docs.values():
            if not (tdir / e.text_file).exists() and restore_text(e, tdir, self._max_bytes()) is not None:
                n += 1
        return n

    def _rebuild(self, paths: list[Path] | None, progress: Progress | None, embed: bool) -> IngestReport:
        """Build a new generation from scratch, switch to it when complete; damaged old files moved aside."""
        old = self.gen
        old_damaged = bool(self._damage)
        if not old_damaged:
            try:
                self.store.count()
            except Exception:  # noqa: BLE001 - any failure to open/read the store means it is damaged
                old_damaged = True
        new = layout.new_generation(self.index_dir)
        cat = Catalog(new.catalog_path, self.settings.embedding)
        store: ChromaStore | None = None
        try:
            store = self._open_store(new) if embed else None
            report = ingest(paths or self.default_paths(), cat, store, self.registry,
                            layout.texts_dir(self.index_dir), self._max_bytes(), progress=progress,
                            max_chunks=self.settings.max_chunks_per_file, commit=cat.save)
            if not cat.docs and report.errors:
                reasons = "; ".join(f"{e['file']}: {e['reason']}" for e in report.errors[:3])
                raise IndexProblem(f"Xây lại chỉ mục không nạp được tài liệu nào ({reasons}); chỉ mục cũ được giữ "
                                   f"nguyên (rebuild ingested nothing; the previous index is kept).")
            if store is not None:
                self._repair_into(report, cat, store, progress)
            else:
                report.texts_restored = self._restore_texts(cat)
                report.vectors_missing = len(cat.chunks)
            layout.switch_to(new)
        except BaseException:
            if store is not None:
                store.close()
            shutil.rmtree(new.dir, ignore_errors=True)
            raise
        if store is not None:
            store.close()
            self._prune_embed_cache(cat)
        if old_damaged:
            where = layout.move_aside(old)
            if where:
                report.notices.append(f"Các tệp chỉ mục hỏng đã được chuyển sang {where} (damaged files moved).")
        layout.remember_previous(self.index_dir, "" if old_damaged else old.name)
        self._remove_old({new.name, "" if old_damaged else old.name})
        self._refresh(force=True)
        return report

    def _prune_embed_cache(self, cat: Catalog) -> None:
        """After a rebuild, forget cached vectors of texts the new generation no longer has."""
        emb = self._emb
        if isinstance(emb, CachedEmbeddings):
            emb.cache.prune([chunk_from_json(cid, d, None).dense_text for cid, d in cat.chunks.items()])

    def embed_missing(self, progress: Progress | None = None) -> int:
        """Embed the chunks whose vectors are missing (second phase of a fast ingest; also the repair path)."""
        with self._writing() as cat:
            store = self.store
            orphans = collect_garbage(cat, store)
            n = embed_missing(cat, store, progress)
            cat.store_changed = bool(orphans or n)
            return n

    def remove(self, source_file: str) -> bool:
        with self._writing() as cat:
            entry = cat.docs.get(source_file)
            if not entry:
                return False
            cat.drop(source_file)
            self._committer(cat)()
            cat.store_changed = True
            with contextlib.suppress(IndexDamaged):
                self.store.delete(entry.chunk_ids)
            return True

    def start_repair(self) -> threading.Thread | None:
        """At start-up: if vectors or texts are missing, repair them in a background thread (skipped when
        another process is writing or the data dir is read-only). Search works meanwhile."""
        h = self.health()
        if h["status"] == "ok" or self._damage or h.get("read_only"):
            return None

        def run() -> None:
            try:
                self.repair(timeout=0.0)
            except IndexProblem as e:
                log.warning("start-up repair skipped: %s", e)
            except Exception:  # noqa: BLE001 - never take the server down from a background repair
                log.exception("start-up repair failed")

        t = threading.Thread(target=run, name="tdkt-index-repair", daemon=True)
        t.start()
        return t

    def repair(self, timeout: float | None = None) -> dict[str, int]:
        """Check catalog ↔ store ↔ texts/ and repair (re-embed only what is missing)."""
        with self._writing(timeout) as cat:
            store = self.store
            orphans = collect_garbage(cat, store)
            texts = self._restore_texts(cat)
            embedded = embed_missing(cat, store)
            cat.store_changed = bool(orphans or embedded)
            return {"vectors_embedded": embedded, "orphans_deleted": orphans, "texts_restored": texts}

    # --------------------------------------------------------------------------------- reading
    def chunks(self) -> list[Chunk]:
        cat = self.catalog
        metas = {k: v.meta for k, v in cat.docs.items()}
        out = [chunk_from_json(cid, d, metas.get(d["doc"])) for cid, d in cat.chunks.items()]
        out.sort(key=lambda c: (c.source_file, c.start))
        return out

    @property
    def searcher(self) -> HybridSearcher:
        """The searcher over the live catalog. With a shared index, after another worker's update the previous
        searcher keeps answering while the new one (BM25 over the whole catalog: minutes at 100k chunks) is
        built in a background thread, so requests do not queue behind that build."""
        self._refresh()
        s = self._searcher
        if s is None:
            stale = self._stale_searcher
            if stale is not None:
                self._build_in_background()
                return stale
            with self._lock:
                if self._searcher is None:
                    self._searcher = self._build_searcher()
                s = self._searcher
        return s

    def _build_searcher(self) -> HybridSearcher:
        chunks = self.chunks()
        vecs = self._vectors()
        store = self._store if vecs else None  # no vectors at all: do not load the model
        return HybridSearcher(chunks, store, self.registry, today=self.today, mode=self.settings.retrieval_mode,
                              vocab=self._vocab())

    def _build_in_background(self) -> None:
        if not self._building.acquire(blocking=False):
            return

        def run() -> None:
            try:
                while True:
                    token = self._token
                    built = self._build_searcher()
                    with self._lock:
                        if token == self._token:  # no newer update arrived during the build
                            self._searcher = built
                            self._stale_searcher = None
                            return
            except Exception:  # noqa: BLE001 - the next request builds it in the foreground
                log.exception("background searcher build failed")
                self._stale_searcher = None
            finally:
                self._building.release()

        threading.Thread(target=run, name="tdkt-searcher-build", daemon=True).start()

    def _vocab(self) -> dict:
        import yaml

        p = self.settings.knowledge_dir / "retrieval.yaml"
        vocab = (yaml.safe_load(p.read_text("utf-8")) or {}) if p.exists() else {}
        q = self.settings.knowledge_dir / "query.yaml"
        vocab["query"] = (yaml.safe_load(q.read_text("utf-8")) or {}) if q.exists() else {}
        # how questions are worded (cues of answer types and intents): words legal texts never write, read by the
        # searcher only to put diacritics back on a question typed without them (reaccent.py)
        vocab["wording"] = [yaml.safe_load(f.read_text("utf-8")) for f in
                            (self.settings.knowledge_dir / n for n in QUESTION_WORDING) if f.exists()]
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
        """The source's normalised text; restored from the source file when texts/ lost it. Kept in memory by
        file name (content-addressed) and the file's stat, so one answer's many quotes read it once, the same
        string object is returned (its hash is computed once for the caches keyed on it) and a lost file is still
        noticed and restored."""
        e = self.catalog.docs.get(source_file)
        if not e:
            return None
        p = layout.texts_dir(self.index_dir) / e.text_file
        key = (e.text_file, *layout.stat_key(p))
        if key[1] is None:
            return restore_text(e, p.parent, self._max_bytes())
        try:
            if key[3] > RAW_TEXT_KEEP_BYTES:
                return p.read_text("utf-8")
            return self._texts.get(key, lambda: p.read_text("utf-8"))
        except (OSError, UnicodeDecodeError):
            return restore_text(e, p.parent, self._max_bytes())

    def stats(self) -> dict[str, Any]:
        """Documents, chunks, vectors present and chunks missing vectors (None when the store is unusable)."""
        cat = self.catalog
        vecs = self._vectors()
        missing = None if vecs is None else len(set(cat.chunks) - vecs)
        return {"documents": len(cat.docs), "chunks": len(cat.chunks),
                "vectors": None if vecs is None else len(vecs & set(cat.chunks)), "vectors_missing": missing}

    def health(self) -> dict[str, Any]:
        """A real check of catalog, store (queried now) and texts/: status ok | degraded | error, with reasons."""
        self._refresh()
        problems: list[str] = []
        out: dict[str, Any] = {"generation": self.gen.name or "legacy", "updating": self._writer_active()}
        if self._damage:
            return {**out, "status": "error", "problems": [self._damage], "documents": 0, "chunks": 0}
        cat = self._catalog
        vecs = self._vectors(fresh=True)  # re-query the store, do not trust the cache
        store = self._store
        out["read_only"] = bool(store and store.read_only)
        if store is not None and store.read_only and "disk full" in store.read_only:
            problems.append("Ổ đĩa dữ liệu đã đầy: tra cứu vẫn hoạt động, không nạp thêm được tài liệu (disk full).")
        if vecs is None:
            problems.append(f"Kho vector không dùng được — tìm kiếm chỉ theo từ khóa; hãy {REBUILD_HINT}. "
                            f"({self._store_error or ''})")
        else:
            missing = len(set(cat.chunks) - vecs)
            if missing:
                problems.append(f"{missing} đoạn chưa có vector — các đoạn này chỉ tìm được theo từ khóa; chạy "
                                f"`tdkt ingest` để bổ sung ({missing} chunks missing vectors).")
            out["vectors_missing"] = missing
            if store is not None and store.error:
                problems.append(f"Truy vấn kho vector lỗi: {store.error}")
        tdir = layout.texts_dir(self.index_dir)
        lost = sum(1 for e in cat.docs.values() if not (tdir / e.text_file).exists())
        if lost:
            problems.append(f"{lost} văn bản mất bản lưu trong texts/ (sẽ được khôi phục từ tệp nguồn).")
        if not cat.docs:
            problems.append("Chỉ mục trống — chạy `tdkt ingest` (index is empty).")
        out.update(status="degraded" if problems else "ok", problems=problems, documents=len(cat.docs),
                   chunks=len(cat.chunks))
        return out

    def _writer_active(self) -> bool:
        try:
            with layout.writer_lock(self.index_dir, 0.0):
                return False
        except IndexBusy:
            return True
        except OSError:
            return False

