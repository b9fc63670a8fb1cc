"""BM25 over Vietnamese syllables and syllable bigrams, with diacritics and diacritics-folded."""

from __future__ import annotations

from array import array

import bm25s
import numpy as np

from assistant.corpus.normalize import fold, tokens


def features(text: str, folded: bool) -> list[str]:
    """Syllables plus adjacent-syllable bigrams (joined with '_')."""
    syl = tokens(text, folded=folded)
    return syl + [f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False)]


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


class LexicalIndex:
    """Two BM25 indices (exact and folded) over the same chunk order."""

    def __init__(self, texts: list[str]) -> None:
        self.n = len(texts)
        self.exact = self._build(texts, False)
        self.folded = self._build(texts, True)

    @staticmethod
    def _build(texts: list[str], folded: bool) -> bm25s.BM25 | None:
        """Index one text at a time as token ids (shared ints), never the whole corpus as lists of strings."""
        if not texts:
            return None
        vocab: dict[str, int] = {}
        ids = [array("i", [vocab.setdefault(f, len(vocab)) for f in (features(t, folded) or ["∅"])]) for t in texts]
        idx = bm25s.BM25(k1=1.2, b=0.75)
        idx.index((ids, vocab), show_progress=False)
        return idx

    def scores(self, query: str) -> np.ndarray:
        if self.n == 0 or self.exact is None or self.folded is None:
            return np.zeros(0, dtype=np.float32)
        accented = has_diacritics(query)
        s_f = self.folded.get_scores(features(query, True))
        if not accented:
            return np.asarray(s_f, dtype=np.float32)
        s_e = self.exact.get_scores(features(query, False))
        return np.asarray(s_e + 0.3 * s_f, dtype=np.float32)
