"""The registry of legal documents (knowledge/registry.yaml): numbers, dates, validity, replacements."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.corpus.normalize import fold


def as_date(v: Any) -> date | None:
    """A registry date: YAML gives a date or an ISO string; None for none."""
    if v is None or v == "":
        return None
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def norm_number(s: str) -> str:
    """Canonical form of a document number for matching: folded, no spaces ("98/2023/nd-cp")."""
    return re.sub(r"\s+", "", fold(s))


_NUMBER_PARTS = re.compile(r"^0*(\d+)(?:/\d{4})?/([^\W\d_]+)(?:-|$)")


@lru_cache(maxsize=256)
def short_reference(number: str) -> re.Pattern[str] | None:
    """The folded pattern of a document named the short way, by its kind and number ("KH 0124", "QĐ số 71",
    "kh 124" for "0124/KH-UBND"); None for a number without that shape."""
    m = _NUMBER_PARTS.match(fold(number).replace(" ", ""))
    if not m:
        return None
    num, kind = m.groups()
    return re.compile(rf"(?<!\w){re.escape(kind)}\s*(?:so\s*)?0*{num}(?![\w/])")


@dataclass
class LegalDoc:
    id: str
    number: str
    doc_type: str
    title: str = ""
    short_name: str = ""
    issuer: str = ""
    level: str = ""
    locality: str | None = None
    signed: date | None = None
    in_force_from: date | None = None
    in_force_to: date | None = None
    replaced_by: str | None = None
    amended_by: str | None = None
    files: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    basis: str = ""
    note: str | None = None

    def in_force_on(self, day: date) -> bool:
        if self.in_force_from and day < self.in_force_from:
            return False
        return not (self.in_force_to and day >= self.in_force_to)

    def validity_text(self, today: date) -> str:
        """Vietnamese sentence about validity, e.g. 'đã hết hiệu lực từ 01/7/2025, được thay thế bởi …'."""
        if self.in_force_to and today >= self.in_force_to:
            s = f"{self.short_name or self.number} đã hết hiệu lực từ {fmt_date(self.in_force_to)}"
            if self.replaced_by:
                s += f", được thay thế bởi {self.replaced_by}"
            return s
        if self.in_force_from and today < self.in_force_from:
            return f"{self.short_name or self.number} chưa có hiệu lực (hiệu lực từ {fmt_date(self.in_force_from)})"
        s = f"{self.short_name or self.number} đang có hiệu lực"
        if self.in_force_from:
            s += f" (từ {fmt_date(self.in_force_from)})"
        return s


def fmt_date(d: date) -> str:
    """Vietnamese short date: 01/7/2025 (day two digits, month without leading zero, as in official texts)."""
    return f"{d.day:02d}/{d.month}/{d.year}"


@dataclass
class PlanInfo:
    file: str
    values: dict[str, Any]


class Registry:
    """Lookup of legal documents by number/alias/file and of bundled plans' metadata."""

    def __init__(self, docs: list[LegalDoc], plans: dict[str, dict[str, Any]], reforms: list[dict[str, Any]]):
        self.docs = docs
        self.plans = plans
        self.reforms = reforms
        self._by_number = {norm_number(d.number): d for d in docs}
        self._by_file = {f: d for d in docs for f in d.files}

    @classmethod
    def load(cls, path: Path) -> Registry:
        if not path.exists():
            return cls([], {}, [])
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        docs = []
        for e in data.get("documents", []):
            docs.append(LegalDoc(
                id=e["id"], number=e["number"], doc_type=e.get("doc_type", ""), title=e.get("title", ""),
                short_name=e.get("short_name", ""), issuer=e.get("issuer", ""), level=e.get("level", ""),
                locality=e.get("locality"), signed=as_date(e.get("signed")),
                in_force_from=as_date(e.get("in_force_from")), in_force_to=as_date(e.get("in_force_to")), replaced_by=e.get("replaced_by"),
                amended_by=e.get("amended_by"), files=list(e.get("files") or []),
                aliases=list(e.get("aliases") or []), basis=e.get("basis", ""), note=e.get("note"),
            ))
        plans = {p["file"]: {k: v for k, v in p.items() if k != "file"} for p in data.get("plans", [])}
        return cls(docs, plans, list(data.get("reforms", [])))

    def by_file(self, source_file: str) -> LegalDoc | None:
        return self._by_file.get(source_file)

    def by_number(self, number: str) -> LegalDoc | None:
        return self._by_number.get(norm_number(number))

    def find_in_text(self, text: str) -> list[LegalDoc]:
        """Registry documents named in a text, by number ("98/2023/NĐ-CP") or alias ("NĐ 98")."""
        return [self._name_patterns[i][0] for i in sorted(self._first_positions(text))]

    def named_at(self, text: str) -> list[tuple[int, LegalDoc]]:
        """The registry documents the text names, each with where it is first named (folded offset), in order."""
        at = self._first_positions(text)
        return [(pos, self._name_patterns[i][0]) for i, pos in sorted(at.items(), key=lambda kv: (kv[1], kv[0]))]

    def _first_positions(self, text: str) -> dict[int, int]:
        """Registry index → the folded offset where the text first names that document (number or alias)."""
        f = fold(text)
        at: dict[int, int] = {}
        for i, (_, pats) in enumerate(self._name_patterns):
            found = [m.start() for p in pats if (m := p.search(f))]
            if found:
                at[i] = min(found)
        return at

    def first_named(self, text: str) -> LegalDoc | None:
        """The registry document the text names first (by where its number or alias occurs), or None."""
        got = self.named_at(text)
        return got[0][1] if got else None

    @cached_property
    def _name_patterns(self) -> list[tuple[LegalDoc, list[re.Pattern[str]]]]:
        """Each document's number and aliases as folded whole-name patterns (compiled once; asked per question)."""
        return [(d, [re.compile(r"(?<![\w/])" + re.escape(fold(k)) + r"(?![\w]|/\d)")
                     for k in [d.number, *d.aliases]]) for d in self.docs]

    def successor_chain(self, doc: LegalDoc) -> list[LegalDoc]:
        out: list[LegalDoc] = []
        cur = doc
        while cur.replaced_by and len(out) < 5:
            nxt = self.by_number(cur.replaced_by)
            if not nxt:
                break
            out.append(nxt)
            cur = nxt
        return out
