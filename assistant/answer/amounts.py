"""Reward amounts: multiplier × base salary given by the user, with the rounding rule when a source states it."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from assistant.corpus.normalize import fold

_BASE = re.compile(r"(?:lương cơ sở|luong co so)[^0-9]{0,25}(\d{1,3}(?:[.,]\d{1,3})*)\s*(triệu|trieu|nghìn|nghin|đồng|dong)?",
                   re.I)
_MULT = re.compile(r"(?:được thưởng|thưởng)\s+(\d+(?:,\d+)?)\s+lần mức lương cơ sở")


@dataclass
class Amount:
    multiplier: Decimal
    base: Decimal
    raw: Decimal
    rounded: Decimal | None
    explanation: str


def base_span(question: str) -> tuple[int, int] | None:
    """Where the base salary figure (with its unit) sits in the question."""
    m = _BASE.search(question)
    if not m:
        return None
    return m.start(1), m.end(2) if m.group(2) else m.end(1)


def parse_base(question: str) -> Decimal | None:
    """Base salary the user states ('lương cơ sở là 2,34 triệu đồng' → 2340000)."""
    m = _BASE.search(question)
    if not m:
        return None
    num = m.group(1)
    unit = fold(m.group(2) or "")
    if unit == "trieu" or (not unit and "," in num and len(num) < 6):
        return Decimal(num.replace(".", "").replace(",", ".")) * 1_000_000
    if unit == "nghin":
        return Decimal(num.replace(".", "").replace(",", ".")) * 1_000
    return Decimal(num.replace(".", "").replace(",", ""))


_ITEM = r"[0-9a-z]+(?: [0-9a-z]+){0,3}"  # one item of a coordination: a short noun phrase
# where a list that closes a name ends: the text's end, punctuation, or a function word after the name ("… bộ, ban,
# ngành, tỉnh được tặng"), not a longer noun ("cơ sở, tỉnh đoàn")
_LIST_END = r"(?=$|[^\w ]| (?:duoc|la|va|hoac|cho|do|theo|thi|co|nam|trong|tai|doi|gom|phai|se|da)(?!\w))"


@lru_cache(maxsize=4096)
def _coordinated(name: str) -> re.Pattern[str] | None:
    """The name written as one item of a coordination whose outer words belong to every item: "thôn văn hóa" in
    "thôn, tổ dân phố văn hóa" (the words after the list are shared), "chiến sĩ thi đua tỉnh" in "chiến sĩ thi đua
    bộ, ban, ngành, tỉnh" (the words before it are)."""
    w = name.split()
    alts = []
    for k in range(1, len(w)):  # w[:k] before the list, w[k:j] the item, w[j:] after it (one of them shared)
        for j in range(k + 1, len(w) + 1):
            before, item, after = " ".join(w[:k]), " ".join(w[k:j]), " ".join(w[j:])
            if after:  # "… X, Y <after>": the item first, or after other items
                alts.append(re.escape(before) + rf" (?:{_ITEM}, )*" + re.escape(item) +
                            rf"(?:, {_ITEM})*(?:,? (?:va|hoac) {_ITEM})? " + re.escape(after))
            else:  # "<before> Y, X": the item closes the list
                alts.append(re.escape(before) + rf" (?:{_ITEM}, )+(?:(?:va|hoac) )?" + re.escape(item) + _LIST_END)
    for j in range(1, len(w)):  # the item opens the name: "X, Y <after>"
        alts.append(re.escape(" ".join(w[:j])) + rf"(?:, {_ITEM})+(?:,? (?:va|hoac) {_ITEM})? " +
                    re.escape(" ".join(w[j:])))
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)") if alts else None


@lru_cache(maxsize=256)
def _comma_tolerant(name: str) -> re.Pattern[str]:
    """The name's words in order, a comma allowed after each but the last."""
    return re.compile(",? ".join(re.escape(w) for w in name.split()))


def occurrences(name: str, folded_text: str) -> list[tuple[int, int]]:
    """Where a (folded) title is written in a folded text: as a phrase (a comma between its words allowed: a name
    read without them, "xa phuong dac khu tieu bieu", is "xã, phường, đặc khu tiêu biểu"), or as an item of a
    coordination."""
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(name), folded_text)] \
        or [(m.start(), m.end()) for m in _comma_tolerant(name).finditer(folded_text)]
    if spans or not ("," in folded_text or " va " in folded_text or " hoac " in folded_text):
        return spans
    if not set(name.split()) <= set(re.findall(r"[0-9a-z]+", folded_text)):
        return spans
    pat = _coordinated(name)
    return [(m.start(), m.end()) for m in pat.finditer(folded_text)] if pat else spans


