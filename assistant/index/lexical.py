"""BM25 over Vietnamese syllables and syllable bigrams, with diacritics and diacritics-folded."""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from functools import cached_property

import numpy as np

from assistant.corpus.normalize import has_marks, tokens

K1 = 1.2
B = 0.75
_DOC_BITS = 24  # an entry's sort key: term id << 40 | document << 16 | term frequency
_TF_MAX = (1 << 16) - 1
_PAIR = np.dtype([("doc", np.int32), ("score", np.float32)])
_PLAIN = re.compile(r"[0-9a-z]+")
_JOINERS = re.compile(r"[.,/]")


def features(text: str, folded: bool) -> list[str]:
    """Syllables plus adjacent-syllable bigrams (joined with '_')."""
    syl = tokens(text, folded=folded)
    return syl + [f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False)]


def has_diacritics(text: str) -> bool:
    return has_marks(text)


class BM25Matrix:
    """BM25 (Lucene idf, Robertson tf) as a term → (documents, scores) CSC matrix, built in one streaming pass.

    Scores equal bm25s' default BM25 (same formulas, same float32 rounding); the build keeps one int64 per
    (term, document) entry instead of per-document token lists, so memory stays near the final matrix.
    """

    block = 1 << 18  # entries scored at once in finish() (its temporaries: ≈ 50 bytes an entry)

    def __init__(self, k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self._keys = array("q")
        self._lens = array("i")

    def add(self, feats: list[str]) -> None:
        d = len(self._lens)
        if d >= 1 << _DOC_BITS:
            raise ValueError("too many chunks for one lexical index")
        vocab = self.vocab
        counts = Counter(vocab.setdefault(f, len(vocab)) for f in feats)
        self._lens.append(len(feats))
        self._keys.extend((v << 40) | (d << 16) | min(tf, _TF_MAX) for v, tf in counts.items())

    def finish(self) -> None:
        """Sort the entries by term, compute their scores; the build buffers are released."""
        n_docs = len(self._lens)
        n_terms = len(self.vocab)
        keys = np.frombuffer(self._keys, dtype=np.int64) if len(self._keys) else np.zeros(0, dtype=np.int64)
        keys.sort()
        self.indptr = np.searchsorted(keys, np.arange(n_terms + 1, dtype=np.int64) << 40).astype(np.int64)
        df = np.diff(self.indptr)
        idf = np.array([math.log(1 + (n_docs - c + 0.5) / (c + 0.5)) for c in df.tolist()], dtype=np.float32)
        lens = np.frombuffer(self._lens, dtype=np.int32) if n_docs else np.zeros(0, dtype=np.int32)
        avg = np.array(lens, dtype=np.int64).mean() if n_docs else 1.0
        # each entry's 8 bytes are rewritten in place as its (document, score): the matrix takes the sort buffer's
        # memory, so a build never holds the entries twice
        pairs = keys.view(_PAIR)
        step = self.block
        for s in range(0, len(keys), step):  # bounded temporaries; a block is read whole before it is rewritten
            k = keys[s : s + step]
            doc = ((k >> 16) & ((1 << _DOC_BITS) - 1)).astype(np.int32)
            tf = (k & _TF_MAX).astype(np.float32)
            term = k >> 40
            norm = self.k1 * (1 - self.b + self.b * lens[doc].astype(np.float64) / avg)
            tfc = tf / (norm + tf)
            score = (idf[term].astype(np.float64) * tfc).astype(np.float32)
            pairs["doc"][s : s + step] = doc
            pairs["score"][s : s + step] = score
        self.indices = pairs["doc"]  # strided views over the one buffer (scoring reads them as fast)
        self.data = pairs["score"]
        self.n = n_docs
        del keys
        self._keys = array("q")
        self._lens = array("i")

    def scores(self, query_feats: list[str]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        for f in query_feats:  # a repeated query term counts again, as in bm25s
            t = self.vocab.get(f)
            if t is not None:
                a, z = self.indptr[t], self.indptr[t + 1]
                np.add.at(out, self.indices[a:z], self.data[a:z])  # bm25s' accumulation (faster than +=)
        return out

    def nbytes(self) -> int:
        return int(self.data.nbytes + self.indices.nbytes + self.indptr.nbytes)

    def postings(self, term: str) -> np.ndarray:
        """The documents (ascending) whose features include `term`."""
        t = self.vocab.get(term)
        if t is None:
            return np.zeros(0, dtype=np.int32)
        return self.indices[self.indptr[t] : self.indptr[t + 1]]


class LexicalIndex:
    """Two BM25 indices (exact and folded) over the same chunk order, built in one pass over the texts."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.exact: BM25Matrix | None = BM25Matrix()
        self.folded: BM25Matrix | None = BM25Matrix()
        n = 0
        for t in texts:
            self.exact.add(features(t, False) or ["∅"])
            self.folded.add(features(t, True) or ["∅"])
            n += 1
        self.n = n
        if n == 0:
            self.exact = self.folded = None
            return
        self.exact.finish()
        self.folded.finish()

    def word_docs(self, word: str) -> np.ndarray | None:
        """The chunks whose folded text may hold `word` (folded, [0-9a-z]) as a whole word: those with it as a
        syllable or inside a syllable token joined by . , / ("1.000", "06/2022/qh15"); None when `word` is not a
        single syllable (the caller cannot narrow by it)."""
        if self.folded is None or not _PLAIN.fullmatch(word):
            return None
        docs = self.folded.postings(word)
        joined = self.joined_tokens.get(word)
        if joined:
            docs = np.unique(np.concatenate([docs, *(self.folded.postings(t) for t in joined)]))
        return docs

    def phrase_candidates(self, words: list[str]) -> np.ndarray | None:
        """Chunks that may hold the folded words as consecutive whole words (every constrained word's documents
        intersected, rarest first); None when no word constrains (the caller checks every chunk)."""
        sets = [d for d in (self.word_docs(w) for w in dict.fromkeys(words)) if d is not None]
        if not sets:
            return None
        sets.sort(key=len)
        out = sets[0]
        for d in sets[1:]:
            if not len(out):
                break
            out = np.intersect1d(out, d, assume_unique=True)
        return out

    @cached_property
    def joined_tokens(self) -> dict[str, list[str]]:
        """Syllable → the folded vocabulary's tokens that contain it between . , / (built once, on first use)."""
        got: dict[str, list[str]] = {}
        if self.folded is not None:
            for t in self.folded.vocab:
                if "_" not in t and _JOINERS.search(t):
                    for part in set(_JOINERS.split(t)):
                        got.setdefault(part, []).append(t)
        return got

    def scores(self, query: str, folded_weight: float = 0.3) -> np.ndarray:
        """BM25 of the query: on the folded index alone when it has no diacritics, else the exact index plus the
        folded one at `folded_weight` (higher for diacritics put back by code, which may be wrong)."""
        if self.n == 0 or self.exact is None or self.folded is None:
            return np.zeros(0, dtype=np.float32)
        accented = has_diacritics(query)
        s_f = self.folded.scores(features(query, True))
        if not accented:
            return np.asarray(s_f, dtype=np.float32)
        s_e = self.exact.scores(features(query, False))
        return np.asarray(s_e + folded_weight * s_f, dtype=np.float32)
