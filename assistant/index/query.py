"""Query normalisation for chat-style questions: abbreviations, fillers, number words, question vs story."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.corpus.memo import Memo
from assistant.corpus.normalize import fold, nfc, unify_tones

_SENT_SPLIT = re.compile(r"(?<=[.!?;\n])\s+|\n+")
_WORD = r"[0-9A-Za-zÀ-ỹđĐ]"
QUERIES_KEPT = 32  # questions whose normalisation is remembered (those of the recent requests)
POINTING_BACK_WORDS = 6  # a question sentence this short ("vậy em có đủ không?") asks about the sentences before it


def _phrase_re(phrase: str, joiners: str = "") -> re.Pattern[str]:
    """A whole-phrase, case-insensitive pattern (spaces match any run of spaces); `joiners` are characters that
    glue a phrase into a longer token (e.g. "-/" for document numbers like 21/KH-UBND)."""
    body = r"\s+".join(re.escape(p) for p in phrase.split())
    edge = f"{_WORD[:-1]}{re.escape(joiners)}]" if joiners else _WORD
    return re.compile(rf"(?<!{edge}){body}(?!{edge})", re.I)


@dataclass
class Abbreviation:
    short: str
    long: str
    basis: str = ""
    keep_short: bool = False
    generated: bool = True  # written into the generated abstention questions (evals/abstention.py)


@dataclass(frozen=True)
class NormalisedQuery:
    """A question split into what it asks (`question`) and the asker's facts (`story`), cleaned for search."""

    original: str
    text: str  # cleaned question sentence(s) with abbreviations expanded: what retrieval and evidence judge
    story: str = ""  # the asker's preamble (facts), cleaned the same way
    extra: tuple[str, ...] = ()  # variants for lexical search only (digits ↔ words, short forms)

    @property
    def lexical(self) -> str:
        return " ".join([self.text, *self.extra]).strip()


