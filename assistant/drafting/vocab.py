"""Corpus vocabulary of accented word pairs: restores diacritics of a prompt typed without them ("chuyen doi so" →
"chuyển đổi số") and fixes a copied paragraph's typo where the corpus spells the same folded pair otherwise
("chuyên đổi số" → "chuyển đổi số"). Place names come from the gazetteer (assistant/drafting/places.py)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from assistant.corpus.normalize import fold

_WORD = re.compile(r"[^\W\d_]+")


class Vocabulary:
    """Counts of accented word pairs and words of the corpus, keyed by their folded form."""

    def __init__(self, texts: list[str]) -> None:
        self.pairs: dict[str, Counter[str]] = defaultdict(Counter)
        self.words: dict[str, Counter[str]] = defaultdict(Counter)
        self.triples: Counter[str] = Counter()
        self.tri_folded: dict[str, Counter[str]] = defaultdict(Counter)
        for t in texts:
            ws = [w.lower() for w in _WORD.findall(t)]
            for w in ws:
                self.words[fold(w)][w] += 1
            for a, b, c in zip(ws, ws[1:], ws[2:], strict=False):
                self.triples[f"{a} {b} {c}"] += 1
                self.tri_folded[f"{fold(a)} {fold(b)} {fold(c)}"][f"{a} {b} {c}"] += 1
            for a, b in zip(ws, ws[1:], strict=False):
                self.pairs[f"{fold(a)} {fold(b)}"][f"{a} {b}"] += 1

    def _best_word(self, fw: str, min_share: float = 0.9) -> str | None:
        c = self.words.get(fw)
        if not c:
            return None
        best, n = c.most_common(1)[0]
        return best if n >= 3 and n >= min_share * sum(c.values()) else None

    def restore(self, text: str) -> str:
        """Add diacritics to words typed without them: the corpus' best-attested three-word, then two-word sequences
        decide first; a word nobody confirms is kept only when the corpus spells it one way (≥ 90%)."""
        toks = list(_WORD.finditer(text))
        out = [m.group(0) for m in toks]
        plain = [fold(w) == w.lower() for w in out]
        fixed: list[str | None] = [None] * len(toks)
        cands: list[tuple[int, int, list[str]]] = []
        for size, table in ((3, self.tri_folded), (2, self.pairs)):
            for i in range(len(toks) - size + 1):
                span = range(i, i + size)
                if not all(plain[j] for j in span) or any(
                        text[toks[j].end():toks[j + 1].start()] != " " for j in span[:-1]):
                    continue
                c = table.get(" ".join(out[j].lower() for j in span))
                if not c:
                    continue
                (best, n), *rest = c.most_common(2) + [("", 0)]
                if n >= 2 and n >= 3 * rest[0][1]:
                    cands.append((size * 1000 + n, i, best.split(" ")))
        for _, i, forms in sorted(cands, key=lambda x: -x[0]):
            if any(fixed[i + k] not in (None, f) for k, f in enumerate(forms)):
                continue
            for k, f in enumerate(forms):
                fixed[i + k] = f
        for i, w in enumerate(out):
            if not plain[i]:
                continue
            best = fixed[i] or self._best_word(w.lower())
            if best:
                out[i] = _case_like(w, best)
        return _splice(text, toks, out)

    def _breaks_neighbours(self, low: list[str], i: int, x: str, y: str) -> bool:
        if x != low[i] and i > 0 and _count(self.pairs, low[i - 1], low[i]) > _count(self.pairs, low[i - 1], x):
            return True
        j = i + 2
        return y != low[i + 1] and j < len(low) and _count(self.pairs, low[i + 1], low[j]) > _count(self.pairs, y,
                                                                                                     low[j])

    def fix_typos(self, text: str) -> str:
        """Replace an accented word pair that the corpus spells otherwise (≥ 5 to ≤ 1) unless a changed word's other
        neighbour pair is better attested as written ("chuyên đổi số" → "chuyển đổi số", but never "đánh giá định
        kỳ" → "đánh gia đình kỳ" nor "nghiêm túc triển khai" → "nghiêm tục")."""
        toks = list(_WORD.finditer(text))
        out = [m.group(0) for m in toks]
        low = [w.lower() for w in out]
        for i in range(len(toks) - 1):
            a, b = low[i], low[i + 1]
            if text[toks[i].end():toks[i + 1].start()] != " ":
                continue
            c = self.pairs.get(f"{fold(a)} {fold(b)}")
            if not c:
                continue
            cur = f"{a} {b}"
            best, n = c.most_common(1)[0]
            if best == cur or n < 5 or c.get(cur, 0) > 1:
                continue
            x, y = best.split(" ")
            if self._breaks_neighbours(low, i, x, y):
                continue
            out[i], out[i + 1] = _case_like(out[i], x), _case_like(out[i + 1], y)
            low[i], low[i + 1] = x, y
        return _splice(text, toks, out)


def _count(pairs: dict[str, Counter[str]], a: str, b: str) -> int:
    return pairs.get(f"{fold(a)} {fold(b)}", Counter()).get(f"{a} {b}", 0)


def _case_like(src: str, repl: str) -> str:
    if src.isupper() and len(src) > 1:
        return repl.upper()
    if src[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


def _splice(text: str, toks: list[re.Match[str]], out: list[str]) -> str:
    parts: list[str] = []
    pos = 0
    for m, w in zip(toks, out, strict=True):
        parts.append(text[pos:m.start()])
        parts.append(w)
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts)
