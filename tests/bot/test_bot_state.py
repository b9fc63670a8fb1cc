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


def test_answers_by_id_feedback_and_pending_section(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.sqlite3")
    state = ChatState(store)
    cid = state.conversation_id(7)
    answer = Answer(
        answer="Trả lời",
        citations=[Citation(source_file="a.md", citation="Điều 1", quote="q", start=0, end=1)],
    )
    aid = state.remember_answer(cid, "Câu hỏi?", answer)
    assert state.answer_by_id(cid, aid) == ("Câu hỏi?", answer)
    assert state.last_answer(cid) == answer
    assert state.answer_by_id(cid, "unknown") is None
    assert state.record_feedback(cid, aid, -1, 7)
    fb = state.feedback(cid, aid)
    assert fb is not None and fb["rating"] == -1 and fb["question"] == "Câu hỏi?"
    assert fb["answer"] == "Trả lời" and fb["sources"] == ["Điều 1"]
    assert not state.record_feedback(cid, "unknown", 1, 7)

    assert state.pending_section(cid) is None
    state.set_pending_section(cid, "d1", "II")
    assert state.pending_section(cid) == ("d1", "II")
    state.set_pending_section(cid, None)
    assert state.pending_section(cid) is None
