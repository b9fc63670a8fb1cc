"""Adapt a passage of another plan to the requested issuer/year, and verify figures and document references."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.answer.verify import (  # shared figure/ref reader
    extract_doc_refs,
    extract_numbers,
    support_forms,
)
from assistant.corpus.normalize import fold
from assistant.corpus.registry import Registry

_MARKER = re.compile(r"^\s*(?:[-–•+*]\s*|\(?\d{1,2}\)\s*|\d{1,2}(?:\.\d{1,2})*\.?\s+|[a-zđ]\)\s*)+")
_CLAUSE = re.compile(r"(?<=[;])\s+|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")
_PLACE = re.compile(r"\b(?:tỉnh|huyện|xã|phường|thành phố|thị xã|thị trấn|TP\.?)\s+((?:[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,2})")


@dataclass
class Target:
    """What the draft is for: the facts adaptation maps onto and the support set for figures."""

    issuer: str
    unit_word: str  # xã, phường, tỉnh, Sở …
    locality: str | None
    level: str
    year: int
    plan_date: date
    province: str | None = None
    support: Support = field(default_factory=lambda: Support(set(), set()))
    foreign: list[str] = field(default_factory=list)  # folded names of other localities
    specific: list[re.Pattern[str]] = field(default_factory=list)
    abolished: list[str] = field(default_factory=list)
    after_reform: bool = True
    own_names: set[str] = field(default_factory=set)
    gone_after_rewrite: list[str] = field(default_factory=list)  # folded; e.g. "huyen" left after adaptation
    not_at_level: list[str] = field(default_factory=list)  # folded bodies that do not exist at the target level
    request_bigrams: set[str] = field(default_factory=set)


@dataclass
class Support:
    """Canonical forms a draft may contain: figures only from the user (prompt, plan year ± 1, given extra text);
    document references from the user or the registry."""

    numbers: set[str]
    refs: set[str]

    def __contains__(self, item: str) -> bool:  # convenience for callers testing one form
        return item in self.numbers or item in self.refs


def build_support(prompt: str, registry: Registry, year: int, extra: list[str] | None = None) -> Support:
    nums = support_forms([prompt, f"năm {year - 1} năm {year} năm {year + 1}", *(extra or [])])
    refs = support_forms([d.number for d in registry.docs]) | nums
    return Support(nums, refs)


def unsupported(text: str, support: Support) -> list[str]:
    """Figures and document references of text that the support does not contain."""
    bad = [n for n in extract_numbers(text) if n not in support.numbers]
    bad += [r for r in extract_doc_refs(text) if r not in support.refs]
    return sorted(bad)


def strip_marker(text: str) -> str:
    return _MARKER.sub("", text).strip()


def _case_like(src: str, repl: str) -> str:
    if src.isupper():
        return repl.upper()
    if src[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


def _rewrite(t: str, unit: str, src_locality: str | None, src_level: str | None, src_year: int | None,
             src_province: str | None, tgt: Target) -> str:
    """Source place names, level words and years → the target's."""
    if src_locality:
        for w in ("huyện", "xã", "tỉnh", "thành phố", "phường", "thị xã"):
            t = re.sub(rf"\b{w}\s+{re.escape(src_locality)}\b",
                       f"{unit} {tgt.locality}" if tgt.locality else unit, t, flags=re.I)
        if tgt.locality:
            t = re.sub(rf"\b{re.escape(src_locality)}\b", tgt.locality, t)
    if src_province and tgt.province and fold(src_province) != fold(tgt.province or ""):
        t = re.sub(rf"\b{re.escape(src_province)}\b", tgt.province, t)
    src_word = {"huyen": "huyện", "tinh": "tỉnh", "xa": "xã"}.get(src_level or "")
    if src_word and tgt.level in ("xa", "tinh", "huyen") and src_level != tgt.level:
        t = re.sub(rf"(?<![\w])({src_word}|{src_word.capitalize()})(?![\w])",
                   lambda m: _case_like(m.group(1), unit), t)
        t = re.sub(rf"(?<![\w]){src_word.upper()}(?![\w])", unit.upper(), t)
    if src_year:
        def _yr(m: re.Match[str]) -> str:
            y = int(m.group(0))
            d = y - src_year
            return str(tgt.year + d) if abs(d) <= 1 else m.group(0)
        t = re.sub(r"(?<![\d/.,])(19|20)\d\d(?![\d/.,]\d)", _yr, t)
    return t


