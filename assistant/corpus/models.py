"""Data model of the corpus: a Document (text + metadata) and the Chunks cut from it."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

# The dense model sees a chunk's nearest heading and the first words of its passage: its cost grows with the
# tokens fed (≈ 38 instead of ≈ 161 tokens per chunk: cold ingest 6.19× faster, docs/DEPLOY.md); the lexical
# index keeps every word.
# Chosen on the generated formal/informal and answer question sets (`evals/`), where it kept hit@1/hit@5.
DENSE_CHARS = 60


def words_prefix(text: str, n: int) -> str:
    """The first `n` characters of `text`, cut at a space when one is near the end."""
    if len(text) <= n:
        return text
    cut = text[:n]
    sp = cut.rfind(" ")
    return cut[:sp] if sp > n * 0.6 else cut


@dataclass
class DocMeta:
    """What we know about one document (front matter > registry.yaml > detection in the text)."""

    doc_id: str
    source_file: str
    number: str | None = None  # số ký hiệu, e.g. "21/KH-UBND" or "06/2022/QH15"
    doc_type: str | None = None  # luat, nghi-dinh, thong-tu, quyet-dinh, nghi-quyet, chi-thi, ke-hoach, ...
    title: str | None = None
    short_name: str | None = None  # e.g. "Luật Thi đua, khen thưởng 2022"
    issuer: str | None = None  # e.g. "UBND huyện Bình Sơn"
    level: str | None = None  # trung-uong, tinh, huyen, xa, co-quan
    locality: str | None = None  # e.g. "Bình Sơn"
    signed: date | None = None
    year: int | None = None
    in_force_from: date | None = None
    in_force_to: date | None = None  # first day it is no longer in force
    replaced_by: str | None = None
    amended_by: str | None = None
    note: str | None = None
    kind: str = "legal"  # legal | plan

    def in_force_on(self, day: date) -> bool:
        if self.in_force_from and day < self.in_force_from:
            return False
        return not (self.in_force_to and day >= self.in_force_to)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, date):
                d[k] = v.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DocMeta:
        vals = dict(d)
        for k in ("signed", "in_force_from", "in_force_to"):
            if vals.get(k):
                vals[k] = date.fromisoformat(str(vals[k]))
            else:
                vals[k] = None
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in vals.items() if k in known})


@dataclass
class Document:
    """A loaded source file: raw text (as read) plus metadata."""

    meta: DocMeta
    raw: str
    fmt: str = "md"

    @property
    def source_file(self) -> str:
        return self.meta.source_file


@dataclass
class Chunk:
    """A retrievable unit: a khoản/điều of a legal text or a section/item of a plan."""

    chunk_id: str
    doc_id: str
    source_file: str
    text: str  # cleaned display text of the span (normalised, hard wraps joined)
    citation: str  # e.g. "Điểm a Khoản 1 Điều 22 Luật Thi đua, khen thưởng 2022 (06/2022/QH15)"
    breadcrumb: list[str]
    start: int  # raw character offsets in the source file
    end: int
    label: dict[str, str] = field(default_factory=dict)  # dieu, khoan, diem, section, ...
    meta: DocMeta | None = None
    secondary: bool = False  # reworded secondary quotation (Phụ lục B)

    @property
    def embed_text(self) -> str:
        crumbs = " › ".join(self.breadcrumb)
        return f"{crumbs}\n{self.text}" if crumbs else self.text

    @property
    def dense_text(self) -> str:
        """What the dense model sees: the nearest heading and the passage's first words (bounded cost)."""
        head = self.breadcrumb[-1].strip() if self.breadcrumb else ""
        text = self.text
        lines = text.split("\n")
        # the passage repeats its heading, maybe after its chapter's title (kept in the breadcrumb): do not pay for
        # them (the chapter title would take the place of the article's first words)
        at = next((j for j, ln in enumerate(lines[:4]) if head and ln.strip() == head), None)
        if at is not None:
            text = "\n".join(lines[at + 1:])
        body = words_prefix(text, DENSE_CHARS)
        return f"{head}\n{body}" if head and body else (head or body or self.text[:DENSE_CHARS])

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self.embed_text.encode("utf-8"))
        h.update(self.dense_text.encode("utf-8"))
        h.update(f"|{self.start}|{self.end}|{self.citation}".encode())
        return h.hexdigest()[:24]
