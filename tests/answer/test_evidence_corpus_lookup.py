"""Evidence looks phrases up through the BM25 postings instead of whole-corpus strings: the same answers."""

from __future__ import annotations

import random
import re

import pytest
from helpers import ROOT

from assistant.answer.amounts import occurrences
from assistant.answer.evidence import Evidence, Words
from assistant.corpus.normalize import fold, nfc

KNOW = ROOT / "knowledge"


class WholeCorpus(Evidence):
    """The previous implementation: one string of every visible chunk's folded / lower-case text, searched whole."""

    def in_corpus(self, phrase: str, accented: bool = False, coordinated: bool = False) -> bool:
        key = "_lower" if accented else "_folded"
        corpus = self.__dict__.get(key)
        if corpus is None:
            corpus = self.__dict__[key] = "\n".join(
                nfc(self.s.chunks[i].embed_text).lower() if accented else self.s.folded[i] for i in self.visible)
        if re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", corpus) is not None:
            return True
        return coordinated and any(occurrences(fold(phrase), self.s.folded[i]) for i in self.visible)


@pytest.fixture(scope="module")
def pair(knowledge):  # noqa: ANN001, ANN201
    words = Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml")
    return Evidence(knowledge.searcher, words), WholeCorpus(knowledge.searcher, words)


def _phrases(ev: Evidence, accented: bool, n: int, seed: int) -> list[str]:
    """Runs of 2–5 words cut from chunk texts (present), the same with their last word swapped (mostly absent),
    and runs that start or end inside a number or a document number ("1.000", "06/2022")."""
    rng = random.Random(seed)
    chunks = ev.s.chunks
    out: list[str] = []
    while len(out) < n:
        t = chunks[rng.randrange(len(chunks))].embed_text
        t = nfc(t).lower() if accented else fold(t)
        w = re.findall(r"\w+", t)
        if len(w) < 6:
            continue
        k, i = rng.randint(2, 5), rng.randrange(len(w) - 5)
        run = w[i:i + k]
        out.append(" ".join(run))
        out.append(" ".join([*run[:-1], w[rng.randrange(len(w))]]))
        other = re.findall(r"\w+", fold(chunks[rng.randrange(len(chunks))].text))
        if other:
            out.append(" ".join([*run[:-1], rng.choice(other)]))
        nums = re.findall(r"\d+(?:[.,/]\d+)+", t)
        if nums:
            parts = re.split(r"[.,/]", rng.choice(nums))
            out.append(f"{parts[-1]} {w[i]}")
            out.append(f"{w[i]} {parts[0]}")
    return out


@pytest.mark.parametrize("accented", [False, True])
def test_phrase_lookup_matches_the_whole_corpus_search(pair, knowledge, accented: bool) -> None:  # noqa: ANN001
    new, old = pair
    phrases = _phrases(new, accented, 600, seed=7 + accented)
    got = [new.in_corpus(p, accented) for p in phrases]
    assert got == [old.in_corpus(p, accented) for p in phrases]
    assert 0.1 < sum(got) / len(got) < 0.9  # both outcomes are exercised
    hidden = [m.source_file for m in knowledge.documents() if "ha-noi" in m.source_file]
    v_new, v_old = new.view(hidden), old.view(hidden)
    got = [v_new.in_corpus(p, accented) for p in phrases]
    assert got == [v_old.in_corpus(p, accented) for p in phrases]
    assert got != [new.in_corpus(p, accented) for p in phrases]  # the hidden files' phrases are gone


def test_absent_names_and_title_variants_unchanged(pair) -> None:  # noqa: ANN001
    new, old = pair
    rng = random.Random(3)
    chunks = new.s.chunks
    questions = []
    for _ in range(150):  # sentences of the corpus: capitalised names, present and absent
        t = chunks[rng.randrange(len(chunks))].text
        questions.append(t[:160])
    prefixes = sorted(new.title_prefixes)
    vocab = sorted({w for c in chunks[:200] for w in re.findall(r"\w+", nfc(c.text).lower())})
    for p in rng.sample(prefixes, min(150, len(prefixes))):  # a title's beginning, then any word
        q = f"Danh hiệu {p.title()} {rng.choice(vocab)} được thưởng bao nhiêu?"
        questions += [q, fold(q)]
    for _ in range(40):  # places made of two corpus words: mostly names no passage has, some in brackets
        a, b = rng.choice(vocab).title(), rng.choice(vocab).title()
        questions += [f"Kế hoạch của huyện {a} {b} năm nay?", f"Huyện Chi Lăng ({a} {b}) có kế hoạch gì?"]
    assert [new.absent_names(q) for q in questions] == [old.absent_names(q) for q in questions]
    variants = [new.title_variants(q) for q in questions]
    assert variants == [old.title_variants(q) for q in questions]
    assert any(variants) and any(new.absent_names(q) for q in questions)
