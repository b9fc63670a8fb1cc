"""Reward amounts: multiplier × base salary given by the user, with the rounding rule when a source states it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

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


def multiplier_for(entity_folded: list[str], text: str) -> Decimal | None:
    """The multiplier stated for one of the named titles in a passage (same line as the title)."""
    for line in text.split("\n"):
        fl = fold(line)
        if entity_folded and not any(e in fl for e in entity_folded):
            continue
        m = _MULT.search(line)
        if m:
            return Decimal(m.group(1).replace(",", "."))
    return None


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
