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


def rounding_rule(texts: list[str]) -> bool:
    """True when a passage says amounts are rounded up to the next ten thousand đồng."""
    return any("làm tròn" in t and "hàng chục nghìn" in t for t in texts)


def vnd(x: Decimal) -> str:
    return f"{int(x):,}".replace(",", ".") + " đồng"


def compute(multiplier: Decimal, base: Decimal, round_up: bool) -> Amount:
    raw = multiplier * base
    rounded = Decimal(math.ceil(raw / 10_000) * 10_000) if round_up else None
    mult_s = str(multiplier).replace(".", ",")
    expl = f"{mult_s} × {vnd(base)} = {vnd(raw)}"
    if rounded is not None:
        expl += f"; làm tròn lên hàng chục nghìn đồng: {vnd(rounded)}"
    return Amount(multiplier, base, raw, rounded, expl)
