"""Say what the corpus lacks: articles a question names that no verbatim passage holds, documents without text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold
from assistant.corpus.registry import LegalDoc, Registry

_COMPLETENESS = re.compile(r"completeness:\s*(.*?)\s*-->", re.S)
_ARTICLE = re.compile(r"(?<!\w)(?:điều|dieu)\s+(\d{1,3})(?!\d)", re.I)
# a provision that hands its matter to another part of the same text: "… được thực hiện theo quy định tại Phụ lục I
# Nghị định này", "… theo quy định tại Điều 30 của Nghị định này"
_DELEGATION = re.compile(r"[^.;:\n]*?theo quy định tại (Phụ lục [IVXLC]+|Điều \d{1,3})(?: của)? "
                         r"(?:Luật|Nghị định|Nghị quyết|Thông tư|Quyết định|Quy định) này[^.;\n]*[.;]?", re.I)
# what is not a value of the provision itself: list markers, references to articles, clauses, appendices, numbers of
# documents
_NOT_A_VALUE = re.compile(r"(?m)^\s*(?:\d+(?:\.\d+)*[.)]|\(\d+\))|(?:Điều|khoản|Khoản|điểm|Phụ lục|Chương|Mục)\s+"
                          r"[\dIVXLC]+|\d+(?:/\d+)*/[A-ZĐa-zđ][\wĐđ-]*")
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


def _holds_part(chunks: list[Chunk], files: list[str], part: str) -> bool:
    """True when a verbatim passage of the files is that part (an appendix by its heading, an article by label)."""
    kind, _, num = part.partition(" ")
    if fold(kind) == "dieu":
        return num in _articles_held(chunks, files)[0]
    head = fold(part)
    return any(c.source_file in files and not c.secondary and
               any(re.match(re.escape(head) + r"(?![ivxlc\w])", fold(b)) for b in c.breadcrumb) for c in chunks)


def _syllables(text: str) -> set[str]:
    return set(re.findall(r"[0-9a-z]+", fold(text)))


def _closest_delegations(found: list[tuple[Missing, str]], text: str, question: str) -> list[tuple[Missing, str]]:
    """The delegations about what the question asks: those sharing most words with the question and with the
    passage's sentence closest to it (the words of the delegating formula itself left out)."""
    if len(found) < 2:
        return found
    doc = found[0][0].doc
    formula = _syllables("được thực hiện theo quy định tại của này phụ lục điều") | \
        _syllables(f"{doc.short_name or ''} {doc.number}")
    q = _syllables(question)
    anchor = max(re.split(r"(?<=[.;:])\s+|\n", text), key=lambda x: len(_syllables(x) & q))
    near = (q | _syllables(anchor)) - formula
    score = [len((_syllables(sentence) - formula) & near) for _, sentence in found]
    return [f for f, n in zip(found, score, strict=True) if n == max(score)]


def delegated_missing(chunk: Chunk, registry: Registry, chunks: list[Chunk], question: str = ""
                      ) -> list[tuple[Missing, str]]:
    """Parts of its own document that the passage hands its matter to ("… theo quy định tại Phụ lục I Nghị định
    này") and that the corpus lacks, each with the delegating sentence (verbatim); with a question, only the
    delegations closest to it."""
    doc = registry.by_file(chunk.source_file)
    if doc is None:
        return []
    files = list(doc.files) or [chunk.source_file]
    out: list[tuple[Missing, str]] = []
    seen: set[str] = set()
    for m in _DELEGATION.finditer(chunk.text):
        part = re.sub(r"\s+", " ", m.group(1)).strip()
        part = part[0].upper() + part[1:]
        if part in seen or _holds_part(chunks, files, part):
            continue
        seen.add(part)
        name = doc.short_name or doc.number
        out.append((Missing(doc, None, f"Kho chưa có toàn văn {part} {name}."), m.group(0).strip()))
    return _closest_delegations(out, chunk.text, question) if question else out


def holds_value(text: str) -> bool:
    """True when the passage states a figure of its own (a number that is not a list marker or a reference)."""
    return bool(re.search(r"\d", _NOT_A_VALUE.sub(" ", text)))
