"""Where the asked fact sits when no cited passage states it: another passage of the lead's Điều (for a text outside
articles — a procedure, a plan — another passage of the lead's document outside articles)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer.conclusion import sentences
from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold

SIBLING_SUPPORT = 0.5  # a sibling passage must support the question at least this share of the lead's support
SENTENCE_SUPPORT = 0.25  # the sibling sentence stating the fact (with its lead-in) must match this share of the question


@dataclass
class SlotSentence:
    """A sentence of a sibling passage that states the asked kind of fact, with the sentence announcing it."""

    chunk: Chunk
    sentence: str
    lead_in: str  # the preceding sentence when it announces this one ('Tổng thời gian xử lý theo quy định:'), or ''
    score: float
    alone: float = 0.0  # the sentence's own match, without its lead-in


def passages_by_file(chunks: list[Chunk]) -> dict[str, list[Chunk]]:
    """The passages of each source file, in the given order (the lookup table of sibling_passages)."""
    out: dict[str, list[Chunk]] = {}
    for c in chunks:
        out.setdefault(c.source_file, []).append(c)
    return out


def sibling_passages(lead: Chunk, by_file: dict[str, list[Chunk]], cited: set[tuple[str, int]]) -> list[Chunk]:
    """The verbatim passages of the lead's Điều (same document, same article label; for a passage outside articles,
    the document's other passages outside articles), the cited ones and the lead itself left out."""
    dieu = lead.label.get("dieu")
    return [c for c in by_file.get(lead.source_file, [])
            if c.label.get("dieu") == dieu and not c.secondary and c.chunk_id != lead.chunk_id
            and (c.source_file, c.start) not in cited]


def best_slot_sentence(lead: Chunk, siblings: list[Chunk], patterns: list[re.Pattern[str]],
                       chunk_support: Callable[[Chunk], float],
                       text_support: Callable[[str], float], lead_quote: str) -> SlotSentence | None:
    """The sibling sentence that holds the asked kind of fact (one of the answer type's patterns) and matches the
    question best (read with the sentence that announces it), in a passage that supports the question about as well
    as the lead; None when none matches enough, or not better than every sentence of the lead's quote does."""
    if not patterns:
        return None
    floor = SIBLING_SUPPORT * chunk_support(lead)
    best: SlotSentence | None = None
    beat = max((text_support(fold(x)) for x in sentences(lead_quote)), default=0.0)
    for c in siblings:
        if not any(p.search(c.text) for p in patterns) or chunk_support(c) < max(floor, 1e-9):
            continue
        sents = sentences(c.text)
        for i, sent in enumerate(sents):
            if not any(p.search(sent) for p in patterns):
                continue
            lead_in = sents[i - 1] if i and sents[i - 1].rstrip().endswith(":") else ""
            score = text_support(fold(f"{lead_in} {sent}"))
            alone = text_support(fold(sent)) if lead_in else score  # ties: the sentence's own words decide
            if score >= SENTENCE_SUPPORT and score > beat and (best is None or (score, alone) > (best.score, best.alone)):
                best = SlotSentence(c, sent, lead_in, score, alone)
    return best


def slot_holders(lead: Chunk, by_file: dict[str, list[Chunk]], patterns: list[re.Pattern[str]],
                 names_title: Callable[[str], bool]) -> list[tuple[Chunk, str, re.Match[str]]]:
    """Every sentence of the lead's Điều (the lead's passage included; for a passage outside articles, the lead's
    own passage) that names the asked title and states the asked kind of fact, in document order — e.g. each khoản
    of an article on who decides a title, one per kind of body."""
    dieu = lead.label.get("dieu")
    chunks = [c for c in by_file.get(lead.source_file, [])
              if not c.secondary and (c.chunk_id == lead.chunk_id or (dieu and c.label.get("dieu") == dieu))]
    out: list[tuple[Chunk, str, re.Match[str]]] = []
    for c in sorted(chunks, key=lambda x: x.start):
        for sent in sentences(c.text):
            m = next((mm for p in patterns if (mm := p.search(sent))), None)
            if m is not None and names_title(sent) and not any(sent == s for _, s, _ in out):
                out.append((c, sent, m))
    return out
