"""Say what the corpus lacks: articles a question names that no verbatim passage holds, documents without text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold
from assistant.corpus.registry import LegalDoc, Registry

_COMPLETENESS = re.compile(r"completeness:\s*(.*?)\s*-->", re.S)
_ARTICLE = re.compile(r"(?<!\w)(?:điều|dieu)\s+(\d{1,3})(?!\d)", re.I)
HOW_TO_ADD = ("Để bổ sung, hãy tải toàn văn chính thức (vbpl.vn hoặc vanban.chinhphu.vn, dạng .docx, .pdf, .doc "
              "hoặc .html) rồi nạp vào kho bằng lệnh `tdkt ingest <tệp>` hoặc tải lên ở trang quản trị "
              "(API POST /documents, khóa quản trị).")


def completeness(raw: str | None) -> str | None:
    """The completeness note a corpus file opens with ('partial — có … các Điều 3, 5 …'), if any."""
    if not raw:
        return None
    m = _COMPLETENESS.search(raw[:3000])
    return m.group(1).strip() if m else None


@dataclass
class Missing:
    """A provision or document the question needs that the corpus lacks, with the message shown to the user."""

    doc: LegalDoc
    article: str | None
    short: str  # 'Kho chưa có toàn văn Điều 25 Luật …' (one sentence, for the answer's opening)

    @property
    def message(self) -> str:
        return f"{self.short} {HOW_TO_ADD}"


def _articles_held(chunks: list[Chunk], files: list[str]) -> tuple[set[str], set[str]]:
    verbatim = {c.label.get("dieu", "") for c in chunks if c.source_file in files and not c.secondary}
    reworded = {c.label.get("dieu", "") for c in chunks if c.source_file in files and c.secondary}
    return verbatim - {""}, reworded - {""}


def find_missing(question: str, registry: Registry, chunks: list[Chunk], indexed_files: set[str],
                 raw_of: dict[str, str | None]) -> list[Missing]:
    """Documents named in the question whose text the corpus lacks, and named articles (Điều N) that no verbatim
    passage of that document holds, judged from the indexed passages and the file's completeness note."""
    out: list[Missing] = []
    docs = registry.find_in_text(question)
    articles = _ARTICLE.findall(question)
    for d in docs:
        name = d.short_name or d.number
        files = [f for f in d.files if f in indexed_files]
        if not files:
            out.append(Missing(d, None, f"Kho chưa có toàn văn {name}."))
            continue
        if not articles or len(docs) > 1:
            continue
        notes = [completeness(raw_of.get(f)) or "" for f in files]
        if any(fold(n).startswith("full") for n in notes):
            continue
        verbatim, reworded = _articles_held(chunks, files)
        for a in articles:
            if a in verbatim:
                continue
            extra = " (chỉ có trích dẫn gián tiếp từ nguồn thứ cấp)" if a in reworded else ""
            out.append(Missing(d, a, f"Kho chưa có toàn văn Điều {a} {name}{extra}."))
    return out
