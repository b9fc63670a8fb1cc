"""Document metadata: front matter, then knowledge/registry.yaml, then detection in the text."""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

import yaml

from assistant.corpus.models import DocMeta
from assistant.corpus.normalize import blocks, fold, nfc
from assistant.corpus.registry import Registry

PLAN_TYPES = {"ke-hoach", "phat-dong", "giao-uoc", "cong-dien", "ke-hoach-dot"}

# type keyword (folded, as a whole block or title start) -> doc_type
_TYPE_WORDS = [
    ("v/v dang ki giao uoc", "giao-uoc"),
    ("dang ki giao uoc thi dua", "giao-uoc"),
    ("cong dien", "cong-dien"),
    ("ke hoach", "ke-hoach"),
    ("phat dong", "phat-dong"),
    ("nghi dinh", "nghi-dinh"),
    ("nghi quyet", "nghi-quyet"),
    ("quyet dinh", "quyet-dinh"),
    ("thong tu", "thong-tu"),
    ("chi thi", "chi-thi"),
    ("luat", "luat"),
]
_NUMBER = re.compile(r"Số\s*:\s*([0-9]{0,5}\s*/\s*[0-9A-ZĐa-zđ/\-]+)")
_TITLE_NUM = re.compile(r"\b(\d{1,5}(?:/\d{4})?/[A-ZĐ][A-ZĐa-zđ\-]*(?:-[A-ZĐ]+)*)")
_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_DATE_SHORT = re.compile(r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})")
_PLACE_DATE = re.compile(r"^([A-ZĐÀ-Ỹ][^,\n]{1,40}),\s*ngày\s+(\d{0,2})\s*tháng\s+(\d{0,2})\s*năm\s+(\d{4})")
_UNITS = ("tỉnh", "thành phố", "huyện", "thị xã", "xã", "phường")  # administrative units, as written in running text
_ISSUER = re.compile(
    r"(?:ỦY BAN NHÂN DÂN|UBND|Ủy ban nhân dân)\s+(" + "|".join([u.upper() for u in _UNITS] + list(_UNITS)) + ")"
    r"[ ]+([A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:[ ]+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3})"
)
_PLACE = re.compile(r"(?<!\w)(?:" + "|".join(list(_UNITS) + [u.capitalize() for u in _UNITS]) + r")(?!\w)")
_PLACE_NAME = re.compile(r"[ ]+(\w+(?:[ ]+\w+){0,3})")
_LEVEL = {"tinh": "tinh", "thanh pho": "tinh", "huyen": "huyen", "thi xa": "huyen", "xa": "xa", "phuong": "xa"}


def named_places(text: str) -> list[str]:
    """Places a text names as an administrative unit and its proper name ("tỉnh Quảng Ngãi", "xã Quang Trung"),
    whether or not any document of the corpus comes from there."""
    out = []
    text = nfc(text)
    for m in _PLACE.finditer(text):
        after = _PLACE_NAME.match(text, m.end())
        words = after.group(1).split() if after else []
        name = list(itertools.takewhile(lambda w: w[:1].isupper(), words))
        if name:
            out.append(" ".join(name))
    return out


def split_front_matter(raw: str) -> tuple[dict[str, Any], int]:
    """YAML front matter delimited by '---' lines at the very top; returns (data, body offset)."""
    if not raw.startswith("---\n"):
        return {}, 0
    end = raw.find("\n---", 4)
    if end < 0:
        return {}, 0
    try:
        data = yaml.safe_load(raw[4:end]) or {}
    except yaml.YAMLError:
        return {}, 0
    if not isinstance(data, dict):
        return {}, 0
    nl = raw.find("\n", end + 4)
    return data, (nl + 1 if nl >= 0 else len(raw))


def _to_date(v: Any) -> date | None:
    if isinstance(v, date):
        return v
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v)
        except ValueError:
            m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
            if m:
                return date(int(m[3]), int(m[2]), int(m[1]))
    return None


