"""Adapt a passage of another plan to the requested issuer/year, and verify figures and document references."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.corpus.normalize import fold
from assistant.corpus.registry import Registry

try:  # shared verifier of the answer pipeline
    from assistant.answer.verify import extract_doc_refs, extract_numbers, support_forms
except ImportError:  # pragma: no cover - fallback when the answer layer is absent
    from assistant.drafting.verify import extract_doc_refs, extract_numbers, support_forms  # type: ignore

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
    support: set[str] = field(default_factory=set)
    foreign: list[str] = field(default_factory=list)  # folded names of other localities
    specific: list[re.Pattern[str]] = field(default_factory=list)
    abolished: list[str] = field(default_factory=list)
    after_reform: bool = True
    own_names: set[str] = field(default_factory=set)


def build_support(prompt: str, registry: Registry, year: int, extra: list[str] | None = None) -> set[str]:
    """Canonical figures/references the draft may contain: the prompt's, the registry's (numbers and dates), the
    plan year and its neighbours (derived from the prompt), plus any given extra text."""
    texts = [prompt, f"năm {year - 1} năm {year} năm {year + 1}"]
    for d in registry.docs:
        texts.append(d.number)
        for dt in (d.signed, d.in_force_from):
            if dt:
                texts.append(f"ngày {dt.day:02d}/{dt.month:02d}/{dt.year}")
    texts += extra or []
    return support_forms(texts)


def unsupported(text: str, support: set[str]) -> list[str]:
    return sorted(x for x in (extract_numbers(text) | extract_doc_refs(text)) if x not in support)


def strip_marker(text: str) -> str:
    return _MARKER.sub("", text).strip()


def _case_like(src: str, repl: str) -> str:
    if src.isupper():
        return repl.upper()
    if src[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


def adapt_text(text: str, src_locality: str | None, src_level: str | None, src_year: int | None,
               src_province: str | None, tgt: Target) -> str | None:
    """Rewrite one paragraph for the target; clauses that stay specific to the source are dropped. None = nothing
    usable is left."""
    t = strip_marker(text)
    unit = tgt.unit_word if tgt.level != "co-quan" else "cơ quan"
    # 1. the source's own place names → the target's
    if src_locality:
        for w in ("huyện", "xã", "tỉnh", "thành phố", "phường", "thị xã"):
            t = re.sub(rf"\b{w}\s+{re.escape(src_locality)}\b",
                       f"{unit} {tgt.locality}" if tgt.locality else unit, t, flags=re.I)
        if tgt.locality:
            t = re.sub(rf"\b{re.escape(src_locality)}\b", tgt.locality, t)
    if src_province and tgt.province and fold(src_province) != fold(tgt.province or ""):
        t = re.sub(rf"\b{re.escape(src_province)}\b", tgt.province, t)
    # 2. level words: the source's unit word → the target's
    src_word = {"huyen": "huyện", "tinh": "tỉnh", "xa": "xã"}.get(src_level or "")
    if src_word and tgt.level in ("xa", "tinh", "huyen") and src_level != tgt.level:
        t = re.sub(rf"(?<![\w])({src_word}|{src_word.capitalize()})(?![\w])",
                   lambda m: _case_like(m.group(1), unit), t)
        t = re.sub(rf"(?<![\w]){src_word.upper()}(?![\w])", unit.upper(), t)
    # 3. years: the source year (and its neighbours) → the target year
    if src_year:
        def _yr(m: re.Match[str]) -> str:
            y = int(m.group(0))
            d = y - src_year
            return str(tgt.year + d) if abs(d) <= 1 else m.group(0)
        t = re.sub(r"(?<![\d/.,])(19|20)\d\d(?![\d/.,]\d)", _yr, t)
    # 4. clause filter
    kept: list[str] = []
    for cl in _CLAUSE.split(t):
        c = cl.strip()
        if not c:
            continue
        fc = fold(c)
        if any(p.search(fc) for p in tgt.specific):
            continue
        if tgt.after_reform and any(a in fc for a in tgt.abolished):
            continue
        if any(re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", fc) for n in tgt.foreign):
            continue
        if any(fold(m.group(1)) not in tgt.own_names for m in _PLACE.finditer(c)):
            continue
        if unsupported(c, tgt.support):
            continue
        kept.append(c)
    out = " ".join(kept).strip()
    out = re.sub(r"\s+([;,.])", r"\1", out)
    out = re.sub(r"[;,]\s*$", ".", out)
    if len(out) < 40:
        return None
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
    name = re.sub(r"(\s*(?:[:≥>≤<=]|đạt/vượt|đạt|khoảng|giảm|tăng|trên|dưới|từ|ít nhất|tối thiểu|là|năm|:))+\s*$",
                  "", name.strip(), flags=re.I)
    name = name.strip(" :-;,(")
    if len(name) < 8 or len(name) > 140:
        return None
    return name[0].upper() + name[1:]
