"""Vietnamese text normalisation for matching: NFC, folding, debris removal, with maps back to raw offsets."""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.corpus.memo import Memo

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"</?(?:sup|sub|br|span|b|i|u|em|strong|p|div)\b[^>]*>", re.I)
_RULE = re.compile(r"^[\s\-=_*|:~]{3,}$")
_LEAD = re.compile(r"^(?:\s*(?:#{1,6}\s+|>\s?))+")
_TONE = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oé": "óe", "oè": "òe", "oẻ": "ỏe",
         "oẽ": "õe", "oẹ": "ọe", "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# A syllable of a consonant onset and a lone final i/y is spelled both ways in official texts (sĩ/sỹ, kĩ/kỹ, lí/lý,
# mĩ/mỹ, hi/hy, ti/ty): folded to i. After a vowel ('ay', 'uy', 'quy') y stays.
_IY = re.compile(r"(?<![a-z])(b|ch|c|d|gh|g|h|kh|k|l|m|ngh|ng|nh|n|ph|p|r|s|th|tr|t|v|x)y(?![a-z0-9])")


def fold(s: str) -> str:
    """Lower-case and strip Vietnamese diacritics (đ→d), keeping the length; the i/y spelling variants of one
    syllable ('sĩ'/'sỹ') fold to the same form. Cached: the same passages and questions are folded many times."""
    return _fold(s) if len(s) <= FOLD_CACHE_CHARS else _fold.__wrapped__(s)


FOLD_CACHE_CHARS = 4000  # longer texts (whole files) are folded without caching


# what names a year without asking of it: a span ("giai đoạn 2021-2025", "nhiệm kỳ 2026 - 2031"), a full date the
# asker gives ("ngày 05/01/2026"), a document's number ("12/2023/NQ-HĐND")
_NOT_ASKED_YEAR = re.compile(r"(?<!\d)20\d\d\s*[-–]\s*20\d\d(?!\d)|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}"
                             r"|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|\d{1,5}/\d{4}/[^\W\d_]")
_YEAR_AT = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def asked_years(text: str) -> list[tuple[int, int]]:
    """(position, year) of each year a text asks of — not those of a span, a full date or a document's number —
    with positions in the text (and in its fold, which keeps the length)."""
    blank = _NOT_ASKED_YEAR.sub(lambda m: " " * len(m.group(0)), text)
    return [(m.start(), int(m.group(1))) for m in _YEAR_AT.finditer(blank)]


def year_asked_of(text: str, place: str) -> int | None:
    """The year a text asks of a place: of the asked years (asked_years), the one written nearest the place's name
    (matched folded); the first when the name is not written; None when the text asks no year."""
    at = asked_years(text)
    if not at:
        return None
    where = fold(text).find(fold(place))
    return min(at, key=lambda a: abs(a[0] - where))[1] if where >= 0 else at[0][1]


def has_marks(text: str) -> bool:
    """Whether a text is written with Vietnamese diacritics (a tone or vowel mark, or đ) — not merely with a 'y'
    that fold() spells 'i' ("ty le" has none)."""
    t = unicodedata.normalize("NFD", text.lower())
    return "đ" in t or t.translate(_NO_MARKS) != t


class _DropMarks(dict):
    """str.translate table deleting non-spacing marks (category Mn): each code point's category is looked up once,
    then the translation runs at C speed."""

    def __missing__(self, cp: int) -> int | None:
        out = self[cp] = None if unicodedata.category(chr(cp)) == "Mn" else cp
        return out


_NO_MARKS = _DropMarks()


@lru_cache(maxsize=1 << 15)
def _fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.lower()).translate(_NO_MARKS)
    s = s.replace("đ", "d")
    return _IY.sub(r"\1i", s) if "y" in s else s


# The old/new tone placement differs only where oa, oe or uy ends the syllable (hoà/hòa, thuỷ/thủy); before a final
# consonant the tone sits on the second vowel in both (toàn, khoản, hoạt), and after q the u belongs to the onset (quý).
_TONE_OPEN = re.compile("(?<!q)(" + "|".join(_TONE) + ")(?![^\\W\\d_])", re.I)