def detect(raw: str, source_file: str) -> dict[str, Any]:
    """Best-effort detection of number, type, issuer, date, year from the first part of a text."""
    head_blocks = blocks(raw[:6000])
    out: dict[str, Any] = {}
    texts = [b.text for b in head_blocks[:40]]
    # Markdown title line of collected texts: "Kế hoạch 0124/KH-UBND ngày 18/11/2025 của UBND tỉnh Đắk Lắk …"
    for t in texts[:3]:
        ft = fold(t)
        for word, typ in _TYPE_WORDS:
            if ft.startswith(word):
                out.setdefault("doc_type", typ)
                out.setdefault("title", t[:300])
                m = _TITLE_NUM.search(t[:120])
                if m:
                    out.setdefault("number", m.group(1))
                m = _DATE_SHORT.search(t) or _DATE.search(t)
                if m:
                    out.setdefault("signed", date(int(m[3]), int(m[2]), int(m[1])))
                break
    for t in texts:
        m = _NUMBER.search(t)
        if m and "number" not in out:
            num = re.sub(r"\s+", "", m.group(1))
            if re.match(r"^\d", num):
                out["number"] = num
            if "doc_type" not in out:
                suffix = fold(num.split("/")[-1])
                for k, typ in (("kh", "ke-hoach"), ("pd", "phat-dong"), ("pdtd", "phat-dong"), ("cd", "cong-dien"),
                               ("qd", "quyet-dinh"), ("nq", "nghi-quyet"), ("ct", "chi-thi")):
                    if suffix.startswith(k):
                        out["doc_type"] = typ
                        break
        m = _PLACE_DATE.match(t)
        if m and "year" not in out:
            out["place"] = m.group(1).strip()
            out["year"] = int(m.group(4))
            if m.group(2) and m.group(3):
                out.setdefault("signed", date(int(m[4]), int(m[3]), int(m[2])))
        ft = fold(t)
        if "v/v" in ft and "giao uoc" in ft:
            out["doc_type"] = "giao-uoc"
        if ft in ("ke hoach", "phat dong", "cong dien", "quyet dinh", "nghi quyet") or ft.startswith("ke hoach "):
            for word, typ in _TYPE_WORDS:
                if ft.startswith(word):
                    out.setdefault("doc_type", typ)
                    break
    joined = "\n".join(texts)
    m = _ISSUER.search(joined)
    if m:
        unit = m.group(1)
        name = re.split(r"\s+(?:Ban|Phát|Về|Năm|Ngày|Kế|Số|CỘNG|KẾ|PHÁT|QUYẾT)\b", m.group(2))[0]
        name = name.title() if name.isupper() else name
        out.setdefault("issuer", f"UBND {unit.lower()} {name}")
        out.setdefault("level", _LEVEL.get(fold(unit.lower())))
        out.setdefault("locality", name)
    if "signed" in out and "year" not in out:
        out["year"] = out["signed"].year
    return out


def build_meta(raw: str, source_file: str, registry: Registry, doc_id: str) -> DocMeta:
    """Merge metadata sources in priority order: front matter > registry > detection."""
    front, _ = split_front_matter(raw)
    meta = DocMeta(doc_id=doc_id, source_file=source_file)
    detected = detect(raw, source_file)
    layers: list[dict[str, Any]] = [detected]
    reg = registry.by_file(source_file)
    if reg:
        layers.append({
            "number": reg.number, "doc_type": reg.doc_type, "title": reg.title, "short_name": reg.short_name,
            "issuer": reg.issuer, "level": reg.level, "locality": reg.locality, "signed": reg.signed,
            "in_force_from": reg.in_force_from, "in_force_to": reg.in_force_to, "replaced_by": reg.replaced_by,
            "amended_by": reg.amended_by, "note": reg.note,
        })
    elif source_file in registry.plans:
        layers.append(dict(registry.plans[source_file]))
    layers.append(front)
    for layer in layers:
        for k, v in layer.items():
            if v in (None, "") or not hasattr(meta, k) or k in ("doc_id", "source_file"):
                continue
            if k in ("signed", "in_force_from", "in_force_to"):
                v = _to_date(v)
            if k == "year":
                v = int(v)
            setattr(meta, k, v)
    if reg is None and meta.number:
        reg2 = registry.by_number(meta.number)
        if reg2:
            meta.in_force_from = meta.in_force_from or reg2.in_force_from
            meta.in_force_to = meta.in_force_to or reg2.in_force_to
            meta.replaced_by = meta.replaced_by or reg2.replaced_by
    if meta.signed and not meta.year:
        meta.year = meta.signed.year
    if meta.doc_type in PLAN_TYPES:
        meta.kind = "plan"
    if not meta.short_name:
        meta.short_name = short_name(meta)
    return meta


_ABBR = {"ke-hoach": "KH", "phat-dong": "PĐ", "giao-uoc": "Giao ước", "cong-dien": "CĐ", "quyet-dinh": "QĐ",
         "nghi-quyet": "NQ", "nghi-dinh": "NĐ", "thong-tu": "TT", "chi-thi": "CT", "luat": "Luật"}


def short_name(meta: DocMeta) -> str:
    """Label used in citations: 'KH 21/KH-UBND UBND huyện Bình Sơn 2025'."""
    parts = [_ABBR.get(meta.doc_type or "", "VB")]
    if meta.number:
        parts.append(meta.number)
    if meta.issuer:
        parts.append(meta.issuer)
    if meta.year and not (meta.number and str(meta.year) in meta.number):
        parts.append(str(meta.year))
    return " ".join(parts)
