"""Incremental, atomic ingestion: load → metadata → chunks → embed only new chunks → commit catalog."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.corpus.loaders import LoadError, iter_corpus_files, load_file
from assistant.corpus.metadata import build_meta
from assistant.corpus.models import Chunk
from assistant.corpus.registry import Registry
from assistant.corpus.structure import chunk_document
from assistant.index.catalog import Catalog, DocEntry
from assistant.index.vectorstore import ChromaStore


def _parser_version() -> str:
    """Hash of the corpus layer's code: any parser/metadata change re-chunks (vectors are reused by content)."""
    import assistant.corpus as corpus_pkg

    h = hashlib.sha256()
    for f in sorted(Path(corpus_pkg.__file__).parent.glob("*.py")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


PARSER_VERSION = _parser_version()
COMMIT_EVERY = 25  # documents between catalog commits

Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    files_seen: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    vectors_repaired: int = 0
    vectors_missing: int = 0
    texts_restored: int = 0
    notices: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return self.__dict__.copy()


def doc_id_for(source_file: str) -> str:
    return re.sub(r"[^a-zA-Z0-9._-]", "-", source_file)[:80]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk_metadata(c: Chunk) -> dict:
    m = c.meta
    md = {"source_file": c.source_file, "start": c.start, "end": c.end, "citation": c.citation[:500]}
    if m:
        for k in ("doc_type", "level", "locality", "kind", "number"):
            v = getattr(m, k)
            if v:
                md[k] = v
        if m.year:
            md["year"] = m.year
    return md


def _bad_name(path: Path) -> str | None:
    """Why a file name cannot be stored (not valid UTF-8 on disk), or None."""
    try:
        str(path).encode("utf-8")
        return None
    except UnicodeEncodeError:
        return "tên tệp không phải UTF-8 hợp lệ, hãy đổi tên tệp (file name is not valid UTF-8)"


def _safe_name(path: Path) -> str:
    return path.name.encode("utf-8", "replace").decode("utf-8")


def ingest(paths: list[Path], catalog: Catalog, store: ChromaStore | None, registry: Registry, texts_dir: Path,
           max_bytes: int, progress: Progress | None = None, max_chunks: int = 0,
           commit: Callable[[], None] | None = None) -> IngestReport:
    """Ingest files under `paths`; documents whose files disappeared from a given folder are removed.

    With `store` None the chunks are committed (catalog + lexical) without vectors; `embed_missing` adds them.
    `max_chunks` (> 0) refuses a file that splits into more chunks than that, with a clear error.
    """
    report = IngestReport()
    commit = commit or catalog.save
    reg_hash = _sha(registry_bytes(registry)) if registry else ""
    files: list[Path] = []
    for p in paths:
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(iter_corpus_files([p]))
        elif p.exists():
            report.errors.append({"file": _safe_name(p), "reason": "không phải tệp thường (not a regular file)"})
        else:
            report.errors.append({"file": _safe_name(p), "reason": "không tồn tại (not found)"})
    report.files_seen = len(files)
    seen: dict[str, Path] = {}
    texts_dir.mkdir(parents=True, exist_ok=True)
    pending_commit = 0
    for i, path in enumerate(files, start=1):
        bad = _bad_name(path)
        if bad:
            report.errors.append({"file": _safe_name(path), "reason": bad})
            continue
        name = path.name
        if progress:
            progress(name, i, len(files))
        if name in seen and seen[name] != path:
            report.errors.append({"file": name, "reason": f"trùng tên với {seen[name]} (duplicate file name)"})
            continue
        seen[name] = path
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise LoadError(name, f"tệp quá lớn ({size / 1e6:.1f} MB > {max_bytes / 1e6:.0f} MB)",
                                "file too large")
            data = path.read_bytes() if size <= max_bytes else b""
            fp = _sha(data + f"|{PARSER_VERSION}|{reg_hash}".encode())
            old = catalog.docs.get(name)
            if old and old.fingerprint == fp:
                report.unchanged.append(name)
                continue
            loaded = load_file(path, max_bytes)
            meta = build_meta(loaded.text, name, registry, doc_id_for(name))
            chunks = chunk_document(meta, loaded.text)
            if not chunks:
                raise LoadError(name, "không có nội dung để lập chỉ mục", "no indexable text")
            if max_chunks and len(chunks) > max_chunks:
                raise LoadError(name, f"tệp tách thành {len(chunks)} đoạn, vượt giới hạn {max_chunks} đoạn/tệp "
                                      f"(TDKT_MAX_CHUNKS_PER_FILE); hãy chia nhỏ tệp", "too many chunks")
        except LoadError as e:
            report.errors.append({"file": name, "reason": str(e)})
            continue
        except (OSError, UnicodeError, ValueError) as e:
            report.errors.append({"file": name, "reason": f"không đọc được tệp: {e} (unreadable)"})
            continue
        for c in chunks:
            c.chunk_id = f"{c.chunk_id}:{c.content_hash[:12]}"
        ids = [c.chunk_id for c in chunks]
        if store is not None:
            have = store.existing(ids)
            new = [c for c in chunks if c.chunk_id not in have]

            def vec_progress(done: int, total: int, name: str = name, i: int = i) -> None:
                if progress:
                    progress(f"{name} — vector {done}/{total}", i, len(files))

            store.add([c.chunk_id for c in new], [c.dense_text for c in new], [chunk_metadata(c) for c in new],
                      progress=vec_progress)
            report.chunks_embedded += len(new)
        text_file = write_text(texts_dir, loaded.text)
        entry = DocEntry(name, str(path.resolve()), _sha(data), fp, meta, ids, text_file, loaded.fmt, loaded.notes)
        (report.updated if old else report.added).append(name)
        catalog.put(entry, chunks)
        pending_commit += 1
        if pending_commit >= COMMIT_EVERY:
            commit()
            pending_commit = 0
    roots = [p.resolve() for p in paths if p.is_dir()]
    if roots:
        for name, entry in list(catalog.docs.items()):
            ep = Path(entry.path)
            under = any(_is_under(ep, r) for r in roots)
            if under and (name not in seen or not ep.exists()):
                catalog.drop(name)
                report.removed.append(name)
    if catalog.dirty or not catalog.path.exists():  # nothing changed: no rewrite (readers keep their catalog)
        commit()
    report.chunks_total = len(catalog.chunks)
    return report


def text_name(text: str) -> str:
    return f"{_sha(text.encode('utf-8'))[:20]}.txt"


def write_text(texts_dir: Path, text: str) -> str:
    """Store a source's normalised text under its content hash (temp file + rename); returns the file name."""
    text_file = text_name(text)
    tf = texts_dir / text_file
    if not tf.exists():
        tmp = tf.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        tmp.replace(tf)
    return text_file


def restore_text(entry: DocEntry, texts_dir: Path, max_bytes: int) -> str | None:
    """Re-create a missing texts/ file from the document's source, when the source still has the same text."""
    try:
        loaded = load_file(Path(entry.path), max_bytes)
    except (LoadError, OSError, UnicodeError, ValueError):
        return None
    if text_name(loaded.text) != entry.text_file:
        return None
    try:
        texts_dir.mkdir(parents=True, exist_ok=True)
        write_text(texts_dir, loaded.text)
    except OSError:
        pass  # read-only or full: still serve the text from memory this time
    return loaded.text


def collect_garbage(catalog: Catalog, store: ChromaStore) -> int:
    """Delete vectors no live catalog entry points to (only ever after the catalog commit)."""
    live = catalog.live_ids()
    orphans = [cid for cid in store.all_ids() if cid not in live]
    if orphans:
        store.delete(orphans)
    return len(orphans)


def embed_missing(catalog: Catalog, store: ChromaStore, progress: Progress | None = None,
                  have: set[str] | None = None) -> int:
    """Embed the live chunks whose vectors are absent from the store (two-phase ingest and repair)."""
    from assistant.index.catalog import chunk_from_json

    have = set(store.all_ids()) if have is None else have
    missing = [cid for cid in catalog.chunks if cid not in have]
    if not missing:
        return 0
    metas = {k: v.meta for k, v in catalog.docs.items()}
    chunks = [chunk_from_json(cid, catalog.chunks[cid], metas.get(catalog.chunks[cid]["doc"])) for cid in missing]

    def cb(done: int, total: int) -> None:
        if progress:
            progress(f"vector {done}/{total}", done, total)

    store.add([c.chunk_id for c in chunks], [c.dense_text for c in chunks], [chunk_metadata(c) for c in chunks],
              progress=cb)
    return len(chunks)


def _is_under(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root)
        return True
    except ValueError:
        return False


def registry_bytes(registry: Registry) -> bytes:
    return repr([(d.number, d.in_force_from, d.in_force_to, d.replaced_by, d.files, d.short_name)
                 for d in registry.docs] + sorted(registry.plans.items())).encode("utf-8")
