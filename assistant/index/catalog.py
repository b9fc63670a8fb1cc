"""The chunk catalog: which documents and chunks are live, written atomically (the index's commit point)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.corpus.models import Chunk, DocMeta
from assistant.index.errors import IndexDamaged, IndexWriteError

CATALOG_VERSION = 2


@dataclass
class DocEntry:
    source_file: str
    path: str
    file_hash: str
    fingerprint: str  # file hash + registry/parser version: any change re-chunks the document
    meta: DocMeta
    chunk_ids: list[str]
    text_file: str
    fmt: str
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"source_file": self.source_file, "path": self.path, "file_hash": self.file_hash,
                "fingerprint": self.fingerprint, "meta": self.meta.to_dict(), "chunk_ids": self.chunk_ids,
                "text_file": self.text_file, "fmt": self.fmt, "notes": self.notes}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DocEntry:
        return cls(d["source_file"], d["path"], d["file_hash"], d["fingerprint"], DocMeta.from_dict(d["meta"]),
                   list(d["chunk_ids"]), d["text_file"], d.get("fmt", "md"), list(d.get("notes", [])))


def chunk_to_json(c: Chunk) -> dict[str, Any]:
    return {"doc": c.source_file, "doc_id": c.doc_id, "text": c.text, "citation": c.citation,
            "breadcrumb": c.breadcrumb, "start": c.start, "end": c.end, "label": c.label,
            "secondary": c.secondary}


def chunk_from_json(cid: str, d: dict[str, Any], meta: DocMeta | None) -> Chunk:
    return Chunk(chunk_id=cid, doc_id=d["doc_id"], source_file=d["doc"], text=d["text"], citation=d["citation"],
                 breadcrumb=list(d["breadcrumb"]), start=d["start"], end=d["end"], label=dict(d["label"]),
                 meta=meta, secondary=bool(d.get("secondary")))


def share_strings(chunks: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One string object per distinct file name, heading and label value (JSON gives each chunk its own copy)."""
    memo: dict[str, str] = {}
    for d in chunks.values():
        d["doc"] = memo.setdefault(d["doc"], d["doc"])
        d["doc_id"] = memo.setdefault(d["doc_id"], d["doc_id"])
        d["breadcrumb"] = [memo.setdefault(h, h) for h in d["breadcrumb"]]
        lab = d.get("label")
        if lab:
            d["label"] = {k: memo.setdefault(v, v) if isinstance(v, str) else v for k, v in lab.items()}
    return chunks


class Catalog:
    """In-memory view of catalog.json; `save()` replaces the file atomically (write temp, fsync, rename)."""

    def __init__(self, path: Path, embedding: str) -> None:
        self.path = path
        self.embedding = embedding
        self.docs: dict[str, DocEntry] = {}
        self.chunks: dict[str, dict[str, Any]] = {}
        self.dirty = False  # changed since loaded or last saved
        self.saved = False  # save() wrote it at least once
        self.store_changed = False  # a writer added or deleted vectors (readers must re-read the store's ids)

    def copy(self) -> Catalog:
        """A writer's merge base: new dicts over the same entries (entries are replaced, never changed in place),
        so a copy costs two dicts, not a second parse of catalog.json."""
        cat = Catalog(self.path, self.embedding)
        cat.docs = dict(self.docs)
        cat.chunks = dict(self.chunks)
        return cat

    @classmethod
    def load(cls, path: Path, embedding: str) -> Catalog:
        """Read catalog.json (empty when absent or of another version/embedding); IndexDamaged when unreadable."""
        cat = cls(path, embedding)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cat
        except OSError as e:
            raise IndexDamaged(f"không đọc được {path.name}", str(e)) from e
        try:
            text = raw.decode("utf-8")
            del raw  # at 100k chunks the file is ~130 MB: do not hold it twice while parsing
            data = json.loads(text)
            del text
            if data.get("version") == CATALOG_VERSION and data.get("embedding") == embedding:
                cat.docs = {k: DocEntry.from_json(v) for k, v in data["docs"].items()}
                cat.chunks = share_strings(data["chunks"])
                for e in cat.docs.values():
                    missing = [cid for cid in e.chunk_ids if cid not in cat.chunks]
                    if missing:
                        raise ValueError(f"{e.source_file}: {len(missing)} chunk ids without text")
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise IndexDamaged(f"tệp {path.name} không hợp lệ", f"{type(e).__name__}: {str(e)[:120]}") from e
        return cat

    def save(self) -> None:
        data = {"version": CATALOG_VERSION, "embedding": self.embedding,
                "docs": {k: v.to_json() for k, v in sorted(self.docs.items())}, "chunks": self.chunks}
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".catalog-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            self.dirty, self.saved = False, True
        except OSError as e:  # read-only or full disk: the previous catalog.json stays as it was
            raise IndexWriteError(f"{type(e).__name__}: {e.strerror or e}") from e
        finally:
            if tmp and os.path.exists(tmp):
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def put(self, entry: DocEntry, chunks: list[Chunk]) -> None:
        self.drop(entry.source_file)
        self.dirty = True
        self.docs[entry.source_file] = entry
        for c in chunks:
            self.chunks[c.chunk_id] = chunk_to_json(c)

    def drop(self, source_file: str) -> None:
        old = self.docs.pop(source_file, None)
        if old:
            self.dirty = True
            for cid in old.chunk_ids:
                self.chunks.pop(cid, None)

    def live_ids(self) -> set[str]:
        return set(self.chunks)