class QueryNormaliser:
    """Rewrites informal questions into the corpus' wording; every rule comes from knowledge/query.yaml."""

    def __init__(self, vocab: dict[str, Any] | None = None) -> None:
        v = vocab or {}
        self.abbreviations = sorted((Abbreviation(**a) for a in v.get("abbreviations") or []),
                                    key=lambda a: -len(a.short))
        self._abbr = [(a, _phrase_re(a.short, "-/"), _phrase_re(fold(a.short), "-/")) for a in self.abbreviations]
        fillers = sorted({nfc(f).lower() for f in compose_phrases(v.get("fillers"))}, key=len, reverse=True)
        self._fillers = [_phrase_re(f) for f in fillers] + [_phrase_re(fold(f)) for f in fillers if fold(f) != f]
        self.speaker = {nfc(str(w)).lower() for w in v.get("speaker") or []}  # the asker's first-person pronouns
        ends = {nfc(str(p)).lower() for p in v.get("end_particles") or []}
        alts = "|".join(sorted({re.escape(p) for p in ends} | {re.escape(fold(p)) for p in ends}, key=len,
                               reverse=True))
        self._end = re.compile(rf"(?:\s+(?:{alts}))+\s*(?=[?.!,;]*\s*$)", re.I) if alts else None
        self.number_words = {nfc(str(k)).lower(): int(n) for k, n in (v.get("number_words") or {}).items()}
        units = sorted((nfc(str(u)).lower() for u in v.get("count_units") or []), key=len, reverse=True)
        self._units = "|".join(re.escape(u) for u in units)
        self.ordinals = {nfc(str(h)).lower(): {int(n): str(w) for n, w in m.items()}
                         for h, m in (v.get("ordinal_heads") or {}).items()}
        marks = [nfc(str(m)).lower() for m in v.get("question_marks") or []]
        self._qmarks = [m for m in marks if not re.search(r"\w", m)]
        self._qwords = [_phrase_re(m) for m in marks if re.search(r"\w", m)]
        self._qwords_folded = [_phrase_re(fold(m)) for m in marks if re.search(r"\w", m)]
        # one answer normalises the same question several times (search, evidence, opening): the rules above are
        # fixed once built, so the result depends on the question text alone
        self._normalised: Memo[NormalisedQuery] = Memo(QUERIES_KEPT)
        self._stripped: Memo[str] = Memo(QUERIES_KEPT)

    @classmethod
    def load(cls, path: Path) -> QueryNormaliser:
        return cls(yaml.safe_load(path.read_text("utf-8")) if path.exists() else {})

    # ------------------------------------------------------------------------------------------ parts
    def speaks_of_self(self, text: str) -> bool:
        """Whether the message, chat openers left out, has the asker speak of themself ("tôi", "em", "mình" …)."""
        return any(w in self.speaker for w in re.findall(r"\w+", nfc(self.strip_fillers(text)).lower()))

    def strip_fillers(self, text: str) -> str:
        """The message without greetings, "may I ask" openers and closing particles, sentence by sentence."""
        return self._stripped.get(text, lambda: self._strip_fillers(text))

    def _strip_fillers(self, text: str) -> str:
        out = []
        for sent in _SENT_SPLIT.split(text):
            s = sent or ""
            for pat in self._fillers:
                s = pat.sub(" ", s)
            s = re.sub(r"\s+([?.!,;])", r"\1", re.sub(r"\s+", " ", s))
            s = re.sub(r"([,;])[,;\s]*(?=[,;?.!]|$)", "", s)  # separators left dangling by a removed filler
            if self._end:
                s = self._end.sub("", s)
            s = re.sub(r"^[\s,.;:!]+|[\s,;]+$", "", s)
            s = re.sub(r"[,;]+([?.!])$", r"\1", s)
            if re.search(r"\w", s):
                out.append(s)
        return " ".join(out).strip()

    def expand_abbreviations(self, text: str) -> tuple[str, list[str]]:
        """Long forms in place of short ones; the short forms the corpus also writes are returned as extras."""
        extra: list[str] = []
        out = text
        unmarked = fold(text) == text.lower()  # typed without diacritics: the long forms go in the same way
        for a, pat, pat_f in self._abbr:
            for p in (pat, pat_f):
                if p.search(out):
                    out = p.sub(fold(a.long) if unmarked else a.long, out)
                    if a.keep_short:
                        extra.append(a.short)
        return out, extra

    def number_variants(self, text: str) -> list[str]:
        """Other spellings of counted numbers ("ba lần" → "03 lần", "3 lần"; "hạng 3" → "hạng Ba")."""
        out: list[str] = []
        low = nfc(text).lower()
        if self._units:
            words = "|".join(re.escape(w) for w in sorted(self.number_words, key=len, reverse=True))
            for m in re.finditer(rf"(?<!\w)({words}|\d{{1,2}})\s+({self._units})(?!\w)", low):
                n = self.number_words.get(m.group(1)) if not m.group(1).isdigit() else int(m.group(1))
                if n is None:
                    continue
                unit = m.group(2)
                word = next((w for w, k in self.number_words.items() if k == n), None)
                out += [f"{n:02d} {unit}", f"{n} {unit}"] + ([f"{word} {unit}"] if word else [])
        for head, names in self.ordinals.items():
            for m in re.finditer(rf"(?<!\w){re.escape(head)}\s+(\d)(?!\w)", low):
                name = names.get(int(m.group(1)))
                if name:
                    out.append(f"{head} {name}")
        return list(dict.fromkeys(x for x in out if x not in low))

    def is_question(self, sentence: str) -> bool:
        if any(m in sentence for m in self._qmarks):
            return True
        low = nfc(sentence).lower()
        if fold(low) == low:  # typed without diacritics: compare folded
            return any(p.search(low) for p in self._qwords_folded)
        return any(p.search(low) for p in self._qwords)

    def split_story(self, text: str) -> tuple[str, str]:
        """(question sentences, story sentences): the asker's facts before the question are kept apart."""
        sents = [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]
        if len(sents) < 2:
            return text.strip(), ""
        # a sentence the asker ended with a question mark is the question: question words also occur in facts
        # ("năm 2023 em không được …", "cơ quan có mấy đồng chí …"), so they decide only when no sentence has one
        marked = [i for i, s in enumerate(sents) if any(m in s for m in self._qmarks)]
        asks = marked or [i for i, s in enumerate(sents) if self.is_question(s)]
        if not asks:
            return text.strip(), ""
        first = asks[0]
        # a question sentence that only points back ("vậy em có đủ không?") keeps the sentence before it
        if len(re.findall(r"\w+", sents[first])) <= POINTING_BACK_WORDS and first > 0:
            first -= 1
        q = " ".join(sents[first:])
        story = " ".join(sents[:first])
        return q, story

    # ------------------------------------------------------------------------------------------ all
    def normalise(self, question: str) -> NormalisedQuery:
        """The question cleaned for search (remembered for the last QUERIES_KEPT questions)."""
        return self._normalised.get(question, lambda: self._normalise(question))

    def _normalise(self, question: str) -> NormalisedQuery:
        raw = unify_tones(nfc(question or "")).strip()
        cleaned = self.strip_fillers(raw)
        q, story = self.split_story(cleaned or raw)
        q_text, extra_q = self.expand_abbreviations(q)
        story_text, extra_s = self.expand_abbreviations(story) if story else ("", [])
        extra = tuple(dict.fromkeys(extra_q + extra_s + self.number_variants(q_text)))
        return NormalisedQuery(question, q_text or raw, story_text, extra)


def compose_phrases(items: list[Any] | None) -> list[str]:
    """Phrase list from knowledge/: plain strings, or {ask: [...], nouns: [...]} meaning every "ask noun" pair
    (e.g. ask [bao nhiêu, mấy] × nouns [ngày, tháng] → "bao nhiêu ngày", "mấy tháng", …); either side may itself
    hold such pairs or lists (a pronoun class × "hỏi")."""
    out: list[str] = []
    for it in items or []:
        if isinstance(it, dict):
            out += [f"{a} {n}" for a in compose_phrases(it.get("ask")) for n in compose_phrases(it.get("nouns"))]
        elif isinstance(it, list):
            out += compose_phrases(it)
        else:
            out.append(str(it))
    return list(dict.fromkeys(out))
