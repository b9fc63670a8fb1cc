"""Decide from retrieval evidence whether passages support a question (refusal), and pick quotes."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
import yaml

from assistant.answer.amounts import occurrences, title_match
from assistant.answer.conclusion import DEFINITION_ASKED, AnswerTypes, asked_parts, definition_sentence
from assistant.answer.eligibility import RuleTable, with_short_forms
from assistant.answer.siblings import passages_by_file, sibling_passages
from assistant.corpus.memo import Memo
from assistant.corpus.metadata import named_places
from assistant.corpus.models import Chunk
from assistant.corpus.normalize import Block, blocks, fold, nfc, tokens, unify_tones, year_asked_of
from assistant.corpus.registry import norm_number
from assistant.index.lexical import has_diacritics
from assistant.index.query import compose_phrases
from assistant.index.retriever import DOC_NUMBER, Hit, HybridSearcher

TITLES_KEPT = 64  # (title, asked kind) pairs whose statements in the corpus a judge remembers
TITLE_ASKED = 0.5  # share of what a question asks of a title (IDF) that a sentence naming the title must carry
SUPPORT_MIN = 0.34  # without a fitted model: IDF-weighted share of the question's terms found in the best passage
MODEL_FILE = "abstention.json"  # next to ask.yaml in knowledge/: fitted by `tdkt eval abstention --fit`
FEATURES = ["support", "rare_cov", "khoan_rare_cov", "rarest_missing", "absent", "bigram_known", "dense_max",
            "lex_top", "margin", "entity_missing", "title_variant", "aspect_missing", "slot_asked", "slot_missing", "figure_missing",
            "scope_missing", "name_absent", "phrase_run", "phrase_len", "slot_far", "local_unnamed", "article_gap",
            "title_slot", "definition_missing"]
# what a refusal says when the asked kind of fact (knowledge/answer_types.yaml) is in no retrieved passage
SLOT_NAMES = {"amount": "mức tiền thưởng", "count": "con số được hỏi", "duration": "thời hạn",
              "date": "ngày hoặc thời điểm", "authority": "người hoặc cơ quan có thẩm quyền"}
_QUOTED = re.compile(r"[“\"]([^”\"\n]{4,70})[”\"]")  # a quoted name in a passage (a title, an award)
_PERCENT_ASKED = re.compile(r"%|phần trăm|phan tram|tỷ lệ|tỉ lệ|ty le|ti le")
# Vietnamese interrogatives (folded): a clause holding one asks; the clauses before the asking one tell a situation
_ASKING = re.compile(r"(?<!\w)(?:gi|nao|sao|bao nhieu|ai|khong|may|dau|bao gio|bao lau)(?!\w)")
_KHOAN = re.compile(r"^\s*\d+\.\s")  # a numbered clause (khoản) starts a line: "2. …"
_ITEM_MARK = re.compile(r"^\s*(?:\d+\.|[a-zđ]\))\s")  # a numbered khoản or a lettered điểm starts a line
# set while the abstention checks run: a question typed with diacritics is read with them (see content_flags)
_READ_MARKS: ContextVar[bool] = ContextVar("read_marks", default=False)


# folded forms that are also content syllables of the domain ("thì"→"thi" as in "thi đua", "có"→"co" as in
# "cơ sở"): never dropped from a question typed without diacritics
AMBIGUOUS_FOLDED = {"thi", "co", "so", "do", "dinh", "con", "chi", "nam", "ho", "the", "gia", "cung", "ve", "tu",
                    "ma", "ra", "o", "nay", "lai", "de", "den", "da", "dang", "tai", "khi", "moi"}


@dataclass
class Words:
    """Language lists from knowledge/ask.yaml and knowledge/retrieval.yaml, and the fitted abstention model."""

    stop: set[str]
    heads: list[str]
    answer_types: dict[str, list[str]]
    money_evidence: list[str]
    money_evidence_acc: list[str]
    followup: list[str]
    present: list[str]
    comparison: list[str]
    deadline: list[str]
    validity: list[str]
    local_gov: list[str]
    abbreviations: dict[str, str]
    aspects: list[list[str]]
    structure: list[str]
    count: list[str]
    identity: list[str]
    aspect_names: list[str] = field(default_factory=list)
    # stopwords as written with diacritics: the folded copies the list carries for unaccented typing ("thi" of
    # "thì", "co" of "có", "the" of "thế") are left out — "thi đua", "cơ sở", "thẻ" are content words
    stop_marked: set[str] = field(default_factory=set)
    model: AbstentionModel | None = None
    types: AnswerTypes | None = None  # answer types of knowledge/answer_types.yaml (the asked slot)
    quantity: list[str] = field(default_factory=list)  # interrogatives of quantity ("bao nhiêu", "mấy")
    residual: list[str] = field(default_factory=list)  # how a clause covers those the other clauses leave out
    # other wordings of a title → the title's name (knowledge/rules.yaml `titles`, with their basis), folded
    title_aliases: list[tuple[str, str]] = field(default_factory=list)
    # (long, short) of the abbreviations the corpus writes both ways ("Ủy ban nhân dân"/"UBND"), folded
    short_forms: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, stop_path: Path | None = None) -> Words:
        d = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {}
        if stop_path and stop_path.exists():
            d["stopwords"] = (yaml.safe_load(stop_path.read_text("utf-8")) or {}).get("stopwords")
        f = lambda xs: [fold(x) for x in compose_phrases(xs)]  # noqa: E731
        stop_acc = {str(x).lower() for x in d.get("stopwords") or []}
        stop = stop_acc | {fold(x) for x in stop_acc if fold(x) not in AMBIGUOUS_FOLDED}
        copies = {fold(x) for x in stop_acc if fold(x) != x}
        stop_marked = {unify_tones(nfc(x)) for x in stop_acc if x not in copies}
        groups = d.get("aspect_groups") or []
        abbreviations = {str(k): str(v) for k, v in (d.get("abbreviations") or {}).items()}
        query_path = path.parent / "query.yaml"  # the one abbreviation table (with its basis), shared with retrieval
        q = yaml.safe_load(query_path.read_text("utf-8")) or {} if query_path.exists() else {}
        if not abbreviations:
            abbreviations = {str(a["short"]): str(a["long"]) for a in q.get("abbreviations") or []
                             if not a.get("keep_short")}
        short_forms = [(fold(str(a["long"])), fold(str(a["short"]))) for a in q.get("abbreviations") or []
                       if a.get("keep_short")]
        return cls(stop, f(d.get("entity_heads")),
                   {k: f(v) for k, v in (d.get("answer_types") or {}).items()}, f(d.get("money_evidence")),
                   [str(x).lower() for x in d.get("money_evidence") or []],
                   f(d.get("followup_markers")), f(d.get("present_markers")), f(d.get("comparison_markers")),
                   f(d.get("deadline_markers")), f(d.get("validity_markers")), f(d.get("local_gov_markers")),
                   abbreviations,
                   [f(g) for g in groups], f(d.get("structure_markers")),
                   f(d.get("count_markers")), f(d.get("identity_markers")),
                   [str(g[0]) for g in groups if g], stop_marked, AbstentionModel.load(path.parent / MODEL_FILE),
                   AnswerTypes.load(path.parent / "answer_types.yaml"), f(d.get("quantity_markers")),
                   f(d.get("residual_markers")), title_aliases(path.parent / "rules.yaml"), short_forms)


@lru_cache(maxsize=512)
def _whole_words(phrase: str) -> re.Pattern[str]:
    """A (folded) phrase as a whole-word pattern, compiled once."""
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")


def title_aliases(rules: Path) -> list[tuple[str, str]]:
    """(alias, the title's name), folded, longest alias first, from the rule table's
    `titles`: "chiến sĩ thi đua cấp tỉnh" is the title the corpus names "Chiến sĩ thi đua Bộ, ban, ngành, tỉnh"."""
    if not rules.exists():
        return []
    table = RuleTable.load(rules)  # each alias also in the abbreviation table's short forms ("ubnd")
    pairs = {fold(str(a)): fold(str(t["name"])) for t in table.titles.values() if t.get("name")
             for a in with_short_forms([str(x) for x in t.get("aliases") or []], table.abbreviations)}
    return [(a, n) for a, n in sorted(pairs.items(), key=lambda kv: -len(kv[0])) if a != n]


@contextmanager
def marked_reading() -> Iterator[None]:
    """Inside it a question typed with diacritics is read with them (the abstention checks; see content_flags)."""
    token = _READ_MARKS.set(True)
    try:
        yield
    finally:
        _READ_MARKS.reset(token)


def strip_marks(text: str) -> str:
    """The text without diacritics, case kept (a question typed without them stays so after normalisation has
    inserted the corpus wording of an abbreviation)."""
    out = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return out.replace("đ", "d").replace("Đ", "D")


def has_phrase(folded_text: str, phrases: list[str]) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", folded_text) for p in phrases)


# what is asked of a title, written right after its name: the name ends there ("… tiêu chuẩn", "… hồ sơ")
NAME_END_PAIRS = frozenset({"tieu chuan", "muc thuong", "tien thuong", "ho so", "thu tuc"})
SHORTENED_MIN = 0.7  # the share of a title's first words a question must write to name it shortened
CONFIDENT = 0.9  # a probability level, not a fitted threshold: nine answerable in ten at this score


@dataclass
class Assessment:
    supported: bool
    support: float
    reasons: list[str] = field(default_factory=list)
    best: int = 0  # index into hits of the best supporting passage
    score: float | None = None  # calibrated probability that the passages answer the question (None: no model)
    features: dict[str, float] = field(default_factory=dict)

    @property
    def confident(self) -> bool:
        """The fitted score is sure the passages answer (probability ≥ CONFIDENT): strong enough to overrule a
        language model's own "not found"."""
        return self.supported and self.score is not None and self.score >= CONFIDENT


@dataclass
class AbstentionModel:
    """Logistic regression over the features of FEATURES, fitted by evals/abstention.py (k-fold threshold)."""

    features: list[str]
    mean: list[float]
    std: list[float]
    weights: list[float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, path: Path) -> AbstentionModel | None:
        if not path.exists():
            return None
        d = json.loads(path.read_text("utf-8"))
        m = d.get("model") or {}
        if m.get("features") != FEATURES:  # fitted on another feature set: not usable
            return None
        return cls(m["features"], m["mean"], m["std"], m["weights"], m["bias"], m["threshold"])

    def probability(self, feats: dict[str, float]) -> float:
        x = np.array([feats[f] for f in self.features], dtype=float)
        z = (x - np.array(self.mean)) / np.array(self.std)
        return float(1.0 / (1.0 + np.exp(-(float(z @ np.array(self.weights)) + self.bias))))


def _with_heading(sentence: str, heading: str) -> str:
    """A sentence read with its passage's headings when it quotes no title of its own (a section names its subject
    once: "3.2 Bằng khen của Chủ tịch UBND tỉnh" over "+ Có tỷ lệ cử tri đi bầu cử đạt từ 98% trở lên")."""
    return sentence if "“" in sentence else f"{heading} {sentence}"

class Evidence:
    """IDF statistics over the indexed chunks, used to judge support and to choose quotes."""

    def __init__(self, searcher: HybridSearcher, words: Words, hidden: frozenset[str] = frozenset()) -> None:
        self.s = searcher
        self.w = words
        self.hidden = hidden  # source files treated as absent from the corpus (generated negatives: see view)
        self._analyse = lru_cache(maxsize=256)(searcher.analyse)  # one analysis per question, not one per check
        self._full: Evidence | None = None  # for a view: the judge over the whole corpus

    def view(self, hidden: Iterable[str]) -> Evidence:
        """The same judge over the corpus without the `hidden` files: corpus-wide statistics (IDF, names, plans)
        are those of the smaller corpus, as when those documents were never added."""
        ev = Evidence(self.s, self.w, frozenset(hidden))
        ev._full = self._full or self
        if "chunk_features" in self.__dict__:
            ev.__dict__["chunk_features"] = self.chunk_features
        ev._analyse = self._analyse
        return ev

    @cached_property
    def chunk_features(self) -> list[set[str]]:
        """Each chunk's folded syllables and adjacent syllable pairs (for evals; a server never builds this list:
        at 100k chunks it holds ≈ 2.5 GB, so `df` streams the features instead)."""
        return [self._features_of(f) for f in self.s.folded]

    @cached_property
    def df(self) -> Counter[str]:
        """In how many visible chunks each feature occurs. A view subtracts its hidden chunks from the whole
        corpus' counts (features are per-chunk sets, so this equals counting the visible chunks)."""
        full = self._full
        if full is not None:
            df = Counter(full.df)
            for i, c in enumerate(self.s.chunks):
                if c.source_file in self.hidden:
                    df.subtract(self._chunk_features(i))
            return +df
        df = Counter()
        for i in self.visible:
            df.update(self._chunk_features(i))
        return df

    def _chunk_features(self, i: int) -> set[str]:
        got = self.__dict__.get("chunk_features")
        return got[i] if got is not None else self._features_of(self.s.folded[i])

    @cached_property
    def visible(self) -> list[int]:
        """Indexes of the chunks of the (possibly reduced) corpus."""
        return [i for i, c in enumerate(self.s.chunks) if c.source_file not in self.hidden]

    @cached_property
    def idf(self) -> dict[str, float]:
        n = max(1, len(self.visible))
        return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in self.df.items()}

    @cached_property
    def rare_idf(self) -> float:
        """IDF above which a term is rare: found in at most 2% of the chunks."""
        n = max(1, len(self.visible))
        c = max(1.0, 0.02 * n)
        return math.log(1 + (n - c + 0.5) / (c + 0.5))

    @cached_property
    def max_idf(self) -> float:
        """The IDF of the rarest term: the weight of a term the corpus never has."""
        return max(self.idf.values()) if self.idf else 1.0

    def terms(self, question: str) -> list[str]:
        """Content syllables (folded) of a question, plus its known bigrams; stopwords judged with diacritics.
        Remembered per question (support() asks for them once per passage)."""
        cache = self.__dict__.setdefault("_terms_cache", {})
        key = (question, _READ_MARKS.get())
        got = cache.get(key)
        if got is None:
            if len(cache) > 256:
                cache.clear()
            got = cache[key] = self._terms(question)
        return list(got)

    def content_flags(self, question: str) -> list[tuple[str, bool]]:
        """Each syllable of a question (folded) and whether it is content: neither it nor its folded form is a
        stopword. While the abstention checks run, a question typed with diacritics is read with them ("thì" is a
        stopword, "thi" of "thi đua", "cơ", "thẻ" are not); the passage ranking of the answer keeps the folded
        reading (measured: the diacritic reading there loses one dev lead fact)."""
        toks = tokens(question)
        if _READ_MARKS.get() and has_diacritics(question):
            return [(fold(t), t not in self.w.stop_marked) for t in toks]
        return [(fold(t), t not in self.w.stop and fold(t) not in self.w.stop) for t in toks]

    def _terms(self, question: str) -> list[str]:
        flags = self.content_flags(question)
        syl = [t for t, c in flags if c and re.match(r"^[0-9a-z]+$", t)]
        bigrams = [f"{a}_{b}" for (a, ca), (b, cb) in zip(flags, flags[1:], strict=False) if ca and cb]
        return syl + [b for b in bigrams if b in self.idf]

    @staticmethod
    def _features_of(folded_text: str) -> set[str]:
        toks = re.findall(r"[0-9a-z]+", folded_text)
        return set(toks) | {f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)}

    def support(self, question: str, folded_text: str) -> float:
        terms = self.terms(question)
        if not terms:
            return 0.0
        present = self._features_of(folded_text)
        default = self.max_idf
        tot = sum(self.idf.get(t, default) for t in terms)
        got = sum(self.idf.get(t, default) for t in terms if t in present)
        return got / tot if tot else 0.0

    def entities(self, question: str) -> list[str]:
        """Named titles/awards in the question (folded): corpus title names, or a head noun + its name."""
        fq = fold(question)
        found = sorted(self._analyse(question).titles)  # sorted: the same features in every process
        # a name ends at a stopword or at the words of what is asked of it ("… tiêu chuẩn", "… hồ sơ", "… mức
        # thưởng"): as a pair, since each syllable alone may be a name's ("xã tiêu biểu", "Hải Thượng", "Thủ đô")
        stop = self.w.stop | {"chuan", "xet", "tang", "nop"}
        pairs = NAME_END_PAIRS
        for head in self.w.heads:
            for m in re.finditer(r"(?<!\w)" + re.escape(head) + r"(?!\w)", fq):
                name: list[str] = []
                raw = fq[m.end():].split()[:8]
                # a name ends with its sentence, clause or bracket ("… cấp tỉnh (QĐ ký …). Ngoài …", "… Lãn Ông: tổng …")
                end = next((k + 1 for k, t in enumerate(raw) if t.rstrip("”\"'").endswith((".", "?", "!", ")", ":", ";"))),
                           len(raw))
                end = min(end, next((k for k, t in enumerate(raw) if t.startswith("(")), end))
                words = [t.strip(",.?!;:“”\"'()") for t in raw[:end]]
                for k, t in enumerate(words):
                    # the linking "của" belongs to the name when a name word follows ("cờ thi đua của tỉnh")
                    linked = t == "cua" and k + 1 < len(words) and words[k + 1] and words[k + 1] not in stop
                    if not t or (t in stop and not linked) or " ".join(words[k:k + 2]) in pairs or t.isdigit() \
                            or (t == "nam" and k + 1 < len(words) and words[k + 1].isdigit()):  # "… năm 2025"
                        break
                    name.append(t)
                    # a comma ends the name unless the corpus writes the words across it: a coordination of the
                    # name ("… bộ, ban, ngành, tỉnh"), not the asker's next clause ("… tiêu biểu, ngoài ra …")
                    if raw[k].endswith(",") and k + 1 < len(words) and not self.in_corpus(f"{t}, {words[k + 1]}"):
                        break
                if name:
                    found.append(f"{head} {' '.join(name)}")
        # a name cut short at a word that is a stopword elsewhere ("giải thưởng Hải" + "thượng …") is the corpus
        # title the question writes in full
        found = [self._written_in_full(e, fq) for e in found]
        found += [t for t in self.shortened_titles(fq) if not any(t in e for e in found)]
        found = list(dict.fromkeys(found))
        for alias, title in self.aliased_titles(fq):  # another wording of a title: the name the corpus writes
            found = [e for e in found if e not in alias and alias not in e] + [title]
        # keep the most specific
        return [e for e in found if not any(e != o and e in o for o in found)]

    def without_head(self, name: str) -> str:
        """A (folded) name without its head noun ("danh hiệu …"), the longest head first; the name when it has none."""
        return next((name[len(h) + 1:] for h in sorted(self.w.heads, key=len, reverse=True)
                     if name.startswith(h + " ")), name)

    def _written_in_full(self, name: str, fq: str) -> str:
        """The corpus title a (folded) name begins, with or without its head noun ("danh hiệu"), when the question
        writes it in full; else the name."""
        cores = list(dict.fromkeys([name, self.without_head(name)]))
        return next((t for c in cores for t in self.titles_in_order if t.startswith(c + " ") and t in fq), name)

    @cached_property
    def titles_in_order(self) -> list[str]:
        """The corpus titles, the longest first (a fixed order: the same choice in every process)."""
        return sorted(self.s.titles, key=lambda t: (-len(t), t))

    def shortened_titles(self, folded_question: str) -> list[str]:
        """Corpus titles the question writes without their last words ("Bằng khen của Thủ tướng" for "Bằng khen
        của Thủ tướng Chính phủ", "Thầy thuốc ưu" cut at a typo): the question holds a run of at least
        SHORTENED_MIN of the title's first words, and at least three."""
        qw = re.findall(r"[0-9a-z]+", folded_question)
        words = f" {' '.join(qw)} "
        out = []
        for t in self.titles_in_order:
            tw = t.replace(",", "").split()
            need = max(3, math.ceil(SHORTENED_MIN * len(tw)))
            if len(tw) <= need or f" {' '.join(tw[:need])} " not in words or f" {' '.join(tw)} " in words:
                continue
            # the words after the longest run: none, or a stopword ("… Thủ tướng thì …"); another content word
            # makes it another name ("… an ninh tổ khác")
            k = max(n for n in range(need, len(tw)) if f" {' '.join(tw[:n])} " in words)
            after = [" ".join(qw[i + k:i + k + 2]) for i in range(len(qw) - k + 1)
                     if qw[i:i + k] == tw[:k] and i + k < len(qw)]
            if all(w.split()[0] in self.w.stop or w in NAME_END_PAIRS for w in after):
                out.append(t)
        return out

    def short_written(self, names: list[str]) -> list[str]:
        """The (folded) names with the long forms the corpus also writes short ("ủy ban nhân dân" → "ubnd")
        shortened."""
        out = []
        for n in names:
            short = n
            for long, sh in self.w.short_forms:
                short = re.sub(r"(?<!\w)" + re.escape(long) + r"(?!\w)", sh, short)
            if short != n:
                out.append(short)
        return out

    def aliased_titles(self, folded_question: str) -> list[tuple[str, str]]:
        """(the wording used, the title's name as the corpus writes it) for each rule-table alias of a title in a
        folded question ("chiến sĩ thi đua cấp tỉnh" → "chiến sĩ thi đua bộ, ban, ngành, tỉnh")."""
        return [(alias, title) for alias, title in self.w.title_aliases
                if _whole_words(alias).search(folded_question) and self.in_corpus(title)]

    def alias_wordings(self, folded_question: str) -> list[str]:
        """Each title the question names by a rule-table alias, in every wording of it the corpus writes."""
        return [w for _, t in self.aliased_titles(folded_question) for w in [t, *self.wordings(t)]]

    def wordings(self, title: str) -> list[str]:
        """The rule-table wordings of a (folded) title that the corpus writes ("cờ thi đua của ủy ban nhân dân
        tỉnh", …)."""
        return [a for a, t in self.w.title_aliases if t == title and self.in_corpus(a)]

    def designates_document(self, folded_question: str, term: str, pool: list[Hit]) -> bool:
        """A term a text defines used as the head of a retrieved document's designation ("văn bản phát động thi
        đua năm 2024 của huyện …" for the plan titled "Phát động phong trào thi đua …"): the document, not the term,
        is asked about."""
        if term not in self.s.defined_terms:
            return False
        titles = {fold(h.chunk.meta.title) for h in pool if h.chunk.meta and h.chunk.meta.title}
        for m in _whole_words(term).finditer(folded_question):
            nxt = re.findall(r"[0-9a-z]+", folded_question[m.end():])[:2]
            if len(nxt) == 2 and any(_whole_words(" ".join(nxt)).search(t) for t in titles):
                return True
        return False

    @staticmethod
    def _has_all(name: str, folded_text: str, toks: set[str]) -> bool:
        """The name as a phrase, every adjacent pair of its words (word order inside the name kept), or an item of a
        coordination ("chiến sĩ thi đua tỉnh" in "chiến sĩ thi đua bộ, ban, ngành, tỉnh")."""
        if name in folded_text:
            return True
        w = name.split()
        if not set(w) <= toks:
            return False
        if name in folded_text.replace(",", ""):  # a name with a list inside ("bộ, ban, ngành, tỉnh") read without commas
            return True
        return all(f"{x} {y}" in folded_text for x, y in zip(w, w[1:], strict=False)) or \
            bool(occurrences(name, folded_text))

    def _surface(self, text: str, folded_part: str) -> str:
        """The words of `text` (as the user wrote them) that fold to `folded_part`; else as a passage writes them
        (a title the question names shortened); else the folded words."""
        for t in chain([nfc(text)], self._corpus_texts(folded_part)):
            i = fold(t).find(folded_part)
            if i >= 0 and len(fold(t)) == len(t):
                return t[i:i + len(folded_part)]
        return folded_part

    def _corpus_texts(self, folded_part: str) -> Iterator[str]:
        """The texts of the visible chunks that hold a folded phrase (read lazily)."""
        cand = self.s.lex.phrase_candidates(folded_part.split())
        for i in range(len(self.s.chunks)) if cand is None else cand.tolist():  # None: no word narrows them
            c = self.s.chunks[i]
            if c.source_file not in self.hidden and folded_part in self.s.folded[i]:
                yield nfc(c.text)

    def in_corpus(self, phrase: str, accented: bool = False, coordinated: bool = False) -> bool:
        """Whether a visible chunk holds `phrase` as whole words: in its folded text, or with `accented` in its
        lower-case text with diacritics; with `coordinated`, also as an item of a coordination (folded: "chiến sĩ thi
        đua tỉnh" in "chiến sĩ thi đua bộ, ban, ngành, tỉnh"). The folded BM25 postings narrow the chunks; only
        those are read (no whole-corpus string is held)."""
        pat = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)")
        folded = fold(phrase)
        cand = self.s.lex.phrase_candidates(folded.split())
        chunks = self.s.chunks
        for i in range(len(chunks)) if cand is None else cand.tolist():
            if chunks[i].source_file in self.hidden:
                continue
            if pat.search(nfc(chunks[i].embed_text).lower() if accented else self.s.folded[i]):
                return True
            if coordinated and occurrences(folded, self.s.folded[i]):
                return True
        return False

    def absent_names(self, q: str) -> list[str]:
        """Capitalised multi-word names inside the question (places, titles, bodies) that no passage contains."""
        out: list[str] = []
        # a name ends at a sentence's end, a comma or a bracket ("huyện Chi Lăng (Lạng Sơn)" names two places)
        segments = [(k, seg) for sent in re.split(r"[.?!:;\n]+", nfc(q))
                    for k, seg in enumerate(re.split(r"[(),\[\]“”\"]", sent))]
        for k, seg in segments:
            words = re.findall(r"[^\W\d_]+", seg)
            run: list[str] = []
            for i, w in enumerate(words + [""]):
                if w[:1].isupper() and not w.isupper() and (i > 0 or k > 0 or words[1:2] and words[1][:1].isupper()):
                    run.append(w)  # a sentence's first word counts only when the next one is capitalised too
                    continue
                if len(run) >= 3 and i == len(run) and self.in_corpus(fold(" ".join(run[1:]))):
                    run = []  # a capitalised sentence opener before a name the corpus writes ("Tại Bắc Ninh, …")
                if run and i == len(run) and k == 0 and run[0].lower() in self.w.stop:
                    run = run[1:]  # a sentence's opening function word ("Còn Nhà giáo nhân dân …") is no name's
                if len(run) >= 2:
                    name = fold(" ".join(run))
                    if not self.in_corpus(name):
                        out.append(" ".join(run))
                run = []
        return out

    @cached_property
    def title_prefixes(self) -> dict[str, set[str]]:
        """Every proper prefix (3 words or more) of a title the corpus quotes → the words that continue it; keyed
        both with diacritics (lower case) and folded. A title is a quoted name that begins with a title's head noun
        or is written after one ("danh hiệu “Lao động tiên tiến”"), or after another such name in a list; a quoted
        campaign or slogan ("phát động “Phong trào thi đua …”") is no title."""
        out: dict[str, set[str]] = {}
        heads = tuple(self.w.heads)
        for i in self.visible:
            text = self.s.chunks[i].text
            for m in _QUOTED.finditer(text):
                q = m.group(1)
                w = re.findall(r"\w+", nfc(q).lower())
                if not 2 <= len(w) <= 9 or not q[:1].isupper():
                    continue
                before = fold(text[max(0, m.start() - 30):m.start()]).rstrip(" \n")
                if not (fold(q).startswith(heads) or before.endswith(heads) or before.endswith(("”,", "”", "\","))):
                    continue
                for words in (w, [fold(x) for x in w]):
                    for n in range(3, len(words)):
                        out.setdefault(" ".join(words[:n]), set()).add(words[n])
        return out

    def title_variants(self, q: str) -> list[str]:
        """Names in the question that begin like a title the corpus quotes but go on with a word that no title and
        no passage has there ("Chiến sĩ thi đua cơ xanh"): a title that does not exist. Matched with diacritics
        when the question has them ("văn thư có" is not "văn thư cơ")."""
        low = nfc(q).lower()
        accented = has_diacritics(low)
        words = re.findall(r"\w+", low if accented else fold(low))
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in range(min(9, len(words) - i - 1), 2, -1):  # the longest prefix first
                p = " ".join(words[i:i + n])
                nxt = words[i + n]
                if p not in self.title_prefixes or nxt in self.title_prefixes[p]:
                    continue
                rest = f" {fold(' '.join(words[i:]))} "
                if fold(nxt) in self.w.stop or nxt.isdigit() or self.in_corpus(f"{p} {nxt}", accented, True) \
                        or any(rest.startswith(f" {a} ") for a, _ in self.w.title_aliases):
                    break  # a word the corpus, or a rule-table wording of a title ("cờ thi đua cấp tỉnh"), has there
                out.append(fold(f"{p} {nxt}"))
                i += n
                break
            i += 1
        return out

    def _fold_of(self, h: Hit) -> str:
        i = self.s.pos.get(h.chunk.chunk_id)
        return self.s.folded[i] if i is not None else fold(h.chunk.embed_text)

    # ------------------------------------------------------------------------------------------- assess
    def checks(self, question: str, hits: list[Hit], today_year: int | None = None
               ) -> tuple[dict[str, float], list[str], int, float]:
        """(features, reasons in plain Vietnamese, index of the best passage, its support) for a question; a
        question typed with diacritics is read with them."""
        with marked_reading():
            return self._checks(question, hits, today_year)

    def _checks(self, question: str, hits: list[Hit], today_year: int | None = None
                ) -> tuple[dict[str, float], list[str], int, float]:
        nq = self.s.normaliser.normalise(question)
        q = nq.text if has_diacritics(question) else strip_marks(nq.text)
        top, pool = hits[:3], hits[:5]
        texts = [self._fold_of(h) for h in top]
        pool_f = [self._fold_of(h) for h in pool]
        pool_toks = [set(re.findall(r"[0-9a-z]+", t)) for t in pool_f]
        pool_acc = [h.chunk.text.lower() for h in pool]
        alt = self.s.without_expansion_keys(q)
        clause = self.question_clause(q)
        readings = [v for v in (q, alt, clause) if v]  # the question as asked, unexpanded, its last clause
        sups = [max(self.support(v, t) for v in readings) for t in texts]
        best = max(range(len(top)), key=lambda i: (sups[i], -i))
        reasons: list[str] = []
        fq = fold(q)
        ents = self.entities(q)
        keep = list(range(len(pool)))
        missing_ents = 0
        aliased = self.aliased_titles(fq)
        for e in ents:
            name = e.split(" ", 2)[-1] if any(e.startswith(h + " ") and len(h.split()) == 2 for h in self.w.heads) \
                else (e.split(" ", 1)[-1] if any(e.startswith(h + " ") for h in self.w.heads) else e)
            # a title asked in another wording of the rule table is found under any of its wordings
            names = [name, *self.wordings(e)] if any(t == e for _, t in aliased) else [name]
            names += self.short_written(names)  # "bằng khen của chủ tịch ubnd tỉnh" as a passage may write it
            with_e = [i for i in range(len(pool)) if any(self._has_all(n, pool_f[i], pool_toks[i]) for n in names)]
            if not with_e and self.designates_document(fq, e, pool):
                continue
            if not with_e:
                missing_ents += 1
                reasons.append(f"không thấy “{self._surface(q, e)}” trong các đoạn tìm được")
            else:
                keep = [i for i in keep if i in with_e] or with_e
        aspect_missing = 0.0
        for group, name in zip(self.w.aspects, self.w.aspect_names, strict=False):
            if has_phrase(fq, group):
                scope = keep if ents else list(range(len(top)))
                if not any(has_phrase(pool_f[i], group) for i in scope):
                    aspect_missing = 1.0
                    reasons.append(f"các đoạn liên quan không nói về {name}")
        variants = self.title_variants(q)
        reasons += [f"kho văn bản không có danh hiệu/hình thức “{self._surface(q, v)}”" for v in variants]
        khoan, khoan_f = self.best_khoan(readings, top)
        wider = self.wider_passages(self.of_named_plans(q, pool))
        slot_asked, slot_missing = self.slot(q, khoan, [c.text for c in wider], reasons)
        # figures the question states (a percentage) that no retrieved passage contains
        figure_missing = 0.0
        for pct in re.findall(r"(\d+(?:[.,]\d+)?)\s*%", q):
            if not any(re.search(r"(?<![\d.,])" + re.escape(pct) + r"\s*%", t) for t in pool_acc):
                figure_missing = 1.0
                reasons.append(f"không thấy mức {pct}% trong các văn bản")
        scope_missing = self._scope_checks(q, pool, pool_f, today_year, reasons, sups, readings)
        names = self.absent_names(q)
        reasons += [f"kho văn bản không có “{n}”" for n in names]
        feats = self._scores(q, hits, best, sups[best])
        feats["khoan_rare_cov"] = self.rare_coverage(q, khoan_f)
        runs = [self.phrase_run(v, t) for v in filter(None, (q, clause)) for t in [fold(khoan), *texts]]
        feats["phrase_run"] = max(r[0] for r in runs)
        feats["phrase_len"] = max(r[1] for r in runs)
        feats["slot_far"] = self.slot_far(q, wider)
        feats["title_slot"] = self.title_slot(q, ents)
        if feats["title_slot"] == 1.0 and ents:  # said in plain words when the score refuses
            kind = self.w.types.detect(q) if self.w.types else None
            reasons.insert(0, f"kho văn bản không nêu {SLOT_NAMES.get(kind or '', 'điều được hỏi')} của "
                              f"“{self._surface(q, max(ents, key=len))}”")
        feats["definition_missing"] = self.definition_missing(q, wider)
        feats["local_unnamed"] = self.local_unnamed(question, top)
        feats["article_gap"] = self.article_gap(hits)
        feats.update({"entity_missing": float(min(missing_ents, 2)),
                      "title_variant": float(min(len(variants), 1)), "aspect_missing": aspect_missing,
                      "slot_asked": slot_asked, "slot_missing": slot_missing, "figure_missing": figure_missing,
                      "scope_missing": float(min(scope_missing, 2)), "name_absent": float(min(len(names), 2))})
        return feats, reasons, best, sups[best]

    @staticmethod
    def khoan_segments(chunk: Chunk) -> list[str]:
        """A passage cut into its numbered clauses (khoản), each after the passage's heading; the text before the
        first clause is a segment of its own; an unnumbered passage is one segment."""
        head = chunk.breadcrumb[-1] if chunk.breadcrumb else ""
        segs: list[list[str]] = [[]]
        for ln in chunk.text.split("\n"):
            if _KHOAN.match(ln) and segs[-1]:
                segs.append([])
            segs[-1].append(ln)
        return [f"{head}\n" + "\n".join(x) for x in segs if any(ln.strip() for ln in x)]

    @staticmethod
    def question_clause(q: str) -> str | None:
        """The last clause of a question whose opening clauses tell the asker's situation in the same sentence
        ("Xã em vừa sáp nhập, hồ sơ đề nghị gồm những gì?" → "hồ sơ đề nghị gồm những gì?"), or None."""
        parts = [p.strip() for p in re.split(r",\s+", q.strip()) if p.strip()]
        if len(parts) < 2 or len(parts[-1].split()) < 4 or _ASKING.search(fold(" ".join(parts[:-1]).lower())):
            return None  # one clause, a short last one, or the question already asked before the comma (a list)
        return parts[-1]

    def best_khoan(self, readings: list[str], top: list[Hit]) -> tuple[str, set[str]]:
        """The single clause (khoản) of the top passages that best supports the question: (text, folded terms)."""
        best, best_s = "", -1.0
        for h in top:
            for seg in self.khoan_segments(h.chunk):
                f = fold(seg)
                sc = max(self.support(v, f) for v in readings)
                if sc > best_s:
                    best, best_s = seg, sc
        return best, self._features_of(fold(best))

    @staticmethod
    def article_gap(hits: list[Hit]) -> float:
        """How far the best passage stands out from the best passage of ANOTHER article (Điều or section) of the
        same document among the hits: (s1 − s_other) / s1; 1 when no other article of that document is retrieved.
        On the generated set a question the corpus answers usually retrieves several articles of the document that
        holds the answer, while one it lacks more often retrieves a lone passage of a document (the fitted weight
        is negative)."""
        top = hits[0]
        art = lambda h: h.chunk.breadcrumb[-1] if h.chunk.breadcrumb else ""  # noqa: E731
        other = [h.score for h in hits[1:] if h.chunk.source_file == top.chunk.source_file and art(h) != art(top)]
        if not other or top.score <= 0:
            return 1.0
        return (top.score - max(other)) / top.score

    @cached_property
    def by_file(self) -> dict[str, list[Chunk]]:
        """The indexed passages of each source file, in index order (for the sibling lookup of siblings.py)."""
        return passages_by_file(self.s.chunks)

    def of_named_plans(self, q: str, pool: list[Hit]) -> list[Hit]:
        """The passages of the plans the question names by number ('KH 0124 … mấy Bằng khen?'), when any was
        retrieved: another plan's figure does not answer it; else the whole pool."""
        numbers = self._analyse(q).plan_numbers
        named = [h for h in pool if h.chunk.meta and h.chunk.meta.number
                 and norm_number(h.chunk.meta.number) in numbers]
        return named or pool

    def wider_passages(self, hits: list[Hit]) -> list[Chunk]:
        """The retrieved passages followed by their siblings — the other passages of each one's Điều (outside
        articles: of its document) — as the answer widens to them when no cited passage states the asked fact
        (siblings.py); each passage once."""
        out = {h.chunk.chunk_id: h.chunk for h in hits}
        for h in hits:
            for c in sibling_passages(h.chunk, self.by_file, set()):
                out.setdefault(c.chunk_id, c)
        return list(out.values())

    def rare_coverage(self, q: str, present: set[str]) -> float:
        """IDF-weighted share of the question's rare corpus terms found in `present` (1.0 when it has none)."""
        rare = [t for t in self.terms(q) if t in self.idf and self.idf[t] >= self.rare_idf]
        tot = sum(self.idf[t] for t in rare)
        return sum(self.idf[t] for t in rare if t in present) / tot if tot else 1.0

    def slot(self, q: str, khoan: str, texts: list[str], reasons: list[str]) -> tuple[float, float]:
        """(asked, missing) for the kind of fact the question asks (answer_types.yaml: amount, count, duration,
        date, authority): missing 0 when the best clause holds a value of that kind, 0.5 when only another of
        `texts` does (the retrieved passages and their siblings: see wider_passages), 1 when none does."""
        kinds = self.asked_kinds(q)
        if not kinds:
            return 0.0, 0.0
        missing = 1.0
        for kind in kinds:  # a question of several parts: the part whose kind of fact the passages hold best
            pats = self.w.types.answer[kind]
            if any(p.search(khoan) for p in pats):
                return 1.0, 0.0
            if any(p.search(t) for t in texts for p in pats):
                missing = 0.5
        if missing == 1.0:
            reasons.append(f"các đoạn tìm được không nêu {SLOT_NAMES.get(kinds[0], 'điều được hỏi')}")
        return 1.0, missing

    def asked_kinds(self, q: str) -> list[str]:
        """The kinds of fact with a value form (answer_types.yaml) a question asks: that of each of its parts when
        it asks several ('… do cơ quan nào ban hành, ký ngày nào?'), else its own, the whole question's first; then
        any other kind its words also ask ("thời hạn": a length of time or a deadline)."""
        types = self.w.types
        if not types:
            return []
        parts = asked_parts(q, types)
        kinds = [types.detect(q)] + [types.detect(p) for p in parts]
        kinds += [k for x in [q, *parts] for k in types.also_asked(x)]  # "thời hạn": a length of time or a deadline
        return list(dict.fromkeys(k for k in kinds if k and types.answer.get(k)))

    def phrase_run(self, q: str, folded_text: str) -> tuple[float, float]:
        """The longest run of the question's consecutive words written word for word in the text: (its content
        words as a share of the question's, their number out of 4 — capped); stopwords in the run count nothing."""
        flags = [(w, c) for w, c in self.content_flags(q) if re.fullmatch(r"[0-9a-z]+", w)]
        words = [w for w, _ in flags]
        content = [c for _, c in flags]
        total = sum(content)
        if not total:
            return 0.0, 0.0
        text = " " + " ".join(re.findall(r"[0-9a-z]+", folded_text)) + " "
        best = 0
        for i in range(len(words)):
            if not content[i]:
                continue
            j = i + 1
            while j <= len(words) and f" {' '.join(words[i:j])} " in text:
                j += 1
            best = max(best, sum(content[i:j - 1]))
        return best / total, min(best, 4) / 4

    def slot_far(self, q: str, passages: list[Chunk]) -> float:
        """How far the asked kind of fact (answer_types.yaml) is from the asked subject, in the sentences or points
        (điểm) of the top passages that carry a value of that kind: 1 − the best share of a named title/award's
        words written there as one run ("Cờ thi đua của bộ, ban, ngành, tỉnh" holds half of "cờ thi đua của Ủy ban
        nhân dân tỉnh"), or, with no name, of the question's rare terms (IDF-weighted); 0 when no kind with a value
        form is asked, 1 when no such sentence holds any of the subject. `passages`: see wider_passages."""
        kinds = self.asked_kinds(q)
        if not kinds:
            return 0.0
        return min(self._slot_far(q, k, passages) for k in kinds)  # several parts: the one held nearest

    def _slot_far(self, q: str, kind: str, passages: list[Chunk]) -> float:
        """slot_far for one kind of fact."""
        pats = self.w.types.answer.get(kind, [])
        if kind == "count" and _PERCENT_ASKED.search(q.lower()):  # a share asked: only a % answers it
            pats = [p for p in pats if "%" in p.pattern]
        if not pats:
            return 0.0
        ents = self.entities(q)
        # the longest named title/award, matched as a run of its words, in either spelling ("… Ủy ban nhân dân tỉnh",
        # "… UBND tỉnh")
        longest = [max(ents, key=len)] if ents else []
        names = [e.split() for e in longest + self.short_written(longest)]
        name = names[0] if names else []
        syl = [t for t in self.terms(q) if "_" not in t and t in self.idf]
        subj = [t for t in syl if self.idf[t] >= self.rare_idf] or syl
        tot = sum(self.idf[t] for t in subj)
        if not (name or tot):
            return 0.0
        best = 0.0
        for c in passages:
            # the document's own scope (its locality, its year) is written in its heading, not in every sentence
            m = c.meta
            scope = " ".join(fold(str(x)) for x in (m.locality, m.year) if x) if m else ""
            heading = " ".join(c.breadcrumb)  # the subject of a sentence that names no title of its own
            for sent in re.split(r"\n|;\s", c.text):
                if not any(p.search(sent) for p in pats):
                    continue
                toks = re.findall(r"[0-9a-z]+", fold(_with_heading(sent, heading) if name else sent) + " " + scope)
                if name:
                    text = f" {' '.join(toks)} "
                    best = max([best] + [self._run_share(n, text) for n in names])
                else:
                    best = max(best, sum(self.idf[t] for t in subj if t in set(toks)) / tot)
        return round(1.0 - best, 4)

    @staticmethod
    def _run_share(name: list[str], text: str) -> float:
        """The share of a name's words that `text` (spaced, folded) writes as one run."""
        run = max((j - i for i in range(len(name)) for j in range(i + 1, len(name) + 1)
                   if f" {' '.join(name[i:j])} " in text), default=0)
        return run / len(name)

    def title_slot(self, q: str, ents: list[str]) -> float:
        """Whether the corpus states the asked kind of fact (answer_types.yaml: amount, count, duration, date,
        authority) for the asked title anywhere, as the answer looks it up when no retrieved passage does: 0 when a
        sentence of a visible passage has a value of that kind and names the most specific title named exactly
        (amounts.title_match 2), 0.5 when only inside a longer title or when a sentence names it exactly with at
        least TITLE_ASKED of the question's other words (a wording the answer patterns miss: "… do Bộ trưởng …
        quy định"), 1 when none does; a sentence that quotes no title of its own is read with its passage's headings
        (a procedure's or plan's section names its subject once: "Quy trình … Xét tặng giải thưởng …"); 0 when no
        title the corpus writes is named or no kind with a value form is asked."""
        types = self.w.types
        kind = types.detect(q) if types else None
        pats = types.answer.get(kind or "", []) if types else []
        # the title as the corpus quotes it ("danh hiệu “Công dân danh dự Thủ đô”": without its head noun), else a
        # name the corpus writes; one it never writes is judged by entity_missing
        if not pats:
            return 0.0
        name = self.known_title(ents)
        if not name:
            return 0.0
        value, named = self.title_statements(name, kind or "", pats)
        if value:
            return 1.0 - value / 2
        words = set(name.split())
        rest = [t for t in self.terms(q) if "_" not in t and t not in words and t in self.idf]
        tot = sum(self.idf[t] for t in rest)
        if tot and any(sum(self.idf[t] for t in rest if t in have) >= TITLE_ASKED * tot for have in named):
            return 0.5  # the title named with what the question asks, in a wording the patterns miss
        return 1.0

    def known_title(self, ents: list[str]) -> str | None:
        """The most specific asked title as the corpus writes it: quoted without its head noun ("danh hiệu
        “Công dân danh dự Thủ đô”"), else a name the corpus has; None when it writes none of them."""
        titles = self.s.titles
        bare = [self.without_head(e) for e in ents]
        known = [x for x in dict.fromkeys(ents + bare) if x in titles] or [e for e in ents if self.in_corpus(e)]
        return max(known, key=len) if known else None

    def criteria_stated(self, name: str) -> bool:
        """Whether a visible passage states the criteria or conditions of a (folded) title: a sentence naming the
        title exactly (itself, or through its passage's headings) that announces them (answer_types.yaml
        criteria_marks before a ':', or under an article heading with one) or says whom the title is conferred on
        (criteria_verbs) — not a list that merely names the title, nor a reference to criteria set elsewhere
        ("… đạt tiêu chuẩn quy định tại Điều 9 của Thông tư số 24/2024/TT-BYT"). Remembered per judge."""
        return self._criteria_memo.get(name, lambda: self._criteria_stated(name))

    @cached_property
    def _criteria_memo(self) -> Memo[bool]:
        """criteria_stated's results of this judge (a view is a new judge: it hides its own files)."""
        return Memo(TITLES_KEPT)

    def _criteria_stated(self, name: str) -> bool:
        """criteria_stated, computed: the visible passages that write the title, sentence by sentence."""
        types = self.w.types
        if types is None:
            return False
        verbs, refs = types.criteria_verbs, types.criteria_references
        head, announce = types.criteria_head, types.criteria_announce
        titles = self.s.titles
        cand = self.s.lex.phrase_candidates(name.split())
        chunks = self.s.chunks
        for i in range(len(chunks)) if cand is None else cand.tolist():
            c = chunks[i]
            if c.source_file in self.hidden or name not in self.s.folded[i]:  # a reworded quote states them too
                continue
            heading = " ".join(c.breadcrumb)
            headed = bool(c.breadcrumb and head and head.match(fold(c.breadcrumb[-1]).strip()))  # an article on them
            for sent in self.announced_sentences(c.text, []):
                fs = fold(sent)
                if DOC_NUMBER.search(fs) or has_phrase(fs, refs):
                    continue  # criteria set in another document or article
                if not (headed or has_phrase(fs, verbs) or (announce and announce.search(fs))):
                    continue
                if title_match([name], _with_heading(sent, heading), titles) == 2:
                    return True
        return False

    def title_statements(self, name: str, kind: str, pats: list[re.Pattern[str]]) -> tuple[int, list[set[str]]]:
        """How the visible passages that write a corpus title state a value of the asked kind for it: (2 when a
        sentence with such a value names it exactly, 1 when only inside a longer title, else 0; the folded terms of
        the sentences naming it exactly without such a value — kept only when the first is 0). The same for every
        question asking that kind of that title: remembered per judge (a view hides its own files)."""
        return self._title_statement_memo.get((name, kind), lambda: self._title_statements(name, pats))

    @cached_property
    def _title_statement_memo(self) -> Memo[tuple[int, list[set[str]]]]:
        """title_statements' results of this judge (a view is a new judge: it hides its own files)."""
        return Memo(TITLES_KEPT)

    def _title_statements(self, name: str, pats: list[re.Pattern[str]]) -> tuple[int, list[set[str]]]:
        titles = self.s.titles
        cand = self.s.lex.phrase_candidates(name.split())
        chunks = self.s.chunks
        best = 0
        named: list[set[str]] = []
        for i in range(len(chunks)) if cand is None else cand.tolist():
            c = chunks[i]
            if c.source_file in self.hidden or name not in self.s.folded[i]:
                continue  # (a reworded secondary quote counts: the answer quotes it, labelled)
            heading = " ".join(c.breadcrumb)  # the subject of a sentence that names no title of its own
            for sent in self.announced_sentences(c.text, pats, name):
                if any(p.search(sent) for p in pats):
                    best = max(best, title_match([name], _with_heading(sent, heading), titles))
                    if best == 2:
                        return 2, []
                elif title_match([name], sent, titles) == 2:
                    named.append(self._features_of(fold(sent)))
        return best, ([] if best else named)

    @staticmethod
    def announced_sentences(text: str, pats: list[re.Pattern[str]], name: str | None = None) -> Iterator[str]:
        """The sentences of a passage (lines, cut at "; "), each item of a list read after the line announcing it
        when that line states a value of the asked kind ("… báo cáo Chủ tịch Ủy ban nhân dân tỉnh quyết định tặng
        thưởng:" + "Danh hiệu “Tập thể Lao động xuất sắc”;") or names the (folded) title `name` exactly ("Danh
        hiệu “Nhà giáo nhân dân” … đạt các tiêu chuẩn sau đây:" + "- Có thời gian … từ 20 năm trở lên"); a
        numbered khoản or điểm closes the list."""
        head = ""
        for line in text.split("\n"):
            if _ITEM_MARK.match(line):
                head = ""
            for sent in re.split(r";\s", line):
                yield f"{head} {sent}" if head else sent
            if line.rstrip().endswith(":"):
                head = line if any(p.search(line) for p in pats) or (
                    name is not None and title_match([name], line) == 2) else ""

    def definition_missing(self, q: str, passages: list[Chunk]) -> float:
        """For a question asking what a term means ("X là gì?", "thế nào là X", "X được hiểu …", X not an aspect
        of knowledge/ask.yaml such as criteria or a dossier): 0 when a passage has a sentence defining X ("X là …"),
        1 when none does; 0 for other questions."""
        term = self.defined_term(q)
        if not term:
            return 0.0
        asked = f"“{term}” là gì?"
        return 0.0 if any(definition_sentence(asked, c.text) for c in passages) else 1.0

    def defined_term(self, q: str) -> str | None:
        """The term (folded) whose meaning a question asks ("X là gì?", "thế nào là X", "X được hiểu …"; read
        folded, so typed without diacritics too), or None — also when an aspect of knowledge/ask.yaml begins X
        ("Tiêu chuẩn … là gì?", "Hồ sơ … là gì?" ask a list, not a meaning), or X is placed inside something ("mục
        tiêu trong kế hoạch là gì?" asks what it is there), or X carries a year, a place or a document number."""
        fq = fold(q)
        m = re.search(r"(?:the nao la|khai niem)\s+(.{2,60}?)\s*(?:la\s|duoc\s|\?|$)", fq) or \
            re.search(r"(.{2,80}?)\s+(?:" + "|".join(map(fold, DEFINITION_ASKED)) + ")", fq)
        if not m:
            return None
        # "Theo quy định, X …": X — the last piece of two words or more (a list inside the name stays whole:
        # "chiến sĩ thi đua bộ, ban, ngành, tỉnh")
        pieces = [p.strip(" “”\"") for p in re.split(r"[,:]\s*", m.group(1))]
        term = next((" , ".join(pieces[i:]).replace(" , ", ", ") for i in range(len(pieces) - 1, -1, -1)
                     if len(pieces[i].split()) >= 2), pieces[-1])
        if not term or any(t.startswith(p) for t in (term, pieces[-1]) for g in self.w.aspects for p in g):
            return None
        if re.search(r"(?<!\w)trong(?!\w)", term):  # "mục tiêu trong kế hoạch là gì?": what X is there, not a meaning
            return None
        # a concept has no year, place or document number: "chủ đề thi đua năm 2024 của tỉnh X là gì?" asks a fact
        places = {fold(p) for p in named_places(q)} | self._analyse(q).localities
        if re.search(r"(?<!\d)(?:19|20)\d\d(?!\d)", term) or any(p in term for p in places) or \
                re.search(r"\d+\s*/\s*\d*\s*/?\s*[a-z]", term):
            return None
        return term

    def local_unnamed(self, question: str, top: list[Hit]) -> float:
        """How much the top passages come from documents of a locality (registry metadata) that the question names
        neither by place nor by the document's number, averaged: a plan of somewhere else counts 1 (a plan speaks for its own locality only); another
        province's regulation counts 1 when the question names a locality of its own, else 0 (it may well answer a
        general question, labelled as that province's rule when it leads)."""
        fq = fold(nfc(question))
        qi = self._analyse(question)
        named = bool(qi.localities) or bool(named_places(question))
        n = 0.0
        for h in top:
            m = h.chunk.meta
            loc = fold(m.locality) if m and m.locality else ""
            if not loc or re.search(r"(?<!\w)" + re.escape(loc) + r"(?!\w)", fq):
                continue
            if m.number and norm_number(m.number) in qi.doc_numbers:  # the question names the document by its number
                continue
            n += 1.0 if m.kind == "plan" or named else 0.0
        return n / len(top) if top else 0.0

    def _another_plan_answers(self, loc: str, year: int | None, plans: set[tuple[str, int | None]], named: set[str],
                              pool: list[Hit], pool_f: list[str], sups: list[float], readings: list[str]) -> bool:
        """A question about a place's plan (which the corpus holds) that a plan of a place the question does not name
        supports better than all the passages of the named places' texts together: the asked plan does not state it.
        `sups`: the supports of the first passages of the pool (the others are computed here, only when asked)."""
        held = (loc, year) in plans if year is not None else any(p[0] == loc for p in plans)
        if not held:
            return False

        def place(h: Hit) -> str:
            return fold(h.chunk.meta.locality) if h.chunk.meta and h.chunk.meta.locality else ""

        def sup(i: int) -> float:
            return sups[i] if i < len(sups) else max(self.support(v, pool_f[i]) for v in readings)

        other = [sup(i) for i, h in enumerate(pool) if h.chunk.meta and h.chunk.meta.kind == "plan" and place(h)
                 and place(h) not in named]
        own = " ".join(pool_f[i] for i, h in enumerate(pool) if place(h) in named)
        return bool(other) and max(other) > (max(self.support(v, own) for v in readings) if own else 0.0)

    def _scope_checks(self, q: str, pool: list[Hit], pool_f: list[str], today_year: int | None,
                      reasons: list[str], sups: list[float] | None = None, readings: list[str] | None = None) -> int:
        """Locality and year the question sentence names, absent from the passages (or stated only by another
        place's plan): count of mismatches."""
        n = 0
        # the years of a span ("nhiệm kỳ 2026 - 2031", "giai đoạn 2021-2025") name a period, not a plan's year
        spanless = re.sub(r"(?<!\d)20\d\d\s*[-–]\s*20\d\d(?!\d)", " ", q)
        years = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", spanless)}
        # years inside a full date the user gives ("ngày 05/01/2026") are input for arithmetic, not a subject
        no_dates = re.sub(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}",
                          " ", spanless)
        subject_years = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", no_dates)}
        qi = self._analyse(q)
        if qi.localities and years:
            plans = {(fold(c.meta.locality or ""), c.meta.year) for c in (self.s.chunks[i] for i in self.visible)
                     if c.meta and c.meta.kind == "plan"}
            # the year written nearest the place is the one asked of it ("chỉ tiêu năm 2025 của xã Quang Trung … để
            # đối chiếu với năm 2024", "soạn kế hoạch năm 2026, … giao ước 2024 của huyện Bình Sơn"); another may be
            # a comparison the asked plan itself states ("… giảm so với năm 2024")
            for loc in qi.localities:
                year = year_asked_of(nfc(q), loc)
                if year is not None and (loc, year) not in plans and any(p[0] == loc for p in plans):
                    n += 1
                    reasons.append(f"không có kế hoạch/văn bản của {self._surface(q, loc)} cho năm {year}")
                elif sups and readings and self._another_plan_answers(loc, year, plans, qi.localities, pool, pool_f,
                                                                      sups, readings):
                    n += 1
                    reasons.append(f"văn bản của {self._surface(q, loc)} không nêu nội dung được hỏi; chỉ văn bản của "
                                   f"địa phương khác nêu")
        # a question about the current (or a future) year needs a source that speaks of that year
        for y in subject_years if len(subject_years) == 1 and not qi.doc_numbers else []:
            if today_year and y < today_year:
                continue
            if not (any(str(y) in t for t in pool_f) or any(h.chunk.meta and h.chunk.meta.year == y for h in pool)):
                n += 1
                reasons.append(f"không có văn bản nào nói về năm {y}")
        return n

    def _scores(self, q: str, hits: list[Hit], best: int, support: float) -> dict[str, float]:
        """Retrieval-strength features: absolute scores, margin, rare-term coverage, terms unknown to the corpus."""
        terms = self.terms(q)
        syl = [t for t in terms if "_" not in t]
        default = self.max_idf
        tot = sum(self.idf.get(t, default) for t in syl) or 1.0
        absent = sum(default for t in syl if t not in self.idf) / tot
        # phrases of the question (adjacent content syllables) the corpus ever writes: low for other domains
        flags = self.content_flags(q)
        pairs = [f"{a}_{b}" for (a, ca), (b, cb) in zip(flags, flags[1:], strict=False)
                 if ca and cb and not (a.isdigit() or b.isdigit())]
        bigram_known = sum(p in self.idf for p in pairs) / len(pairs) if pairs else 1.0
        rare = [t for t in terms if self.idf.get(t, default) >= self.rare_idf and t in self.idf]
        in_best = self._features_of(self._fold_of(hits[best]))
        rare_cov = (sum(self.idf[t] for t in rare if t in in_best) / sum(self.idf[t] for t in rare)) if rare else 1.0
        s1 = hits[0].score
        s2 = hits[1].score if len(hits) > 1 else 0.0
        lex = max(h.parts.get("lex_raw", 0.0) for h in hits)
        known = [t for t in terms if t in self.idf]
        missing = [self.idf[t] for t in known if t not in in_best]
        rarest_missing = max(missing) / default if missing else 0.0
        return {"support": support, "rare_cov": rare_cov, "absent": absent,
                "lex_top": math.log1p(lex / max(1, len(syl))), "dense_max": hits[0].parts.get("dense_max", 0.0),
                "margin": (s1 - s2) / s1 if s1 > 0 else 0.0,
                "n_terms": math.log1p(len(syl)), "rarest_missing": rarest_missing, "bigram_known": bigram_known}

    def assess(self, question: str, hits: list[Hit], today_year: int | None = None) -> Assessment:
        """Whether the passages answer the question: the fitted abstention score over general features when the
        model is present (knowledge/abstention.json), else every check must pass and support ≥ SUPPORT_MIN."""
        if not hits:
            return Assessment(False, 0.0, ["không có đoạn nào khớp"], score=0.0)
        feats, reasons, best, sup = self.checks(question, hits, today_year)
        model = self.w.model
        if model is None:
            if sup < SUPPORT_MIN:
                reasons.append(f"mức khớp nội dung thấp ({sup:.2f})")
            return Assessment(not reasons, sup, reasons, best, None, feats)
        p = model.probability(feats)
        ok = p >= model.threshold
        if not ok and not reasons:
            reasons.append("các đoạn tìm được không khớp đủ với câu hỏi")
        return Assessment(ok, sup, [] if ok else reasons, best, round(p, 4), feats)

    # ------------------------------------------------------------------------------------------- quotes
    def quote(self, question: str, chunk: Chunk, raw: str | None, max_chars: int = 700,
              names: Sequence[str] = ()) -> tuple[str, int, int]:
        """The most relevant run of blocks of a chunk (verbatim cleaned text) with its raw offsets; a run with a block
        naming one of `names` (the folded titles asked about) counts one more, so a list of titles is quoted around
        the point of the asked one."""
        bl: list[Block] = blocks(raw, chunk.start, chunk.end) if raw else []
        if not bl:
            return chunk.text[:max_chars], chunk.start, chunk.end
        if sum(len(b.text) + 1 for b in bl) <= max_chars:
            return "\n".join(b.text for b in bl), bl[0].start, bl[-1].end
        scores = [self.support(question, fold(b.text)) for b in bl]
        named = [bool(names) and has_phrase(fold(b.text), list(names)) for b in bl]
        best_i, best_s = 0, -1.0
        for i in range(len(bl)):
            size, s, j, names_one = 0, 0.0, i, False
            while j < len(bl) and size + len(bl[j].text) <= max_chars or j == i:
                size += len(bl[j].text) + 1
                s += scores[j]
                names_one = names_one or named[j]
                j += 1
                if j >= len(bl):
                    break
            s += 1.0 if names_one else 0.0  # once per window: the rest is chosen by relevance
            if s > best_s:
                best_i, best_s = i, s
        out: list[Block] = []
        size = 0
        for b in bl[best_i:]:
            if out and size + len(b.text) > max_chars:
                break
            out.append(b)
            size += len(b.text) + 1
        text = "\n".join(b.text for b in out)
        if len(text) > max_chars + 400:
            text = text[: max_chars + 400].rsplit(" ", 1)[0] + " …"
        return text, out[0].start, out[-1].end
