"""Read the asker's own facts from a question: years of each title, task ratings, initiatives and their level,
disciplinary periods, a collective's member figures, and which title is asked about (vocabulary: rules.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.corpus.normalize import fold, nfc
from assistant.index.query import POINTING_BACK_WORDS

YEAR = r"(?:19|20)\d{2}"
RE_RANGE = re.compile(rf"(?:tu\s+(?:nam\s+)?)?({YEAR})\s*(?:-|–|—|den|toi)\s*(?:nam\s+)?({YEAR})")
RE_YEAR = re.compile(rf"(?<![\d/])({YEAR})(?![\d/])")
RE_MONTH_YEAR = re.compile(rf"(?<![\d/])\d{{1,2}}/({YEAR})(?![\d/])")
RE_STREAK = re.compile(r"(\d{1,2})\s*(?:nam|lan)\s+lien\s+(?:tuc|tiep)")
RE_PERCENT = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")
RE_COUNT = re.compile(r"(?<![\d%])(\d{1,2})\s+$")
SEPARATORS = re.compile(r"[.;?!\n]|(?<!\w)(?:thì|nhưng|còn)(?!\w)")  # applied to the text with diacritics
NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5}
RE_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;\n]*")


def asked_sentence_start(text: str) -> int:
    """Where the question the asker marked with "?" begins: the first such sentence, unless it only points back
    (then 0: the whole text may hold what is asked). 0 when no sentence is marked."""
    for m in RE_SENTENCE.finditer(text):
        if "?" in m.group(0):
            return m.start() if len(re.findall(r"\w+", m.group(0))) > POINTING_BACK_WORDS else 0
    return 0


@dataclass
class Mention:
    """A phrase found in the folded question."""

    key: str
    start: int
    end: int


@dataclass
class Work:
    """An initiative or research work the asker reports: its kind, level (None if not said) and count."""

    kind: str
    level: str | None
    count: int = 1
    years: list[int] = field(default_factory=list)


@dataclass
class Discipline:
    """A disciplinary measure: its form (if named), the years it covers; `pending` while being considered."""

    form: str | None
    years: list[int] = field(default_factory=list)
    pending: bool = False


@dataclass
class Facts:
    """Everything the asker said about themselves (or their collective); absent means not said."""

    titles: dict[str, set[int]] = field(default_factory=dict)
    streaks: dict[str, int] = field(default_factory=dict)  # "3 năm liên tục CSTĐCS" without the years
    ratings: dict[int | None, str] = field(default_factory=dict)  # year (None: not said) → rating level
    rating_streak: tuple[str, int] | None = None
    works: list[Work] = field(default_factory=list)
    no_works: bool = False
    disciplines: list[Discipline] = field(default_factory=list)
    no_discipline: bool = False
    member_share: dict[str, float] = field(default_factory=dict)
    all_completed: bool | None = None
    member_titles: set[str] = field(default_factory=set)
    no_member_discipline: bool | None = None
    target: str | None = None
    target_year: int | None = None
    asked: bool = False  # the target follows an eligibility cue ("có đủ điều kiện … không", "được đề nghị …")

    @property
    def pending_discipline(self) -> bool:
        return any(d.pending for d in self.disciplines)

    def said_anything(self) -> bool:
        """Facts about the asker (or their collective): a general question ("1 sáng kiến có dùng được…",
        "yêu cầu về kỷ luật thế nào") states none; a work counts only with its level or when denied."""
        return bool(self.titles or self.streaks or self.ratings or any(w.level for w in self.works)
                    or self.no_works or self.disciplines or self.no_discipline or self.member_share
                    or self.all_completed is not None or self.no_member_discipline is not None)

    def to_json(self) -> dict[str, Any]:
        return {
            "titles": {k: sorted(v) for k, v in self.titles.items()},
            "streaks": self.streaks,
            "ratings": {str(k) if k else "không rõ năm": v for k, v in self.ratings.items()},
            "works": [w.__dict__ for w in self.works],
            "no_works": self.no_works,
            "disciplines": [d.__dict__ for d in self.disciplines],
            "no_discipline": self.no_discipline,
            "member_share": self.member_share,
            "all_completed": self.all_completed,
            "member_titles": sorted(self.member_titles),
            "no_member_discipline": self.no_member_discipline,
            "target": self.target,
            "target_year": self.target_year,
        }


def _phrase_re(phrases: list[str]) -> re.Pattern[str]:
    alts = sorted({fold(nfc(p)) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in alts) + r")(?!\w)")


def _years(segment: str) -> list[int]:
    """Every year in a folded text segment; ranges (2023–2025, từ 2021 đến 2023) are expanded."""
    out: list[int] = []
    taken: list[tuple[int, int]] = []
    for m in RE_RANGE.finditer(segment):
        a, b = int(m.group(1)), int(m.group(2))
        if a <= b <= a + 40:
            out.extend(range(a, b + 1))
            taken.append(m.span())
    for m in RE_YEAR.finditer(segment):
        if not any(s <= m.start() < e for s, e in taken):
            out.append(int(m.group(1)))
    return out


class FactReader:
    """Reads Facts from a question with the title aliases and vocabulary of the rule table."""

    def __init__(self, titles: dict[str, list[str]], vocabulary: dict[str, Any]) -> None:
        self._seps: list[tuple[int, int]] = []
        alias_to: dict[str, str] = {}
        for tid, aliases in titles.items():
            for a in aliases:
                alias_to[fold(nfc(a))] = tid
        self.alias_to = alias_to
        self.title_re = _phrase_re(list(alias_to))
        v = vocabulary
        self.rating_of = {fold(nfc(k)): str(val) for k, val in (v.get("ratings") or {}).items()}
        self.rating_re = _phrase_re(list(v.get("ratings") or {}))
        self.work_re = _phrase_re(list(v.get("works") or []))
        self.level_of = {fold(nfc(k)): str(val) for k, val in (v.get("work_levels") or {}).items()}
        self.level_re = _phrase_re(list(v.get("work_levels") or {}))
        self.neg_re = _phrase_re(list(v.get("negations") or []))
        self.disc_re = _phrase_re(list(v.get("discipline") or []))
        self.severe = {fold(nfc(x)) for x in v.get("discipline_severe") or []}
        self.pending_re = _phrase_re(list(v.get("pending_discipline") or []))
        self.member_re = _phrase_re(list(v.get("members") or []))
        self.cue_re = _phrase_re(list(v.get("question_cues") or []))
        # a cue followed by one of these asks how a rule counts something, not whether someone qualifies
        verbs = list(v.get("rule_verbs") or [])
        self.rule_re = re.compile(r"\s*" + _phrase_re(verbs).pattern) if verbs else None
        # a cue whose clause asks a quantity asks that value ("… phải đạt tỷ lệ phiếu bao nhiêu?")
        values = list(v.get("value_asks") or [])
        self.value_re = _phrase_re(values) if values else None

    # -------------------------------------------------------------------------------------------- helpers
    def titles_in(self, text: str) -> list[Mention]:
        """Title mentions in folded text, longest alias first (so 'tập thể lao động tiên tiến' is one title)."""
        return [Mention(self.alias_to[m.group(1)], m.start(), m.end()) for m in self.title_re.finditer(text)]

    def _clause(self, text: str, pos: int) -> tuple[int, int]:
        """Bounds of the clause around pos (between sentence punctuation or 'thì'/'nhưng'/'còn')."""
        start, end = 0, len(text)
        for s, e in self._seps:
            if e <= pos:
                start = e
            elif s >= pos:
                end = s
                break
        return start, end

    def _before(self, text: str, pos: int, limit: int = 60) -> str:
        """The text just before pos, back to the previous comma or clause start (at most `limit` chars)."""
        c0 = self._clause(text, pos)[0]
        start = max(c0, pos - limit, text.rfind(",", 0, pos) + 1)
        return text[start:pos]

    def _negated(self, text: str, pos: int, window: int = 14) -> bool:
        return bool(self.neg_re.search(self._before(text, pos, window)))

    # -------------------------------------------------------------------------------------------- reading
    def read(self, question: str) -> Facts:
        original = nfc(question).lower()
        text = fold(original)
        if len(text) != len(original):  # fold is expected to keep positions; fall back to folded separators
            original = text
        self._seps = [m.span() for m in SEPARATORS.finditer(original)]
        facts = Facts()
        mentions = self.titles_in(text)
        q_start, q_end = self._question_span(text, mentions, facts)
        fact_text = text[:q_start] + " " * (q_end - q_start) + text[q_end:]
        self._read_titles(fact_text, [m for m in mentions if not (q_start <= m.start < q_end)], facts)
        self._read_ratings(fact_text, facts)
        self._read_works(fact_text, facts)
        self._read_discipline(fact_text, facts)
        self._read_members(fact_text, facts)
        return facts

    def _question_span(self, text: str, mentions: list[Mention], facts: Facts) -> tuple[int, int]:
        """Find the title asked about: the first title after a question cue (else the last title without
        years); returns the span [cue, end of that title] that holds no facts."""
        asked_from = asked_sentence_start(text)  # a cue in the asker's story ("nghe nói … được xét …") asks nothing
        for cue in self.cue_re.finditer(text, asked_from):
            if self.rule_re and self.rule_re.match(text, cue.end()):  # "thời gian nghỉ đó có được tính để bình xét …"
                continue
            same = self._clause(text, cue.start())
            if self.value_re and self.value_re.search(text, same[0], same[1]):
                continue
            after = [m for m in mentions if m.start >= cue.start() and m.start - cue.end() < 60
                     and self._clause(text, m.start) == same]
            if after:
                t = after[0]
                facts.target = t.key
                facts.asked = True
                c_end = self._clause(text, t.end)[1]
                # the question ends at its particle: what follows tells the asker's facts ("em có được đề nghị CSTĐCS
                # năm 2025 không, em được LĐTT 2025 …")
                end = re.search(r"(?<!\w)(?:khong|chua)(?!\w)|\?", text[t.end:c_end])
                c_end = t.end + end.end() if end else c_end
                ys = _years(text[t.end:c_end])
                facts.target_year = ys[-1] if ys else None
                return cue.start(), c_end
        for m in reversed(mentions):
            c0, c1 = self._clause(text, m.start)
            if not _years(text[m.end:c1]) and not RE_STREAK.search(text[c0:c1]):
                facts.target = m.key
                return m.start, m.end
        return 0, 0

    def _read_titles(self, text: str, mentions: list[Mention], facts: Facts) -> None:
        for i, m in enumerate(mentions):
            c0, c1 = self._clause(text, m.start)
            nxt = mentions[i + 1].start if i + 1 < len(mentions) and mentions[i + 1].start < c1 else c1
            prev = mentions[i - 1].end if i > 0 and mentions[i - 1].end > c0 else c0
            before = text[prev:m.start]
            if self.member_re.search(before[-24:]) or RE_COUNT.search(before[-8:]) or \
                    RE_PERCENT.search(before[-40:]):
                continue  # "có 2 cá nhân đạt CSTĐCS", "80% đạt LĐTT": a collective's members, read elsewhere
            ys = _years(text[m.end:nxt]) or _years(before)
            if ys:
                facts.titles.setdefault(m.key, set()).update(ys)
            s = RE_STREAK.search(text[m.end:nxt]) or RE_STREAK.search(before)
            if s and not ys:
                facts.streaks[m.key] = max(facts.streaks.get(m.key, 0), int(s.group(1)))

    def _read_ratings(self, text: str, facts: Facts) -> None:
        for m in self.rating_re.finditer(text):
            level = self.rating_of[m.group(1)]
            before = self._before(text, m.start())
            pct = RE_PERCENT.search(before)
            if pct:
                if pct.group(1) == "100":
                    facts.all_completed = True
                continue
            c0, c1 = self._clause(text, m.start())
            seg_after = text[m.end():c1]
            nxt = self.rating_re.search(seg_after) or self.title_re.search(seg_after)
            seg_after = seg_after[:nxt.start()] if nxt else seg_after
            ys = _years(seg_after) or _years(before)
            s = RE_STREAK.search(text[c0:c1])
            if s and not ys:
                facts.rating_streak = (level, int(s.group(1)))
            for y in ys or [None]:
                facts.ratings[y] = level

    def _read_works(self, text: str, facts: Facts) -> None:
        for m in self.work_re.finditer(text):
            if self._negated(text, m.start()):
                facts.no_works = True
                continue
            tail = text[m.end():m.end() + 60]
            lv = self.level_re.search(tail)
            c_end = self._clause(text, m.end())[1] - m.end()
            level = self.level_of[lv.group(1)] if lv and lv.start() < c_end else None
            head = text[max(0, m.start() - 12):m.start()]
            cnt = re.search(r"(\d{1,2})\s+$", head)
            word = re.search(r"(\w+)\s+$", head)
            count = int(cnt.group(1)) if cnt else NUMBER_WORDS.get(word.group(1), 1) if word else 1
            facts.works.append(Work(kind=m.group(1), level=level, count=count,
                                    years=_years(self._before(text, m.start()))))

    def _read_discipline(self, text: str, facts: Facts) -> None:
        for m in self.pending_re.finditer(text):
            if self.disc_re.search(text[m.start():m.end() + 30]) or "ki luat" in m.group(1):
                facts.disciplines.append(Discipline(form=None, pending=True))
        seen_clauses: set[tuple[int, int]] = set()
        for m in self.disc_re.finditer(text):
            c0, c1 = self._clause(text, m.start())
            if (c0, c1) in seen_clauses or self.pending_re.search(text[c0:c1]):
                continue
            clause = text[c0:c1]
            if self.member_re.search(self._before(text, m.start(), 30)):
                continue  # a member of the collective: read in _read_members
            seen_clauses.add((c0, c1))
            if self._negated(text, m.start(), 24):
                facts.no_discipline = True
                continue
            if not re.search(r"(?<!\w)bi(?!\w)", self._before(text, m.start(), 16)):
                continue  # "kỷ luật" named, not "bị kỷ luật": not a fact about the asker
            forms = [x.group(1) for x in self.disc_re.finditer(clause) if x.group(1) != "ki luat"]
            comma = text.find(",", m.end())
            after = text[m.end():min(c1, comma) if comma >= 0 else c1]
            yrs = [int(y.group(1)) for y in RE_MONTH_YEAR.finditer(after)] or _years(after)
            if not yrs:  # "năm 2022 bị kỷ luật": the year (or range) just before the mention
                before = self._before(text, m.start())
                last = list(RE_RANGE.finditer(before)) or list(RE_YEAR.finditer(before))
                yrs = _years(last[-1].group(0)) if last else []
            facts.disciplines.append(Discipline(form=forms[0] if forms else None, years=sorted(set(yrs))))

    def _read_members(self, text: str, facts: Facts) -> None:
        for m in RE_PERCENT.finditer(text):
            c0, c1 = self._clause(text, m.start())
            after = text[m.end():c1]
            t = self.title_re.search(after)
            if t:
                facts.member_share[self.alias_to[t.group(1)]] = float(m.group(1).replace(",", "."))
        for t in self.titles_in(text):
            before = text[max(0, t.start - 24):t.start]
            counted = self.member_re.search(before) or RE_COUNT.search(text[max(0, t.start - 8):t.start])
            if counted and not self._negated(text, t.start, 40):
                facts.member_titles.add(t.key)
        for m in self.disc_re.finditer(text):
            before = self._before(text, m.start(), 40)
            if not self.member_re.search(before):
                continue
            if self._negated(text, m.start(), 40):
                facts.no_member_discipline = True
            else:
                c0, c1 = self._clause(text, m.start())
                forms = {x.group(1) for x in self.disc_re.finditer(text[c0:c1])}
                if forms & self.severe:
                    facts.no_member_discipline = False
