"""Answer types and the conclusion line: the asked fact stated first, built only from verbatim spans of a passage."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from assistant.answer.amounts import title_match
from assistant.corpus.memo import Memo
from assistant.corpus.normalize import fold, has_marks
from assistant.corpus.structure import CLOSING_LINE

CONCLUSION_CHARS = 380  # the conclusion must fit the answer's opening (400 characters) with its [n] marker
SHORT_ITEM = 60  # the longest first clause used as an item's short form
MIN_CLAUSE = 30  # a first clause shorter than this does not say enough on its own ('Thẩm định, …')
MIN_FACT_WORDS = 4  # a shorter sentence states a fact only after the words announcing it ('Số lượng hồ sơ:')
LEAD_IN_CHARS = 80  # the longest announcing sentence put before a fact
HEAD_CHARS = 110  # a longer list head is shown as its start … its end (both verbatim)
_ITEM = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]|\(\d+\)|[-–+•])\s*")
# the verb an actor's opening clause ends with ('Phòng Nội vụ | theo dõi', 'Chủ tịch … cấp xã | quyết định')
ACTOR_END = re.compile(r"\s+(?:quyết\s+định|ký|tặng|công\s+nhận|phê\s+duyệt|xét|chịu\s+trách\s+nhiệm|chủ\s+trì|"
                        r"là\s+cơ\s+quan|thẩm\s+định|làm|theo\s+dõi|tham\s+mưu|hướng\s+dẫn)$")
_DASHED = re.compile(r"^[-–+•]\s")  # an item marked by a dash or bullet
# a sentence ends at . ; : before a space, or at a '.' the source glued to the next capitalised sentence ('…).Đối với')
LABEL_VALUE_CHARS = 40  # a value this short after a label's colon on its line stays with its label
_SENT = re.compile(r"(?<=[.;:])\s+(?=\S)|(?<=[a-zà-ỹđ)]\.)(?=[A-ZĐÀ-Ỹ][a-zà-ỹđ])")
_HEADING = re.compile(r"^(?:#+\s*)?(?:Điều\s+\d+[a-z]?\.|Chương\s|Mục\s|[IVXLC]+\.\s)")


@dataclass
class AnswerTypes:
    """Question words per answer type and the patterns of the asked fact inside a provision (answer_types.yaml)."""

    order: list[str]
    question: dict[str, list[tuple[re.Pattern[str], re.Pattern[str]]]]
    answer: dict[str, list[re.Pattern[str]]]
    list_heads: list[str] = field(default_factory=list)
    plan_words: list[str] = field(default_factory=list)
    criteria_marks: list[str] = field(default_factory=list)  # folded nouns that announce a title's criteria
    criteria_verbs: list[str] = field(default_factory=list)  # folded: who a title is conferred on
    criteria_references: list[str] = field(default_factory=list)  # folded: criteria set elsewhere ("quy định tại")
    criteria_head_words: list[str] = field(default_factory=list)  # folded: before a criteria noun in an article head
    exclusion: re.Pattern[str] | None = None  # a case a provision leaves out: group 1 or 2 is the case
    either: list[tuple[list[tuple[re.Pattern[str], re.Pattern[str]]], list[str]]] = field(default_factory=list)

    @cached_property
    def criteria_head(self) -> re.Pattern[str] | None:
        """An article headed by the criteria ("Điều 5. Điều kiện xét tặng", "Điều 4. Đối tượng, tiêu chuẩn …"),
        read folded."""
        if not self.criteria_marks:
            return None
        lead = "|".join(map(re.escape, self.criteria_head_words))
        return re.compile(r"(?:dieu\s+\d+\w?\.|[ivx]+\.|\d+\.?|[a-zđ]\))?\s*" + (rf"(?:(?:{lead}),\s*)?" if lead else "")
                          + "(?:" + "|".join(map(re.escape, self.criteria_marks)) + ")")

    @cached_property
    def criteria_announce(self) -> re.Pattern[str] | None:
        """A criteria noun announcing what follows within the sentence ("… đạt các tiêu chuẩn sau đây:"), folded."""
        if not self.criteria_marks:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, self.criteria_marks)) + r")(?!\w)[^:]{0,40}:")

    @classmethod
    def load(cls, path: Path) -> AnswerTypes:
        d = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {}
        types = d.get("types") or {}
        q = {k: [(_question_pattern(p, False), _question_pattern(p, True)) for p in (v or {}).get("question") or []]
             for k, v in types.items()}
        a = {k: [re.compile(p) for p in (v or {}).get("answer") or []] for k, v in types.items()}
        return cls(list(d.get("order") or types), q, a, [str(x) for x in d.get("list_heads") or []],
                   [fold(str(x)) for x in d.get("plan_words") or []],
                   [fold(str(x)) for x in d.get("criteria_marks") or []],
                   [fold(str(x)) for x in d.get("criteria_verbs") or []],
                   [fold(str(x)) for x in d.get("criteria_references") or []],
                   [fold(str(x)) for x in d.get("criteria_head_words") or []],
                   _exclusion_pattern(d.get("exclusions") or {}),
                   [([(_question_pattern(w, False), _question_pattern(w, True)) for w in e.get("words") or []],
                     [str(k) for k in e.get("kinds") or []]) for e in d.get("either") or []])

    def __post_init__(self) -> None:
        # the patterns are fixed once loaded: a question's type depends on its text alone
        self._detected: Memo[str | None] = Memo(TYPES_KEPT)

    def detect(self, question: str) -> str | None:
        """The answer type of a question ('amount', 'count', …, 'criteria'), or None when no type is recognised."""
        return self._detected.get(question, lambda: self._detect(question))

    def _detect(self, question: str) -> str | None:
        text, accented = _reading(question)
        return next((t for t in self.order if self._has_words(text, accented, t)), None)

    def asks_type(self, question: str, kind: str) -> bool:
        """Whether the question has the question words of `kind` (whichever type `detect` gives it first)."""
        return self._has_words(*_reading(question), kind)

    def also_asked(self, question: str) -> list[str]:
        """The kinds the question's words may ask besides the one detected (`either`: "thời hạn" asks a length of
        time or a deadline)."""
        text, accented = _reading(question)
        return [k for pats, kinds in self.either if any((a if accented else f).search(text) for a, f in pats)
                for k in kinds]

    def _has_words(self, text: str, accented: bool, kind: str) -> bool:
        return any((acc if accented else folded).search(text) for acc, folded in self.question.get(kind, []))


def _exclusion_pattern(ex: dict) -> re.Pattern[str] | None:
    """The words that leave a case out of a rule (answer_types.yaml exclusions), as one pattern whose group 1 (in
    brackets: "(trừ …)") or group 2 (after "không áp dụng đối với") is the case; None when none are listed."""
    def alts(xs: list) -> str:
        return "|".join(r"\s+".join(map(re.escape, str(x).split())) for x in sorted(xs, key=len, reverse=True))

    if not ex.get("bracketed") and not ex.get("leading"):
        return None
    never = "(?!)()"  # keeps the group numbers when one form is not listed
    bracketed = r"\(\s*(?:" + alts(ex["bracketed"]) + r")\s+([^()]{3,60}?)\s*\)" if ex.get("bracketed") else never
    leading = "(?:" + alts(ex["leading"]) + r")\s+([^,.;()]{3,60})" if ex.get("leading") else never
    return re.compile(f"{bracketed}|{leading}")


TYPES_KEPT = 64  # questions and clauses whose answer type is remembered (those of the recent requests)


@lru_cache(maxsize=TYPES_KEPT)
def _reading(question: str) -> tuple[str, bool]:
    """The text the question words are matched in: lower-case, folded when typed without diacritics ("lẫn" is not
    "lần" when the asker typed diacritics); and whether it was typed with them."""
    low = question.lower().strip()
    accented = has_marks(low)
    return (low if accented else fold(low)), accented


def _question_pattern(p: str, folded: bool) -> re.Pattern[str]:
    p = fold(p) if folded else p.lower()
    if any(ch in p for ch in "\\[("):
        return re.compile(p)
    return re.compile(r"(?<!\w)" + re.escape(p) + r"(?!\w)")


def _plain(s: str, keep_quotes: bool = False) -> str:
    """A verbatim span made readable in one line: curly quotes, markdown and the item marker removed."""
    s = re.sub(r"[*]" if keep_quotes else r"[“”*]", "", s).strip()
    s = _ITEM.sub("", s).strip()
    s = s.rstrip(" ;,:.")
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
        if not out:  # the fact's clause alone is too long: the words around the fact, verbatim, between '…'
            a = max(0, anchor.start() - limit // 2)
            a = s.rfind(" ", 0, a) + 1 if a else 0
            window = s[a:a + limit - 4].rsplit(" ", 1)[0] if a + limit - 4 < len(s) else s[a:]
            return ("… " if a else "") + window + (" …" if a + len(window) < len(s) else "")
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


def question_parts(question: str) -> list[str]:
    """The sub-questions of a question ('… mấy tháng một lần? … bao nhiêu ủy viên dự?', '…, trong thời hạn bao
    lâu?'): split at question marks, semicolons and commas; a part too short to ask anything joins the previous."""
    raw = [x.strip() for x in re.split(r"[?;,]\s*", question) if x.strip()]
    parts: list[str] = []
    for x in raw:
        if parts and len(x.split()) < 3:
            parts[-1] += ", " + x
        else:
            parts.append(x)
    return parts or [question]


_JOIN = re.compile(r"(\s+(?:và|còn|với lại|rồi|va|con|voi lai|roi)\s+)", re.I)  # '… gồm những gì và nộp cho ai'


# words that make a clause a question of its own (general Vietnamese interrogatives, with and without diacritics)
_ASKS = re.compile(r"(?<!\w)(?:nào|gì|ai|sao|bao nhiêu|mấy|đâu|nao|gi|bao nhieu|may|dau)(?!\w)", re.I)


def asks(clause: str, types: AnswerTypes) -> bool:
    """Whether a clause asks something: a known kind of fact, or an interrogative word ('… cho đối tượng nào')."""
    return bool(types.detect(clause) or _ASKS.search(clause))


def asked_parts(question: str, types: AnswerTypes) -> list[str]:
    """The sub-questions of a question, also split at 'và'/'còn' when the words on both sides each ask something
    ('… trong bao nhiêu ngày và ai quyết định tặng …?' → a duration and an authority; '… tặng cho đối tượng nào và
    tiêu chuẩn ra sao?' → who it is for and its criteria)."""
    out: list[str] = []
    for part in question_parts(question):
        pieces = _JOIN.split(part)  # text, joiner, text, joiner, …
        cur = pieces[0]
        for joiner, nxt in zip(pieces[1::2], pieces[2::2], strict=False):
            if len(nxt.split()) >= 2 and asks(cur, types) and asks(nxt, types):
                out.append(cur)
                cur = nxt
            else:
                cur += joiner + nxt
        out.append(cur)
    return out


_GAP = re.compile(r"\[…[^\]]*\]|\[\.\.\.[^\]]*\]")  # the collector's gap markers ('[… khoản 2–6 …]')


_ARTICLE_NO = re.compile(r"^(?:#+\s*)?Điều\s+\d+[a-z]?\.$")


def body_lines(quote: str) -> list[str]:
    """The quote's non-empty lines (stripped) up to the closing block it may run into (recipients, signer: 'Nơi
    nhận: …'), which states nothing; a quote that is the closing block keeps it."""
    lines = [x.strip() for x in quote.split("\n") if x.strip()]
    if lines and CLOSING_LINE.match(lines[0]):
        return lines
    return lines[:next((i for i, x in enumerate(lines) if CLOSING_LINE.match(x)), len(lines))]


def sentences(quote: str) -> list[str]:
    """The quote's lines split into sentences (verbatim); an article heading stays one ('Điều 3. Đối tượng, …')."""
    out: list[str] = []
    for line in body_lines(quote):
        line = _GAP.sub(" ", line).strip()
        if line:
            pieces = [x.strip() for x in _SENT.split(line) if x.strip()]
            # a label and its short value on one line ('Số trường đạt chuẩn Quốc gia năm 2024: 01 trường;') are
            # one fact
            if len(pieces) == 2 and pieces[0].endswith(":") and len(pieces[1]) <= LABEL_VALUE_CHARS:
                pieces = [f"{pieces[0]} {pieces[1]}"]
            if len(pieces) > 1 and _ARTICLE_NO.match(pieces[0]):
                pieces = [f"{pieces[0]} {pieces[1]}", *pieces[2:]]
            out.extend(pieces)
    return out


@dataclass
class Conclusion:
    """One or two sentences that state the asked fact, each a verbatim span of the cited passage."""

    text: str
    kind: str | None
    spans: list[str]


def is_heading(line: str) -> bool:
    """An article/chapter heading ('Điều 19. Danh hiệu thi đua đối với cá nhân', 'XỬ LÝ VI PHẠM'): a title, not a
    statement."""
    t = line.strip()
    return bool(_HEADING.match(t)) or (t.isupper() and len(t) < 120)


def _head_text(line: str) -> str:
    """A list head; a long one shown as its start … its end (both verbatim)."""
    head = _plain(re.sub(r"^(?:#+\s*)?Điều\s+\d+[a-z]?\.\s*", "", line.strip()))
    if len(head) <= HEAD_CHARS:
        return head
    words = head.split()
    return " ".join(words[:7]) + " … " + " ".join(words[-6:])


def _marker_class(line: str) -> str:
    m = _ITEM.match(line)
    if not m:
        return ""
    mk = m.group(0).strip()
    if mk[0].isdigit():
        return "1."
    if mk.startswith("("):
        return "(1)"
    return "a)" if mk[0].isalpha() else "-"


def _list_conclusion(lines: list[str], head_i: int, budget: int,
                     support: Callable[[str], float] | None = None, conditions: bool = False) -> tuple[str, list[str]]:
    """'<head>: item; item; …' from a head line and the item lines after it (same marker kind), within
    `budget` characters: every item named (its short form when all do not fit whole), the items closest to the
    question (or holding a figure) shown whole or by their most relevant clauses first. `conditions`: the list is
    a title's criteria — the head keeps only what names the title, every condition keeps its figures and titles."""
    conditions = conditions and bool(_ANNOUNCES_CRITERIA.search(lines[head_i]))
    head, own = criteria_head(lines[head_i]) if conditions else (_head_text(lines[head_i]), None)
    items = []
    kind = _marker_class(lines[head_i + 1]) if head_i + 1 < len(lines) else ""
    for line in lines[head_i + 1:]:
        line = _GAP.sub(" ", line).strip()
        if not line:
            continue
        mk = _marker_class(line)
        if not kind:  # items whose markers the source lost: the plain lines up to the next marked one
            if mk or is_heading(line):
                break
            items.append(_plain(line, keep_quotes=True))
            continue
        if not mk:
            break
        if mk == kind:
            items.append(_plain(line, keep_quotes=True))
    if conditions:  # items the source ran together on one line ('…, tỉnh; b)Có sáng kiến …')
        items = [x.strip().rstrip(";") for it in items for x in _INLINE_ITEM.split(it) if x.strip()]
        items = [own, *items] if own and items else items
    if not items:
        return head, [head]
    text, shown = _fit_conditions(head, items, budget) if conditions else _fit_items(head, items, budget, support)
    shown = [re.sub(r"[“”]", "", x) for x in shown]  # quotes kept only to split clauses outside a named title
    return text + "; ".join(shown), [head, *shown]


def _fit_items(head: str, items: list[str], budget: int,
               support: Callable[[str], float] | None) -> tuple[str, list[str]]:
    text = head.rstrip(":") + ": "
    room = budget - len(text)
    if sum(len(it) + 2 for it in items) <= room:
        return text, items
    score = support or (lambda _t: 0.0)
    shown = [short_item(it, score) for it in items]
    while sum(len(x) + 2 for x in shown) > room and len(shown) > 1:  # too many items: the last ones as '…'
        shown = shown[:-1]
        if shown[-1] != "…":
            shown.append("…")
            shown = shown[:-2] + shown[-1:] if sum(len(x) + 2 for x in shown) > room else shown
    order = sorted(range(len(shown)), key=lambda i: (-(score(fold(items[i])) + bool(re.search(r"\d", items[i]))), i))
    for rank, i in enumerate(order):
        if shown[i] == "…":
            continue
        # the item closest to the question may take half the room, the others their share
        cap = room // 2 if rank == 0 else 3 * room // (2 * len(items))
        left = min(room - sum(len(x) + 2 for j, x in enumerate(shown) if j != i), cap)
        better = relevant_clauses(items[i], left, score)
        if len(better) > len(shown[i]):
            shown[i] = better
    return text, shown


def criteria_head(line: str) -> tuple[str, str | None]:
    """The head of a title's criteria list without its boilerplate, and the condition it carries itself, if any:
    ('Danh hiệu “Chiến sĩ thi đua toàn quốc” để tặng cho cá nhân đạt các tiêu chuẩn sau đây:' → 'Danh hiệu Chiến sĩ
    thi đua toàn quốc'); a long 'để tặng cho <whom>' clause is a condition of its own ('… để tặng cho cá nhân gương
    mẫu chấp hành tốt …'); 'đạt một trong các tiêu chuẩn' is kept (one condition is enough). Verbatim pieces; a
    lead-in label ('Tiêu chuẩn:') dropped; the whole head (start … end) when no title precedes the boilerplate."""
    head = _plain(re.sub(r"^(?:#+\s*)?Điều\s+\d+[a-z]?\.\s*", "", line.strip()), keep_quotes=True)
    head = re.sub(r"^(?:Tiêu\s+chuẩn|Điều\s+kiện)\s*:\s*", "", head)
    tail = _CRITERIA_TAIL.search(head)
    body = head[: tail.start()].rstrip(" ,") if tail else head
    one_of = _ONE_OF.search(tail.group(0)) if tail else None
    gift = _GIFT.search(body)
    name = body[: gift.start()] if gift else body
    own = body[gift.start():].strip() if gift and len(body[gift.end():].split()) > GIFT_WORDS else None
    name = re.sub(r"[“”]", "", name).strip(" ,")
    if len(name.split()) < 2 or len(name) > HEAD_CHARS:
        return _head_text(line), None
    if one_of:
        name = f"{name} … {one_of.group(0)}"
    own = re.sub(r"[“”]", "", own) if own else None
    return name[:1].upper() + name[1:], (own[:1].upper() + own[1:]) if own else None


GIFT_WORDS = 10  # a longer 'để tặng cho <whom>' clause states a condition (not only who receives the title)
_CRITERIA_TAIL = re.compile(r"(?:\s+và|,)?\s+(?:phải\s+)?(?:đạt|đủ|có\s+đủ)\s+(?:một\s+trong\s+)?(?:các\s+)?"
                            r"(?:tiêu\s+chuẩn|điều\s+kiện)(?:\s+sau(?:\s+đây)?)?\s*:?\s*$")
_ONE_OF = re.compile(r"(?:đạt|đủ|có\s+đủ)\s+một\s+trong\s+(?:các\s+)?(?:tiêu\s+chuẩn|điều\s+kiện)")
_GIFT = re.compile(r"\s+để\s+(?:xét\s+)?(?:tặng|truy\s+tặng|công\s+nhận)(?!\w)")
_ANNOUNCES_CRITERIA = re.compile(r"(?<!\w)(?:tiêu\s+chuẩn|điều\s+kiện|tiêu\s+chí)(?!\w)", re.IGNORECASE)
_INLINE_ITEM = re.compile(r"(?<=;)\s*[a-zđ]\)\s*")  # a lettered item starting after a ';' inside a line
_TOKEN = re.compile(r"\S*“[^”]*”\S*|\S+")  # a word, or a quoted title with what is glued to it
FIGURE_WORDS = 3  # the words after a figure kept with it (its unit: 'lần liên tục', '% cá nhân')
CONDITION_HEAD_WORDS = 4  # the first words of a condition, always kept (what the condition is about)


def compact_condition(item: str, limit: int) -> str:
    """A condition within `limit` characters, verbatim pieces joined by '…': its first words, every figure with its
    unit and every quoted title it names kept; then the words next to those kept, left to right, while they fit."""
    if len(item) <= limit:
        return item
    toks = _TOKEN.findall(item)
    keep = set(range(min(CONDITION_HEAD_WORDS, len(toks))))
    keys: list[set[int]] = []
    for i, tok in enumerate(toks):
        if "“" in tok:  # the title with the two words naming its kind ('danh hiệu')
            keys.append({j for j in (i - 2, i - 1, i) if j >= 0})
        elif re.search(r"\d", tok):
            keys.append(set(range(max(0, i - 1), min(len(toks), i + 1 + FIGURE_WORDS))))
    for k in keys:
        if len(_render(toks, keep | k)) <= limit:
            keep |= k
    if len(_render(toks, keep)) > limit:
        return _ends(item, limit)
    grown = True
    while grown:  # widen the kept pieces rightwards (the first piece first), a word at a time
        grown = False
        for j in sorted(keep):
            if j + 1 < len(toks) and j + 1 not in keep and len(_render(toks, keep | {j + 1})) <= limit:
                keep.add(j + 1)
                grown = True
                break
    return _render(toks, keep)


def _render(toks: list[str], keep: set[int]) -> str:
    """The kept words in order, a gap shown as ' … ' (a piece's trailing comma or semicolon dropped before it)."""
    out, prev = "", -1
    for i in sorted(keep):
        if out and i != prev + 1:
            out = out.rstrip(",;:") + " …"
        out = f"{out} {toks[i]}".strip()
        prev = i
    if prev < len(toks) - 1:
        out = out.rstrip(",;:") + " …"
    return out


def _fit_conditions(head: str, items: list[str], budget: int) -> tuple[str, list[str]]:
    """Every condition of a criteria list after its head within the budget (fit_conditions)."""
    text = head.rstrip(":") + ": "
    return text, fit_conditions(items, budget - len(text) - 2 * len(items))


def fit_conditions(items: list[str], room: int) -> list[str]:
    """Conditions within `room` characters together: those that fit an equal share keep their whole text, the others
    share what remains, each in its compact form (compact_condition: its figures and titles kept)."""
    shown = list(items)
    left = list(range(len(items)))
    while left:
        share = max(MIN_SHARE, (room - sum(len(shown[i]) for i in range(len(items)) if i not in left)) // len(left))
        fits = [i for i in left if len(items[i]) <= share]
        if not fits:
            for i in left:
                shown[i] = compact_condition(items[i], share)
            break
        left = [i for i in left if i not in fits]
    return shown


MIN_SHARE = 24  # the fewest characters a condition is stated in


_CLAUSE = re.compile(r"(?<=[,;])\s+(?![^“(]*[”)])")  # a comma or semicolon outside quotes and brackets


def short_item(item: str, score: Callable[[str], float], words: int = 6) -> str:
    """A long list item in short, verbatim: its first clause (with the clause that holds its figure) when that says
    enough, else its first words …"""
    if re.search(r"\d", item) and len(_CLAUSE.split(item)) > 1:
        return relevant_clauses(item, SHORT_ITEM + 15, lambda t: 0.0)
    first = _CLAUSE.split(item)[0].rstrip(",; ")
    if first != item and MIN_CLAUSE <= len(first) <= SHORT_ITEM:
        return first + " …"
    ws = item.split()
    return item if len(ws) <= words + 2 else " ".join(ws[:words]) + " …"


def relevant_clauses(item: str, limit: int, score: Callable[[str], float]) -> str:
    """The item within `limit` characters, verbatim: whole if it fits, else its first clause and the clauses most
    related to the question (or holding a figure), in their order, gaps marked '…'."""
    if len(item) <= limit:
        return item
    clauses = [c.rstrip(",; ") for c in _CLAUSE.split(item)]
    if len(clauses) == 1:
        return _ends(item, limit)
    last = len(clauses) - 1  # a condition often ends with its operative part ('… trái quy định của pháp luật')
    keep = {0, last} if len(_join_clauses(clauses, {0, last})) <= limit else {0}
    if len(_join_clauses(clauses, keep)) > limit:
        return _ends(item, limit)
    ranked = sorted((i for i in range(1, last + 1) if i not in keep),
                    key=lambda i: (-(score(fold(clauses[i])) + bool(re.search(r"\d", clauses[i]))), i))
    for i in ranked:
        trial = keep | {i}
        if len(_join_clauses(clauses, trial)) <= limit:
            keep = trial
    text = _join_clauses(clauses, keep)
    return text if len(text) <= limit else _trim(clauses[0], limit - 2)


def _ends(text: str, limit: int) -> str:
    """'first words … last words' of a text within `limit` characters (the start through its first figure when it has
    one), both verbatim."""
    ws = text.split()
    fig = next((i for i, w in enumerate(ws) if re.search(r"\d", w)), None)
    n_head = min(len(ws), max(4, (fig + 1) if fig is not None and fig < 12 else 4))
    head = " ".join(ws[:n_head])
    for n in range(len(ws) - n_head - 1, 0, -1):
        cand = f"{head} … {' '.join(ws[-n:])}"
        if len(cand) <= limit:
            return cand
    return _trim(text, limit - 2)


def _join_clauses(clauses: list[str], keep: set[int]) -> str:
    out, prev = "", -1
    for i in sorted(keep):
        sep = ", " if i == prev + 1 else " … "
        out = clauses[i] if not out else out + sep + clauses[i]
        prev = i
    return out + (" …" if prev < len(clauses) - 1 else "")


def _fact_sentence(sents: list[str], pats: list[re.Pattern[str]], names_entity: Callable[[str], int],
                   support: Callable[[str], float]) -> tuple[str, re.Match[str]] | None:
    """The sentence that holds the asked kind of fact (a figure, a time limit, a decision maker …)."""
    scored = []
    for i, s in enumerate(sents):
        m = next((mm for p in pats if (mm := p.search(s))), None)
        if m is None or is_heading(s):
            continue
        lead_in = _announcing(sents, i)
        if len(s.split()) < MIN_FACT_WORDS and not lead_in:  # a bare table cell ('01 ngày 2') says nothing alone
            continue
        scored.append((names_entity(s), support(fold(f"{lead_in} {s}")), -i, s, m))
    if not scored:
        return None
    scored.sort(key=lambda x: (x[0], x[1], x[2]), reverse=True)
    return scored[0][3], scored[0][4]


def actor_clause(sentence: str, pats: list[re.Pattern[str]]) -> str | None:
    """The actor a sentence opens with (an authority pattern matched at its start, without the verb that ends it:
    'Phòng Nội vụ theo dõi …' → 'Phòng Nội vụ'); None when it opens with none."""
    m = next((mm for p in pats if (mm := p.search(sentence)) and mm.start() == 0), None)
    return ACTOR_END.sub("", m.group(0)) if m else None


def _actor_continuation(quote: str, pats: list[re.Pattern[str]],
                        support: Callable[[str], float]) -> tuple[float, str] | None:
    """(support, 'actor: sentence') for the sentence that best matches the question among those continuing an item
    whose first sentence opens with its actor (an authority pattern at the item's start) and naming no actor of
    their own; None when there is none."""
    best: tuple[float, str] | None = None
    for line in body_lines(quote):
        pieces = [x.strip() for x in _SENT.split(_GAP.sub(" ", line)) if x.strip()]
        if pieces and _ITEM.fullmatch(pieces[0] + " "):  # the item's number, split off ('4.')
            pieces = pieces[1:]
        if len(pieces) < 2:
            continue
        opening = actor_clause(_ITEM.sub("", pieces[0]), pats)
        if opening is None:
            continue
        actor = opening.strip(" ,:")
        for piece in pieces[1:]:
            if any(p.search(piece) for p in pats) or len(piece.split()) < MIN_FACT_WORDS:
                continue
            score = support(fold(f"{actor} {piece}"))
            if best is None or score > best[0]:
                best = (score, f"{actor}: {_plain(piece)}")
    return best


def _announcing(sents: list[str], i: int) -> str:
    """The sentence announcing sents[i]: the nearest one before it ending with ':', past the parts of one series
    the source separates with ';' ('Đối với khen thưởng tổng kết năm:' + 'Các cơ quan …;' + '… trước ngày 10/12');
    '' when another sentence or item comes between."""
    for j in range(i - 1, -1, -1):
        t = sents[j].rstrip()
        if t.endswith(":"):
            return sents[j]
        if not t.endswith(";") or _ITEM.match(sents[j]):
            return ""
    return ""


def _with_continuation(sent: str, sents: list[str], budget: int) -> str:
    """A sentence that announces what follows (ends with ':' or is a bare title such as a signer's capacity)
    continued with the next sentence(s) of the passage, within the budget."""
    i = sents.index(sent) if sent in sents else -1
    out = _plain(sent)
    steps = 0
    while i >= 0 and i + 1 < len(sents):
        cur, nxt_raw = sents[i].rstrip(), sents[i + 1].lstrip()
        announces = cur.endswith(":")
        cut = not re.search(r"[.;:!?…”)]$", cur) and bool(re.match(r"[“(\"a-zà-ỹđ]", nxt_raw))
        # a series the source separates with ';' goes on in lower case ('… thuế, bảo hiểm xã hội; phòng cháy …')
        series = cur.endswith(";") and bool(re.match(r"[a-zà-ỹđ]", nxt_raw)) and not _ITEM.match(nxt_raw)
        cut = cut or series
        bare = len(out) < 40 and steps == 0  # a bare title, e.g. a signer's capacity, continued by the name
        if not (announces or cut or bare):
            break
        nxt = _plain(nxt_raw)
        if series:
            nxt = nxt[:1].lower() + nxt[1:]
        if len(out) + len(nxt) + 2 > budget:
            # a long sentence that announces what follows ('… với chủ đề:'): its start gives way to the fact
            out = _drop_front(out, budget - len(nxt) - 4) if (announces or cut) else out
            if len(out) + len(nxt) + 2 > budget:
                break
        out = f"{out.rstrip(' :')}: {nxt}" if announces else f"{out}; {nxt}" if series else f"{out} {nxt}"
        i += 1
        steps += 1
    return out


def _drop_front(text: str, room: int) -> str:
    """'… <last clauses>' of a text within `room` characters (cut at clause boundaries, verbatim), or the text when
    even its last clause does not fit."""
    clauses = re.split(r"(?<=[,;])\s+", text)
    for i in range(1, len(clauses)):
        tail = " ".join(clauses[i:])
        if len(tail) + 2 <= room:
            return "… " + tail
    return text


def title_overlap(sentence: str, question: str) -> float:
    """Share of the syllables of the sentence's subject (the words before its first 'được'/'đạt', e.g. 'Danh hiệu
    “Chiến sĩ thi đua cơ sở”') that the question also has: low when the sentence states another title's fact.
    Compared with diacritics when the question has them ('tiền' is not 'tiên'), folded otherwise."""
    fs = fold(_QUOTE_MARKS.sub(" ", sentence))
    m = _SUBJECT_END.search(fs)
    end = m.start() if m else min(60, len(fs))
    accented = has_marks(question)
    head = (sentence[:end].lower() if accented and len(fs) == len(sentence) else fs[:end])
    words = [w for w in re.findall(r"\w+", _QUOTE_MARKS.sub(" ", head)) if fold(w) not in _GENERIC and not w.isdigit()]
    if not words:
        return 1.0
    q = question.lower() if accented else fold(question)
    qw = set(re.findall(r"\w+", q))
    return sum(w in qw for w in words) / len(words)


def best_subject_sentences(sents: list[str], question: str, pats: list[re.Pattern[str]]) -> list[str]:
    """Of the sentences stating a figure, those whose subject is closest to the question's (at least half of it);
    sentences without a figure stay."""
    score = {s: title_overlap(s, question) for s in sents if any(p.search(s) for p in pats)}
    top = max(score.values(), default=0.0)
    return [s for s in sents if s not in score or (score[s] >= 0.5 and score[s] == top)]


def fact_sentence(quote: str, kind: str | None, types: AnswerTypes, support: Callable[[str], float],
                  entities: list[str], budget: int = CONCLUSION_CHARS, question: str | None = None) -> str | None:
    """The sentence of a passage that holds the asked kind of fact, trimmed around it, or None. An amount is
    taken only from a sentence that names no other title than the question's (never another title's figure)."""
    pats = types.answer.get(kind or "", [])
    if not pats:
        return None
    sents = [s for s in sentences(quote) if not is_heading(s)]
    if kind == "amount" and question:
        # the sentences naming an asked title (in any wording the question's titles have) state its figure; else
        # those whose subject is closest to the question's
        named = [s for s in sents if entities and title_match(entities, s) and any(p.search(s) for p in pats)]
        sents = ([s for s in sents if s in named or not any(p.search(s) for p in pats)] if named
                 else best_subject_sentences(sents, question, pats))
    found = _fact_sentence(sents, pats, lambda s: title_match(entities, s), support)
    if kind == "authority":
        # a duty stated after its actor's sentence in the same item ('4. Phòng Nội vụ theo dõi, … . Thẩm định hồ sơ
        # trình UBND huyện khen thưởng …'): its actor does it
        cont = _actor_continuation(quote, pats, support)
        if cont and (not found or cont[0] > support(fold(found[0]))):
            return _trim(cont[1], budget)
    if not found or (kind == "amount" and entities and not title_match(entities, found[0])):
        return None  # an amount is stated only for the title asked, never another title's figure
    plain = _with_continuation(found[0], sents, budget)
    if not any(p.search(plain) for p in pats):  # the continuation pushed out the fact itself: the sentence alone
        plain = _plain(found[0])
    i = sents.index(found[0])
    lead_in = _plain(sents[i - 1]) if i and sents[i - 1].rstrip().endswith(":") else ""
    bare = len(found[0].split()) < 2 * MIN_FACT_WORDS and not _ITEM.match(found[0])  # a value, not a list item
    if kind == "authority" and not (lead_in and bare):
        # an item of a list of duties is done by its list's head ('2. Thường trực Hội đồng …:' + 'b) Thẩm định …')
        lead_in, bare = _list_head(sents, i), True
    if lead_in and bare and len(lead_in) <= LEAD_IN_CHARS and len(lead_in) + len(plain) + 2 <= budget:
        plain = f"{lead_in.rstrip(' :')}: {plain}"  # the words announcing the fact ('Số lượng hồ sơ: 01 bộ')
    m = next((mm for p in pats if (mm := p.search(plain))), found[1])
    return _trim(plain, budget, m)


def _list_head(sents: list[str], i: int) -> str:
    """The head of the list whose item sents[i] is: the nearest sentence before it, past its sibling items (same
    marker class) and their continuations, that ends with ':' and is no item of that class; '' for no item."""
    cls = _marker_class(sents[i])
    if not cls:
        return ""
    for j in range(i - 1, -1, -1):
        if _marker_class(sents[j]) == cls:
            continue
        if sents[j].rstrip().endswith(":") and not is_heading(sents[j]):
            return _plain(sents[j])
        if _ITEM.match(sents[j]):
            return ""  # an item of another list: the head is not in reach
    return ""


_QUOTE_MARKS = re.compile(r"[“”\"]")
_SUBJECT_END = re.compile(r"(?<!\w)(?:duoc|dat)(?!\w)")
_GENERIC = {"danh", "hieu", "cua", "va", "hoac", "doi", "voi", "a", "b", "c", "d", "đ", "e"}
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|lần\b|ngày\b|tháng\b|năm\b)")  # a figure with its unit
_LIST_ASK = re.compile(r"(?<!\w)(?:bao gom|gom|can co nhung|co nhung|phai co nhung)(?!\w)")


def list_subject(question: str) -> str | None:
    """Folded head noun (two syllables) of the thing whose parts are asked: 'ho so' for 'Hồ sơ đề nghị … gồm những
    gì?', 'thanh phan' for 'Thành phần Hội đồng … gồm những ai?'; None when the question names none before 'gồm'."""
    fq = fold(question)
    m = _LIST_ASK.search(fq)
    if not m:
        return None
    # the clause before 'gồm', after the topic a marked 'thì' closes ('Theo Luật … thì hồ sơ gồm …')
    topic = [t.end() for t in re.finditer(r"(?<!\w)thì(?!\w)", question.lower()[: m.start()])]
    clause = re.split(r"[,;:?]", fq[topic[-1] if topic else 0: m.start()])[-1]
    words = re.findall(r"[a-z0-9]+", clause)
    return " ".join(words[:2]) if len(words) >= 2 else None


_WHICH = re.compile(r"((?:[a-z0-9]+\s+){1,3})(?:la\s+)?(?:gi|nao)(?!\w)")  # '… chủ đề gì', '… hình thức nào'


_CLAUSE_HEAD = re.compile(r"^((?:[a-z0-9]+\s+){2,4}?)(?:cua|nam|trong|o|tai|theo|doi voi)\s")  # 'chủ đề thi đua năm …'


def asked_labels(question: str) -> list[str]:
    """The folded nouns (two words or more, longest first) a 'X gì/nào?' question asks the value of: the words
    before 'gì/nào' ('… với chủ đề gì') or the head of a clause asked with 'là gì' ('chủ đề thi đua năm 2024 của
    huyện … là gì')."""
    fq = fold(question)
    found: list[str] = []
    for m in _WHICH.finditer(fq):
        words = m.group(1).split()
        if words and words[-1] == "la":  # '… chủ đề là gì': the greedy words took the 'là'
            words = words[:-1]
        found += [" ".join(words[-n:]) for n in range(min(3, len(words)), 1, -1)]
    for clause in re.split(r"[,.;:?!]\s*", fq):
        h = _CLAUSE_HEAD.match(clause.strip() + " ")
        if h and re.search(r"(?<!\w)la (?:gi|nao)(?!\w)", clause):
            words = h.group(1).split()
            found += [" ".join(words[:n]) for n in range(len(words), 1, -1)]
    return list(dict.fromkeys(found))


def asks_label(kind: str | None, entities: list[str]) -> bool:
    """Whether a labelled value may answer: a question of no answer type, or a 'là gì' naming no title."""
    return kind is None or (kind == "criteria" and not entities)


def label_pattern(noun: str) -> re.Pattern[str]:
    """A folded noun labelling its value with a colon ('chủ đề:')."""
    return re.compile(r"(?<!\w)" + re.escape(noun) + r"\s*:")


def labelled_value(question: str, sents: list[str], budget: int) -> str | None:
    """For 'X gì/nào?': the passage's sentence that labels its value with X and a colon ('… với chủ đề: “…”',
    'Hình thức: …'), continued with the value; None when no sentence does."""
    for noun in asked_labels(question):
        pat = label_pattern(noun)
        for s in sents:
            fs = fold(_plain(s, keep_quotes=True)) + (":" if s.rstrip().endswith(":") else "")
            if pat.search(fs):
                text = _with_continuation(s, sents, budget)
                return _trim(text, budget, re.search(re.escape(noun), fold(text)))
    return None


DEFINITION_ASKED = ("là gì", "là như thế nào", "nghĩa là gì", "được hiểu", "được định nghĩa")  # after the term
_DEF_Q = re.compile(r"(.{2,80}?)\s+(?:" + "|".join(DEFINITION_ASKED) + ")", re.I)


def definition_sentence(question: str, quote: str) -> str | None:
    """For 'X là gì?' / '“X” được định nghĩa thế nào?': the passage's sentence that starts with X followed by 'là'."""
    m = re.search(r"“([^”]{2,60})”", question) or _DEF_Q.search(question)
    if not m:
        return None
    words = re.sub(r"[“”\"'?]", " ", m.group(1)).split()[-6:]
    sents = sentences(quote)
    for k in range(len(words), 0, -1):
        term = fold(" ".join(words[-k:]))
        if len(term) < 4:
            break
        for s in sents:
            if fold(_plain(s)).startswith(term + " la "):
                return _plain(s)
    return None


def build_conclusion(question: str, quote: str, types: AnswerTypes, support: Callable[[str], float],
                     entities: list[str], kind: str | None = None, budget: int = CONCLUSION_CHARS,
                     subject: str | None = None) -> Conclusion | None:
    """The conclusion for a question from one passage: the sentence that holds the asked fact, stated first."""
    kind = kind or types.detect(question)
    lines = body_lines(quote)
    if not lines:
        return None
    sents = [s for s in sentences(quote) if not is_heading(s)] or sentences(quote)
    if kind == "amount":  # another title's figure is no answer to the amount of the title asked
        sents = best_subject_sentences(sents, subject or question, types.answer.get("amount", []))
    ents = [e for e in entities if e]

    def names_entity(s: str) -> int:
        return title_match(ents, s)

    fact = fact_sentence(quote, kind, types, support, ents, budget, subject or question)
    if fact:
        return Conclusion(fact, kind, [fact])
    labelled = labelled_value(question, sents, budget) if asks_label(kind, ents) else None
    if labelled:
        return Conclusion(labelled, kind, [labelled])
    definition = definition_sentence(question, quote)
    if definition:
        text = _trim(definition, budget)
        return Conclusion(text, "definition", [text])
    # a list or the criteria of a title: the head line (or the article heading) and its items
    # (a sub-item without final punctuation over dashed items heads them too: "b) Thủ tục, hồ sơ đề nghị tặng
    # Bằng khen …" + "- Tờ trình …")
    heads = [i for i, line in enumerate(lines) if i + 1 < len(lines) and (
        (line.endswith(":") and not is_heading(lines[i + 1])) or (is_heading(line) and _ITEM.match(lines[i + 1]))
        or (_ITEM.match(line) and not re.search(r"[.;:!?…]$", line) and _DASHED.match(lines[i + 1])))]
    if heads and (kind in ("components", "criteria") or not sents):
        head_i = max(heads, key=lambda i: (lines[i].endswith(":"), support(fold(lines[i])), -i))
        text, spans = _list_conclusion(lines, head_i, budget, support, conditions=kind == "criteria")
        return Conclusion(text, kind, spans)
    # a yes/no question is decided by the sentence that states its condition (most of its words), whichever title
    # the passage names first; otherwise the sentence naming the asked title leads
    # a figure the question names ('… phải được 80% phiếu …, giờ vẫn vậy à?') marks the sentence it is about
    figs = {re.sub(r"\s+", " ", f) for f in _FIGURE.findall(question)}

    def names_figure(s: str) -> int:
        return int(any(re.search(r"(?<![\d.,])" + re.escape(f).replace(r"\ ", r"\s+"), s) for f in figs))

    if kind == "yesno":
        ranked = sorted(range(len(sents)), key=lambda i: (names_figure(sents[i]), support(fold(sents[i])),
                                                          names_entity(sents[i]), -i), reverse=True)
    else:
        ranked = sorted(range(len(sents)), key=lambda i: (names_figure(sents[i]), names_entity(sents[i]),
                                                          support(fold(sents[i])), -i), reverse=True)
    top = sents[ranked[0]]
    if top.rstrip().endswith(":"):  # the best sentence announces a list: the list is the conclusion
        i = next((j for j, line in enumerate(lines) if line.endswith(top.strip())), None)
        if i is not None and i + 1 < len(lines) and not is_heading(lines[i + 1]):
            text, spans = _list_conclusion(lines, i, budget, support, conditions=kind == "criteria")
            return Conclusion(text, kind, spans)
    first = _with_continuation(top, sents, budget)
    chosen = [first]
    if len(ranked) > 1 and support(fold(sents[ranked[1]])) > 0:
        second = _plain(sents[ranked[1]])
        if len(first) + len(second) + 2 <= budget and second not in first:
            chosen = [first, second] if ranked[0] < ranked[1] else [second, first]
    joined = ". ".join(x.rstrip(" .;:") for x in chosen)
    anchor = next((m for f in figs if (m := re.search(re.escape(f).replace(r"\ ", r"\s+"), joined))), None)
    text = _trim(joined, budget, anchor)  # cut around the figure the question names, if any
    return Conclusion(text, kind, chosen)
