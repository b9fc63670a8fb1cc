"""Answer data shapes shared by the ask service and every channel (CLI JSON contract in DESIGN.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """One cited passage: where it is, what it says, and whether its document is in force."""

    n: int = Field(1, description="Number of the citation as shown in the answer ([1], [2], …).")
    source_file: str
    citation: str
    quote: str
    start: int
    end: int
    in_force: bool = True
    doc_number: str | None = None
    doc_title: str | None = None
    validity_note: str | None = None
    scope: str | None = Field(None, description="'Quy định riêng của tỉnh …' for a provincial text the question "
                              "does not place in its province; 'trích dẫn gián tiếp …' for a reworded secondary quote.")


class Answer(BaseModel):
    """The result of one question."""

    answer: str
    conclusion: str | None = Field(None, description="The opening line that states the asked fact (verbatim spans "
                                   "of the lead provision or arithmetic on them); `answer` starts with it.")
    refused: bool = False
    citations: list[Citation] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Pipeline notes (e.g. LLM fallback).")
    mode: Literal["grounded", "llm", "indicator", "deadline", "refusal", "error"] = "grounded"
    conversation_id: str | None = None
    rewritten_question: str | None = None


class AskEvent(BaseModel):
    """A streamed event: 'token' carries text; 'grounded' carries the grounded Answer shown at once while the model
    writes (LLM mode); 'line' carries the model's verified conclusion line, shown above the grounded answer; 'final'
    carries the verified Answer."""

    type: Literal["token", "grounded", "line", "final", "error"]
    text: str = ""
    answer: Answer | None = None
