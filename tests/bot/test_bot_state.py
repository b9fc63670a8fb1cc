"""Per-chat state over the real SQLite Store: stable conversation per chat, /moi, last answer, pending draft."""

from __future__ import annotations

from pathlib import Path

from assistant.answer.models import Answer, Citation
from assistant.memory import Store
from bot.state import ChatState


def test_chat_state_round_trip(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.sqlite3")
    state = ChatState(store)
    cid = state.conversation_id(42)
    assert state.conversation_id(42) == cid  # stable across messages
    assert state.conversation_id(43) != cid  # one conversation per chat
    assert store.owner(cid) == ("telegram", "42")

    assert state.last_answer(cid) is None
    answer = Answer(
        answer="Trả lời",
        citations=[Citation(source_file="a.md", citation="Điều 1", quote="q", start=0, end=1)],
    )
    state.set_last_answer(cid, answer)
    assert state.last_answer(cid) == answer

    state.set_pending_draft(cid, "kế hoạch")
    assert state.pending_draft(cid) == "kế hoạch"
    state.set_pending_draft(cid, None)
    assert state.pending_draft(cid) is None

    new = state.new_conversation(42)
    assert new != cid and state.conversation_id(42) == new
    assert state.last_answer(new) is None  # a fresh context
    assert state.last_answer(cid) == answer  # old history kept

    again = ChatState(Store(tmp_path / "m.sqlite3"))  # survives a restart
    assert again.conversation_id(42) == new
