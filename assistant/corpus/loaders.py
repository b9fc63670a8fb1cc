"""File loaders (.md .txt .docx .pdf .html .doc) → LoadedText, with clear Vietnamese errors for bad input."""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

TEXT_EXTENSIONS = {".md", ".txt"}
HTML_EXTENSIONS = {".html", ".htm"}
SUPPORTED_EXTENSIONS: set[str] = TEXT_EXTENSIONS | HTML_EXTENSIONS | {".docx", ".pdf", ".doc"}

_CONVERTER_TIMEOUT_S = 120
_SNIFF_BYTES = 4096


@dataclass
class LoadedText:
    """Text extracted from one file; chunk offsets refer to ``text``."""

    source_file: str  # basename
    path: Path
    text: str
    fmt: str  # md | txt | docx | pdf | html | doc
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


class LoadError(Exception):
    """A file that cannot be loaded: names the file and says why, in Vietnamese (English in brackets)."""

    def __init__(self, source_file: str, reason_vi: str, reason_en: str):
        self.source_file = source_file
        self.reason_vi = reason_vi
        self.reason_en = reason_en
        super().__init__(f"{source_file}: {reason_vi} ({reason_en})")

    def __reduce__(self):  # keep it picklable (multiprocessing, logging handlers)
        return (type(self), (self.source_file, self.reason_vi, self.reason_en))


# --------------------------------------------------------------------------------------------------
# Vietnamese letters and plausibility scoring of legacy decodings
# --------------------------------------------------------------------------------------------------

_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
_VOWELS = "aăâeêioôơuưy"


def _viet_letters() -> frozenset[str]:
    out = {"đ", "Đ"}
    for v in _VOWELS:
        for t in _TONES:
            ch = unicodedata.normalize("NFC", v + t)
            out.add(ch)
            out.add(ch.upper())
    return frozenset(c for c in out if len(c) == 1)


VIET_LETTERS = _viet_letters()
_LATIN1 = {chr(i) for i in range(0xA0, 0x100)}
VIET_SPECIFIC = frozenset(c for c in VIET_LETTERS if c not in _LATIN1)  # ă đ ơ ư ạ ả ế … (not in Latin-1)
_COMMON_PUNCT = frozenset("\u00a0“”‘’„‚–—…•·°«»€₫§©×±¡¿‹›†‡‰™®²\u2009\u200b\u202f\ufeff")
_LEGACY_MIN_SCORE = 0.9


def _scan(text: str, letters: frozenset[str] | None) -> tuple[float, int]:
    """Share of non-ASCII characters that are plausible (letters of ``letters`` or any letter) and punctuation.

    Also counts as implausible an accented capital glued after a lowercase ASCII letter ("hoÇch"), a
    combining mark left after NFC, and C0/C1 control characters.  Returns (score, non-ASCII count).
    """
    good = total = 0
    prev = ""
    for ch in text:
        o = ord(ch)
        if o < 128:
            if o < 32 and ch not in "\t\n\r\f\v":
                total += 1  # control character: implausible
            prev = ch
            continue
        total += 1
        if 0x80 <= o < 0xA0 or unicodedata.combining(ch):
            pass
        elif ch in _COMMON_PUNCT:
            good += 1
        elif letters is not None:
            good += ch in letters
        elif ch.isalpha() and ch not in "ªºµ" and not (ch.isupper() and prev.isascii() and prev.islower()):
            good += 1
        prev = ch
    return (good / total if total else 1.0), total


