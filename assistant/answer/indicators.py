"""Plan indicators (chỉ tiêu): extracted from plans into a table that can be queried and compared."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass

from assistant.corpus.models import Chunk
from assistant.corpus.normalize import blocks, fold, tokens

_ITEM_SPLIT = re.compile(r"(?:^|\s)(?=\(\d{1,2}\)\s)|;\s+(?=[A-ZĐÀ-Ỹ-])")
_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_VALUE = re.compile(
    r"(?P<cmp>khoảng|đạt|trên|dưới|ít nhất|tối thiểu|tối đa|không quá|giảm|tăng|≥|>=|>|<|≤|phấn đấu)?\s*"
    r"(?:\$\\geq\s*)?(?P<num>" + _NUM + r")\s*\$?\s*"
    r"(?P<unit>%|tỷ\s*(?:đồng|đ)|tỷ\.đ|triệu\s*(?:đồng|USD)|Tr\.đ|USD|ha|người|con|tấn|km|lao động|hộ|xã|trường|m2|"
    r"m<sup>2</sup>|m²|lần|cơ sở|doanh nghiệp|hợp tác xã|sản phẩm|bác sĩ|giường)?",
    re.I,
)
_CMP_MAP = {"khoảng": "khoảng", "đạt": "=", "trên": ">", "dưới": "<", "ít nhất": "≥", "tối thiểu": "≥",
            "tối đa": "≤", "không quá": "≤", "giảm": "giảm", "tăng": "tăng", "≥": "≥", ">=": "≥", ">": ">",
            "<": "<", "≤": "≤", "phấn đấu": "≥"}
STOP = {"chi", "tieu", "cua", "nam", "la", "bao", "nhieu", "the", "nao", "va", "so", "voi", "hay", "tang", "giam",
        "dat", "ti", "le", "khoang", "trong", "cho", "ve", "thi", "dua", "duoc", "ke", "hoach", "nhu"}


@dataclass
class Indicator:
    """One target of one plan: metric, value, unit, comparator, year, locality, source and offsets."""

    metric: str
    value_text: str
    value: float | None
    unit: str
    comparator: str
    year: int | None
    locality: str | None
    document: str
    source_file: str
    citation: str
    start: int
    end: int
    text: str

    def to_row(self) -> dict:
        return asdict(self)


def _num(s: str) -> float | None:
    try:
        return float(s.replace(".", "").replace(",", "."))
    except ValueError:
        return None


def _is_target_section(c: Chunk) -> bool:
    f = fold(" ".join(c.breadcrumb) + " " + c.citation)
    return "chi tieu" in f


def extract_indicators(chunks: list[Chunk], raw_texts: dict[str, str]) -> list[Indicator]:
    """Indicators from the chỉ tiêu sections of every plan (items '(n) metric: value', '- metric: value')."""
    out: list[Indicator] = []
    for c in chunks:
        m = c.meta
        if not m or m.kind != "plan" or not _is_target_section(c):
            continue
        raw = raw_texts.get(c.source_file)
        if raw is None:
            continue
        for b in blocks(raw, c.start, c.end):
            text = b.text.lstrip("-–+• ").strip()
            if not re.search(r"\d", text) or len(text) > 600:
                continue
            for item in _split_items(text):
                ind = _parse_item(item, b, text)
                if ind is None:
                    continue
                metric, vtext, val, unit, cmp_ = ind
                pos = b.text.find(item)  # offsets index the block's own text (before the item mark was stripped)
                s = b.offsets[pos] if 0 <= pos < len(b.offsets) else b.start
                e_idx = pos + len(item) - 1
                e = (b.offsets[e_idx] + 1) if 0 <= e_idx < len(b.offsets) else b.end
                out.append(Indicator(metric, vtext, val, unit, cmp_, m.year, m.locality, m.short_name or "",
                                     c.source_file, c.citation, s, e, item))
    return out


def _split_items(text: str) -> list[str]:
    parts = [p.strip(" ;.") for p in _ITEM_SPLIT.split(text) if p and p.strip(" ;.")]
    return parts or [text]


def _parse_item(item: str, b: object, whole: str) -> tuple[str, str, float | None, str, str] | None:
    body = re.sub(r"^\(\d{1,2}\)\s*", "", item)
    if ":" in body:
        metric, rest = body.split(":", 1)
    else:
        mv = _VALUE.search(body)
        if not mv:
            return None
        metric, rest = body[: mv.start()], body[mv.start():]
    mv = _VALUE.search(rest)
    if not mv or not metric.strip():
        return None
    metric = re.sub(r"\s+(khoảng|đạt|trên|phấn đấu)$", "", metric.strip(" -–")).strip()
    if len(metric) < 4:
        return None
    cmp_word = (mv.group("cmp") or "").lower()
    if not cmp_word:
        mm = re.search(r"(khoảng|đạt|trên|dưới|giảm|tăng|phấn đấu)\s*$", body[: body.find(rest)] if rest in body else "")
        cmp_word = mm.group(1).lower() if mm else ""
    unit = (mv.group("unit") or "").replace("<sup>2</sup>", "2")
    return metric, rest.strip()[:200], _num(mv.group("num")), unit, _CMP_MAP.get(cmp_word, "=")


def terms_of(s: str) -> set[str]:
    return {t for t in tokens(s, folded=True) if t not in STOP and not t[0].isdigit()}


class IndicatorTable:
    """Query and compare indicators by locality, year and metric words."""

    def __init__(self, rows: list[Indicator]) -> None:
        self.rows = rows
        self.localities = sorted({fold(r.locality) for r in rows if r.locality}, key=len, reverse=True)

    def filter(self, locality: str | None = None, year: int | None = None) -> list[Indicator]:
        out = self.rows
        if locality:
            out = [r for r in out if r.locality and fold(r.locality) == fold(locality)]
        if year:
            out = [r for r in out if r.year == year]
        return out

    def lookup(self, question: str) -> list[Indicator]:
        """Best-matching indicators for a question (one per plan/year), [] when nothing matches well."""
        fq = fold(question)
        locs = [loc for loc in self.localities if re.search(r"(?<!\w)" + re.escape(loc) + r"(?!\w)", fq)]
        if not locs:
            return []
        years = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", question)}
        qt = terms_of(question) - set(" ".join(locs).split())
        if not qt:
            return []
        cands = [r for r in self.rows if r.locality and fold(r.locality) in locs and (not years or r.year in years)]
        scored = []
        for r in cands:
            mt = terms_of(r.metric)
            if not mt:
                continue
            inter = qt & mt
            if len(inter) < min(2, len(mt)):
                continue
            score = len(inter) / len(qt) + 0.1 * len(inter) / len(mt)
            scored.append((score, r))
        if not scored:
            return []
        scored.sort(key=lambda x: -x[0])
        best = scored[0][0]
        if best < 0.5:
            return []
        picked: dict[tuple[str, str], Indicator] = {}
        for sc, r in scored:
            if sc >= max(0.5, 0.6 * best) and len(picked) < 6:
                picked.setdefault((r.source_file, fold(r.metric)), r)
        return sorted(picked.values(), key=lambda r: (r.year or 0, r.start))

    def to_csv(self, rows: list[Indicator] | None = None) -> str:
        rows = self.rows if rows is None else rows
        buf = io.StringIO()
        fields = ["locality", "year", "metric", "comparator", "value", "unit", "value_text", "document",
                  "source_file", "start", "end", "citation"]
        w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r.to_row())
        return buf.getvalue()


def fmt_value(r: Indicator) -> str:
    return r.value_text


def compare(rows: list[Indicator]) -> str | None:
    """'tăng'/'giảm'/'không đổi' from the earliest to the latest year when units agree."""
    rows = [r for r in rows if r.value is not None]
    if len(rows) < 2:
        return None
    a, b = rows[0], rows[-1]
    if a.unit != b.unit or a.year == b.year:
        return None
    if b.value > a.value:  # type: ignore[operator]
        return "tăng"
    if b.value < a.value:  # type: ignore[operator]
        return "giảm"
    return "không đổi"
