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
from assistant.corpus.normalize import fold, nfc, unify_tones
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
    foreign_bodies: list[str] = field(default_factory=list)  # accented lower-case words (see `accented`): "sở" ≠ "số"
    forbidden_awards: list[re.Pattern[str]] = field(default_factory=list)  # award forms the issuer may not give
    community: list[tuple[str, str]] = field(default_factory=list)  # ("thôn", "tổ dân phố") in a phường
    foreign_phrases: list[re.Pattern[str]] = field(default_factory=list)  # another type's own campaign ("Đợt thi đua")


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


def src_unit_word(src_level: str | None, src_unit: str | None) -> str | None:
    return src_unit or {"huyen": "huyện", "tinh": "tỉnh", "xa": "xã"}.get(src_level or "")


def _rewrite(t: str, unit: str, src_locality: str | None, src_level: str | None, src_year: int | None,
             src_province: str | None, tgt: Target, src_unit: str | None = None) -> str:
    """Source place names, level words and years → the target's."""
    if src_locality:
        for w in ("huyện", "xã", "tỉnh", "thành phố", "phường", "thị xã"):
            t = re.sub(rf"\b{w}\s+{re.escape(src_locality)}\b",
                       f"{unit} {tgt.locality}" if tgt.locality else unit, t, flags=re.I)
        if tgt.locality:
            t = re.sub(rf"\b{re.escape(src_locality)}\b", tgt.locality, t)
    if src_province and tgt.province and fold(src_province) != fold(tgt.province or ""):
        t = re.sub(rf"\b{re.escape(src_province)}\b", tgt.province, t)
    src_word = src_unit_word(src_level, src_unit)
    if src_word and unit and tgt.level in ("xa", "tinh", "huyen") and fold(src_word) != fold(unit):
        keep = r"(?!\s+(hội|viên)(?![\w]))"  # "xã hội", "xã viên" are not the unit word
        t = re.sub(rf"(?<![\w])({src_word}|{src_word.capitalize()})(?![\w]){keep}",
                   lambda m: _case_like(m.group(1), unit), t)
        t = re.sub(rf"(?<![\w]){src_word.upper()}(?![\w]){keep}", unit.upper(), t)
    for frm, to in tgt.community:
        t = re.sub(rf"(?<![\w]){re.escape(frm)}(?![\w])", to, t)
        t = re.sub(rf"(?<![\w]){re.escape(frm.capitalize())}(?![\w])", to.capitalize(), t)
    if src_year:
        def _yr(m: re.Match[str]) -> str:
            y = int(m.group(0))
            d = y - src_year
            return str(tgt.year + d) if abs(d) <= 1 else m.group(0)
        t = re.sub(r"(?<![\d/.,])(19|20)\d\d(?![\d/.,]\d)", _yr, t)
    return t


def accented(text: str) -> str:
    """Lower-case NFC text with one tone placement, for words whose diacritics matter ("sở" is not "số")."""
    return unify_tones(nfc(text).lower())


def has_word(folded: str, words: list[str]) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", folded) for a in words)


def _clause_ok(c: str, unit: str, src_locality: str | None, src_level: str | None, src_year: int | None,
               src_province: str | None, tgt: Target, src_unit: str | None = None) -> str | None:
    """The rewritten clause, or None when it stays specific to the source (place, time, figures) or names a body,
    field or award form of another level."""
    fo = fold(c)
    if any(p.search(fo) for p in tgt.specific):
        return None
    if tgt.level == "co-quan" and (has_word(accented(c), tgt.foreign_bodies) or (src_locality and
                                                                               fold(src_locality) in fo)):
        return None
    if tgt.after_reform and any(re.search(r"(?<!\w)" + re.escape(a) + r"(?!\w)", fo) for a in tgt.abolished):
        return None
    c = _rewrite(c, unit, src_locality, src_level, src_year, src_province, tgt, src_unit)
    fc = fold(c)
    if has_word(accented(c), tgt.foreign_bodies) or any(p.search(fc) for p in tgt.forbidden_awards) or any(
            p.search(c) for p in tgt.foreign_phrases):
        return None
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
               src_province: str | None, tgt: Target, block: set[str] | None = None, whole: bool = True,
               src_unit: str | None = None) -> str | None:
    """Rewrite one paragraph for the target. With `whole` (the default) the paragraph goes in whole or not at all
    (None when any clause stays specific to the source); otherwise such clauses are dropped."""
    unit = tgt.unit_word if tgt.level != "co-quan" else "cơ quan"
    kept: list[str] = []
    head_ok = True  # the clause that starts the current sentence was kept
    dropped = False
    for cl in _CLAUSE.split(strip_marker(text)):
        c = cl.strip()
        if not c:
            continue
        starts = c[:1].isupper()
        ok = _clause_ok(c, unit, src_locality, src_level, src_year, src_province, tgt, src_unit)
        if ok is not None and block and any(re.search(r"(?<!\w)" + re.escape(b) + r"(?!\w)", fold(ok)) for b in block):
            ok = None  # about the source plan's own topic (its title words), not the request's
        if ok is None and whole:
            return None
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
    colon = t.find(":", m.start())
    if colon > 0 and re.search(r"[^\W\d_]{2,}", t[m.start():colon]):
        return None  # a figure inside the metric's name ("trẻ em dưới 6 tuổi được tiêm phòng: …")
    name = t[: m.start()]
    name = re.sub(r"(\s*(?:[:≥>≤<=]|đạt/vượt|đạt|khoảng|giảm|tăng|trên|dưới|từ|ít nhất|tối thiểu|là|năm|trong|:))+\s*$",
                  "", name.strip(), flags=re.I)
    name = name.strip(" :-;,(")
    if len(name) < 8 or len(name) > 140:
        return None
    if name.count("(") != name.count(")") or ":" in name or name.endswith(("/", "độ", "mức", "giai đoạn", "theo",
                                                                            " cả", " các")):
        return None  # the figure sat inside the metric's name: nothing whole to keep
    return name[0].upper() + name[1:]