def _decode_legacy(data: bytes, name: str, preferred: str | None = None) -> tuple[str, str, list[str]]:
    """Decode non-UTF-8 bytes: CP1258 (Vietnamese) or Windows-1252, chosen by a deterministic letter score."""
    candidates: dict[str, str] = {}
    for enc in [e for e in (preferred, "cp1258", "cp1252") if e]:
        try:
            txt = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        candidates.setdefault(enc, unicodedata.normalize("NFC", txt))
    if "cp1258" in candidates:
        txt = candidates["cp1258"]
        score, _ = _scan(txt, VIET_LETTERS)
        if score >= _LEGACY_MIN_SCORE and any(c in VIET_SPECIFIC for c in txt):
            return txt, "cp1258", ["đã chuyển mã từ CP1258 (Windows tiếng Việt) sang UTF-8"]
    for enc in (preferred, "cp1252"):
        if enc and enc in candidates and enc != "cp1258":
            txt = candidates[enc]
            if _scan(txt, None)[0] >= _LEGACY_MIN_SCORE:
                return txt, enc, [f"đã chuyển mã từ {enc.upper()} sang UTF-8"]
    # Last resort: charset-normalizer's guess, accepted only if it also reads as plausible text.
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - helper must never crash loading
        best = None
    if best is not None and best.encoding:
        txt = unicodedata.normalize("NFC", str(best))
        score, _ = _scan(txt, None)
        vi_score, _ = _scan(txt, VIET_LETTERS)
        if score >= 0.97 and (vi_score >= _LEGACY_MIN_SCORE or not any(c in VIET_SPECIFIC for c in txt)):
            return txt, best.encoding, [f"đã chuyển mã từ {best.encoding} (đoán tự động) sang UTF-8"]
    raise LoadError(
        name,
        "không nhận dạng được bảng mã, hãy lưu lại dưới dạng UTF-8",
        "unrecognised text encoding; please re-save the file as UTF-8",
    )


# --------------------------------------------------------------------------------------------------
# Sniffing binary content
# --------------------------------------------------------------------------------------------------

_MAGIC: list[tuple[bytes, str, str]] = [
    (b"MZ", "tệp chương trình Windows (.exe/.dll)", "a Windows executable"),
    (b"\x7fELF", "tệp chương trình Linux (ELF)", "a Linux executable"),
    (b"%PDF-", "tệp PDF", "a PDF file"),
    (b"PK\x03\x04", "tệp nén ZIP/Office (.docx, .xlsx, .zip…)", "a ZIP/Office Open XML file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tệp Office cũ (.doc/.xls) hoặc .docx có mật khẩu", "an OLE2 file"),
    (b"\x89PNG", "ảnh PNG", "a PNG image"),
    (b"\xff\xd8\xff", "ảnh JPEG", "a JPEG image"),
    (b"GIF8", "ảnh GIF", "a GIF image"),
    (b"Rar!", "tệp nén RAR", "a RAR archive"),
    (b"7z\xbc\xaf", "tệp nén 7z", "a 7z archive"),
    (b"\x1f\x8b", "tệp nén gzip", "a gzip archive"),
    (b"{\\rtf", "tệp RTF", "an RTF file"),
]


_TEXT_LOOKALIKE = {"a Windows executable", "a GIF image"}  # 'MZ…', 'GIF8…' may start a real text


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, vi, en in _MAGIC:
        if head.startswith(magic):
            return vi, en
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 11, 12, 13, 26) or b == 127)
    return ctrl / len(sample) > 0.03


def _is_blank(text: str) -> bool:
    return not text.strip(" \t\n\r\f\v\u00a0\u200b\u200c\u200d\u2060\ufeff\u3000")


def _empty(name: str) -> LoadError:
    return LoadError(name, "tệp rỗng", "empty file")


# --------------------------------------------------------------------------------------------------
# Plain text (.md / .txt)
# --------------------------------------------------------------------------------------------------