def unify_tones(s: str) -> str:
    """The new tone placement for open syllables (hoà → hòa, thuỷ → thủy); other syllables unchanged."""
    return _TONE_OPEN.sub(_new_placement, s) if s else s


def _new_placement(m: re.Match[str]) -> str:
    old = m.group(1)
    new = _TONE.get(old.lower(), old)
    return new[0].upper() + new[1:] if old[0].isupper() else new


@dataclass
class Block:
    """A logical paragraph: cleaned text plus, for every character, its offset in the raw text."""

    text: str
    offsets: list[int] = field(default_factory=list)
    blank_before: bool = False

    @property
    def start(self) -> int:
        return self.offsets[0] if self.offsets else 0

    @property
    def end(self) -> int:
        return self.offsets[-1] + 1 if self.offsets else 0

    def extend(self, other: Block, sep: str = " ") -> None:
        if self.text and other.text:
            self.text += sep
            self.offsets.append(self.offsets[-1])
        self.text += other.text
        self.offsets += other.offsets


def mask_comments(raw: str) -> str:
    """Blank out HTML comments and inline tags, keeping length and newlines so offsets stay valid."""

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    return _TAG.sub(blank, _COMMENT.sub(blank, raw))


def clean_line(line: str, base: int) -> Block:
    """Strip markdown/table debris from one raw line; returns text with per-char raw offsets."""
    if _RULE.match(line) or not line.strip():
        return Block("", [])
    m = _LEAD.match(line)
    i = m.end() if m else 0
    out: list[str] = []
    offs: list[int] = []
    n = len(line)
    while i < n:
        c = line[i]
        if c in "*|`" or (c == "_" and i + 1 < n and line[i + 1] == "_"):
            i += 2 if c == "_" else 1
            if out and out[-1] != " ":
                out.append(" ")
                offs.append(base + i - 1)
            continue
        if c == "\\" and i + 1 < n and not line[i + 1].isalnum():
            i += 1
            continue
        if c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                offs.append(base + i)
            i += 1
            continue
        out.append(c)
        offs.append(base + i)
        i += 1
    while out and out[-1] == " ":
        out.pop()
        offs.pop()
    while out and out[0] == " ":
        out.pop(0)
        offs.pop(0)
    # remove space before punctuation created by stripped markers ("Điều 1. **Ban" -> fine; "dư **," )
    text = "".join(out)
    return Block(text, offs)


# A line that starts a new logical block (structure markers of legal texts and plans).
MARKER = re.compile(
    r"^(?:Phần\s+(?:thứ\s+)?\w+|PHẦN\s+\w+|Chương\s+[IVXLC\d]+|CHƯƠNG\s+[IVXLC\d]+|Mục\s+\d+|MỤC\s+\d+|"
    r"Điều\s+\d+[a-z]?\b|[IVXLC]+\s*[.)]\s|\d+(?:\.\d+)*\s*[.)]\s|\d+\.\d+(?:\.\d+)*\s|[a-zđ]\)\s|"
    r"\(\d+\)\s|[-–+•]\s|Căn cứ\b|Nơi nhận|Kính gửi|Số\s*:|TM\.|KT\.|Q\.\s|[A-ZĐ ]{6,}$)"
)
_BARE = re.compile(r"^(?:Điều|Chương|Mục|Phần|CHƯƠNG|MỤC|PHẦN)$")
_JOIN_WORDS = re.compile(r"(?:khoản|điểm|Điều|Chương|Mục|tại|số|theo|và|của|Luật|Nghị định)$")


def _is_new_block(prev: Block | None, line: Block, blank_before: bool) -> bool:
    if prev is None:
        return True
    if _BARE.match(prev.text.strip()):
        return False
    if blank_before:
        return True
    if MARKER.match(line.text):
        # a wrapped line that merely starts with a number after "khoản", "Điều", … is a continuation
        return not (_JOIN_WORDS.search(prev.text) and re.match(r"^\d", line.text))
    return False


