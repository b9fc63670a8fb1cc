"""Plan structure learned from the corpus: each plan's sections (roman headings, sub-headings, paragraphs) and
the section skeleton per document type (order and frequency across the corpus plans)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from assistant.corpus.metadata import split_front_matter
from assistant.corpus.models import DocMeta
from assistant.corpus.normalize import blocks, fold

_ROMAN = re.compile(r"^([IVX]{1,4})\s*[.)/]\s*(.+)$")
_NUM = re.compile(r"^(\d{1,2})\s*[.)]\s+(?!\d)(.+)$")
_SUBNUM = re.compile(r"^\d{1,2}\.\d{1,2}")
_TAIL = re.compile(r"^(Nơi nhận|TM\.|KT\.|CHỦ TỊCH\b|PHÓ CHỦ TỊCH\b)")
SUB_KINDS = ["muc dich", "yeu cau", "muc tieu", "chu de", "noi dung", "chi tieu", "doi tuong", "thoi gian",
             "tieu chi", "hinh thuc", "khen thuong", "phat dong", "giai phap", "trach nhiem", "thu tuc"]


@dataclass
class Para:
    text: str
    start: int


@dataclass
class SubPart:
    kind: str | None  # sub-kind keyword ("muc dich", "chi tieu", …) or None for a content item
    heading: str
    paras: list[Para] = field(default_factory=list)


@dataclass
class PlanSection:
    kind: str
    heading: str
    parts: list[SubPart] = field(default_factory=list)


@dataclass
class PlanDoc:
    source_file: str
    meta: DocMeta
    plan_type: str
    opening: list[Para] = field(default_factory=list)
    sections: list[PlanSection] = field(default_factory=list)
    closing: list[Para] = field(default_factory=list)


@dataclass
class SectionSpec:
    kind: str
    heading: str
    subs: list[tuple[str, str]]  # (sub-kind, display heading)
    share: float
    position: float


@dataclass
class Outline:
    doc_type: str
    sections: list[SectionSpec]
    basis: list[str]
    fallback: bool = False


def section_kind(heading: str, w: dict[str, Any]) -> str | None:
    f = fold(heading)
    specs = w.get("sections", [])
    if specs and any(m in f for m in specs[0]["match"]):  # "tổ chức thực hiện" wins over everything
        return str(specs[0]["key"])
    best: tuple[int, str] | None = None
    for s in specs[1:]:
        for m in s["match"]:
            i = f.find(m)
            if i >= 0 and (best is None or i < best[0]):
                best = (i, str(s["key"]))
    return best[1] if best else None


def sub_kind(heading: str) -> str | None:
    f = fold(heading)
    for k in SUB_KINDS:
        if f.startswith(k) or f.startswith("cac " + k) or (k in f and len(f) < 45):
            return k
    return None


def plan_type(meta: DocMeta, w: dict[str, Any]) -> str:
    """The plan's type, refining corpus 'ke-hoach'/'cong-dien' into thematic short-campaign plans by title words."""
    t = meta.doc_type or "ke-hoach"
    title = fold(meta.title or "")
    if t in ("ke-hoach", "cong-dien") and any(k in title for k in w.get("thematic_title_words", [])):
        return "ke-hoach-dot"
    return t


def _is_heading(text: str) -> bool:
    return len(text) < 200 and not text.endswith((";", ","))


def parse_plan(meta: DocMeta, raw: str, w: dict[str, Any]) -> PlanDoc:
    """Split a plan into opening, sections (by roman headings, else by short numbered headings) and closing."""
    _, body = split_front_matter(raw)
    bl = [b for b in blocks(raw, body) if b.text.strip()]
    doc = PlanDoc(meta.source_file, meta, plan_type(meta, w))
    has_roman = any(_ROMAN.match(b.text) and _is_heading(b.text) and section_kind(b.text, w) for b in bl)
    cur: PlanSection | None = None
    in_tail = False
    for b in bl:
        t = b.text.strip()
        if in_tail:
            continue
        if _TAIL.match(t) and (cur is not None or doc.opening):
            in_tail = True
            continue
        m = _ROMAN.match(t) if has_roman else None
        if m and _is_heading(t):
            kind = section_kind(m.group(2), w)
            cur = PlanSection(kind or "khac", m.group(2).strip(" *:"))
            doc.sections.append(cur)
            continue
        mn = _NUM.match(t)
        if mn and not has_roman and len(t) < 60 and section_kind(mn.group(2), w):
            cur = PlanSection(section_kind(mn.group(2), w) or "khac", mn.group(2).strip(" *:."))
            doc.sections.append(cur)
            continue
        if cur is None:
            doc.opening.append(Para(t, b.start))
            continue
        if mn and len(mn.group(2)) < 90 and not mn.group(2).rstrip().endswith((".", ";")):
            cur.parts.append(SubPart(sub_kind(mn.group(2)), mn.group(2).strip(" *:")))
            continue
        if not cur.parts:
            cur.parts.append(SubPart(None, ""))
        paras = cur.parts[-1].paras
        if paras and t[:1].islower() and not paras[-1].text.rstrip().endswith((".", ";", ":")):
            paras[-1] = Para(paras[-1].text.rstrip() + " " + t, paras[-1].start)  # paragraph cut by a page break
            continue
        paras.append(Para(t, b.start))
    # closing call = the last paragraph(s) of the last section that address everyone ("Yêu cầu …", "… ./.")
    if doc.sections and doc.sections[-1].parts:
        last = doc.sections[-1].parts[-1].paras
        while last and last[-1].text.rstrip().endswith("./.") and len(doc.closing) < 2:
            doc.closing.insert(0, last.pop())
    return doc