def _clause_ok(c: str, unit: str, src_locality: str | None, src_level: str | None, src_year: int | None,
               src_province: str | None, tgt: Target) -> str | None:
    """The rewritten clause, or None when it stays specific to the source (place, time, figures)."""
    fo = fold(c)
    if any(p.search(fo) for p in tgt.specific):
        return None
    if tgt.after_reform and any(re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", fo) for a in tgt.abolished):
        return None
    c = _rewrite(c, unit, src_locality, src_level, src_year, src_province, tgt)
    fc = fold(c)
    if tgt.after_reform and any(re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", fc) for a in tgt.gone_after_rewrite):
        return None  # the district level no longer exists on the plan's date
    if any(re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", fc) for a in tgt.not_at_level):
        return None
    if any(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", fc) for n in tgt.foreign):
        return None
    if any(fold(m.group(1)) not in tgt.own_names for m in _PLACE.finditer(c)):
        return None
    if unsupported(c, tgt.support):
        return None
    return c


def adapt_text(text: str, src_locality: str | None, src_level: str | None, src_year: int | None,
               src_province: str | None, tgt: Target, block: set[str] | None = None) -> str | None:
    """Rewrite one paragraph for the target; clauses that stay specific to the source are dropped. None = nothing
    usable is left."""
    unit = tgt.unit_word if tgt.level != "co-quan" else "cơ quan"
    kept: list[str] = []
    head_ok = True  # the clause that starts the current sentence was kept
    dropped = False
    for cl in _CLAUSE.split(strip_marker(text)):
        c = cl.strip()
        if not c:
            continue
        starts = c[:1].isupper()
        ok = _clause_ok(c, unit, src_locality, src_level, src_year, src_province, tgt)
        if ok is not None and block and any(re.search(r"(?<!\w)" + re.escape(b) + r"(?!\w)", fold(ok)) for b in block):
            ok = None  # about the source plan's own topic (its title words), not the request's
        if starts:
            head_ok = ok is not None
        if ok is None or (not starts and not head_ok):
            dropped = True
            continue
        c = ok
        if kept and kept[-1].endswith(";") and starts and dropped:
            kept[-1] = kept[-1][:-1] + "."
        dropped = False
        if kept and kept[-1].endswith(".") and c[:1].islower():
            c = c[0].upper() + c[1:]
        kept.append(c)
    out = " ".join(kept).strip()
    out = re.sub(r"\s+([;,.])", r"\1", out)
    out = re.sub(r"[;,]\s*$", ".", out)
    if len(out) < 40 or len(out) < 0.35 * len(text.strip()):
        return None  # too little left of the source paragraph to stand on its own
    if not out.endswith((".", ";", ":", "./.")):
        out += "."
    return out[0].upper() + out[1:]


_VALUE = re.compile(r"(\s*(?:[:≥>≤<=]|đạt|khoảng|giảm|tăng|trên|dưới|từ|ít nhất|tối thiểu|là)?\s*[\d$].*)$")


def target_metric(text: str) -> str | None:
    """The metric name of a numbered target ("(1) Tổng giá trị sản xuất khoảng 28.603,61 tỷ đồng" → "Tổng giá trị
    sản xuất"), so the draft keeps the indicator and asks for the value."""
    t = strip_marker(text)
    t = re.sub(r"\$[^$]*\$", " ", t)
    m = re.search(r"[\d]", t)
    if not m:
        return None
    name = t[: m.start()]
    name = re.sub(r"(\s*(?:[:≥>≤<=]|đạt/vượt|đạt|khoảng|giảm|tăng|trên|dưới|từ|ít nhất|tối thiểu|là|năm|trong|:))+\s*$",
                  "", name.strip(), flags=re.I)
    name = name.strip(" :-;,(")
    if len(name) < 8 or len(name) > 140:
        return None
    return name[0].upper() + name[1:]
