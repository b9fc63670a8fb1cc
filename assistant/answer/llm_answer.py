"""LLM mode: the grounded answer is produced at once; the model writes only a conclusion line (one sentence) from
one or two trimmed passages, code attaches its citations and verifies it claim by claim, and the line is put above
the grounded answer only when it passes. A model refusal is respected unless the abstention score is confident."""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

from assistant.answer.models import Answer, AskEvent, Citation
from assistant.answer.verify import attach_citations, is_refusal, verify_line
from assistant.corpus.normalize import fold

NOTE_MODEL = "Dòng kết luận đầu tiên do mô hình ngôn ngữ viết, đã kiểm chứng với đoạn trích được dẫn."
NOTE_FAILED = "Không dùng được mô hình ngôn ngữ ({error}); đã trả lời trực tiếp từ văn bản."
NOTE_TIMEOUT_MARK = "[timeout"
NOTE_UNVERIFIED = ("Câu trả lời của mô hình không kiểm chứng được ({problems}), đã thay bằng câu trả lời trích "
                   "nguyên văn.")
NOTE_REFUSED = "Mô hình ngôn ngữ không tìm thấy câu trả lời trong các đoạn trích được chọn."
NOTE_REFUSAL_OVERRIDDEN = ("Mô hình ngôn ngữ không tổng hợp được câu trả lời; bằng chứng trong kho đủ mạnh nên đã "
                           "trả lời trực tiếp từ văn bản.")
NOTE_VERDICT = "Kết luận Có/Không được xác định trực tiếp từ điều khoản được dẫn (không qua mô hình ngôn ngữ)."
REFUSAL_REASON = "mô hình ngôn ngữ không tìm thấy câu trả lời trong các đoạn trích được chọn"
MAX_PASSAGES = 2
PASSAGE_CHARS = 600


def llm_outcome(answer: Answer) -> str | None:
    """How an answer used the model: model | refused | timeout | fallback | verdict (decided by code, model not
    asked); None when no model was asked."""
    notes = " ".join(answer.notes)
    if NOTE_VERDICT in notes:
        return "verdict"
    if NOTE_MODEL in notes:
        return "model"
    if NOTE_REFUSED in notes:
        return "refused"
    if "Không dùng được mô hình ngôn ngữ" in notes:
        return "timeout" if NOTE_TIMEOUT_MARK in notes else "fallback"
    if "không kiểm chứng được" in notes or NOTE_REFUSAL_OVERRIDDEN in notes:
        return "fallback"
    return None


def trim_passage(quote: str, question: str, max_chars: int = PASSAGE_CHARS) -> str:
    """The parts of a quote (its lines) that share most words with the question, in their order, ≤ max_chars."""
    if len(quote) <= max_chars:
        return quote
    words = set(re.findall(r"\w+", fold(question)))
    parts = [p for p in re.split(r"(?<=[\n;])", quote) if p.strip()]
    scored = sorted(range(len(parts)), key=lambda i: -len(words & set(re.findall(r"\w+", fold(parts[i])))))
    keep: set[int] = set()
    used = 0
    for i in scored:
        if used + len(parts[i]) > max_chars and keep:
            continue
        keep.add(i)
        used += len(parts[i])
    out = " … ".join(parts[i].strip() for i in sorted(keep))
    return out[:max_chars]


def line_messages(system: str, user: str, cites: list[Citation], question: str) -> tuple[list[tuple[str, str]],
                                                                                       dict[int, str]]:
    """The prompt for the conclusion line, and the passages each citation number stands for (for verification)."""
    passages = {c.n: f"{c.citation}:\n{trim_passage(c.quote, question)}" for c in cites[:MAX_PASSAGES]}
    text = "\n\n".join(f"[{n}] {p}" for n, p in passages.items())
    return [("system", system), ("human", user.format(passages=text, question=question))], passages


def confident(assess: Any) -> bool:
    """Whether the abstention score is confident the corpus answers the question (evidence.assess's result)."""
    return getattr(assess, "confident", False) is True


def answer_with_line(service: Any, question: str, hits: list[Any], assess: Any, model: Any,
                     conversation_id: str | None = None,
                     missing: list[Any] | None = None) -> Generator[AskEvent, None, Answer]:
    """Stream the grounded answer at once, then ask the model for the conclusion line; returns the final Answer."""
    from assistant.llm import LLMError, chat_stream, with_max_tokens

    grounded: Answer = service._grounded(question, hits, assess.best, conversation_id, missing)
    decided = service.verdicts.apply(grounded, question) if grounded.mode in ("grounded", "deadline") else grounded
    by_code = decided is not grounded  # 'Có.'/'Không.' decided from the cited clause: a model line adds nothing
    if by_code:
        grounded = decided.model_copy(update={"notes": [*decided.notes, NOTE_VERDICT]})
    for piece in re.split(r"(?<=\n)", grounded.answer):
        if piece:
            yield AskEvent(type="token", text=piece)
    yield AskEvent(type="grounded", answer=grounded)  # a channel can show the whole answer while the model writes
    if by_code:
        return grounded
    settings = service.settings
    messages, passages = line_messages(service._prompt("ask_system.txt"), service._prompt("ask_user.txt"),
                                       grounded.citations, question)
    meta: dict[str, Any] = {}
    try:
        text = "".join(chat_stream(with_max_tokens(model, settings.llm_line_tokens), messages,
                                   timeout=settings.llm_timeout, meta=meta))
    except LLMError as exc:
        grounded.notes.append(NOTE_FAILED.format(error=exc))
        return grounded
    line = " ".join(text.split())
    if is_refusal(line):
        if confident(assess):
            grounded.notes.append(NOTE_REFUSAL_OVERRIDDEN)
            return grounded
        refusal: Answer = service._refusal(question, hits, [REFUSAL_REASON])
        refusal.notes.append(NOTE_REFUSED)
        return refusal
    result = verify_line(line, passages, question, meta.get("finish_reason"))
    if not result.ok:
        grounded.notes.append(NOTE_UNVERIFIED.format(problems="; ".join(result.problems)))
        return grounded
    line = attach_citations(line, passages, question)
    yield AskEvent(type="line", text=line)  # shown above the grounded answer already on screen
    update: dict[str, Any] = {"answer": f"{line}\n\n{grounded.answer}", "mode": "llm",
                              "notes": [*grounded.notes, NOTE_MODEL]}
    if "conclusion" in Answer.model_fields:
        update["conclusion"] = line
    return grounded.model_copy(update=update)