def learn_outlines(plans: list[PlanDoc], w: dict[str, Any], exclude: set[str] | None = None) -> dict[str, Outline]:
    """Section skeleton per plan type: kinds present in >= min_section_share of the type's plans, in mean order."""
    exclude = exclude or set()
    by_type: dict[str, list[PlanDoc]] = defaultdict(list)
    for p in plans:
        if p.source_file not in exclude and p.sections:
            by_type[p.plan_type].append(p)
    share_min = float(w.get("min_section_share", 0.5))
    out: dict[str, Outline] = {}
    for typ, docs in by_type.items():
        count: Counter[str] = Counter()
        pos: dict[str, list[float]] = defaultdict(list)
        headings: dict[str, Counter[str]] = defaultdict(Counter)
        subs: dict[str, Counter[str]] = defaultdict(Counter)
        sub_pos: dict[tuple[str, str], list[int]] = defaultdict(list)
        sub_disp: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for d in docs:
            kinds_seen: set[str] = set()
            n = len(d.sections)
            for i, s in enumerate(d.sections):
                if s.kind == "khac":
                    continue
                if s.kind not in kinds_seen:
                    count[s.kind] += 1
                    pos[s.kind].append(i / max(1, n - 1))
                    kinds_seen.add(s.kind)
                headings[s.kind][s.heading.upper()] += 1
                seen_sub: set[str] = set()
                for j, part in enumerate(s.parts):
                    if part.kind and part.kind not in seen_sub:
                        seen_sub.add(part.kind)
                        subs[s.kind][part.kind] += 1
                        sub_pos[(s.kind, part.kind)].append(j)
                        sub_disp[(s.kind, part.kind)][_short_sub(part.heading)] += 1
        specs: list[SectionSpec] = []
        for kind, c in count.items():
            share = c / len(docs)
            if share < share_min:
                continue
            heading = _best_heading(headings[kind])
            min_sub = 1 if len(docs) < 2 else 2
            sk = [k for k, v in subs[kind].items() if v >= min_sub]
            sk.sort(key=lambda k: sum(sub_pos[(kind, k)]) / len(sub_pos[(kind, k)]))
            sub_list = [(k, sub_disp[(kind, k)].most_common(1)[0][0]) for k in sk]
            specs.append(SectionSpec(kind, heading, sub_list, share, sum(pos[kind]) / len(pos[kind])))
        specs.sort(key=lambda s: s.position)
        out[typ] = Outline(typ, specs, sorted(d.source_file for d in docs))
    return out


def _short_sub(h: str) -> str:
    h = re.sub(r"\s+(năm|về)\s.*$", "", h.strip(" :"))
    return h[0].upper() + h[1:] if h else h


def _best_heading(c: Counter[str]) -> str:
    """The most common heading; ties → the shortest (the most generic wording)."""
    best = sorted(c.items(), key=lambda kv: (-kv[1], len(kv[0])))
    return best[0][0]


def outline_for(outlines: dict[str, Outline], doc_type: str, w: dict[str, Any]) -> Outline:
    if doc_type in outlines and outlines[doc_type].sections:
        return outlines[doc_type]
    fb = str(w.get("fallback_type", "ke-hoach"))
    if fb in outlines:
        o = outlines[fb]
        return Outline(doc_type, o.sections, o.basis, fallback=True)
    for o in outlines.values():
        return Outline(doc_type, o.sections, o.basis, fallback=True)
    return Outline(doc_type, [], [], fallback=True)
