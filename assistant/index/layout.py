"""Where an index generation lives on disk, the atomic CURRENT pointer, and the cross-process writer lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.index.errors import BUSY_MESSAGE, IndexBusy

CURRENT = "CURRENT"
PREVIOUS = "PREVIOUS"
LOCK_NAME = ".write.lock"
STAMP = ".vectors-stamp"
CATALOG = "catalog.json"
GEN_PREFIX = "gen-"
DAMAGED_DIR = "damaged"

@dataclass(frozen=True)
class Generation:
    """One complete index: a catalog and a Chroma directory. name "" is the layout before generations."""

    root: Path
    name: str

    @property
    def dir(self) -> Path:
        return self.root / self.name if self.name else self.root

    @property
    def catalog_path(self) -> Path:
        return self.dir / CATALOG

    @property
    def chroma_dir(self) -> Path:
        return self.dir / "chroma"


def texts_dir(root: Path) -> Path:
    """Normalised source texts, content-addressed and shared by every generation."""
    return root / "texts"


def embed_cache_path(root: Path) -> Path:
    """Passage vectors by text hash, shared by every generation (a rebuild re-embeds only changed text)."""
    return root / "embed-cache.sqlite3"


def current_generation(root: Path) -> Generation:
    """The generation CURRENT points to (the pre-generation layout when there is no pointer)."""
    name = _read_pointer(root)
    if name and not (name.startswith(GEN_PREFIX) and "/" not in name and (root / name).is_dir()):
        name = ""
    return Generation(root, name)


def _read_pointer(root: Path) -> str:
    """The name written in CURRENT ("" when missing or unreadable), not yet validated."""
    try:
        return (root / CURRENT).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def new_generation(root: Path) -> Generation:
    """A fresh, empty generation directory (not yet current)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    gen = Generation(root, f"{GEN_PREFIX}{stamp}-{uuid.uuid4().hex[:6]}")
    gen.dir.mkdir(parents=True)
    return gen


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def switch_to(gen: Generation) -> None:
    """Make `gen` current atomically (temp file, fsync, rename): readers see the old or the new, never half."""
    tmp = gen.root / f".{CURRENT}.{uuid.uuid4().hex[:6]}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(gen.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, gen.root / CURRENT)
    _fsync_dir(gen.root)


def stat_key(p: Path | str) -> tuple:
    """(inode, mtime in ns, size) of a file, (None, None, None) when it cannot be read."""
    try:
        st = os.stat(p)
        return (st.st_ino, st.st_mtime_ns, st.st_size)
    except OSError:
        return (None, None, None)


class CurrentProbe:
    """`current_generation` and `generation_token` of one index root by stat calls only: CURRENT is re-read only
    when its inode, mtime or size changed (a switch replaces it atomically, so a new pointer always has a new
    inode). A reader checks this before every access, so it must stay cheap."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)
        self._pointer = os.path.join(self._root, CURRENT)
        self._last: tuple[tuple, str] | None = None  # (stat key of CURRENT, name read from it): one atomic swap
        self._paths: dict[str, tuple[str, str, str]] = {}  # generation name → its directory, catalog, stamp

    def token(self) -> tuple:
        """generation_token(current_generation(root)); its first item is the generation's name."""
        key = stat_key(self._pointer)
        last = self._last
        if last is None or last[0] != key:
            last = (key, _read_pointer(self.root))
            self._last = last
        name = last[1]
        paths = self._paths.get(name)
        if paths is None:
            gdir = os.path.join(self._root, name) if name else self._root
            paths = self._paths[name] = (gdir, os.path.join(gdir, CATALOG), os.path.join(gdir, STAMP))
        if name and not (name.startswith(GEN_PREFIX) and "/" not in name and os.path.isdir(paths[0])):
            return self.token_of("")
        return (name, *stat_key(paths[1]), *stat_key(paths[2]))

    def token_of(self, name: str) -> tuple:
        gdir = os.path.join(self._root, name) if name else self._root
        return (name, *stat_key(os.path.join(gdir, CATALOG)), *stat_key(os.path.join(gdir, STAMP)))


def generation_token(gen: Generation) -> tuple:
    """Changes whenever the generation switches, its catalog is committed or its vectors change (readers
    reload on a change)."""
    return (gen.name, *stat_key(gen.catalog_path), *stat_key(gen.dir / STAMP))


def touch_stamp(gen: Generation) -> None:
    """Tell readers in other processes that this generation's vectors changed (atomic replace)."""
    tmp = gen.dir / f".{STAMP}.{uuid.uuid4().hex[:6]}.tmp"
    try:
        tmp.write_text(uuid.uuid4().hex, encoding="utf-8")
        os.replace(tmp, gen.dir / STAMP)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def move_aside(gen: Generation) -> Path | None:
    """Move a damaged generation's catalog and Chroma directory under damaged/<time>/; returns where."""
    dest = gen.root / DAMAGED_DIR / (datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + (f"-{gen.name}" if gen.name
                                                                                      else "-legacy"))
    moved = False
    for p in (gen.catalog_path, gen.chroma_dir):
        if p.exists():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.move(str(p), str(dest / p.name))
            moved = True
    if gen.name and gen.dir.is_dir():
        with contextlib.suppress(OSError):
            gen.dir.rmdir()
    return dest if moved else None


def previous_name(root: Path) -> str:
    """The generation that was current before the last completed rebuild ("" when none)."""
    try:
        return (root / PREVIOUS).read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def remember_previous(root: Path, name: str) -> None:
    with contextlib.suppress(OSError):
        (root / PREVIOUS).write_text(name + "\n", encoding="utf-8")


def remove_old_generations(root: Path, keep: set[str]) -> list[str]:
    """Delete generation directories (and the pre-generation layout) except those named in `keep`."""
    removed = []
    for p in root.glob(GEN_PREFIX + "*"):
        if p.is_dir() and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    if "" not in keep:
        legacy = Generation(root, "")
        for p in (legacy.catalog_path, legacy.chroma_dir):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
                removed.append(str(p.name))
            elif p.exists():
                with contextlib.suppress(OSError):
                    p.unlink()
                    removed.append(str(p.name))
    return removed


@contextlib.contextmanager
def writer_lock(root: Path, timeout: float, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Exclusive flock on root/.write.lock (released by the kernel when the process dies, even on kill -9)."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        start = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - start
                if waited >= timeout:
                    raise IndexBusy(waited) from None
                if on_wait and not told:
                    on_wait(BUSY_MESSAGE + " Đang chờ…")
                    told = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