def decode_text_bytes(data: bytes, name: str, preferred: str | None = None) -> tuple[str, str, list[str]]:
    """Decode bytes of a text file → (NFC text, encoding, notes). Raises LoadError for binary/undecodable data."""
    notes: list[str] = []
    for bom, enc in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                raise LoadError(
                    name,
                    f"tệp có dấu BOM {enc.upper()} nhưng nội dung lỗi",
                    f"invalid {enc} data: {e.reason}",
                ) from None
            ctrl = sum(
                1 for c in text[:65536] if unicodedata.category(c) in ("Cc", "Cn") and c not in "\t\n\r\f\v"
            )
            if ctrl > 0.03 * min(len(text), 65536):
                raise LoadError(
                    name,
                    "tệp chứa dữ liệu nhị phân, không phải văn bản thuần",
                    "binary content after a Unicode byte-order mark",
                )
            if enc.startswith("utf-8"):
                notes.append("đã bỏ dấu BOM UTF-8 ở đầu tệp")
            else:
                notes.append(f"đã chuyển mã từ {enc.upper()} sang UTF-8")
            return _nfc(text, notes), enc, notes
    magic = _sniff(data[:16])
    if magic and (magic[1] not in _TEXT_LOOKALIKE or _looks_binary(data)):
        raise LoadError(
            name,
            f"nội dung là {magic[0]}, không phải văn bản (tệp bị đổi đuôi?)",
            f"content is {magic[1]}, not text",
        )
    if _looks_binary(data):
        raise LoadError(
            name,
            "tệp chứa dữ liệu nhị phân, không phải văn bản thuần",
            "binary content (NUL or control bytes) in a text file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _nfc(text, notes), "utf-8", notes
    text, enc, more = _decode_legacy(data, name, _codec_name(preferred))
    return text, enc, notes + more


def _codec_name(label: str | None) -> str | None:
    """Python codec name for an encoding label (windows-1258 → cp1258), None if unknown or UTF-8."""
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return None if name in ("utf-8", "utf-8-sig") else name


def _nfc(text: str, notes: list[str]) -> str:
    out = unicodedata.normalize("NFC", text)
    if out != text:
        notes.append("đã chuẩn hoá Unicode về dạng NFC (dấu tổ hợp → dựng sẵn)")
    return out


def _load_text(path: Path, data: bytes, fmt: str) -> LoadedText:
    text, enc, notes = decode_text_bytes(data, path.name)
    if "\r" in text:
        # Same universal-newline rule as Path.read_text(), so offsets match text read that way.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append("đã đổi xuống dòng CRLF/CR thành LF")
    if _is_blank(text):
        raise _empty(path.name)
    return LoadedText(path.name, path, text, fmt, enc, notes)


# --------------------------------------------------------------------------------------------------
# .docx
# --------------------------------------------------------------------------------------------------


def _docx_text(data: bytes, name: str, max_bytes: int) -> str:
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    bad = LoadError(name, "tệp .docx bị hỏng hoặc không phải .docx", "corrupt or not a .docx file")
    if not data.startswith(b"PK"):
        magic = _sniff(data[:16])
        if magic and magic[1] == "an OLE2 file":
            raise LoadError(
                name,
                "tệp .docx có đặt mật khẩu hoặc thực ra là tệp .doc cũ; hãy bỏ mật khẩu và lưu lại thành .docx",
                "password-protected .docx or a legacy .doc renamed",
            )
        if magic:
            raise LoadError(
                name,
                f"tệp .docx bị hỏng hoặc không phải .docx (nội dung là {magic[0]})",
                f"not a .docx: {magic[1]}",
            )
        raise bad
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise bad
            if sum(i.file_size for i in zf.infolist()) > max(20 * max_bytes, 200 * 1024 * 1024):
                raise LoadError(
                    name, "tệp .docx giải nén quá lớn (nghi tệp độc hại)", "decompressed size too large"
                )
        doc = open_docx(io.BytesIO(data))
    except LoadError:
        raise
    except Exception:
        raise bad from None

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    blocks: list[str] = []

    def table_text(tbl: Table) -> str:
        rows: list[str] = []
        for row in tbl.rows:
            cells: list[str] = []
            seen: set[int] = set()
            for cell in row.cells:  # merged cells repeat the same <w:tc>: keep one
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
            if any(cells):
                rows.append(" | ".join(cells))
        return "\n".join(rows)

    def walk(parent_el, parent_obj) -> None:
        for child in parent_el.iterchildren():
            if child.tag == W + "p":
                t = Paragraph(child, parent_obj).text
                if t.strip():
                    blocks.append(t)
            elif child.tag == W + "tbl":
                t = table_text(Table(child, parent_obj))
                if t.strip():
                    blocks.append(t)
            elif child.tag == W + "sdt":  # content control wrapping paragraphs/tables
                content = child.find(W + "sdtContent")
                if content is not None:
                    walk(content, parent_obj)

    try:
        walk(doc.element.body, doc)
    except Exception:
        raise bad from None
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------------------------------
# .pdf
# --------------------------------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str, notes: list[str]) -> str:
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:
        magic = _sniff(data[:16])
        what = f" (nội dung là {magic[0]})" if magic else ""
        raise LoadError(
            name,
            f"tệp không phải PDF{what}: không có phần đầu %PDF",
            f"not a PDF: missing %PDF header{f'; content is {magic[1]}' if magic else ''}",
        )
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # broken-xref chatter would flood the ingest output
    try:
        return _pdf_pages(PdfReader, data, name, notes)
    finally:
        pypdf_log.setLevel(level)


def _pdf_pages(reader_cls: type, data: bytes, name: str, notes: list[str]) -> str:
    from pypdf.errors import DependencyError

    try:
        reader = reader_cls(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except DependencyError:
                raise LoadError(
                    name,
                    "PDF được mã hoá AES; máy chưa có thư viện giải mã (gói cryptography), hãy gỡ mã hoá rồi nạp lại",
                    "AES-encrypted PDF needs the 'cryptography' package",
                ) from None
            except Exception:
                ok = 0
            if not ok:
                raise LoadError(
                    name,
                    "PDF được đặt mật khẩu; hãy gỡ mật khẩu rồi nạp lại",
                    "encrypted PDF",
                )
            notes.append("PDF có mã hoá không mật khẩu mở; đã giải mã")
        pages = list(reader.pages)
    except LoadError:
        raise
    except Exception as e:
        raise LoadError(name, "tệp PDF bị hỏng, không đọc được", f"corrupt PDF: {type(e).__name__}") from None
    if not pages:
        raise LoadError(name, "tệp PDF không có trang nào", "PDF has no pages")
    texts: list[str] = []
    failed: list[int] = []
    for i, page in enumerate(pages, 1):
        try:
            t = page.extract_text() or ""
        except Exception:
            failed.append(i)
            continue
        if t.strip():
            texts.append(t.strip("\n"))
    if failed:
        notes.append("không trích được chữ ở trang " + ", ".join(map(str, failed)))
    if not texts:
        if failed and len(failed) == len(pages):
            raise LoadError(
                name, "tệp PDF bị hỏng, không trích được chữ", "corrupt PDF: text extraction failed"
            )
        raise LoadError(
            name,
            "PDF là ảnh quét, không có lớp chữ; cần OCR",
            "scanned PDF without a text layer; OCR needed",
        )
    return "\n\n".join(texts)


# --------------------------------------------------------------------------------------------------
# .html
# --------------------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_DROP_TAGS = ("script", "style", "nav", "noscript", "template", "svg", "iframe", "object", "canvas")
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "title",
        "ul",
    ]
)
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")


