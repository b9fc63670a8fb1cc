"""Follow-up questions: the conversation's subject (title, document, locality, year, base salary) is carried over
and only what the new question changes is replaced."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from assistant.answer.amounts import base_span
from assistant.corpus.normalize import fold, has_marks
from assistant.index.retriever import HybridSearcher

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def expand_abbreviations(text: str, abbreviations: dict[str, str]) -> str:
    """'CSTĐ cơ sở' → 'Chiến sĩ thi đua cơ sở' (whole words, any case)."""
    return _expanded(text, tuple(abbreviations.items()))


@lru_cache(maxsize=64)
def _expanded(text: str, items: tuple[tuple[str, str], ...]) -> str:
    """expand_abbreviations, remembered for the texts of the recent requests (one answer expands its question
    ~14 times). A text typed without diacritics gets the long forms without them, so it stays one unmarked text."""
    plain = not has_marks(text)
    for pat, full in _abbreviation_patterns(items):
        text = pat.sub(fold(full) if plain else full, text)
    return text


@lru_cache(maxsize=8)
def _abbreviation_patterns(items: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern[str], str]]:
    """The abbreviations longest first, each as a compiled whole-word pattern."""
    return [(re.compile(r"(?<!\w)" + re.escape(a) + r"(?!\w)", re.I), full)
            for a, full in sorted(items, key=lambda kv: -len(kv[0]))]


def _spans(folded: str, name: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", folded)]


@dataclass
class Subject:
    """What a question is about, as surface text of the question (so it can be put back into a sentence)."""

    titles: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    base: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Subject:
        d = d or {}
        return cls(list(d.get("titles") or []), list(d.get("localities") or []), list(d.get("years") or []),
                   d.get("base"))

    def is_empty(self) -> bool:
        return not (self.titles or self.localities or self.years or self.base)


def subject_of(question: str, searcher: HybridSearcher) -> Subject:
    """Title names, localities, years and the base salary named in a (abbreviation-expanded) question."""
    fq = fold(question)
    info = searcher.analyse(question)
    titles = [question[s:e] for t in sorted(info.titles, key=fq.find) for s, e in _spans(fq, t)[:1]]
    locs = [question[s:e] for loc in sorted(info.localities, key=fq.find) for s, e in _spans(fq, loc)[:1]]
    span = base_span(question)
    return Subject(titles, locs, _YEAR.findall(question), question[span[0]:span[1]] if span else None)


def _replace(text: str, old: list[str], new: list[str]) -> tuple[str, bool]:
    """Replace the first old surface found in `text` (diacritic-insensitive) by the new ones; True if replaced."""
    if not old or not new:
        return text, False
    ft = fold(text)
    for o in old:
        spans = _spans(ft, fold(o))
        if spans:
            s, e = spans[0]
            out = text[:s] + " và ".join(new) + text[e:]
            for s2, e2 in reversed(_spans(fold(out), fold(o))):  # further mentions of the old subject
                out = out[:s2] + new[0] + out[e2:]
            return out, True
    return text, False


def carry_subject(question: str, previous: str, prev: Subject, new: Subject) -> str | None:
    """The previous question with the subject slots the new question changes replaced, or None when the new
    question changes none of them (then it asks about another aspect of the same subject)."""
    out, changed = previous, False
    added: list[str] = []
    for old_v, new_v in ((prev.titles, new.titles), (prev.localities, new.localities), (prev.years, new.years)):
        if new_v and [fold(x) for x in new_v] != [fold(x) for x in old_v]:
            out, did = _replace(out, old_v, new_v)
            changed |= did
            if not did and not old_v:  # a slot the previous question left open ('còn ở Bắc Ninh thì sao?')
                added.extend(new_v)
    if added:
        out, changed = f"{out.rstrip(' ?')} — {', '.join(added)}", True
    if new.base and prev.base and fold(new.base) != fold(prev.base):
        out, did = _replace(out, [prev.base], [new.base])
        changed |= did
    return out if changed else None


def with_subject(question: str, subject: Subject, with_base: bool = False) -> str:
    """A follow-up about another aspect, completed with the carried subject ('… — Chiến sĩ thi đua cơ sở'); the base
    salary only when the new question asks for an amount."""
    fq = fold(question)
    parts = [x for x in (*subject.titles, *subject.localities, *subject.years) if fold(x) not in fq]
    if with_base and subject.base and fold(subject.base) not in fq:
        parts.append(f"lương cơ sở {subject.base}")
    return f"{question.rstrip(' ?')} — {', '.join(parts)}" if parts else question


def merge(prev: Subject, new: Subject) -> Subject:
    """The conversation's subject after a question: what the question names replaces, the rest is kept."""
    return Subject(new.titles or prev.titles, new.localities or prev.localities, new.years or prev.years,
                   new.base or prev.base)
