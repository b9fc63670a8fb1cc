"""Questions that name several plans (two years, two localities): the asked fact stated once per named plan, each
from that plan's own passage."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answer.conclusion import _plain, _with_continuation, is_heading, relevant_clauses, sentences
from assistant.corpus.models import DocMeta
from assistant.corpus.normalize import fold


def named_plans(plans: list[DocMeta], years: set[int], localities: set[str]) -> list[list[DocMeta]]:
    """The plans of each year (or locality) the question names — one group per name, in year order — when it names
    at least two; a plan matches every name the question gives of the other kind too. [] otherwise."""
    groups: list[list[DocMeta]] = []
    if len(years) >= 2:
        for y in sorted(years):
            groups.append([m for m in plans if m.year == y
                           and (not localities or fold(m.locality or "") in localities)])
    elif len(localities) >= 2:
        for loc in sorted(localities):
            groups.append([m for m in plans if fold(m.locality or "") == loc and (not years or m.year in years)])
    return groups if sum(bool(g) for g in groups) >= 2 else []


def best_sentence(quote: str, support: Callable[[str], float], room: int) -> tuple[float, str] | None:
    """The quote's sentence that matches the question best (continued when it announces what follows), within
    `room` characters, verbatim; None for a quote without a statement."""
    sents = [s for s in sentences(quote) if not is_heading(s)]
    if not sents:
        return None
    top = max(sents, key=lambda s: support(fold(s)))
    text = _with_continuation(top, sents, room)
    if len(text) > room:
        text = relevant_clauses(_plain(text), room, support)
    return support(fold(top)), text
