"""Chat intent: is a message a drafting request ("Soạn kế hoạch … xã Quang Trung"), a question, or either?

One module for every channel: the bot uses `classify`, the web API `drafting_intent` (which document type).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.config import Settings
from assistant.corpus.normalize import fold
from assistant.drafting.words import DEFAULT_DIR, _load, words
from assistant.index.query import compose_phrases

Intent = Literal["draft", "maybe", "ask"]
NEAR_WORDS = 7


def intent_words(knowledge_dir: Path | None = None) -> dict[str, Any]:
    """knowledge/intent.yaml (falls back to the bundled file)."""
    d = Path(knowledge_dir or DEFAULT_DIR)
    p = d / "intent.yaml"
    raw = _load(str(p if p.exists() else DEFAULT_DIR / "intent.yaml"))
    return {k: compose_phrases(v) if isinstance(v, list) else v for k, v in raw.items()}  # classes × words


def _has(folded: str, phrase: str) -> bool:
    if not phrase.strip(" ?"):
        return phrase in folded
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", folded) is not None


def _strip_lead_ins(folded: str, lead_ins: list[str]) -> str:
    """Drop polite openings ("giúp tôi", "em cần", …) before the verb, repeatedly."""
    text = folded.strip(" ,.!:;-")
    changed = True
    while changed:
        changed = False
        for w in sorted(lead_ins, key=len, reverse=True):
            if text.startswith(w + " ") or text.startswith(w + ","):
                text = text[len(w):].strip(" ,.!:;-")
                changed = True
    return text


def is_question(text: str, knowledge_dir: Path | None = None) -> bool:
    """The message reads as a question ("… là gì?", "bao nhiêu", …), not as details for a pending draft."""
    folded = fold(text or "")
    return any(_has(folded, q) for q in intent_words(knowledge_dir).get("question_markers", []))


def classify(text: str, knowledge_dir: Path | None = None) -> Intent:
    """"draft" when the message opens with a drafting verb and names a document and is not a question;
    "maybe" when it names a document and a drafting verb somewhere but reads as a question; else "ask"."""
    w = intent_words(knowledge_dir)
    folded = fold(text or "")
    doc_words = list(w.get("document_words", []))
    for spec in (words(knowledge_dir).get("doc_types") or {}).values():
        doc_words += list(spec.get("keywords", []))
    verbs = sorted(w.get("draft_verbs", []), key=len, reverse=True)
    names_doc = any(_has(folded, d) for d in doc_words)
    if not names_doc or not any(_has(folded, v) for v in verbs):
        return "ask"
    question = is_question(text, knowledge_dir)
    head = _strip_lead_ins(folded, list(w.get("lead_ins", [])))
    verb = next((v for v in verbs if head == v or head.startswith(v + " ")), None)
    # the document must follow the verb closely ("soạn kế hoạch …", not "xây dựng nông thôn mới … kế hoạch")
    near = " ".join(head[len(verb):].split()[:NEAR_WORDS]) if verb else ""
    if verb and not question and any(_has(near, d) for d in doc_words):
        return "draft"
    return "maybe"


@dataclass(frozen=True)
class DraftIntent:
    """The document type a message names, its label, and whether the message explicitly asks to draft it."""

    doc_type: str
    label: str
    explicit: bool


def _named_type(folded: str, w: dict[str, Any]) -> str | None:
    for key, spec in (w.get("doc_types") or {}).items():
        if any(_has(folded, k) for k in spec.get("keywords", [])):
            needs = spec.get("needs")
            if needs and not any(n in folded for n in needs) and "ke hoach" not in folded:
                continue
            return str(key)
    return None


def drafting_intent(text: str, settings: Settings) -> DraftIntent | None:
    """The document type `text` names (None when none the drafting service knows) and whether it asks to draft it."""
    folded = re.sub(r"\s+", " ", fold(text or "")).strip()
    w = words(settings.knowledge_dir)
    doc_type = _named_type(folded, w)
    if doc_type is None:
        return None
    label = str((w.get("doc_types") or {}).get(doc_type, {}).get("label") or doc_type)
    return DraftIntent(doc_type=doc_type, label=label,
                       explicit=classify(text, Path(settings.knowledge_dir)) == "draft")
