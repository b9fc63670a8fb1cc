"""Yes/no verdicts decided by code: an answer opens with 'Có.' / 'Không.' only when a cited passage denies or affirms
the asked predicate of the subject the question names, the eligibility checker decides every condition, the registry
decides a validity question that a cited clause states, or the asker's figure is compared with a provision's
threshold; otherwise no verdict (never a guess). Vocabulary: knowledge/verdict.yaml."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

from assistant.answer.conclusion import AnswerTypes, sentences
from assistant.answer.models import Answer, Citation
from assistant.corpus.normalize import fold, has_marks

Decision = Literal["yes", "no"]
Modal = Literal["permission", "obligation"]
COVER = 0.75  # share of the question's content words a deciding clause must hold
NUMBER_COVER = 0.6  # the same for a threshold sentence (the question also carries the asker's own words)
CONDITION_COVER = 0.6  # share of a condition's content words the question must state for the verdict to hold
SPAN_CHARS = 220  # the longest deciding span shown (cut at clause boundaries, verbatim, gaps marked '…')
WINDOW = 6  # words before the predicate searched for a cue
PREFIX = 3  # a predicate whose words the clause does not mostly hold must match by its first words ('ủy quyền lại cho')
_TOKEN = re.compile(r"%|[^\W_]+")
_ITEM = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]|\(\d+\)|[-–+•])\s*")
_NUMBER = r"\d+(?:[.,]\d+)?"


@dataclass(frozen=True)
class Verdict:
    """A decided yes/no: the deciding span (verbatim) and the citation that carries it."""

    decision: Decision
    span: str
    n: int
    basis: Literal["passage", "eligibility", "number", "validity"]
    given: str = ""  # the asker's figure a number verdict compared ('65%')
    scope: str = ""  # 'Quy định riêng của tỉnh …' when the deciding text holds only in one province

    def sentence(self) -> str:
        word = "Có" if self.decision == "yes" else "Không"
        rule = self.scope or "quy định"
        if self.given:  # 'Bạn nêu 65%; quy định: …'
            head = f"Bạn nêu {self.given}; {rule[:1].lower() + rule[1:]}: "
        else:
            head = f"{self.scope}: " if self.scope else ""
        span = self.span if head else self.span[:1].upper() + self.span[1:]
        return f"{word}. {head}{span} [{self.n}]."


@dataclass(frozen=True)
class Asked:
    """A yes/no question split into its subject, modal and predicate (folded words)."""

    subject: list[str]
    modal: Modal | None
    predicate: list[str]
    subject_accented: list[str] = field(default_factory=list)  # the same words with diacritics
    predicate_accented: list[str] = field(default_factory=list)
    accented: bool = False  # typed with diacritics: compared with them ('hộ' is not the 'hồ' of 'hồ sơ')


@dataclass
class _Tokens:
    """Words of a text, folded (content matching) and lower-case with diacritics (cue matching: 'thì' is not the
    'thi' of 'thi đua'), with their character spans (fold keeps the length)."""

    words: list[str]
    spans: list[tuple[int, int]]
    accented: list[str]

    @classmethod
    def of(cls, text: str) -> _Tokens:
        low = text.lower()
        ms = list(_TOKEN.finditer(fold(text)))
        return cls([m.group(0) for m in ms], [m.span() for m in ms], [low[a:b] for a, b in (m.span() for m in ms)])

    def find(self, seq: list[str], start: int = 0) -> int:
        """Index of the cue `seq` (lower-case, with diacritics) from `start`, or -1."""
        n = len(seq)
        for i in range(start, len(self.accented) - n + 1):
            if self.accented[i:i + n] == seq:
                return i
        return -1

    def ends_with(self, end: int, seq: list[str]) -> bool:
        """True when the words before `end` are the cue `seq` (lower-case, with diacritics)."""
        return len(seq) <= end and self.accented[end - len(seq):end] == seq


def _phrases(xs: list[Any] | None, folded: bool = True) -> list[list[str]]:
    """Cue phrases (an entry is a string or {cue, basis}) as word lists (folded, or lower-case with diacritics),
    longest first."""
    out = [(fold(c) if folded else c.lower()).split() for c in
           (str(x.get("cue") if isinstance(x, dict) else x) for x in xs or [])]
    return sorted((x for x in out if x), key=len, reverse=True)


@dataclass
class VerdictWords:
    """knowledge/verdict.yaml, folded."""

    particles: list[list[str]]
    wh: list[str]
    topic: list[str]
    adverbs: list[str]
    q_modals: dict[Modal, list[list[str]]]
    identity: list[list[str]]
    negative: list[list[str]]
    deny: list[list[str]]
    not_required: list[list[str]]
    p_modals: dict[Modal, list[list[str]]]
    restrict: list[list[str]]
    conditions: list[list[str]]
    relative: list[list[str]]
    consequence: list[list[str]]
    expired: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    in_force: list[str] = field(default_factory=list)
    at_least: list[re.Pattern[str]] = field(default_factory=list)
    at_most: list[re.Pattern[str]] = field(default_factory=list)
    many: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, number_words: dict[str, int]) -> VerdictWords:
        d = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {}
        q, p, c = d.get("question") or {}, d.get("passage") or {}, d.get("comparisons") or {}
        qm, pm = q.get("modals") or {}, p.get("modals") or {}
        figure = _figure_pattern(number_words)
        def cues(key: str) -> list[list[str]]:  # passage cues keep their diacritics
            return _phrases(p.get(key), folded=False)

        return cls(_phrases(q.get("particles")), [str(x).lower() for x in q.get("wh") or []],
                   [fold(str(x)) for x in q.get("topic") or []], [fold(str(x)) for x in q.get("adverbs") or []], {k: _phrases(qm.get(k)) for k in ("permission", "obligation")},
                   _phrases(q.get("identity")), _phrases(q.get("negative")), cues("deny"), cues("not_required"),
                   {k: _phrases(pm.get(k), folded=False) for k in ("permission", "obligation")},
                   cues("restrict"), cues("conditions"), cues("relative"), cues("consequence"),
                   [fold(str(x["cue"])) for x in (d.get("validity") or {}).get("expired") or []],
                   [fold(str(x["cue"])) for x in (d.get("validity") or {}).get("replaced") or []],
                   [fold(str(x["cue"])) for x in (d.get("validity") or {}).get("in_force") or []],
                   [_comparison(x, figure) for x in c.get("at_least") or []],
                   [_comparison(x, figure) for x in c.get("at_most") or []], [fold(str(x)) for x in c.get("many") or []])


def _figure_pattern(number_words: dict[str, int]) -> str:
    words = "|".join(re.escape(w) for w in sorted(number_words, key=len, reverse=True))
    return rf"(?P<n>{_NUMBER}|{words})\s*(?P<u>%|[^\W\d_]+(?:\s+[^\W\d_]+)?)" if words else \
        rf"(?P<n>{_NUMBER})\s*(?P<u>%|[^\W\d_]+(?:\s+[^\W\d_]+)?)"


def _comparison(entry: Any, figure: str) -> re.Pattern[str]:
    """A threshold cue ('từ <figure> trở lên') as a pattern over lower-case text; <words> stands for a few words."""
    cue = str(entry.get("cue") if isinstance(entry, dict) else entry).lower()
    parts = [figure if w == "<figure>" else r"[^.;:]{1,80}?" if w == "<words>" else re.escape(w) for w in cue.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts))


@dataclass(frozen=True)
class Figure:
    """A number with its unit, as the asker or a provision writes it."""

    value: float
    unit: str  # folded
    text: str
    context: tuple[str, ...] = ()  # folded content words around it: what it measures ('tỷ lệ nữ', 'số phiếu')


class VerdictDecider:
    """Decides a yes/no question from the cited passages, the eligibility checker or a number comparison."""

    def __init__(self, words: VerdictWords, types: AnswerTypes, stop: set[str], number_words: dict[str, int],
                 checker: Any = None, clean: Callable[[str], str] | None = None, registry: Any = None,
                 today: date | None = None, validity_words: list[str] | None = None) -> None:
        self.w = words
        self.registry = registry
        self.today = today
        self.validity_words = validity_words or []
        self.clean = clean or (lambda q: q)
        self.types = types
        self.stop = {fold(s) for s in stop}
        self.number_words = number_words
        self.checker = checker
        self._figure = re.compile(_figure_pattern(number_words))

    @classmethod
    def build(cls, knowledge_dir: Path, types: AnswerTypes, stop: set[str], checker: Any = None,
              clean: Callable[[str], str] | None = None, registry: Any = None, today: date | None = None,
              validity_words: list[str] | None = None) -> VerdictDecider:
        """The decider over knowledge_dir/verdict.yaml (number words from query.yaml); `clean` removes chat fillers
        and expands abbreviations the way search reads the question; `registry`, `today` and `validity_words` (the
        folded words that ask whether a document is in force) decide validity questions."""
        q = yaml.safe_load((knowledge_dir / "query.yaml").read_text("utf-8")) if (knowledge_dir / "query.yaml").exists() \
            else {}
        numbers = {str(k).lower(): int(v) for k, v in (q.get("number_words") or {}).items()}
        return cls(VerdictWords.load(knowledge_dir / "verdict.yaml", numbers), types, stop, numbers, checker, clean,
                   registry, today, validity_words)

    # ------------------------------------------------------------------------------------- question
    def yes_no_part(self, question: str) -> str | None:
        """The sentence that asks yes/no (the last one that does), or None."""
        sents = [x for x in re.split(r"(?<=[?.!])\s+", question.strip()) if x.strip()]
        asks = [x for x in sents if self._asks_yes_no(x)]
        return asks[-1] if asks else None

    def _asks_yes_no(self, sentence: str) -> bool:
        """The yes/no question words of answer_types.yaml, and no interrogative word ('bao lâu', 'ai', 'gì' …);
        matched with diacritics when the sentence has them."""
        low = sentence.lower()
        accented = has_marks(low)
        text = low if accented else fold(low)
        if any(re.search(r"(?<!\w)" + re.escape(w if accented else fold(w)) + r"(?!\w)", text) for w in self.w.wh):
            return False
        return any((acc if accented else folded).search(text) for acc, folded in self.types.question.get("yesno", []))

    def parse(self, question: str) -> Asked | None:
        """Subject, modal and predicate of a yes/no question ('Cá nhân đang bị xem xét kỷ luật có được khen thưởng
        không?' → [ca nhan dang bi xem xet ky luat] permission [khen thuong]); None for any other frame."""
        toks = _Tokens.of(question)
        t = toks.words
        end = next((len(t) - len(p) for p in self.w.particles if t[-len(p):] == p), None)
        if not end:
            return None
        body, tail = t[:end], t[end:]
        if tail in (["phai", "khong"], ["dung", "khong"]):  # a tag question confirms a claim: not decided here
            return None
        split, length, modal = self._modal(body, toks.accented[:end])
        if split < 0:  # 'X có tính … không?': the frame's 'có' (the last one) opens the predicate
            split = max((i for i, w in enumerate(toks.accented[:end]) if w in ("có", "co")), default=-1)
            length = 1
        if split < 0:  # 'X được P không?' / 'Nộp qua mạng được không?'
            split, length, modal = self._first_modal(body)
        if split < 0 and tail == ["duoc", "khong"]:
            split, length, modal = len(body), 0, "permission"
        if split < 0:
            return None
        subj, pred = (0, split), (split + length, end)
        if pred[0] >= pred[1] and tail == ["duoc", "khong"]:
            subj, pred = (0, 0), (0, split)
        predicate = t[pred[0]:pred[1]]
        if not predicate or any(predicate[:len(p)] == p for p in self.w.identity + self.w.negative):
            return None
        topic = max((i for i in range(*subj) if t[i] in self.w.topic), default=-1)
        if 0 <= topic < subj[1] - 1:  # '… thì thời gian đó có được …': the subject follows the situation
            subj = (topic + 1, subj[1])
        keep = [i for i in range(*subj) if toks.accented[i] != "có" and t[i] not in self.w.topic]
        return Asked([t[i] for i in keep], modal, predicate, [toks.accented[i] for i in keep],
                     toks.accented[pred[0]:pred[1]], has_marks(question))

    def _modal(self, body: list[str], accented: list[str]) -> tuple[int, int, Modal | None]:
        """(start, length, class) of the question's modal opened by 'có' ('có được', 'có bắt buộc phải'): the last
        one; (-1, 0, None) when there is none."""
        found = [(i, len(ph), m) for i, m, ph in self._modals(body) if accented[i] in ("có", "co")]
        return max(found, key=lambda f: (f[0], f[1])) if found else (-1, 0, None)

    def _first_modal(self, body: list[str]) -> tuple[int, int, Modal | None]:
        """The first (longest) modal of a question without 'có' ('Cá nhân … được khen thưởng không?')."""
        found = [(i, len(ph), m) for i, m, ph in self._modals(body)]
        if not found:
            return -1, 0, None
        first = min(f[0] for f in found)
        return max((f for f in found if f[0] == first), key=lambda f: f[1])

    def _modals(self, body: list[str]) -> list[tuple[int, Modal, list[str]]]:
        """(start, class, words as written) of every modal phrase; 'có <adverb> được' counts as 'có được'."""
        out = []
        for i in range(len(body)):
            for m, phrases in self.w.q_modals.items():
                for ph in phrases:
                    if body[i:i + len(ph)] == ph:
                        out.append((i, m, ph))
                    elif ph[0] == "co" and len(ph) > 1 and body[i:i + 1] == ["co"] and \
                            body[i + 1:i + 2] and body[i + 1] in self.w.adverbs and body[i + 2:i + 1 + len(ph)] == ph[1:]:
                        out.append((i, m, body[i:i + 1 + len(ph)]))
        return out

    def _content(self, words: list[str]) -> list[str]:
        return [w for w in words if w not in self.stop and not w.isdigit() and w != "%"]

    # ------------------------------------------------------------------------------------- passage
    def passage_verdict(self, asked: Asked, question: str, cites: list[Citation]) -> Verdict | None:
        """The verdict the cited passages state for the asked predicate: every deciding clause agrees, or none."""
        found: list[tuple[float, int, Decision, str, int, str]] = []
        for rank, c in enumerate(cites):
            if not c.in_force:
                continue
            for line in _lines(c.quote):
                for clause in sentences(line):
                    got = self._decide_clause(asked, question, clause, line)
                    if got:
                        decision, span, cover = got
                        found.append((cover, -rank, decision, span, c.n, _scope(c)))
        if not found or len({f[2] for f in found}) > 1:
            return None
        best = max(found)
        return Verdict(best[2], best[3], best[4], "passage", scope=best[5])

    def _decide_clause(self, asked: Asked, question: str, clause: str, line_text: str
                       ) -> tuple[Decision, str, float] | None:
        """The decision a clause states for the asked predicate, with its span (the whole line when short), when the
        line holds most of the question's content words."""
        toks = _Tokens.of(clause)
        pred = asked.predicate
        line = _Tokens.of(line_text)
        subject = self._phrase(asked.subject, asked.subject_accented, asked.accented, line)
        predicate = self._share(pred, asked.predicate_accented, asked.accented, toks)
        whole = self._share(asked.subject + pred, asked.subject_accented + asked.predicate_accented, asked.accented,
                            line)
        # the subject the question names is the line's, the predicate is stated in the clause itself (or its head
        # verb phrase of PREFIX words, matched below)
        if whole is None or whole < COVER or not subject:
            return None
        k_min = min(2, len(pred)) if (predicate or 1.0) >= COVER else PREFIX
        cover = whole
        for i in range(len(toks.words)):
            k = 0
            while k < len(pred) and i + k < len(toks.words) and toks.words[i + k] == pred[k]:
                k += 1
            if k < k_min or (k == 1 and pred[0] in self.stop):
                continue
            decision = self._polarity(asked, toks, i, question, clause)
            if decision:
                text = _plain(line_text)
                return decision, text if len(text) <= SPAN_CHARS else _span(clause, toks, i, i + k), cover
        return None

    def _phrase(self, folded: list[str], accented: list[str], use_accents: bool, toks: _Tokens) -> bool:
        """True when the content words of the subject stand in the text in their order, close together (a name:
        'danh hiệu Chiến sĩ thi đua cơ sở', not 'chiến sĩ thi đua … mức lương cơ sở'); True for no subject."""
        words = [a if use_accents else f for f, a in zip(folded, accented or folded, strict=False)
                 if f not in self.stop and not f.isdigit() and f != "%"]
        if not words:
            return True
        have = toks.accented if use_accents else toks.words
        span = len(words) + 3
        for i, w in enumerate(have):
            if w != words[0]:
                continue
            j, k = i + 1, 1
            while k < len(words) and j < min(len(have), i + span):
                if have[j] == words[k]:
                    k += 1
                j += 1
            if k == len(words):
                return True
        return False

    def _share(self, folded: list[str], accented: list[str], use_accents: bool, toks: _Tokens) -> float | None:
        """Share of the content words that the text holds (with diacritics when the question has them), or None
        when there are none."""
        pairs = [(f, a) for f, a in zip(folded, accented or folded, strict=False)
                 if f not in self.stop and not f.isdigit() and f != "%"]
        if not pairs:
            return None
        have = set(toks.accented) if use_accents else set(toks.words)
        return sum((a if use_accents else f) in have for f, a in pairs) / len(pairs)

    def _polarity(self, asked: Asked, toks: _Tokens, i: int, question: str, clause: str) -> Decision | None:
        """What the words before the predicate (at word i) say of it: denied, not required, limited or affirmed."""
        end = i
        classes: list[Modal] = []
        while True:  # the modals right before the predicate ('phải được thực hiện': obligation)
            found = next(((m, p) for m, phrases in self.w.p_modals.items() for p in phrases if toks.ends_with(end, p)),
                         None)
            if found is None:
                break
            classes.append(found[0])
            end -= len(found[1])
        p_modal: Modal | None = ("obligation" if "obligation" in classes else "permission") if classes else None
        ends = (i, end)  # the cue right before the predicate, or before its modal ('không được', 'không nhất thiết phải')
        if any(toks.ends_with(e, p) for e in ends for p in self.w.not_required):
            return "no" if asked.modal == "obligation" else None
        if any(toks.ends_with(e, p) for e in ends for p in self.w.restrict):
            return None  # limited, not denied: only a number comparison decides it
        if any(toks.ends_with(e, p) for e in ends for p in self.w.consequence):
            return None  # '… mới được P': P holds only under what precedes
        if any(toks.ends_with(e, p) for e in ends for p in self.w.deny):
            return "no" if self._conditions_stated(toks, question) else None
        if p_modal is None:
            return None
        if asked.modal is not None and asked.modal != p_modal:
            return None
        if any(toks.ends_with(end, p) for p in self.w.relative):
            return None  # 'đã được …': a description of the subject
        after = toks.accented[i:]
        if any(w in after for p in self.w.relative for w in p if len(p) == 1 and w != "đã"):
            return None  # 'Cá nhân được tặng … mà bị kết tội …': the predicate is not what the clause states
        return "yes" if self._conditions_stated(toks, question) else None

    def _conditions_stated(self, toks: _Tokens, question: str) -> bool:
        """True when the clause states no condition, or the question states each condition it sets."""
        q = set(_Tokens.of(question).words)
        for cond in self.w.conditions:
            start = 0
            while (j := toks.find(cond, start)) >= 0:
                words = self._content(toks.words[j + len(cond): j + len(cond) + 8])
                if words and sum(w in q for w in words) / len(words) < CONDITION_COVER:
                    return False
                start = j + 1
        return True

    # ------------------------------------------------------------------------------------- numbers
    def figures(self, text: str) -> list[Figure]:
        """Numbers with their units in a text ('65%', '2 sáng kiến', 'ba năm'); years and dates are not figures."""
        out: list[Figure] = []
        low = text.lower()
        for m in self._figure.finditer(low):
            raw, unit = m.group("n"), fold(m.group("u"))
            if re.match(r"\d{4}$", raw) or low[m.end("n"):m.end("n") + 1] in ("/", "-"):
                continue  # a year or a date
            value = self._value(raw)
            if value is None:
                continue
            out.append(Figure(float(value), unit, m.group(0), self._around(low, m.start(), m.end("n"))))
        for many in self.w.many:
            for m in re.finditer(rf"(?<!\w){re.escape(many)}\s+([^\W\d_]+)", fold(low)):
                out.append(Figure(float("inf"), m.group(1), low[m.start():m.end()], self._around(low, m.start(), m.end())))
        return out

    def _around(self, text: str, start: int, end: int, before: int = 3, after: int = 4) -> tuple[str, ...]:
        """Content words (folded) right before a figure and after its number, up to the question's frame ('thì',
        'có'): what the figure measures."""
        left = _Tokens.of(text[:start]).words[-before:]
        right: list[str] = []
        for w in _Tokens.of(text[end:]).accented[:after]:
            if fold(w) in self.w.topic or w == "có":
                break
            right.append(fold(w))
        return tuple(self._content(left + right))

    def _value(self, raw: str) -> float | None:
        if raw[0].isdigit():
            return float(raw.replace(".", "").replace(",", "."))
        n = self.number_words.get(raw)
        return float(n) if n is not None else None

    def number_verdict(self, question: str, cites: list[Citation]) -> Verdict | None:
        """The asker's figure against a threshold of the same unit in a cited sentence about the question."""
        given = self.figures(question)
        if not given:
            return None
        q_words = self._content([w for w in _Tokens.of(question).words])
        found: list[tuple[Decision, str, int, str]] = []
        for c in cites:
            if not c.in_force:
                continue
            lines = [x.strip() for x in c.quote.split("\n") if x.strip()]
            for sent in sentences(c.quote):
                sw = set(_Tokens.of(sent).words)
                if not q_words or sum(w in sw for w in q_words) / len(q_words) < NUMBER_COVER:
                    continue
                for kind, pats in (("at_least", self.w.at_least), ("at_most", self.w.at_most)):
                    for p in pats:
                        for m in p.finditer(sent.lower()):
                            got = self._compare(kind, m, given, sent, c, lines, question)
                            if got:
                                found.append(got)
        if not found or len({f[0] for f in found}) > 1:
            return None
        d, span, n, fig = found[0]
        scope = next((_scope(c) for c in cites if c.n == n), "")
        return Verdict(d, span, n, "number", fig, scope)

    def _compare(self, kind: str, m: re.Match[str], given: list[Figure], sent: str, c: Citation,
                 lines: list[str], question: str) -> tuple[Decision, str, int, str] | None:
        limit = self._value(m.group("n"))
        if limit is None:
            return None
        unit = fold(m.group("u")).split()
        same = [g for g in given if g.unit.split()[0] == unit[0] and g.text not in sent.lower()]
        if not same:
            return None
        toks = _Tokens.of(sent)
        low = sent.lower()
        near = set(self._around(low, m.start(), m.start(), before=10)) | set(_Tokens.of(m.group(0)).words) | \
            set(_Tokens.of(low[m.end():]).words[:6])
        # the threshold measures what the asker's figure measures ('tỷ lệ nữ' 65% against 'tỷ lệ nữ từ 70%')
        same = [g for g in same if g.context and sum(w in near for w in g.context) / len(g.context) >= NUMBER_COVER]
        if not same:
            return None
        g = same[0]
        ok = g.value >= limit if kind == "at_least" else g.value <= limit
        span = _span(sent, toks, max(0, _word_at(toks, m.start())), _word_at(toks, m.end() - 1) + 1)
        if not ok:
            return "no", span, c.n, g.text
        # met: a yes only when the threshold is the whole rule (not one condition of a list) and its conditions hold
        if _in_condition_list(sent, lines) or not self._conditions_stated(toks, question):
            return None
        return "yes", span, c.n, g.text

    # ------------------------------------------------------------------------------------- eligibility
    def eligibility_verdict(self, question: str) -> Verdict | None:
        """Có when the checker finds every condition met, Không when one is not met (the first such condition is
        quoted); None when any condition stays unknown."""
        if self.checker is None or not self.checker.is_eligibility_question(question):
            return None
        res = self.checker.check(question)
        if res is None or res.status == "unknown":
            return None
        pick = next((c for c in res.conditions if c.status == "not_met"), None) if res.status == "not_met" \
            else res.conditions[0] if res.conditions else None
        if pick is None:
            return None
        scope = "" if res.scope == "national" or fold(res.scope) in fold(question) else \
            f"Quy định riêng của tỉnh {res.scope}"
        return Verdict("no" if res.status == "not_met" else "yes", _short(_plain(pick.quote)), pick.n, "eligibility",
                       scope=scope)

    # ------------------------------------------------------------------------------------- validity
    def validity_verdict(self, question: str, cites: list[Citation]) -> Verdict | None:
        """'<document> còn hiệu lực không?': the registry's dates decide, a cited passage states it verbatim (one that
        names the document as expired, or the document's own clause on when it takes effect)."""
        if self.registry is None or self.today is None:
            return None
        fq = fold(question)
        asked = [m.start() for w in self.validity_words for m in re.finditer(r"(?<!\w)" + re.escape(w) + r"(?!\w)", fq)]
        doc = _named_before(fq, self.registry.find_in_text(question), min(asked)) if asked else None
        if doc is None:
            return None
        expired = bool(doc.in_force_to and self.today >= doc.in_force_to)
        if not expired and not doc.in_force_on(self.today):
            return None  # not yet in force: neither yes nor no
        for c in cites:
            if not c.in_force:
                continue
            for line in _lines(c.quote):
                text = _plain(line)
                fl = fold(text)
                own = c.source_file in doc.files
                cues = (self.w.expired + ([] if own else self.w.replaced)) if expired else self.w.in_force
                cue = next((fl.find(w) for w in cues if w in fl), -1)
                if cue < 0:
                    continue
                if expired and doc in self.registry.find_in_text(text):
                    name = min((m.start() for k in [doc.number, *doc.aliases]
                                if (m := re.search(re.escape(fold(k)), fl))), default=cue)
                    return Verdict("no", _pieces(text, [name, cue]), c.n, "validity")
                if not expired and own:
                    return Verdict("yes", _pieces(text, [cue]), c.n, "validity")
        return None

    # ------------------------------------------------------------------------------------- answer
    def decide(self, question: str, cites: list[Citation]) -> Verdict | None:
        """The verdict for a yes/no question, or None (not a yes/no question, or nothing decides it)."""
        asks = self.yes_no_part(question) is not None
        v = (self.eligibility_verdict(question) or self.validity_verdict(question, cites)) if asks else None
        if v is not None:
            return v
        question = self.clean(question)
        part = self.yes_no_part(question)
        if part is None:
            return None
        v = self.number_verdict(question, cites)
        if v is not None:
            return v
        asked = self.parse(part)
        return self.passage_verdict(asked, question, cites) if asked else None

    def apply(self, answer: Answer, question: str) -> Answer:
        """The answer with its conclusion opened by the verdict, when one is decided (the answer text likewise)."""
        if answer.refused or not answer.citations:
            return answer
        v = self.decide(question, answer.citations)
        if v is None:
            return answer
        old = answer.conclusion or ""
        rest = _without(old, v.span, v.n)
        if v.scope:  # the verdict carries the label; not said twice
            rest = re.sub(re.escape(v.scope) + r"\s*[:.]?\s*(?:\[\d+\]\.?)?\s*", "", rest).strip()
        new = f"{v.sentence()} {rest}".strip()
        text = answer.answer[len(old):] if old and answer.answer.startswith(old) else "\n\n" + answer.answer
        return answer.model_copy(update={"conclusion": new, "answer": new + text})


def _named_before(folded: str, docs: list[Any], pos: int) -> Any:
    """Of the documents a question names, the first one named in the clause that asks about validity (before `pos`):
    the subject of '<văn bản> (hướng dẫn <văn bản khác>) còn hiệu lực không'. A comma inside a name ('Luật Thi đua,
    khen thưởng') does not end a clause."""
    names = [(m.start(), m.end(), d) for d in docs for k in [d.number, *d.aliases]
             for m in re.finditer(r"(?<![\w/])" + re.escape(fold(k)) + r"(?![\w]|/\d)", folded[:pos])]
    cuts = [m.end() for m in re.finditer(r"[,.;?!]", folded[:pos]) if not any(a <= m.start() < b for a, b, _ in names)]
    start = max(cuts, default=0)
    inside = sorted((a, d) for a, _, d in names if a >= start)
    return inside[0][1] if inside else None


def _scope(c: Citation) -> str:
    """'Quy định riêng của tỉnh …' when the cited text holds only in a province the question does not name."""
    return (c.scope or "").split(";")[0].strip() if (c.scope or "").startswith("Quy định riêng") else ""


def _without(conclusion: str, span: str, n: int) -> str:
    """The conclusion without the deciding span the verdict already states (and the marker right after it); the
    rest keeps a marker [n] when it quoted the same passage."""
    i = fold(conclusion).find(fold(span))
    if i < 0 or not span:
        return conclusion
    rest = conclusion[:i] + re.sub(rf"^[\s.;,]*\[{n}\][.;,]?", "", conclusion[i + len(span):])
    rest = re.sub(r"\s+", " ", rest).strip(" ;,")
    if not re.search(r"\w", rest):
        return ""
    rest = re.sub(r":\s*(\[\d+\][.]?)?$", ".", rest)  # a label that announced the span ('Quy định riêng của …:')
    if f"[{n}]" not in rest:
        rest = rest.rstrip(" .") + f" [{n}]."
    return rest


def _lines(quote: str) -> list[str]:
    """The quote's lines without the collector's gap markers ('[… khoản 2–6 …]')."""
    return [x for x in (re.sub(r"\[…[^\]]*\]", " ", x).strip() for x in quote.split("\n")) if x]


def _plain(s: str) -> str:
    return _ITEM.sub("", re.sub(r"[“”*]", "", s).strip()).strip().rstrip(" ;,:.")


def _short(s: str, limit: int = SPAN_CHARS) -> str:
    if len(s) <= limit:
        return s
    return s[:limit].rsplit(" ", 1)[0] + " …"


def _pieces(text: str, anchors: list[int], words: int = 12, limit: int = SPAN_CHARS) -> str:
    """The text within `limit` characters, verbatim: whole if it fits, else the words from each anchor on (a
    document's name, the words that state its validity), gaps marked '…'."""
    if len(text) <= limit:
        return text
    toks = list(re.finditer(r"\S+", text))
    keep: set[int] = set()
    per = max(4, words // max(1, len(anchors)) * 2)
    for a in sorted(set(anchors)):
        i = next((k for k, m in enumerate(toks) if m.end() > a), len(toks) - 1)
        keep |= set(range(i, min(len(toks), i + per)))
    out, prev = [], -2
    for k in sorted(keep):
        if k != prev + 1:
            out.append("…")
        out.append(toks[k].group(0))
        prev = k
    if prev < len(toks) - 1:
        out.append("…")
    return " ".join(out[1:] if out and out[0] == "…" and sorted(keep)[0] == 0 else out)


def _word_at(toks: _Tokens, pos: int) -> int:
    return next((i for i, (a, b) in enumerate(toks.spans) if b > pos), len(toks.spans) - 1)


def _span(text: str, toks: _Tokens, i: int, j: int) -> str:
    """The deciding words [i, j) of a clause with the clause around them, verbatim, within SPAN_CHARS: the clause
    whole if it fits, else from the cue before the predicate to the end of its comma-clause, gaps marked '…'."""
    whole = _plain(text)
    if len(whole) <= SPAN_CHARS:
        return whole
    a = toks.spans[max(0, i - WINDOW)][0]
    comma = text.find(",", toks.spans[min(j, len(toks.spans)) - 1][1])
    b = comma if comma >= 0 and comma - a <= SPAN_CHARS else min(len(text), a + SPAN_CHARS)
    piece = text[a:b]
    if b < len(text) and b - a >= SPAN_CHARS:
        piece = piece.rsplit(" ", 1)[0]
    piece = _plain(piece)
    return ("… " if a > 0 else "") + piece + (" …" if b < len(text.rstrip(" .;")) else "")


def _in_condition_list(sent: str, lines: list[str]) -> bool:
    """True when the sentence is one item of a list announced by a head ending with ':' (all items must hold)."""
    i = next((k for k, line in enumerate(lines) if sent.strip() in line), None)
    if i is None or not _ITEM.match(lines[i]):
        return False
    head = next((x for x in lines[:i][::-1] if not _ITEM.match(x)), "")
    return head.rstrip().endswith(":")
