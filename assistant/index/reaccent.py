"""Diacritics put back on a question typed without them, from the corpus' own syllable and bigram counts."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from assistant.corpus.normalize import fold, tokens

MAX_CHARS = 3_000_000  # text read to build the counts (spread over the corpus): enough for its vocabulary
_WORD = re.compile(r"\w+|\W+")
_CHOICES = 6  # accented forms kept per folded syllable (the most frequent)
LAMBDA = 0.9  # weight of the bigram estimate against the unigram one


class Reaccenter:
    """Bigram model over the corpus' syllables: each folded syllable of a question is given the accented form
    that the corpus writes most often in that context (Viterbi over the candidates). Words the corpus never
    writes are left as typed; the result folds back to the input."""

    def __init__(self, texts: Iterable[str]) -> None:
        uni: Counter[str] = Counter()
        bi: Counter[tuple[str, str]] = Counter()
        for t in texts:
            syl = tokens(t)
            uni.update(syl)
            bi.update(zip(syl, syl[1:], strict=False))
        forms: dict[str, list[tuple[str, int]]] = {}
        for w, n in uni.items():
            forms.setdefault(fold(w), []).append((w, n))
        self.forms = {f: sorted(v, key=lambda x: -x[1])[:_CHOICES] for f, v in forms.items()}
        self.uni = uni
        self.bi = bi
        self.total = sum(uni.values())

    @classmethod
    def from_corpus(cls, texts: list[str], wording: Sequence[str] = ()) -> Reaccenter:
        """Counts over at most MAX_CHARS of the texts, taken at an even stride so that every part of the corpus
        speaks (a large index is not read whole), plus every text of `wording` (question words the corpus never
        writes: kept whatever the stride)."""
        total = sum(len(t) for t in texts) or 1
        step = max(1, math.ceil(total / MAX_CHARS))
        return cls([*texts[::step], *wording])

    def _candidates(self, syl: str) -> list[tuple[str, int]]:
        return self.forms.get(syl) or [(syl, 0)]

    def _logp(self, prev: str | None, w: str) -> float:
        """log P(w | prev): the bigram estimate interpolated with the unigram one (LAMBDA), add-half smoothing."""
        p_uni = (self.uni.get(w, 0) + 0.5) / (self.total + 0.5 * len(self.uni))
        if prev is None:
            return math.log(p_uni)
        n_prev = self.uni.get(prev, 0)
        p_bi = self.bi.get((prev, w), 0) / n_prev if n_prev else 0.0
        return math.log(LAMBDA * p_bi + (1 - LAMBDA) * p_uni)

    def accent_words(self, words: list[str]) -> list[str]:
        """The most likely accented form of each (folded, lower-case) syllable (Viterbi over the candidates)."""
        if not words:
            return []
        cands = [self._candidates(w) for w in words]
        best = [(self._logp(None, w), [w]) for w, _ in cands[0]]
        for col in cands[1:]:
            best = [max(((s + self._logp(p[-1], w), p) for s, p in best), key=lambda x: x[0]) for w, _ in col]
            best = [(s, p + [w]) for (s, p), (w, _) in zip(best, col, strict=True)]
        return max(best, key=lambda x: x[0])[1]

    def reaccent(self, text: str) -> str:
        """The text with diacritics put back on its syllables (casing, numbers and punctuation kept)."""
        parts = _WORD.findall(text)
        idx = [i for i, p in enumerate(parts) if p[0].isalpha() and p.isascii() and fold(p) in self.forms]
        out = self.accent_words([fold(parts[i]) for i in idx])
        for i, w in zip(idx, out, strict=True):
            src = parts[i]
            parts[i] = w.upper() if src.isupper() and len(src) > 1 else (w[:1].upper() + w[1:] if src[:1].isupper()
                                                                          else w)
        return "".join(parts)
