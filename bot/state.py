"""Per-chat conversation state kept in the memory Store: conversation id, answers by id, feedback, drafts, pending steps.

Each chat owns a base conversation with the stable id ``tg-<chat_id>``; its meta ``current`` points at the
conversation in use (``/moi`` starts a new one and moves the pointer, old history is kept).

Feedback (👍/👎) is stored in the conversation's metadata under ``feedback:<answer id>`` with the question, the
answer and its sources, until a shared feedback store exists (the web channel's assistant/feedback.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from assistant.answer.models import Answer
from assistant.drafting.models import Draft

CHANNEL = "telegram"
META_CURRENT = "current"
META_LAST_ANSWER = "last_answer"
META_PENDING_DRAFT = "pending_draft"
META_PENDING_SECTION = "pending_section"
ANSWER_PREFIX = "answer:"
FEEDBACK_PREFIX = "feedback:"


class ChatState:
    """Thin adapter over `assistant.memory.Store` (blocking: call it through asyncio.to_thread)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def _base(self, chat_id: int) -> str:
        return self.store.get_or_create(f"tg-{chat_id}", CHANNEL, str(chat_id))

    def conversation_id(self, chat_id: int) -> str:
        """The conversation in use for this chat (created on first contact)."""
        base = self._base(chat_id)
        current = self.store.get_meta(base, META_CURRENT)
        if current and self.store.exists(current):
            return str(current)
        return base

    def new_conversation(self, chat_id: int) -> str:
        base = self._base(chat_id)
        cid = self.store.new_conversation(CHANNEL, str(chat_id))
        self.store.set_meta(base, META_CURRENT, cid)
        return cid

    # ------------------------------------------------------------------ answers
    def remember_answer(self, cid: str, question: str, answer: Answer) -> str:
        """Keep the answer (for /nguon and its buttons); returns its short id."""
        aid = uuid.uuid4().hex[:12]
        dumped = answer.model_dump(mode="json")
        self.store.set_meta(cid, ANSWER_PREFIX + aid, {"question": question, "answer": dumped})
        self.store.set_meta(cid, META_LAST_ANSWER, dumped)
        return aid

    def answer_by_id(self, cid: str, aid: str) -> tuple[str, Answer] | None:
        raw = self.store.get_meta(cid, ANSWER_PREFIX + aid)
        if not raw:
            return None
        try:
            return str(raw.get("question", "")), Answer.model_validate(raw.get("answer"))
        except (ValidationError, AttributeError):
            return None

    def set_last_answer(self, cid: str, answer: Answer) -> None:
        self.store.set_meta(cid, META_LAST_ANSWER, answer.model_dump(mode="json"))

    def last_answer(self, cid: str) -> Answer | None:
        raw = self.store.get_meta(cid, META_LAST_ANSWER)
        if not raw:
            return None
        try:
            return Answer.model_validate(raw)
        except ValidationError:
            return None

    def record_feedback(self, cid: str, aid: str, rating: int, user_id: int | None) -> bool:
        """Store 👍 (+1) / 👎 (-1) with the question, answer and sources; False when the answer is unknown."""
        found = self.answer_by_id(cid, aid)
        if found is None:
            return False
        question, answer = found
        self.store.set_meta(cid, FEEDBACK_PREFIX + aid, {
            "rating": rating, "channel": CHANNEL, "user_id": user_id, "question": question,
            "answer": answer.answer, "sources": [c.citation for c in answer.citations],
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        })
        return True

    def feedback(self, cid: str, aid: str) -> dict[str, Any] | None:
        value = self.store.get_meta(cid, FEEDBACK_PREFIX + aid)
        return value if isinstance(value, dict) else None

    # ------------------------------------------------------------------ drafts
    def set_pending_draft(self, cid: str, prompt: str | None) -> None:
        self.store.set_meta(cid, META_PENDING_DRAFT, prompt or "")

    def pending_draft(self, cid: str) -> str | None:
        value = self.store.get_meta(cid, META_PENDING_DRAFT)
        return str(value) if value else None

    def save_draft(self, cid: str, draft: Draft) -> None:
        self.store.save_draft(draft.draft_id, cid, draft.request.model_dump(mode="json"), draft.model_dump(mode="json"))

    def load_draft(self, draft_id: str) -> Draft | None:
        raw = self.store.get_draft(draft_id)
        if not raw:
            return None
        try:
            return Draft.model_validate(raw)
        except ValidationError:
            return None

    def last_draft(self, cid: str) -> Draft | None:
        raw = self.store.last_draft(cid)
        try:
            return Draft.model_validate(raw) if raw else None
        except ValidationError:
            return None

    def set_pending_section(self, cid: str, draft_id: str | None, section: str | None = None) -> None:
        """The draft section the user's next message rewrites (None clears it)."""
        value = {"draft_id": draft_id, "section": section} if draft_id and section else {}
        self.store.set_meta(cid, META_PENDING_SECTION, value)

    def pending_section(self, cid: str) -> tuple[str, str] | None:
        value = self.store.get_meta(cid, META_PENDING_SECTION)
        if isinstance(value, dict) and value.get("draft_id") and value.get("section"):
            return str(value["draft_id"]), str(value["section"])
        return None
