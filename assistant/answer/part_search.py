"""Search for a question of several parts: the passages found for the whole, and the best one each part finds alone."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer.conclusion import AnswerTypes, asked_parts
from assistant.index.retriever import Filters, Hit

PART_WORDS = 4  # a part shorter than this many words names too little to be searched alone ('có tặng được không')
WHOLE_KEPT = 3  # the whole question's best passages always lead
PART_SUPPORT = 0.8  # a part's passage must match the whole question nearly as well as the whole's own


def search_with_parts(search: Callable[..., list[Hit]], question: str, types: AnswerTypes,
                      support: Callable[[Hit], float], k: int = 5,
                      part_support: Callable[[str, Hit], float] | None = None) -> list[Hit]:
    """The whole question's top WHOLE_KEPT passages, then the best passage each part of at least PART_WORDS words
    finds when those WHOLE_KEPT do not hold it and it matches the whole question (`support`) at least PART_SUPPORT
    as well as the least of them, then the whole question's next ones; k in all. A part's passage is the one it
    finds alone, or the one it finds in the whole's lead document when that matches the part (`part_support`) at
    least PART_SUPPORT as well: a later part often asks more of the same document without naming it ('… hạn nộp
    hồ sơ, và mỗi năm xét tặng tối đa bao nhiêu người?'). Of a part's passages not yet kept, one stating the kind of
    fact the part asks (a count, a date …) is taken before one stating none."""
    hits = search(question, k)
    parts = [p for p in asked_parts(question, types) if len(re.findall(r"\w+", p)) >= PART_WORDS]
    if len(parts) < 2 or not hits:
        return hits
    seen = {h.chunk.chunk_id for h in hits[:WHOLE_KEPT]}
    least = min(support(h) for h in hits[:WHOLE_KEPT])
    lead_doc = Filters(source_files=[hits[0].chunk.source_file])
    extra: list[Hit] = []
    for p in parts:
        pats = types.answer.get(types.detect(p) or "", [])
        top = _first_fresh(search(p, 2), seen, pats)
        own = _first_fresh(search(p, 2, lead_doc), seen, pats)
        if own is not None and (top is None or part_support is None
                                or part_support(p, own) >= PART_SUPPORT * part_support(p, top)):
            top = own
        if top is not None and support(top) >= PART_SUPPORT * least:
            seen.add(top.chunk.chunk_id)
            extra.append(top)
    rest = [h for h in hits[WHOLE_KEPT:] if h.chunk.chunk_id not in seen]
    return (hits[:WHOLE_KEPT] + extra + rest)[:k]


def _first_fresh(found: list[Hit], seen: set[str], pats: list[re.Pattern[str]]) -> Hit | None:
    """The first passage not yet kept, one holding the part's kind of fact (`pats`: a count, a date …) first."""
    fresh = [h for h in found if h.chunk.chunk_id not in seen]
    return next((h for h in fresh if any(x.search(h.chunk.text) for x in pats)), fresh[0] if fresh else None)
