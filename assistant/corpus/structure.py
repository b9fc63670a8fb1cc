"""Structure parser and chunker: legal texts by Chương/Mục/Điều/Khoản/Điểm, plans by I./1./1.1./a)/(1)/-."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.corpus.metadata import split_front_matter
from assistant.corpus.models import Chunk, DocMeta
from assistant.corpus.normalize import Block, blocks, fold

SIGNATURE_SECTION = "Nơi nhận, chữ ký"  # the section label of a plan's closing block (recipients, signer)

LEGAL_MAX = 1000  # a whole Điều up to this size is one chunk
KHOAN_MAX = 1200  # a khoản up to this size is one chunk, else split by điểm
PLAN_MAX = 750  # plan chunks are grouped up to this size

_PHAN = re.compile(r"^(?:Phần|PHẦN)\s+(?:thứ\s+)?([\wÀ-ỹ]+)\b(.*)$")
_CHUONG = re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVXLC]+|\d+)\b\.?\s*(.*)$")
_MUC = re.compile(r"^(?:Mục|MỤC)\s+(\d+)\b\.?\s*(.*)$")
_DIEU = re.compile(r"^Điều\s+(\d+[a-z]?)\s*(?:[.:]|\s[—–-])?\s*(.*)$")
_KHOAN = re.compile(r"^(\d{1,2})\s*\.\s+(?!\d)(.*)$")
_ITEM = re.compile(r"^\((\d{1,2})\)\s*(.*)$")
_DIEM = re.compile(r"^([a-zđ])\)\s*(.*)$")
_ROMAN = re.compile(r"^([IVX]{1,4})\s*[.)/-]\s*(.*)$")
_NUM = re.compile(r"^(\d{1,2})\s*[.)]\s+(?!\d)(.*)$")
_SUB = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+(.*)$")
_LETTER = re.compile(r"^[A-H]\.\s+[A-ZĐÀ-Ỹ ]{4,}")
_SECONDARY = re.compile(r"PHỤ LỤC B|TRÍCH DẪN GIÁN TIẾP|trích dẫn lại", re.I)
_PRIMARY = re.compile(r"^PHẦN A\b|NỘI DUNG TRÍCH NGUYÊN VĂN", re.I)
_ATTACHED = re.compile(r"^(QUY ĐỊNH|QUY CHẾ|QUY TRÌNH|PHỤ LỤC|HƯỚNG DẪN)\b")
CLOSING_LINE = re.compile(r"^(Nơi nhận|TM\.|KT\.|CHỦ TỊCH\b)")  # a text's closing block starts: recipients, signer
# a form's name field ("1. Tên quy trình: …", "Tên thủ tục: …"): the name of the section it opens
_NAME_FIELD = re.compile(r"^Tên\s+[^:]{2,30}:\s*(\S.{3,})$")
_CODE = re.compile(r"\b[A-ZĐ]{1,6}(?:[.\-][A-ZĐ0-9]+)*[.\-]?\d+\b")  # QT.YDCT.11, TT-05, A1


@dataclass
class _Unit:
    blocks: list[Block] = field(default_factory=list)
    label: dict[str, str] = field(default_factory=dict)
    crumbs: list[str] = field(default_factory=list)
    secondary: bool = False

    @property
    def size(self) -> int:
        return sum(len(b.text) + 1 for b in self.blocks)


def _root_crumb(meta: DocMeta, label: str) -> str:
    """Document label plus its title, so every chunk carries what the document is about."""
    title = (meta.title or "").strip()
    if title and fold(title)[:40] not in fold(label):
        return f"{label}: {title[:200]}"
    return label


def _doc_label(meta: DocMeta) -> str:
    name = meta.short_name or meta.number or meta.source_file
    if meta.number and meta.number not in name:
        name += f" ({meta.number})"
    return name


def _emit(meta: DocMeta, unit: _Unit, citation: str, out: list[Chunk], raw_len: int) -> None:
    if not unit.blocks:
        return
    start = max(0, min(b.start for b in unit.blocks))
    end = min(raw_len, max(b.end for b in unit.blocks))
    text = "\n".join(b.text for b in unit.blocks)
    if unit.secondary:
        citation += " (trích dẫn gián tiếp, Phụ lục B)"
    out.append(Chunk(
        chunk_id=f"{meta.doc_id}:{start}-{end}", doc_id=meta.doc_id, source_file=meta.source_file, text=text,
        citation=citation, breadcrumb=[c for c in unit.crumbs if c], start=start, end=end,
        label=dict(unit.label), meta=meta, secondary=unit.secondary,
    ))


def _group(items: list[Block], limit: int) -> list[list[Block]]:
    groups: list[list[Block]] = []
    cur: list[Block] = []
    size = 0
    for b in items:
        if cur and size + len(b.text) > limit:
            groups.append(cur)
            cur, size = [], 0
        cur.append(b)
        size += len(b.text) + 1
    if cur:
        groups.append(cur)
    return groups


def _split_at(bl: list[Block], marker: re.Pattern[str]) -> tuple[list[Block], list[tuple[str, list[Block]]]]:
    """Blocks before the first marker, then (marker number/letter, blocks) runs: khoản "1.", điểm "a)", "(1)"."""
    head: list[Block] = []
    runs: list[tuple[str, list[Block]]] = []
    for b in bl:
        m = marker.match(b.text)
        if m:
            runs.append((m.group(1), [b]))
        elif runs:
            runs[-1][1].append(b)
        else:
            head.append(b)
    return head, runs


# --------------------------------------------------------------------------------------------- legal
def _legal_chunks(meta: DocMeta, bl: list[Block], raw_len: int) -> list[Chunk]:
    out: list[Chunk] = []
    doc = _doc_label(meta)
    root = _root_crumb(meta, doc)
    chuong = muc = part = ""
    secondary = False
    dieu_blocks: list[Block] = []
    dieu_no = ""
    dieu_title = ""
    pre: list[list[Block]] = [[]]  # contiguous runs of blocks outside any Điều
    last_dieu = 0
    pending_heading: list[Block] = []
    attached = ""  # title of a text issued with the decision ("QUY ĐỊNH …"), once seen

    def flush_dieu() -> None:
        nonlocal dieu_blocks
        if not dieu_blocks:
            return
        # an article of the text issued with the decision is cited as such ("Điều 4 Quy chế kèm theo QĐ 71/…"):
        # the decision's own articles carry the same numbers
        _chunk_dieu(meta, f"{part} {doc}" if part else doc, dieu_no, dieu_title, dieu_blocks,
                    [root, part, chuong, muc], secondary, out, raw_len)
        dieu_blocks = []

    for b in bl:
        t = b.text
        if _SECONDARY.search(t) and len(t) < 300 and not _DIEU.match(t):
            flush_dieu()
            secondary = True
            continue
        if _PRIMARY.search(t) and len(t) < 200:
            flush_dieu()
            secondary = False
            continue
        m = _DIEU.match(t)
        if m:
            flush_dieu()
            n = int(re.match(r"\d+", m.group(1)).group(0))  # type: ignore[union-attr]
            if n < last_dieu and not secondary:
                part = attached or "Văn bản kèm theo"
                chuong = chuong if pending_heading and _CHUONG.match(pending_heading[0].text) else ""
            last_dieu = n
            dieu_no, dieu_title = m.group(1), m.group(2).strip()
            dieu_blocks = [*pending_heading, b] if pending_heading else [b]
            pending_heading = []
            if pre[-1]:
                pre.append([])
            continue
        m = _CHUONG.match(t)
        if m and len(t) < 200:
            flush_dieu()
            chuong = f"Chương {m.group(1)} {m.group(2)}".strip()
            muc = ""
            pending_heading = [b]
            continue
        if pending_heading and t.isupper() and len(t) < 200 and not dieu_blocks:
            if _CHUONG.match(pending_heading[0].text):
                chuong = f"{chuong} {t}".strip()
            pending_heading.append(b)
            continue
        m = _MUC.match(t)
        if m and len(t) < 200:
            flush_dieu()
            muc = f"Mục {m.group(1)} {m.group(2)}".strip()
            pending_heading = [b]
            continue
        if _ATTACHED.match(t) and t[:40].isupper() and len(t) < 300 and last_dieu:
            flush_dieu()
            attached = " ".join(t.split()[:2]).capitalize() + " kèm theo"
            pre[-1].append(b)
            continue
        if CLOSING_LINE.match(t) and dieu_blocks and last_dieu:
            flush_dieu()
            pre.append([b])
            continue
        if dieu_blocks:
            dieu_blocks.append(b)
        else:
            if pending_heading:
                pre[-1].extend(pending_heading)
                pending_heading = []
            pre[-1].append(b)
    flush_dieu()
    if pending_heading:
        pre[-1].extend(pending_heading)
    # preamble/closing blocks that belong to no Điều: title, căn cứ, signature
    for run in pre:
        if sum(len(b.text) for b in run) > 2 * PLAN_MAX and any(_ROMAN.match(b.text) or _NUM.match(b.text)
                                                                  for b in run):
            out.extend(_plan_chunks(meta, run, raw_len, require_start=False))
            continue
        for grp in _group(run, PLAN_MAX):
            u = _Unit(grp, {"section": "preamble"}, [root], False)
            _emit(meta, u, f"{doc} (phần mở đầu/kết thúc)", out, raw_len)
    out.sort(key=lambda c: c.start)
    return out


def _chunk_dieu(meta: DocMeta, doc: str, no: str, title: str, bl: list[Block], crumbs: list[str],
                secondary: bool, out: list[Chunk], raw_len: int) -> None:
    dieu_crumb = f"Điều {no}. {title}".strip()
    base = [c for c in crumbs if c] + [dieu_crumb]
    total = sum(len(b.text) + 1 for b in bl)
    if total <= LEGAL_MAX:
        _emit(meta, _Unit(bl, {"dieu": no}, base, secondary), f"Điều {no} {doc}", out, raw_len)
        return
    intro, khoans = _split_at(bl, _KHOAN)
    if not khoans:
        head, items = _split_at(bl, _ITEM)
        if len(items) >= 2:
            pending = list(head)
            for no_i, ib in items:
                blocks_i = pending + ib
                pending = []
                for grp in _group(blocks_i, KHOAN_MAX):
                    u = _Unit(grp, {"dieu": no, "item": no_i}, base + [f"({no_i})"], secondary)
                    _emit(meta, u, f"Điều {no} {doc} › ({no_i})", out, raw_len)
            return
        for i, grp in enumerate(_group(bl, LEGAL_MAX)):
            u = _Unit(grp, {"dieu": no, "part": str(i + 1)}, base, secondary)
            _emit(meta, u, f"Điều {no} {doc}", out, raw_len)
        return
    first = True
    for k, kb in khoans:
        blocks_k = (intro + kb) if first and sum(len(x.text) for x in intro) < 500 else kb
        if first and blocks_k is kb and intro:
            _emit(meta, _Unit(intro, {"dieu": no}, base, secondary), f"Điều {no} {doc}", out, raw_len)
        first = False
        size = sum(len(x.text) + 1 for x in blocks_k)
        lead = kb[0].text[:160]
        if size <= KHOAN_MAX:
            _emit(meta, _Unit(blocks_k, {"dieu": no, "khoan": k}, base, secondary),
                  f"Khoản {k} Điều {no} {doc}", out, raw_len)
            continue
        # split by điểm, grouping
        head, diems = _split_at(blocks_k, _DIEM)
        if not diems:
            for grp in _group(blocks_k, KHOAN_MAX):
                _emit(meta, _Unit(grp, {"dieu": no, "khoan": k}, base, secondary),
                      f"Khoản {k} Điều {no} {doc}", out, raw_len)
            continue
        groups: list[tuple[list[str], list[Block]]] = []
        cur_l: list[str] = []
        cur_b: list[Block] = list(head)
        for letter, db in diems:
            s = sum(len(x.text) + 1 for x in cur_b)
            if cur_l and s + sum(len(x.text) for x in db) > KHOAN_MAX:
                groups.append((cur_l, cur_b))
                cur_l, cur_b = [], []
            cur_l.append(letter)
            cur_b.extend(db)
        if cur_b:
            groups.append((cur_l, cur_b))
        for letters, gb in groups:
            lab = "Điểm " + ", ".join(letters) if letters else ""
            cite = f"{lab} Khoản {k} Điều {no} {doc}".strip()
            crumbs_k = base + ([f"Khoản {k}: {lead}"] if gb[0] is not kb[0] else [])
            _emit(meta, _Unit(gb, {"dieu": no, "khoan": k, "diem": ",".join(letters)}, crumbs_k, secondary),
                  cite, out, raw_len)


# --------------------------------------------------------------------------------------------- plans
def _plan_chunks(meta: DocMeta, bl: list[Block], raw_len: int, require_start: bool = True) -> list[Chunk]:
    out: list[Chunk] = []
    doc = meta.short_name or meta.source_file
    root = _root_crumb(meta, doc)
    path: list[tuple[str, str]] = []  # (marker, heading)
    pending: list[Block] = []  # heading blocks waiting for content
    content: list[Block] = []
    in_tail = False
    started = not require_start

    def crumbs() -> list[str]:
        return [root] + [f"{m} {h}".strip() for m, h in path]

    def label() -> str:
        if not path:
            return "Phần mở đầu" if not in_tail else SIGNATURE_SECTION
        marks = ".".join(m.rstrip(".") for m, _ in path)
        return f"{marks} {path[-1][1][:80]}".strip()

    def flush() -> None:
        nonlocal content, pending
        if not content:
            return  # headings without content of their own go with the next section's first chunk
        items = pending + content
        lab = label() if not in_tail else SIGNATURE_SECTION
        for grp in _group(items, PLAN_MAX):
            u = _Unit(grp, {"section": lab}, crumbs() if not in_tail else [root, "Nơi nhận, người ký văn bản"],
                      False)
            _emit(meta, u, f"{doc} › {lab}", out, raw_len)
        content, pending = [], []

    for b in bl:
        t = b.text
        if CLOSING_LINE.match(t) and (started or not require_start):
            flush()
            in_tail = True
            path = []
            content.append(b)
            continue
        if in_tail and not (len(t) < 250 and (_ROMAN.match(t) or _LETTER.match(t)
                                              or (_ATTACHED.match(t) and t[:12].isupper()))):
            content.append(b)
            continue
        if in_tail:
            flush()
            in_tail = False
        m = _ROMAN.match(t)
        if m and len(t) < 250:
            flush()
            started = True
            path = [(m.group(1) + ".", m.group(2).strip()[:120])]
            pending = [*pending, b]
            continue
        m = _SUB.match(t)
        if m and (started or not require_start) and len(t) < 250:
            flush()
            depth = m.group(1).count(".") + 1
            path = path[:1] + path[1:depth] if path else []
            path = path[: depth]  # keep roman + parents
            path.append((m.group(1), m.group(2).strip()[:120]))
            pending = [*pending, b]
            continue
        m = _NUM.match(t)
        if m and (started or not require_start):
            flush()
            named = _NAME_FIELD.match(m.group(2).replace("*", "").strip())
            if named and path and len(path[0][1]) < 60 and _CODE.search(path[0][1]):  # a coded heading: name it
                path[0] = (path[0][0], f"{path[0][1]} — {named.group(1).strip()[:100]}")
            path = path[:1] + [(m.group(1), m.group(2).strip()[:120])]
            pending = [*pending, b]
            continue
        content.append(b)
        if not started and sum(len(x.text) for x in content) > PLAN_MAX:
            flush()
    if pending and not content:
        content, pending = pending, []
    flush()
    return out


def chunk_document(meta: DocMeta, raw: str) -> list[Chunk]:
    """Cut a document into chunks with citations, breadcrumbs and raw offsets (covering all its text)."""
    _, body = split_front_matter(raw)
    bl = blocks(raw, body, drop_quotes=meta.source_file.lower().endswith(".md"))
    if not bl:
        return []
    if meta.kind == "plan":
        return _plan_chunks(meta, bl, len(raw))
    return _legal_chunks(meta, bl, len(raw))


def folded_contains(hay: str, needle: str) -> bool:
    return fold(needle) in fold(hay)