def without_titles(folded_text: str, titles: Iterable[str]) -> str:
    """A folded text with the (folded) titles blanked out: what it asks besides the title every passage names."""
    for t in titles:
        folded_text = re.sub(r"(?<!\w)" + re.escape(t) + r"(?!\w)", " ", folded_text)
    return folded_text


def title_match(entities_folded: list[str], text: str, known_titles: Iterable[str] = ()) -> int:
    """2 when a text names one of the titles exactly (a quoted name equal to it, or an occurrence not inside a
    longer known title; an item of a coordination counts: "thôn, tổ dân phố văn hóa" names "thôn văn hóa"), 1 when
    a title only occurs inside a longer one ('Tập thể Lao động tiên tiến' contains 'Lao động tiên tiến'), else 0."""
    ft = fold(text)
    found = {e: occurrences(e, ft) for e in entities_folded}
    if not any(found.values()):
        return 0
    quoted = {fold(q).strip() for q in re.findall(r"“([^”]+)”", text)}
    if any(e in quoted for e in entities_folded):
        return 2
    longer = [t for t in known_titles if any(e in t and e != t for e in entities_folded)]
    if not longer:
        return 1 if quoted else 2
    covered = [(m.start(), m.end()) for t in longer for m in re.finditer(re.escape(t), ft)]
    for spans in found.values():
        for start, end in spans:
            if not any(a <= start and end <= b for a, b in covered):
                return 2
    return 1


def multiplier_match(entity_folded: list[str], text: str) -> tuple[int, Decimal] | None:
    """(how exactly the line names the title, multiplier) for the best line of a passage stating a multiplier for
    one of the named titles (a line naming the title exactly beats one where it only occurs inside a longer title)."""
    best: tuple[int, Decimal] | None = None
    for line in text.split("\n"):
        score = title_match(entity_folded, line) if entity_folded else 1
        m = _MULT.search(line)
        if score and m and (best is None or score > best[0]):
            best = (score, Decimal(m.group(1).replace(",", ".")))
    return best


def multiplier_for(entity_folded: list[str], text: str) -> Decimal | None:
    """The multiplier stated for one of the named titles in a passage."""
    found = multiplier_match(entity_folded, text)
    return found[1] if found else None


_ROUND = re.compile(r"làm tròn(?: số)?(?: lên)? (?:đến |tới )?hàng (trăm nghìn|chục nghìn|nghìn|trăm) đồng")
_UNITS = {"trăm": 100, "nghìn": 1_000, "chục nghìn": 10_000, "trăm nghìn": 100_000}


def rounding_unit(text: str) -> int | None:
    """The unit a passage says reward amounts are rounded up to ('làm tròn số lên hàng chục nghìn đồng' → 10000)."""
    m = _ROUND.search(text)
    return _UNITS[m.group(1)] if m else None


def rounding_rule(texts: list[str]) -> bool:
    """True when a passage states how reward amounts are rounded."""
    return any(rounding_unit(t) for t in texts)


def vnd(x: Decimal) -> str:
    return f"{int(x):,}".replace(",", ".") + " đồng"


_UNIT_NAMES = {v: k for k, v in _UNITS.items()}


def compute(multiplier: Decimal, base: Decimal, round_up: bool | int) -> Amount:
    """multiplier × base, rounded up to `round_up` đồng (True: the ten-thousand rule) when a source states it."""
    raw = multiplier * base
    unit = 10_000 if round_up is True else int(round_up or 0)
    rounded = Decimal(math.ceil(raw / unit) * unit) if unit else None
    mult_s = str(multiplier).replace(".", ",")
    expl = f"{mult_s} × {vnd(base)} = {vnd(raw)}"
    if rounded is not None:
        expl += f"; làm tròn lên hàng {_UNIT_NAMES.get(unit, str(unit))} đồng: {vnd(rounded)}"
    return Amount(multiplier, base, raw, rounded, expl)
