"""Answer types and the conclusion line: the asked fact stated first, built only from verbatim spans of a passage."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.corpus.normalize import fold

CONCLUSION_CHARS = 340  # the conclusion must fit the answer's opening (400 characters) with its [n] marker
_ITEM = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]|\(\d+\)|[-–+•])\s*")
_SENT = re.compile(r"(?<=[.;:])\s+(?=\S)")


@dataclass
class AnswerTypes:
    """Question words per answer type and the patterns of the asked fact inside a provision (answer_types.yaml)."""

    order: list[str]
    question: dict[str, list[re.Pattern[str]]]
    answer: dict[str, list[re.Pattern[str]]]
    list_heads: list[str] = field(default_factory=list)
    plan_words: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> AnswerTypes:
        d = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {}
        types = d.get("types") or {}
        q = {k: [_question_pattern(p) for p in (v or {}).get("question") or []] for k, v in types.items()}
        a = {k: [re.compile(p) for p in (v or {}).get("answer") or []] for k, v in types.items()}
        return cls(list(d.get("order") or types), q, a, [str(x) for x in d.get("list_heads") or []],
                   [fold(str(x)) for x in d.get("plan_words") or []])

    def detect(self, question: str) -> str | None:
        """The answer type of a question ('amount', 'count', …, 'criteria'), or None when no type is recognised."""
        fq = fold(question).strip()
        for t in self.order:
            if any(p.search(fq) for p in self.question.get(t, [])):
                return t
        return None


def _question_pattern(p: str) -> re.Pattern[str]:
    if any(ch in p for ch in "\\[("):
        return re.compile(p)
    return re.compile(r"(?<!\w)" + re.escape(fold(p)) + r"(?!\w)")


def _plain(s: str) -> str:
    """A verbatim span made readable in one line: curly quotes, markdown and the item marker removed."""
    s = re.sub(r"[“”*]", "", s).strip()
    s = _ITEM.sub("", s).strip()
    s = s.rstrip(" ;,:")
    return s[:1].upper() + s[1:] if s else s


def _trim(s: str, limit: int, anchor: re.Match[str] | None = None) -> str:
    """Cut a span at clause boundaries to `limit` characters, keeping the matched fact."""
    if len(s) <= limit:
        return s
    clauses = re.split(r"(?<=[,;])\s+", s)
    if anchor is not None:
        pos, start = 0, 0
        for i, c in enumerate(clauses):
            if pos + len(c) >= anchor.start():
                start = i
                break
            pos += len(c) + 1
        out: list[str] = []
        # keep the clauses before the fact while they fit, then the fact's clause
        head = clauses[:start + 1]
        while head and sum(len(c) + 1 for c in head) > limit:
            head = head[1:]
        out = head
        if out and out[0] != clauses[0]:
            out = ["…", *out]
        text = " ".join(out)
        return text if len(text) <= limit + 2 else text[: limit].rsplit(" ", 1)[0] + " …"
    text = ""
    for c in clauses:
        if len(text) + len(c) + 1 > limit:
            break
        text = f"{text} {c}".strip()
    return (text or s[:limit].rsplit(" ", 1)[0]) + " …"


def sentences(quote: str) -> list[str]:
    """The quote's lines split into sentences (verbatim)."""
    out: list[str] = []
    for line in quote.split("\n"):
        line = line.strip()
        if line:
            out.extend(x.strip() for x in _SENT.split(line) if x.strip())
    return out


@dataclass
class Conclusion:
    """One or two sentences that state the asked fact, each a verbatim span of the cited passage."""

    text: str
    kind: str | None
    spans: list[str]


def _list_conclusion(lines: list[str], head_i: int, budget: int) -> tuple[str, list[str]]:
    """'<head> gồm: item; item; …' from a head line and the item lines after it, within `budget` characters."""
    head = _plain(lines[head_i])
    items = []
    for line in lines[head_i + 1:]:
        if not _ITEM.match(line):
            break
        items.append(_plain(line))
    if not items:
        return head, [head]
    text = head + ": "
    used: list[str] = []
    for it in items:
        left = budget - len(text)
        if left < 25:
            text = text.rstrip("; ") + "; …"
            break
        piece = it if len(it) <= left else _trim(it, left)
        used.append(piece)
        text += piece + "; "
    return text.rstrip("; "), [head, *used]


def build_conclusion(question: str, quote: str, types: AnswerTypes, support: Callable[[str], float],
                     entities: list[str], kind: str | None = None) -> Conclusion | None:
    """The conclusion for a question from one passage: the sentence that holds the asked fact, stated first."""
    kind = kind or types.detect(question)
    lines = [x.strip() for x in quote.split("\n") if x.strip()]
    if not lines:
        return None
    sents = sentences(quote)
    ents = [e for e in entities if e]

    def names_entity(s: str) -> bool:
        fs = fold(s)
        return any(e in fs for e in ents)

    pats = types.answer.get(kind or "", [])
    if pats:
        scored = []
        for s in sents:
            m = next((mm for p in pats if (mm := p.search(s))), None)
            if m is None:
                continue
            scored.append((names_entity(s), support(fold(s)), -len(scored), s, m))
        if scored:
            scored.sort(key=lambda x: (x[0], x[1], x[2]), reverse=True)
            _, _, _, s, m = scored[0]
            plain = _plain(s)
            m2 = next((mm for p in pats if (mm := p.search(plain))), m)
            text = _trim(plain, CONCLUSION_CHARS, m2)
            return Conclusion(text, kind, [text])
    # a list or the criteria of a title: the head line and its items
    heads = [i for i, line in enumerate(lines) if line.rstrip().endswith(":") and i + 1 < len(lines)
             and _ITEM.match(lines[i + 1])]
    if heads and (kind in ("components", "criteria") or len(heads) == 1):
        head_i = max(heads, key=lambda i: (support(fold(lines[i])), -i))
        text, spans = _list_conclusion(lines, head_i, CONCLUSION_CHARS)
        return Conclusion(text, kind, spans)
    best = max(sents, key=lambda s: (names_entity(s), support(fold(s)), -sents.index(s)))
    text = _trim(_plain(best), CONCLUSION_CHARS)
    return Conclusion(text, kind, [text])
