"""One small database layer for shared state: a SQLite file under the data dir, or PostgreSQL (TDKT_DATABASE_URL).

Callers write portable SQL with `?` placeholders; `Database` adapts placeholders and DDL to the backend, hands out
connections (a new one per call for SQLite, a small pool for PostgreSQL) and named cross-process locks (flock for
SQLite, advisory locks for PostgreSQL — both released by the system when the holder dies).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.config import Settings

STATE_DB = "state.sqlite3"  # rate limits, jobs, shared index state (SQLite default)
POOL_SIZE = 8


def _pg_module() -> Any:
    try:
        import psycopg
    except ImportError as e:  # pragma: no cover - depends on the installed extras
        raise RuntimeError("TDKT_DATABASE_URL trỏ tới PostgreSQL nhưng chưa cài psycopg: pip install 'tdkt[postgres]' "
                           "(psycopg is not installed)") from e
    return psycopg


def errors() -> tuple[type[BaseException], ...]:
    """Database errors of every backend in use (a broken, full or unreachable database)."""
    out: list[type[BaseException]] = [sqlite3.Error]
    psycopg = _loaded_psycopg()
    if psycopg is not None:
        out.append(psycopg.Error)
    return tuple(out)


def integrity_errors() -> tuple[type[BaseException], ...]:
    """Constraint violations (a duplicate key) of every backend in use."""
    out: list[type[BaseException]] = [sqlite3.IntegrityError]
    psycopg = _loaded_psycopg()
    if psycopg is not None:
        out.append(psycopg.IntegrityError)
    return tuple(out)


def _loaded_psycopg() -> Any:
    import sys

    return sys.modules.get("psycopg")


class LockBusy(Exception):
    """A named lock is held by another process (and the wait, if any, timed out)."""

    def __init__(self, name: str, waited: float) -> None:
        super().__init__(f"lock {name!r} busy after {waited:.1f}s")
        self.name = name
        self.waited = waited


class Lock:
    """A held named lock; `release()` (idempotent) frees it."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        if self._release is not None:
            fn, self._release = self._release, None
            fn()


