"""Does a chat message ask to draft a document? Explicit (a drafting verb + a document type) or only possible."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.corpus.normalize import fold
from assistant.drafting.words import DEFAULT_DIR, words


@dataclass(frozen=True)
class DraftIntent:
    """The document type a message names, its label, and whether the message explicitly asks to draft it."""

    doc_type: str
    label: str
    explicit: bool


@lru_cache(maxsize=8)
def _chat_words(path: str) -> dict[str, Any]:
    p = Path(path)
    return (yaml.safe_load(p.read_text("utf-8")) or {}) if p.exists() else {}


def _verbs(knowledge_dir: Path) -> list[str]:
    p = knowledge_dir / "chat.yaml"
    data = _chat_words(str(p if p.exists() else DEFAULT_DIR / "chat.yaml"))
    return sorted((str(v) for v in data.get("draft_verbs", [])), key=len, reverse=True)


def _named_type(folded: str, w: dict[str, Any]) -> str | None:
    for key, spec in (w.get("doc_types") or {}).items():
        if any(re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", folded) for k in spec.get("keywords", [])):
            needs = spec.get("needs")
            if needs and not any(n in folded for n in needs) and "ke hoach" not in folded:
                continue
            return str(key)
    return None


def drafting_intent(text: str, settings: Settings) -> DraftIntent | None:
    """The intent of `text`, or None when it names no document type the drafting service knows."""
    folded = re.sub(r"\s+", " ", fold(text or "")).strip()
    w = words(settings.knowledge_dir)
    doc_type = _named_type(folded, w)
    if doc_type is None:
        return None
    label = str((w.get("doc_types") or {}).get(doc_type, {}).get("label") or doc_type)
    explicit = any(re.match(rf"{re.escape(v)}(?![a-z])", folded) for v in _verbs(Path(settings.knowledge_dir)))
    return DraftIntent(doc_type=doc_type, label=label, explicit=explicit)
