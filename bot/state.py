"""Per-chat conversation state kept in the memory Store: conversation id, last answer, pending draft prompt.

Each chat owns a base conversation with the stable id ``tg-<chat_id>``; its meta ``current`` points at the
conversation in use (``/moi`` starts a new one and moves the pointer, old history is kept).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from assistant.answer.models import Answer

CHANNEL = "telegram"
META_CURRENT = "current"
META_LAST_ANSWER = "last_answer"
META_PENDING_DRAFT = "pending_draft"


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

    def set_pending_draft(self, cid: str, prompt: str | None) -> None:
        self.store.set_meta(cid, META_PENDING_DRAFT, prompt or "")

    def pending_draft(self, cid: str) -> str | None:
        value = self.store.get_meta(cid, META_PENDING_DRAFT)
        return str(value) if value else None
