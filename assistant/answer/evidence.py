"""Decide from retrieval evidence whether passages support a question (refusal), and pick quotes."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from assistant.corpus.models import Chunk
from assistant.corpus.normalize import Block, blocks, fold, tokens
from assistant.index.retriever import Hit, HybridSearcher

SUPPORT_MIN = 0.34  # IDF-weighted share of the question's content terms found in the best passage


# folded forms that are also content syllables of the domain ("thì"→"thi" as in "thi đua", "có"→"co" as in
# "cơ sở"): never dropped from a question typed without diacritics
AMBIGUOUS_FOLDED = {"thi", "co", "so", "do", "dinh", "con", "chi", "nam", "ho", "the", "gia", "cung", "ve", "tu",
                    "ma", "ra", "o", "nay", "lai", "de", "den", "da", "dang", "tai", "khi", "moi"}


@dataclass
class Words:
    """Language lists from knowledge/ask.yaml and knowledge/retrieval.yaml."""

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

    @classmethod
    def load(cls, path: Path, stop_path: Path | None = None) -> Words:
        d = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {}
        if stop_path and stop_path.exists():
            d["stopwords"] = (yaml.safe_load(stop_path.read_text("utf-8")) or {}).get("stopwords")
        f = lambda xs: [fold(x) for x in (xs or [])]  # noqa: E731
        stop_acc = {str(x).lower() for x in d.get("stopwords") or []}
        stop = stop_acc | {fold(x) for x in stop_acc if fold(x) not in AMBIGUOUS_FOLDED}
        return cls(stop, f(d.get("entity_heads")),
                   {k: f(v) for k, v in (d.get("answer_types") or {}).items()}, f(d.get("money_evidence")),
                   [str(x).lower() for x in d.get("money_evidence") or []],
                   f(d.get("followup_markers")), f(d.get("present_markers")), f(d.get("comparison_markers")),
                   f(d.get("deadline_markers")), f(d.get("validity_markers")), f(d.get("local_gov_markers")),
                   {str(k): str(v) for k, v in (d.get("abbreviations") or {}).items()},
                   [f(g) for g in d.get("aspect_groups") or []], f(d.get("structure_markers")),
                   f(d.get("count_markers")), f(d.get("identity_markers")))


def has_phrase(folded_text: str, phrases: list[str]) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", folded_text) for p in phrases)


@dataclass
class Assessment:
    supported: bool
    support: float
    reasons: list[str] = field(default_factory=list)
    best: int = 0  # index into hits of the best supporting passage


class Evidence:
    """IDF statistics over the indexed chunks, used to judge support and to choose quotes."""

    def __init__(self, searcher: HybridSearcher, words: Words) -> None:
        self.s = searcher
        self.w = words

    @cached_property
    def idf(self) -> dict[str, float]:
        df: Counter[str] = Counter()
        for f in self.s.folded:
            toks = re.findall(r"[0-9a-z]+", f)
            feats = set(toks) | {f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)}
            df.update(feats)
        n = max(1, len(self.s.folded))
        return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def terms(self, question: str) -> list[str]:
        """Content syllables (folded) of a question, plus its known bigrams; stopwords judged with diacritics."""
        acc = tokens(question)
        keep = [fold(t) for t in acc if t not in self.w.stop and fold(t) not in self.w.stop]
        syl = [t for t in keep if re.match(r"^[0-9a-z]+$", t)]
        all_syl = [fold(t) for t in acc]
        bigrams = [f"{a}_{b}" for a, b in zip(all_syl, all_syl[1:], strict=False)
                   if a not in self.w.stop and b not in self.w.stop]
        return syl + [b for b in bigrams if b in self.idf]

    def support(self, question: str, folded_text: str) -> float:
        terms = self.terms(question)
        if not terms:
            return 0.0
        present = set(re.findall(r"[0-9a-z]+", folded_text))
        toks = re.findall(r"[0-9a-z]+", folded_text)
        present |= {f"{a}_{b}" for a, b in zip(toks, toks[1:], strict=False)}
        default = max(self.idf.values()) if self.idf else 1.0
        tot = sum(self.idf.get(t, default) for t in terms)
        got = sum(self.idf.get(t, default) for t in terms if t in present)
        return got / tot if tot else 0.0

    def entities(self, question: str) -> list[str]:
        """Named titles/awards in the question (folded): corpus title names, or a head noun + its name."""
        fq = fold(question)
        found = [t for t in self.s.analyse(question).titles]
        stop = self.w.stop | {"tieu", "chuan", "xet", "tang", "muc", "thuong", "ho", "so", "thu", "tuc", "nop"}
        for head in self.w.heads:
            for m in re.finditer(r"(?<!\w)" + re.escape(head) + r"(?!\w)", fq):
                tail = fq[m.end():].split()
                name: list[str] = []
                for t in tail[:6]:
                    t = t.strip(",.?!;:“”\"'()")
                    if not t or (t in stop and t not in ("cua",)):
                        break
                    name.append(t)
                while name and name[-1] == "cua":
                    name.pop()
                if name:
                    found.append(f"{head} {' '.join(name)}")
        # keep the most specific
        return [e for e in found if not any(e != o and e in o for o in found)]

    def _expand_abbr(self, question: str) -> str:
        out = question
        for a, full in self.w.abbreviations.items():
            out = re.sub(r"(?<!\w)" + re.escape(a) + r"(?!\w)", full, out, flags=re.I)
        return out

    @staticmethod
    def _has_all(name: str, folded_text: str, toks: set[str]) -> bool:
        return name in folded_text or set(name.split()) <= toks

    def assess(self, question: str, hits: list[Hit], today_year: int | None = None) -> Assessment:
        """Supported only if the passages contain the question's named titles, the kind of answer it asks for
        (a %, an amount), its plan's locality and year, and enough of its content words."""
        if not hits:
            return Assessment(False, 0.0, ["không có đoạn nào khớp"])
        top = hits[:3]
        pool = hits[:5]
        fold_of = lambda h: (self.s.folded[self.s.pos[h.chunk.chunk_id]]  # noqa: E731
                             if h.chunk.chunk_id in self.s.pos else fold(h.chunk.embed_text))
        texts = [fold_of(h) for h in top]
        pool_f = [fold_of(h) for h in pool]
        pool_toks = [set(re.findall(r"[0-9a-z]+", t)) for t in pool_f]
        pool_acc = [h.chunk.text.lower() for h in pool]
        alt = self.s.without_expansion_keys(question)
        sups = [max(self.support(question, t), self.support(alt, t) if alt else 0.0) for t in texts]
        best = max(range(len(top)), key=lambda i: (sups[i], -i))
        reasons: list[str] = []
        fq = fold(question)
        ents = self.entities(self._expand_abbr(question))
        keep = list(range(len(pool)))
        for e in ents:
            name = e.split(" ", 2)[-1] if any(e.startswith(h + " ") and len(h.split()) == 2 for h in self.w.heads) \
                else (e.split(" ", 1)[-1] if any(e.startswith(h + " ") for h in self.w.heads) else e)
            with_e = [i for i in range(len(pool)) if self._has_all(name, pool_f[i], pool_toks[i])]
            if not with_e:
                reasons.append(f"không thấy “{e}” trong các đoạn tìm được")
            else:
                keep = [i for i in keep if i in with_e] or with_e
        for group in self.w.aspects:
            if has_phrase(fq, group):
                scope = keep if ents else list(range(len(top)))
                if not any(has_phrase(pool_f[i], group) for i in scope):
                    reasons.append(f"các đoạn liên quan không nói về “{group[0]}”")
        for kind, markers in self.w.answer_types.items():
            if not has_phrase(fq, markers):
                continue
            if kind == "percent" and not any("%" in pool_acc[i] or "phần trăm" in pool_acc[i] for i in keep):
                reasons.append("không có tỷ lệ % trong đoạn liên quan")
            if kind == "money" and not any(any(p in pool_acc[i] for p in self.w.money_evidence_acc) for i in keep):
                reasons.append("không có mức tiền thưởng trong đoạn liên quan")
        claim_part = re.split(r"(?<!\w)neu(?!\w)", fq)[0]
        for pct in re.findall(r"(\d+(?:[.,]\d+)?)\s*%", claim_part):
            if not any(re.search(r"(?<![\d.,])" + re.escape(pct) + r"\s*%", t) for t in pool_acc):
                reasons.append(f"không thấy mức {pct}% trong kho văn bản")
        years = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", question)}
        # years inside a full date the user gives ("ngày 05/01/2026") are input for arithmetic, not a subject
        no_dates = re.sub(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}",
                          " ", question)
        subject_years = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", no_dates)}
        qi = self.s.analyse(question)
        if qi.localities and years:
            plans = {(fold(c.meta.locality or ""), c.meta.year) for c in self.s.chunks
                     if c.meta and c.meta.kind == "plan"}
            for loc in qi.localities:
                if any((loc, y) in plans for y in years):
                    continue
                if any(p[0] == loc for p in plans):
                    reasons.append(f"không có kế hoạch/văn bản của {loc.title()} cho năm "
                                   f"{', '.join(map(str, sorted(years)))}")
        # a question about the current (or a future) year needs a source that speaks of that year
        for y in subject_years if len(subject_years) == 1 and not qi.doc_numbers else []:
            if today_year and y < today_year:
                continue
            if not (any(str(y) in t for t in pool_f) or any(h.chunk.meta and h.chunk.meta.year == y for h in pool)):
                reasons.append(f"không có văn bản nào nói về năm {y}")
        if sups[best] < SUPPORT_MIN:
            reasons.append(f"mức khớp nội dung thấp ({sups[best]:.2f})")
        return Assessment(not reasons, sups[best], reasons, best)

    # ------------------------------------------------------------------------------------------- quotes
    def quote(self, question: str, chunk: Chunk, raw: str | None, max_chars: int = 700) -> tuple[str, int, int]:
        """The most relevant run of blocks of a chunk (verbatim cleaned text) with its raw offsets."""
        bl: list[Block] = blocks(raw, chunk.start, chunk.end) if raw else []
        if not bl:
            return chunk.text[:max_chars], chunk.start, chunk.end
        if sum(len(b.text) + 1 for b in bl) <= max_chars:
            return "\n".join(b.text for b in bl), bl[0].start, bl[-1].end
        scores = [self.support(question, fold(b.text)) for b in bl]
        best_i, best_s = 0, -1.0
        for i in range(len(bl)):
            size, s, j = 0, 0.0, i
            while j < len(bl) and size + len(bl[j].text) <= max_chars or j == i:
                size += len(bl[j].text) + 1
                s += scores[j]
                j += 1
                if j >= len(bl):
                    break
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
