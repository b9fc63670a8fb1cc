"""Feedback (👍/👎 with question, answer, sources), the web conversation list and the audit log (SQLite file or the
shared PostgreSQL database through assistant.db)."""

from __future__ import annotations

import csv
import io
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.db import Database, open_database

if TYPE_CHECKING:
    from assistant.config import Settings

DB_NAME = "feedback.sqlite3"
RATINGS = ("up", "down")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    owner TEXT NOT NULL,
    conversation_id TEXT,
    rating TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    sources_json TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS web_conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS web_conversations_by_owner ON web_conversations(owner, updated);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    actor TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail_json TEXT NOT NULL DEFAULT '{}'
);
"""
FEEDBACK_COLUMNS = ["id", "created", "conversation_id", "rating", "comment", "question", "answer", "sources"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ConversationSummary:
    """One entry of a user's conversation list."""

    id: str
    title: str
    created: str
    updated: str


class FeedbackStore:
    """Feedback, per-owner conversation titles and the audit log in one SQLite file under data_dir, or in the
    shared database (`db`) so that every API worker sees and exports the same feedback."""

    def __init__(self, db_path: Path | str | None = None, db: Database | None = None) -> None:
        if db is None and db_path is None:
            raise ValueError("db_path or db is needed")
        self.db = db or Database(sqlite_path=Path(db_path))  # type: ignore[arg-type]
        self.db_path = self.db.path if self.db.path is not None else Path(self.db.where)
        if self.db.path is not None:
            self.db.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.db.ensure_schema("feedback", SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        """The shared database when TDKT_DATABASE_URL is set, else feedback.sqlite3 under settings.data_dir."""
        if settings.database_url:
            return cls(db=open_database(settings))
        return cls(Path(settings.data_dir) / DB_NAME)

    def _execute(self, sql: str, params: tuple[Any, ...]) -> int:
        with self._lock:
            return self.db.execute(sql, params)

    # -- feedback -------------------------------------------------------------------------------
    def add_feedback(self, owner: str, rating: str, *, conversation_id: str | None = None, comment: str = "",
                     question: str = "", answer: str = "", sources: list[Any] | None = None) -> int:
        """Store one rating ("up" | "down") with its question, answer and sources; return its id."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        with self._lock:
            row = self.db.fetchone(
                "INSERT INTO feedback (created, owner, conversation_id, rating, comment, question, answer, "
                "sources_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (_now(), owner, conversation_id, rating, comment, question, answer,
                 json.dumps(sources or [], ensure_ascii=False)),
            )
        return int(row[0]) if row else 0

    def feedback(self) -> list[dict[str, Any]]:
        rows = self.db.fetchall(
            "SELECT id, created, conversation_id, rating, comment, question, answer, sources_json "
            "FROM feedback ORDER BY id"
        )
        return [dict(zip(FEEDBACK_COLUMNS, r, strict=True)) for r in rows]

    def feedback_csv(self) -> str:
        """All feedback as CSV (UTF-8 with BOM so spreadsheet programs read the Vietnamese text)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(FEEDBACK_COLUMNS)
        for row in self.feedback():
            sources = json.loads(row["sources"] or "[]")
            row["sources"] = "; ".join(_source_label(s) for s in sources)
            writer.writerow([row[c] for c in FEEDBACK_COLUMNS])
        return "\ufeff" + out.getvalue()

    # -- conversation list ----------------------------------------------------------------------
    def touch_conversation(self, owner: str, conversation_id: str, title: str) -> None:
        """Record (or refresh) a conversation of `owner`; the first title is kept."""
        now = _now()
        self._execute(
            "INSERT INTO web_conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET updated = excluded.updated "
            "WHERE web_conversations.owner = excluded.owner",
            (conversation_id, owner, title[:120], now, now),
        )

    def conversations(self, owner: str, limit: int = 50) -> list[ConversationSummary]:
        rows = self.db.fetchall(
            "SELECT id, title, created, updated FROM web_conversations WHERE owner = ? "
            f"ORDER BY updated DESC{self.db.order_of_insertion()} LIMIT ?", (owner, limit)
        )
        return [ConversationSummary(*r) for r in rows]

    def owns(self, owner: str, conversation_id: str) -> bool:
        return self.db.fetchone("SELECT 1 FROM web_conversations WHERE id = ? AND owner = ?",
                                (conversation_id, owner)) is not None

    def forget_conversation(self, owner: str, conversation_id: str) -> bool:
        return self._execute("DELETE FROM web_conversations WHERE id = ? AND owner = ?",
                             (conversation_id, owner)) > 0

    # -- audit ----------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, target: str = "", client: str = "",
              detail: dict[str, Any] | None = None) -> None:
        """Append who did what to which target, and when."""
        self._execute(
            "INSERT INTO audit (created, actor, client, action, target, detail_json) VALUES (?, ?, ?, ?, ?, ?)",
            (_now(), actor, client, action, target, json.dumps(detail or {}, ensure_ascii=False, default=str)),
        )

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self.db.fetchall(
            "SELECT created, actor, client, action, target, detail_json FROM audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [{"created": r[0], "actor": r[1], "client": r[2], "action": r[3], "target": r[4],
                 "detail": json.loads(r[5] or "{}")} for r in rows]


def _source_label(source: Any) -> str:
    if isinstance(source, dict):
        label = source.get("citation") or source.get("source_file") or ""
        file = source.get("source_file")
        return f"{label} ({file})" if file and file != label else str(label)
    return str(source)