def _html_text(data: bytes, name: str, preferred: str | None = None) -> tuple[str, str, list[str]]:
    from bs4 import BeautifulSoup
    from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    m = _META_CHARSET.search(data[:_SNIFF_BYTES])
    meta = m.group(1).decode("ascii", "ignore").lower() if m else None
    text, enc, notes = decode_text_bytes(data, name, preferred=preferred or meta)
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()

    skip = (Comment, Declaration, Doctype, ProcessingInstruction)

    def inline(node: Tag) -> str:
        parts: list[str] = []
        for s in node.descendants:
            if isinstance(s, NavigableString) and not isinstance(s, skip):
                parts.append(str(s))
            elif isinstance(s, Tag) and (s.name in _BLOCK_TAGS or s.name == "br"):
                parts.append(" ")
        return _WS.sub(" ", "".join(parts)).strip()

    out: list[str] = []

    def walk(node: Tag, pre: bool = False) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, skip):
                    out.append(str(child) if pre else _WS.sub(" ", str(child)))
                continue
            if not isinstance(child, Tag):
                continue
            if child.name == "br":
                out.append("\n")
            elif child.name == "table":
                out.append("\n\n")
                for tr in child.find_all("tr"):
                    if tr.find_parent("table") is not child:
                        continue  # rows of a nested table are read inside their cell
                    cells = [inline(c) for c in tr.find_all(["td", "th"], recursive=False)]
                    if any(cells):
                        out.append(" | ".join(cells) + "\n")
                out.append("\n")
            elif child.name in _BLOCK_TAGS:
                out.append("\n\n")
                walk(child, pre or child.name == "pre")
                out.append("\n\n")
            else:
                walk(child, pre)

    walk(soup)
    raw = "".join(out)
    lines = [ln.strip(" \t") for ln in raw.split("\n")]
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return unicodedata.normalize("NFC", body), enc, notes