@dataclass
class _Prepared:
    """One source text's comment-masked copy and the blocks of the spans already split (compact copies)."""

    masked: str
    spans: dict[tuple[int, int, bool], list[tuple[str, array, bool]]] = field(default_factory=dict)
    chars: int = 0  # characters of the spans kept


DOCS_KEPT = 16  # source texts whose masked copy and split spans are remembered (keyed by the text itself)
DOC_CACHE_CHARS = 200_000  # longer texts are not remembered
SPAN_CACHE_CHARS = 20_000  # longer spans (a whole document at ingest) are split without being remembered
# spans kept per text: at most twice its length in characters (each chunk once, with room for other cuts), so the
# memory stays below ~16 × 200k × (text, masked copy, 2 × (char + 4-byte offset)) ≈ 50 MB in the worst case
SPAN_CHARS_PER_TEXT = 2
_DOCS: Memo[_Prepared] = Memo(DOCS_KEPT)


def blocks(raw: str, start: int = 0, end: int | None = None, drop_quotes: bool = False) -> list[Block]:
    """Split raw[start:end] into logical blocks, joining hard-wrapped lines; offsets refer to raw.

    drop_quotes skips markdown blockquote lines ("> …"), which in collected .md files are editor's notes.
    The same passages are quoted again and again (several times per answer): the masked text is remembered per
    source text, and a chunk-sized span's blocks per (text, span); the caller always gets its own Block objects."""
    end = len(raw) if end is None else end
    if len(raw) > DOC_CACHE_CHARS:
        return _split(mask_comments(raw), start, end, drop_quotes)
    doc = _DOCS.get(raw, lambda: _Prepared(mask_comments(raw)))
    if end - start > SPAN_CACHE_CHARS:
        return _split(doc.masked, start, end, drop_quotes)
    key = (start, end, drop_quotes)
    kept = doc.spans.get(key)
    if kept is None:
        out = _split(doc.masked, start, end, drop_quotes)
        size = max(0, min(end, len(raw)) - start)
        if doc.chars + size <= SPAN_CHARS_PER_TEXT * len(raw):
            doc.chars += size
            doc.spans[key] = [(b.text, array("i", b.offsets), b.blank_before) for b in out]
        return out
    return [Block(t, list(o), bb) for t, o, bb in kept]


def _split(masked: str, start: int, end: int, drop_quotes: bool) -> list[Block]:
    out: list[Block] = []
    pos = start
    blank = True
    for line in masked[start:end].split("\n"):
        if drop_quotes and line.lstrip().startswith(">"):
            pos += len(line) + 1
            blank = True
            continue
        cl = clean_line(line, pos)
        pos += len(line) + 1
        if not cl.text:
            blank = True
            continue
        cl.text = nfc(cl.text)
        if len(cl.text) != len(cl.offsets):  # NFC composed decomposed marks: realign conservatively
            cl.offsets = (cl.offsets + [cl.offsets[-1]] * len(cl.text))[: len(cl.text)]
        prev = out[-1] if out else None
        if _is_new_block(prev, cl, blank):
            cl.blank_before = blank
            out.append(cl)
        else:
            assert prev is not None
            prev.extend(cl)
        blank = False
    return out


def clean_text(raw: str) -> str:
    """Display text of a raw span: debris removed, hard wraps joined, blocks separated by newlines."""
    return "\n".join(b.text for b in blocks(raw))


_SYL = re.compile(r"[0-9a-zà-ỹđ]+(?:[.,/][0-9a-zà-ỹđ]+)*", re.I)


def tokens(text: str, folded: bool = False) -> list[str]:
    """Syllable tokens (numbers with their separators kept whole), lower-case, NFC, tones unified."""
    t = unify_tones(nfc(text).lower())
    if folded:
        t = fold(t)
    return _SYL.findall(t)