class Database:
    """A SQLite file or a PostgreSQL database; every method is thread-safe."""

    def __init__(self, url: str | None = None, sqlite_path: Path | None = None) -> None:
        self.url = url
        self.path = Path(sqlite_path) if sqlite_path is not None else None
        self.postgres = bool(url)
        if not self.postgres and self.path is None:
            raise ValueError("a SQLite path or a PostgreSQL URL is needed")
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._schemas: set[str] = set()
        self._guard = threading.Lock()

    @property
    def where(self) -> str:
        """A printable name of the database (never the password)."""
        if self.postgres:
            return re.sub(r"//[^@/]*@", "//***@", self.url or "")
        return str(self.path)

    # ---------------------------------------------------------------------------------- connections
    def _new_pg(self) -> Any:
        psycopg = _pg_module()
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    @contextlib.contextmanager
    def connect(self) -> Iterator[Any]:
        """A connection in autocommit mode (use `transaction()` for several statements at once)."""
        if not self.postgres:
            assert self.path is not None
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            try:
                con.execute("PRAGMA foreign_keys=ON")
                con.execute("PRAGMA busy_timeout=30000")
                yield _Conn(con, False)
            finally:
                con.close()
            return
        try:
            con = self._pool.get_nowait()
        except queue.Empty:
            con = self._new_pg()
        ok = False
        try:
            yield _Conn(con, True)
            ok = True
        finally:
            if ok and not con.closed and self._pool.qsize() < POOL_SIZE:
                self._pool.put(con)
            else:
                with contextlib.suppress(Exception):
                    con.close()

    @contextlib.contextmanager
    def transaction(self, lock_key: str | None = None) -> Iterator[Any]:
        """One write transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN, plus a transaction advisory lock on
        `lock_key` when given, so read-modify-write on that key is serialised across processes)."""
        with self.connect() as con:
            con.raw.execute("BEGIN IMMEDIATE" if not self.postgres else "BEGIN")
            try:
                if lock_key is not None and self.postgres:
                    con.raw.execute("SELECT pg_advisory_xact_lock(%s)", (_key64(lock_key),))
                yield con
            except BaseException:
                with contextlib.suppress(Exception):
                    con.raw.execute("ROLLBACK")
                raise
            con.raw.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement in its own transaction; returns the number of rows changed."""
        with self.connect() as con:
            return con.execute(sql, params).rowcount

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.connect() as con:
            return [tuple(r) for r in con.execute(sql, params).fetchall()]

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self.connect() as con:
            rows = con.execute(sql, params).fetchall()  # consumed in full: an INSERT … RETURNING is complete
        return tuple(rows[0]) if rows else None

    def ensure_schema(self, name: str, ddl: str) -> None:
        """Create the tables of `ddl` (portable: `INTEGER PRIMARY KEY AUTOINCREMENT`, BLOB are translated)."""
        if name in self._schemas:
            return
        statements = [s.strip() for s in self.ddl(ddl).split(";") if s.strip()]
        if not self.postgres:
            with self.connect() as con:
                con.raw.execute("PRAGMA journal_mode=WAL")
                con.raw.executescript(";\n".join(statements) + ";")
        else:
            with self.transaction(lock_key="tdkt-schema") as con:
                for s in statements:
                    con.raw.execute(s)
        with self._guard:
            self._schemas.add(name)

    def ddl(self, sql: str) -> str:
        if not self.postgres:
            return sql
        sql = re.sub(r"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY", sql)
        return re.sub(r"\bBLOB\b", "BYTEA", sql)

    def order_of_insertion(self) -> str:
        """An ORDER BY tie-breaker that follows insertion order ("rowid" on SQLite, nothing on PostgreSQL)."""
        return ", rowid DESC" if not self.postgres else ""

    # ---------------------------------------------------------------------------------- named locks
    def try_lock(self, name: str) -> Lock | None:
        """Take the named cross-process lock if free (None when another process holds it)."""
        if not self.postgres:
            assert self.path is not None
            lock_path = self.path.parent / f".{_safe(name)}.lock"
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None

            def release_file() -> None:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

            return Lock(release_file)
        con = self._new_pg()  # a session of its own: the lock lives as long as this connection
        got = con.execute("SELECT pg_try_advisory_lock(%s)", (_key64(name),)).fetchone()[0]
        if not got:
            con.close()
            return None

        def release_pg() -> None:
            with contextlib.suppress(Exception):
                con.execute("SELECT pg_advisory_unlock(%s)", (_key64(name),))
            with contextlib.suppress(Exception):
                con.close()

        return Lock(release_pg)

    @contextlib.contextmanager
    def lock(self, name: str, timeout: float, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the named lock for the block, waiting up to `timeout` seconds (then LockBusy)."""
        start = time.monotonic()
        told = False
        while True:
            held = self.try_lock(name)
            if held is not None:
                break
            waited = time.monotonic() - start
            if waited >= timeout:
                raise LockBusy(name, waited)
            if on_wait is not None and not told:
                on_wait()
                told = True
            time.sleep(0.2)
        try:
            yield
        finally:
            held.release()

    def close(self) -> None:
        while True:
            try:
                con = self._pool.get_nowait()
            except queue.Empty:
                return
            with contextlib.suppress(Exception):
                con.close()


class _Conn:
    """A connection that accepts `?` placeholders on both backends."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.raw.execute(sql, tuple(params))


def _key64(name: str) -> int:
    """A signed 64-bit advisory-lock key for a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)[:80]


_OPEN: dict[str, Database] = {}
_OPEN_GUARD = threading.Lock()


def open_database(settings: Settings, sqlite_name: str = STATE_DB) -> Database:
    """The shared database: PostgreSQL when settings.database_url is set, else data_dir/`sqlite_name`.

    One Database object per URL or file and process (so the PostgreSQL pool is shared by every store)."""
    url = settings.database_url
    key = url if url else str((Path(settings.data_dir) / sqlite_name).resolve())
    with _OPEN_GUARD:
        db = _OPEN.get(key)
        if db is None:
            db = Database(url=url) if url else Database(sqlite_path=Path(settings.data_dir) / sqlite_name)
            _OPEN[key] = db
        return db