# --------------------------------------------------------------------------------------------------
# .doc (legacy Word) via an offline converter
# --------------------------------------------------------------------------------------------------


def doc_converter() -> str | None:
    """Name of the first offline .doc converter on PATH (antiword, catdoc, libreoffice/soffice), else None."""
    for prog in ("antiword", "catdoc", "libreoffice", "soffice"):
        if shutil.which(prog):
            return prog
    return None


def _doc_text(path: Path, name: str) -> tuple[str, str]:
    prog = doc_converter()
    if prog is None:
        raise LoadError(
            name,
            "định dạng .doc cũ chưa hỗ trợ trên máy này, hãy mở bằng Word và lưu thành .docx",
            "legacy .doc needs antiword, catdoc or LibreOffice, none is installed",
        )
    exe = shutil.which(prog) or prog
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    try:
        if prog == "antiword":
            res = subprocess.run(
                [exe, "-m", "UTF-8.txt", str(path)],
                capture_output=True,
                timeout=_CONVERTER_TIMEOUT_S,
                env=env,
            )
            out = res.stdout
        elif prog == "catdoc":
            res = subprocess.run(
                [exe, "-d", "utf-8", "-w", str(path)],
                capture_output=True,
                timeout=_CONVERTER_TIMEOUT_S,
                env=env,
            )
            out = res.stdout
        else:
            with tempfile.TemporaryDirectory(prefix="tdkt-doc-") as tmp:
                res = subprocess.run(
                    [exe, "--headless", f"-env:UserInstallation=file://{tmp}/profile",
                     "--convert-to", "txt:Text (encoded):UTF8", "--outdir", tmp, str(path)],
                    capture_output=True, timeout=_CONVERTER_TIMEOUT_S, env=env,
                )  # fmt: skip
                produced = Path(tmp) / (path.stem + ".txt")
                out = produced.read_bytes() if produced.exists() else b""
    except subprocess.TimeoutExpired:
        raise LoadError(name, f"chuyển đổi .doc bằng {prog} quá thời gian", f"{prog} timed out") from None
    except OSError as e:
        raise LoadError(name, f"không chạy được {prog} để đọc .doc", f"{prog} failed to start: {e}") from None
    if res.returncode != 0 and not out.strip():
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LoadError(
            name,
            f"tệp .doc bị hỏng hoặc {prog} không đọc được",
            f"{prog} exit {res.returncode}: {err[-1] if err else ''}".strip(),
        )
    text = out.decode("utf-8", "replace").replace("\r\n", "\n")
    return unicodedata.normalize("NFC", text), prog


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def _fmt_size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} byte"


