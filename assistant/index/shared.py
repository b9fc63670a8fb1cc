"""Index state shared by API workers through the database (with TDKT_CHROMA_URL): which generation is live,
its catalog files and the normalised texts, so every worker keeps its lexical index and catalog in step.

The vectors live on the Chroma server; everything else a worker needs to search (catalog.json: chunk texts,
offsets, metadata; texts/: the normalised sources) is published to the database by the writer at the end of each
index update, with a version number. A worker compares that version with the one it last synced (a file in its
own index directory) and, when it is behind, downloads the files into its local generation directory and switches
CURRENT; its usual reload then rebuilds BM25 from the new catalog.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from assistant.db import Database
from assistant.index import layout

log = logging.getLogger(__name__)
SYNCED = ".shared-version"
SKIP = {layout.CURRENT, layout.PREVIOUS}
SCHEMA = """
CREATE TABLE IF NOT EXISTS index_state (
    index_key TEXT PRIMARY KEY,
    generation TEXT NOT NULL,
    version INTEGER NOT NULL,
    previous TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_files (
    index_key TEXT NOT NULL,
    generation TEXT NOT NULL,
    name TEXT NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (index_key, generation, name)
);
CREATE TABLE IF NOT EXISTS index_texts (
    name TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
"""


def generation_files(gen: layout.Generation) -> list[Path]:
    """The files that make a generation besides its vectors (catalog.json and any sibling index file)."""
    if not gen.dir.is_dir():
        return []
    return sorted(p for p in gen.dir.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.name not in SKIP and not p.name.endswith(".tmp"))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


class SharedIndex:
    """The live generation of one index (`index_key`) in the shared database, mirrored into `index_dir`."""

    def __init__(self, db: Database, index_key: str, index_dir: Path) -> None:
        self.db = db
        self.key = index_key
        self.index_dir = index_dir

    # ------------------------------------------------------------------------------------- versions
    def state(self) -> tuple[str, int, str] | None:
        """(generation, version, previous generation) published last, or None before the first publish."""
        self.db.ensure_schema("shared-index", SCHEMA)  # here, not at start-up: an outage leaves the local index serving
        row = self.db.fetchone("SELECT generation, version, previous FROM index_state WHERE index_key = ?",
                               (self.key,))
        return (row[0], int(row[1]), row[2]) if row else None

    def synced(self) -> tuple[str, int] | None:
        """The (generation, version) this index directory last pulled or published."""
        try:
            name, _, ver = (self.index_dir / SYNCED).read_text("utf-8").strip().rpartition(" ")
            return name, int(ver)
        except (OSError, ValueError):
            return None

    def behind(self) -> bool:
        """Has another worker published a version this directory has not pulled?"""
        st = self.state()
        return st is not None and self.synced() != (st[0], st[1])

    def _mark(self, generation: str, version: int) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.index_dir / SYNCED, f"{generation} {version}".encode())

    # ------------------------------------------------------------------------------------- pull
    def pull(self) -> bool:
        """Bring the local index directory up to the shared version; True when something changed."""
        st = self.state()
        if st is None:
            return False
        generation, version, previous = st
        if self.synced() == (generation, version):
            return False
        gen = layout.Generation(self.index_dir, generation)
        gen.dir.mkdir(parents=True, exist_ok=True)
        self._pull_texts()
        rows = self.db.fetchall("SELECT name, content FROM index_files WHERE index_key = ? AND generation = ?",
                                (self.key, generation))
        for name, content in sorted(rows, key=lambda r: r[0] == gen.catalog_path.name):  # catalog last
            if "/" in name or name.startswith("."):
                continue
            _write_atomic(gen.dir / name, bytes(content))
        if layout.current_generation(self.index_dir).name != generation:
            if generation:
                layout.switch_to(gen)
            else:  # the shared index is still in the pre-generation layout
                (self.index_dir / layout.CURRENT).unlink(missing_ok=True)
            layout.remember_previous(self.index_dir, previous)
            layout.remove_old_generations(self.index_dir, keep={generation, previous})
        self._mark(generation, version)
        log.info("index %s pulled from the shared database: generation %s, version %d", self.key,
                 generation or "legacy", version)
        return True

    def _pull_texts(self) -> None:
        tdir = layout.texts_dir(self.index_dir)
        tdir.mkdir(parents=True, exist_ok=True)
        have = {p.name for p in tdir.iterdir()}
        names = [r[0] for r in self.db.fetchall("SELECT name FROM index_texts")]
        for name in names:
            if name in have or "/" in name:
                continue
            row = self.db.fetchone("SELECT content FROM index_texts WHERE name = ?", (name,))
            if row is not None:
                _write_atomic(tdir / name, bytes(row[0]))

    # ------------------------------------------------------------------------------------- publish
    def publish(self, gen: layout.Generation) -> int:
        """Make this directory's generation `gen` the shared one (files, new texts, version + 1)."""
        tdir = layout.texts_dir(self.index_dir)
        local_texts = {p.name: p for p in tdir.iterdir() if p.is_file() and p.suffix == ".txt"} \
            if tdir.is_dir() else {}
        files = [(p.name, p.read_bytes()) for p in generation_files(gen)]
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.ensure_schema("shared-index", SCHEMA)
        with self.db.transaction(lock_key=f"tdkt-index-state-{self.key}") as con:
            shared = {r[0] for r in con.execute("SELECT name FROM index_texts").fetchall()}
            for name in sorted(set(local_texts) - shared):
                con.execute("INSERT INTO index_texts (name, content) VALUES (?, ?)",
                            (name, local_texts[name].read_bytes()))
            con.execute("DELETE FROM index_files WHERE index_key = ? AND generation = ?", (self.key, gen.name))
            for name, data in files:
                con.execute("INSERT INTO index_files (index_key, generation, name, content) VALUES (?, ?, ?, ?)",
                            (self.key, gen.name, name, data))
            row = con.execute("SELECT generation, version, previous FROM index_state WHERE index_key = ?",
                              (self.key,)).fetchall()
            if row:
                old_gen, old_ver, old_prev = row[0]
                previous = old_gen if old_gen != gen.name else old_prev
                version = int(old_ver) + 1
                con.execute("UPDATE index_state SET generation = ?, version = ?, previous = ?, updated = ? "
                            "WHERE index_key = ?", (gen.name, version, previous, now, self.key))
                con.execute("DELETE FROM index_files WHERE index_key = ? AND generation NOT IN (?, ?)",
                            (self.key, gen.name, previous))
            else:
                version = 1
                con.execute("INSERT INTO index_state (index_key, generation, version, previous, updated) "
                            "VALUES (?, ?, ?, ?, ?)", (self.key, gen.name, version, "", now))
        self._mark(gen.name, version)
        return version
