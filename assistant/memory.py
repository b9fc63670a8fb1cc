"""Conversation, turn, draft and per-conversation metadata storage (SQLite file, or PostgreSQL via assistant.db)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import db as dbmod
from assistant.db import Database

if TYPE_CHECKING:
    from assistant.config import Settings

DB_NAME = "memory.sqlite3"
log = logging.getLogger(__name__)
MEMORY_NOTICE = ("Bộ nhớ hội thoại đang không dùng được (tệp memory.sqlite3 hỏng, chỉ đọc hoặc đĩa đầy, hoặc không "
                 "kết nối được cơ sở dữ liệu): câu trả lời này không dựa vào và không được lưu vào lịch sử hội thoại "
                 "(conversation memory unavailable).")

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    meta_json TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns(conversation_id, id);
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    request_json TEXT NOT NULL,
    draft_json TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_by_conversation ON drafts(conversation_id, created);
CREATE TABLE IF NOT EXISTS conversation_meta (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value_json TEXT NOT NULL,
    PRIMARY KEY (conversation_id, key)
);
"""

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    """One write lock per database file and process (SQLite allows a single writer anyway)."""
    key = str(path.resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def _degrades(default: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A Store method that, when the database is broken, full or read-only, records a notice and returns
    `default(self, *args, **kwargs)` instead of raising: answering continues without memory."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(self: Store, *args: Any, **kwargs: Any) -> Any:
            if self.broken:
                return default(self, *args, **kwargs)
            try:
                if not self._schema_ready:
                    self._init_schema()
                out = fn(self, *args, **kwargs)
            except dbmod.integrity_errors():
                raise
            except (*dbmod.errors(), OSError) as e:
                self._fail(e)
                return default(self, *args, **kwargs)
            self.problem = None
            return out

        return inner

    return wrap


def _none(*_: Any, **__: Any) -> None:
    return None


def _new_id(_self: Any, _channel: str = "", _user: Any = "", conversation_id: str | None = None) -> str:
    return conversation_id or uuid.uuid4().hex


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: str  # "user" | "assistant" | "system"
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    created: str = ""


@dataclass(frozen=True)
class DraftRecord:
    """A saved draft with the request that produced it."""

    id: str
    conversation_id: str | None
    request: dict[str, Any]
    draft: dict[str, Any]
    created: str


class Store:
    """Conversations, bounded turn history, drafts and metadata in one SQLite file (WAL) or in the shared
    PostgreSQL database (`db`); thread-safe.

    Every call takes its own connection, so one Store can be shared by the API workers' threads and the
    Telegram bot, and several API processes (on several machines with PostgreSQL) see the same conversations."""

    def __init__(self, db_path: Path | str | None = None, max_turns: int = 20, db: Database | None = None) -> None:
        if max_turns < 1:
            raise ValueError("max_turns phải ≥ 1 (must be at least 1)")
        if db is None and db_path is None:
            raise ValueError("db_path or db is needed")
        self.db = db or Database(sqlite_path=Path(db_path))  # type: ignore[arg-type]
        self.db_path = self.db.path if self.db.path is not None else Path(self.db.where)
        self.max_turns = max_turns
        self.broken = False
        self.problem: str | None = None
        self._write_lock = _lock_for(self.db_path) if not self.db.postgres else contextlib.nullcontext()
        self._schema_ready = False
        try:
            self._init_schema()
        except (*dbmod.errors(), OSError) as e:
            self.broken = not self.db.postgres  # a garbage file stays broken; a database server may come back
            self._fail(e)

    def _init_schema(self) -> None:
        if self.db.path is not None:
            self.db.path.parent.mkdir(parents=True, exist_ok=True)
        with self._write_lock:
            self.db.ensure_schema("memory", SCHEMA)
        self._schema_ready = True

    def _fail(self, e: BaseException) -> None:
        self.problem = f"{type(e).__name__}: {e}"
        log.error("conversation memory unavailable (%s): %s", self.db.where, self.problem)

    @property
    def notice(self) -> str | None:
        """A Vietnamese notice when the last memory operation failed (answers go on without memory)."""
        return MEMORY_NOTICE if (self.broken or self.problem) else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The shared database when TDKT_DATABASE_URL is set, else memory.sqlite3 under settings.data_dir."""
        if settings.database_url:
            try:
                return cls(max_turns=settings.max_history_turns, db=dbmod.open_database(settings))
            except RuntimeError as e:  # psycopg missing: degrade like a broken database, with the reason logged
                log.error("%s", e)
                store = cls(Path(settings.data_dir) / DB_NAME, max_turns=settings.max_history_turns)
                store.broken = True
                store._fail(e)
                return store
        return cls(Path(settings.data_dir) / DB_NAME, max_turns=settings.max_history_turns)

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[Any]:
        with self.db.connect() as con:
            yield con

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """A write transaction, serialised within the process for SQLite."""
        with self._write_lock, self.db.transaction() as con:
            yield con

    @staticmethod
    def _require(con: Any, cid: str) -> None:
        if con.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchone() is None:
            raise KeyError(f"Không có hội thoại {cid!r} (unknown conversation)")

    # -- conversations --------------------------------------------------------------------------

    @_degrades(_new_id)
    def new_conversation(self, channel: str, user_id: str | int, conversation_id: str | None = None) -> str:
        """Create a conversation and return its id (a new UUID unless one is given)."""
        cid = conversation_id or uuid.uuid4().hex
        now = _now()
        with self._write() as con:
            con.execute(
                "INSERT INTO conversations (id, channel, user_id, created, updated) VALUES (?, ?, ?, ?, ?)",
                (cid, channel, str(user_id), now, now),
            )
        return cid

    @_degrades(lambda _s, cid, *_a, **_k: cid or uuid.uuid4().hex)
    def get_or_create(self, conversation_id: str | None, channel: str, user_id: str | int) -> str:
        """The id to use: conversation_id if it exists and belongs to (channel, user_id); it is created
        with that id when unknown; a fresh conversation when it is None or owned by someone else."""
        if conversation_id:
            owner = self.owner(conversation_id)
            if owner is None:
                try:
                    return self.new_conversation(channel, user_id, conversation_id)
                except dbmod.integrity_errors():  # created concurrently by another thread or worker
                    owner = self.owner(conversation_id)
            if owner == (channel, str(user_id)):
                return conversation_id
        return self.new_conversation(channel, user_id)

    @_degrades(_none)
    def owner(self, cid: str) -> tuple[str, str] | None:
        """(channel, user_id) of a conversation, or None when it does not exist."""
        with self._connect() as con:
            row = con.execute("SELECT channel, user_id FROM conversations WHERE id = ?", (cid,)).fetchone()
        return (row[0], row[1]) if row else None

    def exists(self, cid: str) -> bool:
        return self.owner(cid) is not None

    # -- turns ----------------------------------------------------------------------------------

    @_degrades(_none)
    def add_turn(self, cid: str, role: str, text: str, meta: dict[str, Any] | None = None) -> None:
        """Append a turn; the oldest turns beyond max_turns are dropped. KeyError if cid is unknown."""
        now = _now()
        with self._write() as con:
            self._require(con, cid)
            con.execute(
                "INSERT INTO turns (conversation_id, role, text, meta_json, created) VALUES (?, ?, ?, ?, ?)",
                (cid, role, text, json.dumps(meta or {}, ensure_ascii=False), now),
            )
            con.execute(
                "DELETE FROM turns WHERE conversation_id = ? AND id NOT IN "
                "(SELECT id FROM turns WHERE conversation_id = ? ORDER BY id DESC LIMIT ?)",
                (cid, cid, self.max_turns),
            )
            con.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, cid))

    @_degrades(lambda *_a, **_k: [])
    def history(self, cid: str, limit: int | None = None) -> list[Turn]:
        """The kept turns, oldest first; with limit, only the last `limit` of them."""
        n = self.max_turns if limit is None else max(0, min(limit, self.max_turns))
        with self._connect() as con:
            rows = con.execute(
                "SELECT role, text, meta_json, created FROM turns WHERE conversation_id = ? "
                "ORDER BY id DESC LIMIT ?",
                (cid, n),
            ).fetchall()
        return [Turn(r[0], r[1], json.loads(r[2] or "{}"), r[3]) for r in reversed(rows)]

    @_degrades(_none)
    def reset(self, cid: str) -> None:
        """Forget the turns and metadata of a conversation (the conversation and its drafts stay)."""
        with self._write() as con:
            con.execute("DELETE FROM turns WHERE conversation_id = ?", (cid,))
            con.execute("DELETE FROM conversation_meta WHERE conversation_id = ?", (cid,))
            con.execute("UPDATE conversations SET updated = ? WHERE id = ?", (_now(), cid))

    # -- drafts ---------------------------------------------------------------------------------

    @_degrades(_none)
    def save_draft(
        self, draft_id: str, cid: str | None, request: dict[str, Any], draft: dict[str, Any]
    ) -> None:
        """Save (or replace) a draft under draft_id."""
        with self._write() as con:
            con.execute(
                "INSERT INTO drafts (id, conversation_id, request_json, draft_json, created) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET conversation_id = excluded.conversation_id, "
                "request_json = excluded.request_json, draft_json = excluded.draft_json, created = excluded.created",
                (
                    draft_id,
                    cid,
                    json.dumps(request, ensure_ascii=False, default=str),
                    json.dumps(draft, ensure_ascii=False, default=str),
                    _now(),
                ),
            )

    @_degrades(_none)
    def get_draft_record(self, draft_id: str) -> DraftRecord | None:
        with self._connect() as con:
            row = con.execute(
                "SELECT id, conversation_id, request_json, draft_json, created FROM drafts WHERE id = ?",
                (draft_id,),
            ).fetchone()
        return self._record(row)

    def get_draft(self, draft_id: str) -> dict[str, Any] | None:
        """The draft dict saved under draft_id, or None."""
        rec = self.get_draft_record(draft_id)
        return rec.draft if rec else None

    @_degrades(_none)
    def last_draft_record(self, cid: str) -> DraftRecord | None:
        with self._connect() as con:
            row = con.execute(
                "SELECT id, conversation_id, request_json, draft_json, created FROM drafts "
                f"WHERE conversation_id = ? ORDER BY created DESC{self.db.order_of_insertion()} LIMIT 1",
                (cid,),
            ).fetchone()
        return self._record(row)

    def last_draft(self, cid: str) -> dict[str, Any] | None:
        """The most recently saved draft dict of a conversation, or None."""
        rec = self.last_draft_record(cid)
        return rec.draft if rec else None

    @staticmethod
    def _record(row: tuple[Any, ...] | None) -> DraftRecord | None:
        if row is None:
            return None
        return DraftRecord(row[0], row[1], json.loads(row[2]), json.loads(row[3]), row[4])

    # -- metadata -------------------------------------------------------------------------------

    @_degrades(_none)
    def set_meta(self, cid: str, key: str, value: Any) -> None:
        """Store a JSON-serialisable value for the conversation (e.g. the last answer's citations)."""
        with self._write() as con:
            self._require(con, cid)
            con.execute(
                "INSERT INTO conversation_meta (conversation_id, key, value_json) VALUES (?, ?, ?) "
                "ON CONFLICT (conversation_id, key) DO UPDATE SET value_json = excluded.value_json",
                (cid, key, json.dumps(value, ensure_ascii=False, default=str)),
            )

    @_degrades(lambda _s, _cid, _key, default=None: default)
    def get_meta(self, cid: str, key: str, default: Any = None) -> Any:
        with self._connect() as con:
            row = con.execute(
                "SELECT value_json FROM conversation_meta WHERE conversation_id = ? AND key = ?", (cid, key)
            ).fetchone()
        return json.loads(row[0]) if row else default