def load_file(path: Path, max_bytes: int) -> LoadedText:
    """Load one corpus file into text. Raises LoadError (file name + Vietnamese/English reason) for bad input."""
    path = Path(path)
    name = path.name
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise LoadError(
            name,
            f"định dạng không hỗ trợ ({ext or 'không có đuôi'}); hỗ trợ: {supported}",
            f"unsupported format; supported: {supported}",
        )
    try:
        st = path.stat()
    except OSError as e:
        raise LoadError(
            name, "không tìm thấy hoặc không đọc được tệp", f"cannot access file: {e.strerror}"
        ) from None
    if not path.is_file():
        raise LoadError(name, "không phải là tệp thông thường", "not a regular file")
    if st.st_size > max_bytes:
        raise LoadError(
            name,
            f"tệp quá lớn: {_fmt_size(st.st_size)}, giới hạn {_fmt_size(max_bytes)}",
            f"file too large: {st.st_size} bytes > limit {max_bytes} bytes",
        )
    if st.st_size == 0:
        raise _empty(name)
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise LoadError(name, "không đọc được tệp", f"read error: {e.strerror}") from None
    if len(data) > max_bytes:  # grew since stat (or a special file)
        raise LoadError(
            name, f"tệp quá lớn (giới hạn {_fmt_size(max_bytes)})", f"file too large: > {max_bytes} bytes"
        )
    if not data:
        raise _empty(name)

    if ext in TEXT_EXTENSIONS:
        return _load_text(path, data, ext[1:])
    if ext in HTML_EXTENSIONS:
        text, enc, notes = _html_text(data, name)
        if _is_blank(text):
            raise LoadError(name, "tệp rỗng: trang HTML không có nội dung chữ", "empty file: no text in HTML")
        return LoadedText(name, path, text, "html", enc, notes)
    if ext == ".docx":
        text = unicodedata.normalize("NFC", _docx_text(data, name, max_bytes))
        if _is_blank(text):
            raise LoadError(name, "tệp rỗng: tài liệu .docx không có chữ", "empty file: no text in .docx")
        return LoadedText(name, path, text, "docx")
    if ext == ".pdf":
        notes: list[str] = []
        text = unicodedata.normalize("NFC", _pdf_text(data, name, notes))
        return LoadedText(name, path, text, "pdf", notes=notes)
    # .doc: sometimes really a .docx, an HTML page ("Save as Web page") or RTF behind the old extension.
    if data.startswith(b"PK\x03\x04"):
        text = unicodedata.normalize("NFC", _docx_text(data, name, max_bytes))
        if _is_blank(text):
            raise _empty(name)
        return LoadedText(name, path, text, "docx", notes=["tệp .doc thực ra là .docx; đã đọc như .docx"])
    head = data[:_SNIFF_BYTES].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype html", b"<?xml")) and b"<html" in head:
        text, enc, notes = _html_text(data, name)
        if _is_blank(text):
            raise _empty(name)
        return LoadedText(
            name, path, text, "html", enc, ["tệp .doc thực ra là trang HTML; đã đọc như HTML", *notes]
        )
    if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        magic = _sniff(data[:16])
        what = magic[0] if magic else "không rõ định dạng"
        raise LoadError(
            name,
            f"tệp .doc bị hỏng hoặc không phải tài liệu Word ({what}); hãy mở bằng Word và lưu thành .docx",
            f"not a Word .doc file: {magic[1] if magic else 'unknown content'}",
        )
    text, prog = _doc_text(path, name)
    if _is_blank(text):
        raise LoadError(name, "tệp rỗng: tài liệu .doc không có chữ", "empty file: no text in .doc")
    return LoadedText(name, path, text, "doc", "utf-8", [f"đã chuyển .doc sang văn bản bằng {prog}"])


def _skipped_name(name: str) -> bool:
    return name.startswith((".", "~$")) or name.lower() == "readme.md"


def iter_corpus_files(roots: list[Path]) -> list[Path]:
    """Supported files under ``roots`` (recursive, sorted); skips hidden files/folders, Office lock files, README.md."""
    found: dict[Path, Path] = {}
    for root in roots:
        root = Path(root)
        if root.is_file():
            if root.suffix.lower() in SUPPORTED_EXTENSIONS and not _skipped_name(root.name):
                found.setdefault(root.resolve(), root)
            continue
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for fn in filenames:
                if _skipped_name(fn) or Path(fn).suffix.lower() not in SUPPORTED_EXTENSIONS:
                    continue
                p = Path(dirpath) / fn
                if p.is_file():
                    found.setdefault(p.resolve(), p)
    return sorted(found.values(), key=lambda p: str(p))
