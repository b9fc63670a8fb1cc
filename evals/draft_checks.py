"""Detectors that fail bad drafts: cut sentences, other plans' typos, subjectless bullets, heading-only fragments,
duplicates, bodies of another level, header vs request, award forms vs issuer level, section roles and the .docx layout (XML)."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from assistant.corpus.normalize import fold, nfc, tokens, unify_tones
from assistant.drafting.models import Draft, DraftParagraph, DraftSection
from assistant.drafting.outline import sub_kind
from assistant.drafting.roles import content_role, expected_roles, label_plan

CHECKS_FILE = "draft_checks.yaml"
TEXT_STYLES = ("item", "body")
NOT_COPIED = ("yêu cầu của người dùng", "mẫu văn bản")  # sources of text that is not copied from the corpus
_MARKER = re.compile(r"^\s*(?:[-–•+*]\s*|\(?\d{1,2}(?:\.\d{1,2})*[.)]\s*|[a-zđ]\)\s*)+", re.I)
_PLACEHOLDER = re.compile(r"\[[^\]]*cần bổ sung\]")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text("utf-8")) or {}


def load_checks(knowledge_dir: Path | None = None) -> dict[str, Any]:
    """The detectors' vocabulary (knowledge/draft_checks.yaml of the given folder, else the bundled one)."""
    bundled = Path(__file__).resolve().parent.parent / "knowledge" / CHECKS_FILE
    p = Path(knowledge_dir) / CHECKS_FILE if knowledge_dir else bundled
    return _load(str(p if p.exists() else bundled))


def strip_marker(text: str) -> str:
    """Text without its list marker ("- ", "1.", "1.2.", "a)", "(3)")."""
    return _MARKER.sub("", text).strip()


def _words(text: str) -> list[str]:
    return tokens(strip_marker(text), folded=True)


# ------------------------------------------------------------------------------------------------ what is checked
def body_paragraphs(draft: Draft) -> list[tuple[DraftSection, int, DraftParagraph]]:
    """(section, index, paragraph) of the opening prose, the numbered sections and the closing."""
    out = []
    for sec in draft.sections:
        if sec.key in ("header", "recipients", "signature"):
            continue
        for i, p in enumerate(sec.paragraphs):
            out.append((sec, i, p))
    return out


def _prose(p: DraftParagraph) -> bool:
    return p.style in TEXT_STYLES and not _PLACEHOLDER.search(p.text)


# ------------------------------------------------------------------------------------------------ cut sentences
@dataclass
class EndWords:
    """Words that, in the corpus, run on inside a clause and never end one ("hoàn" of "hoàn thành")."""

    never_final: set[str] = field(default_factory=set)

    @classmethod
    def from_texts(cls, texts: list[str], min_seen: int = 4) -> EndWords:
        mid: Counter[str] = Counter()
        end: Counter[str] = Counter()
        for t in texts:
            for clause in re.split(r"[.;:!?…\n,()\"“”]", t):
                ws = tokens(clause)
                ws = [w for w in ws if w.isalpha()]
                if not ws:
                    continue
                mid.update(ws[:-1])
                end[ws[-1]] += 1
        return cls({w for w, n in mid.items() if n >= min_seen and end[w] == 0})


def cut_sentences(draft: Draft, end_words: EndWords | None = None, cfg: dict[str, Any] | None = None) -> list[str]:
    """Paragraphs that do not end a sentence: no closing punctuation, or the last word needs a complement."""
    cfg = (cfg or load_checks())["cut_sentence"]
    dangling = {t for w in cfg["dangling_words"] for t in tokens(w)}
    never = end_words.never_final if end_words else set()
    ends = str(cfg["end_chars"])
    out = []
    for _sec, _i, p in body_paragraphs(draft):
        if not (_prose(p) or p.style == "basis"):
            continue
        t = p.text.rstrip()
        if not t:
            continue
        if t[-1] not in ends:
            out.append(f"không kết thúc câu: “…{t[-60:]}”")
            continue
        if re.search(r":\s*[.;]$", t):
            out.append(f"nhãn không có giá trị: “…{t[-60:]}”")
            continue
        ws = [w for w in tokens(t) if w.isalpha()]
        if ws and t.endswith((".", ";", "./.")) and (ws[-1] in dangling or ws[-1] in never):
            out.append(f"câu bị cắt (kết thúc bằng “{ws[-1]}”): “…{t[-60:]}”")
    return out


# ------------------------------------------------------------------------------------------------ typos
@dataclass
class Spelling:
    """Three-word spellings of the corpus: copied words that the corpus spells differently (same letters, other
    diacritics) far more often are another plan's typo ("Giải phòng mặt bằng", "Phần đấu thực hiện"). Three words,
    because two collide too often ("các phòng" / "các phong trào")."""

    counts: Counter[tuple[str, ...]] = field(default_factory=Counter)
    best: dict[tuple[str, ...], tuple[tuple[str, ...], int]] = field(default_factory=dict)

    @classmethod
    def from_texts(cls, texts: list[str]) -> Spelling:
        counts: Counter[tuple[str, ...]] = Counter()
        for t in texts:
            for clause in re.split(r"[.;:!?…\n,()\"“”]", t):
                ws = [w for w in tokens(clause) if w.isalpha()]
                counts.update(zip(ws, ws[1:], strict=False))
                counts.update(_triples(clause))
        best: dict[tuple[str, ...], tuple[tuple[str, ...], int]] = {}
        for pair, n in counts.items():
            key = tuple(fold(w) for w in pair)
            if key not in best or n > best[key][1]:
                best[key] = (pair, n)
        return cls(counts, best)

    def usual(self, pair: tuple[str, ...], min_seen: int = 2) -> bool:
        """The words are the corpus's usual spelling of themselves (seen ≥ min_seen times, no commoner variant)."""
        got = self.best.get(tuple(fold(w) for w in pair))
        return bool(got) and got[0] == pair and got[1] >= min_seen

    def typo(self, pair: tuple[str, ...], ratio: int = 3, min_best: int = 3) -> str | None:
        """The corpus's usual spelling of the words when they are a rare variant of it."""
        got = self.best.get(tuple(fold(w) for w in pair))
        if not got or got[0] == pair:
            return None
        form, n = got
        return " ".join(form) if n >= min_best and n >= ratio * max(self.counts.get(pair, 0), 1) else None


NGRAM = 4


def _triples(text: str) -> list[tuple[str, ...]]:
    """Runs of NGRAM words (diacritics kept) inside a clause."""
    ws = [w for w in tokens(text) if w.isalpha()]
    return list(zip(*(ws[i:] for i in range(NGRAM)), strict=False))


def typos(draft: Draft, spelling: Spelling) -> list[str]:
    """Copied paragraphs carrying another plan's misspelling where the corpus spells the words right elsewhere; a
    word that is the corpus's usual spelling next to its actual neighbour ("nghiêm túc", "xây dựng và") is kept."""
    out = []
    for _sec, _i, p in body_paragraphs(draft):
        if p.style not in TEXT_STYLES or any(x.startswith(NOT_COPIED) for x in p.sources):
            continue
        for clause in re.split(r"[.;:!?…\n,()\"“”]", _PLACEHOLDER.sub(" ", p.text)):
            ws = [w for w in tokens(clause) if w.isalpha()]
            for k in range(len(ws) - NGRAM + 1):
                gram = tuple(ws[k:k + NGRAM])
                right = spelling.typo(gram)
                if not right or not re.search(r"[^\x00-\x7f]", " ".join(gram)):  # no diacritics: not a copied typo
                    continue
                diff = [k + i for i, (a, b) in enumerate(zip(gram, right.split(), strict=False)) if a != b]
                if any(spelling.usual(tuple(ws[j:j + 2])) or (j > 0 and spelling.usual(tuple(ws[j - 1:j + 1])))
                       for j in diff):
                    continue
                out.append(f"lỗi chính tả “{' '.join(gram)}” (kho văn bản viết “{right}”): “{p.text[:60]}…”")
    return out


# ------------------------------------------------------------------------------------------------ subjectless bullets
def _starts(text: str, heads: list[str]) -> bool:
    f = " ".join(_words(text)) + " "
    return any(f.startswith(h if h.endswith(" ") else h + " ") or f.startswith(h) for h in heads)


def subjectless(draft: Draft, cfg: dict[str, Any] | None = None) -> list[str]:
    """Bullets that start with an assignment verb ("Chủ trì, phối hợp…") with no body named in them or above them."""
    c = (cfg or load_checks())["subjectless"]
    verbs, heads = c["assignment_verbs"], c["body_heads"]
    out = []
    for sec in draft.sections:
        lead: str | None = None
        for p in sec.paragraphs:
            if p.style == "subheading" or p.text.rstrip().endswith(":"):
                lead = p.text
                if p.style == "subheading":
                    continue
            if not _prose(p):
                continue
            f = " ".join(_words(p.text))
            if any(f.startswith(v) for v in verbs) and not (lead and _starts(lead, heads)):
                out.append(f"thiếu chủ thể: “{p.text[:80]}…”")
    return out


# ------------------------------------------------------------------------------------------------ heading-only fragments
def _depth(text: str) -> int:
    m = re.match(r"^\s*(\d{1,2}(?:\.\d{1,2})*)[.)]", text)
    if m:
        return m.group(1).count(".") + 1
    if re.match(r"^\s*[a-zđ]\)", text):
        return 10
    return 5


def fragments(draft: Draft, cfg: dict[str, Any] | None = None) -> list[str]:
    """Lead-ins with nothing under them ("- Đối với Ủy ban MTTQ tỉnh, các tổ chức chính trị - xã hội.") and
    sub-headings directly followed by a heading of the same or a higher level (or by the end of the section)."""
    c = (cfg or load_checks())["fragments"]
    out = []
    for sec in draft.sections:
        if sec.key in ("header", "recipients", "signature"):
            continue
        ps = sec.paragraphs
        for i, p in enumerate(ps):
            nxt = ps[i + 1] if i + 1 < len(ps) else None
            if p.style == "subheading":
                if nxt is None or (nxt.style == "subheading" and _depth(nxt.text) <= _depth(p.text)):
                    out.append(f"tiêu đề không có nội dung: “{p.text[:80]}”")
                continue
            if not _prose(p):
                continue
            ws = _words(p.text)
            f = " ".join(ws)
            if any(f.startswith(lw) for lw in c["lead_words"]) and len(ws) <= int(c["max_words"]):
                t = p.text.rstrip()
                orphan = nxt is None or nxt.style == "subheading" or (
                    any(" ".join(_words(nxt.text)).startswith(lw) for lw in c["lead_words"]))
                inline = ":" in t[:-1] and len(t.split(":", 1)[1].split()) >= 4  # "Đối với xã: Mỗi xã chọn …"
                if not inline and (not t.endswith(":") or orphan):
                    out.append(f"đoạn chỉ có tiêu đề: “{p.text[:80]}”")
    return out


# ------------------------------------------------------------------------------------------------ duplicates
def duplicates(draft: Draft, cfg: dict[str, Any] | None = None) -> list[str]:
    """Paragraphs that repeat another paragraph of the same draft (same words, ≥ the configured overlap)."""
    c = (cfg or load_checks())["duplicates"]
    seen: list[tuple[set[str], str]] = []
    out = []
    for _sec, _i, p in body_paragraphs(draft):
        if not _prose(p):
            continue
        ws = set(_words(p.text))
        if len(ws) < int(c["min_words"]):
            continue
        for prev, text in seen:
            if len(ws & prev) / len(ws | prev) >= float(c["jaccard"]):
                out.append(f"trùng lặp: “{p.text[:60]}…” ~ “{text[:60]}…”")
                break
        seen.append((ws, p.text))
    return out


# ------------------------------------------------------------------------------------------------ level and place
def _plan_date(draft: Draft) -> date | None:
    return draft.request.plan_date


def wrong_level(draft: Draft, cfg: dict[str, Any] | None = None) -> list[str]:
    """Bodies and tasks of another level than the issuer's (e.g. Sở/Tỉnh ủy or "thôn" in a ward plan, huyện after
    the two-level reform); the Nơi nhận list is checked only for the reform's abolished units."""
    req = draft.request
    level, unit = req.level or "", (req.unit_word or "").lower()
    when = _plan_date(draft) or (date(req.year, 7, 1) if req.year else None)
    out = []
    for e in (cfg or load_checks())["wrong_level"]:
        units = e.get("unit") or []
        if level not in e["levels"] or (units and unit not in ([units] if isinstance(units, str) else units)):
            continue
        if (draft.doc_type or req.doc_type) in e.get("not_doc_types", []):
            continue
        if e.get("after") and (when is None or when < date.fromisoformat(str(e["after"]))):
            continue
        rx = re.compile(e["regex"], re.I if e.get("ignore_case") else 0)
        texts = [p.text for _s, _i, p in body_paragraphs(draft) if p.style != "basis"]
        if e.get("after"):
            texts += [p.text for s in draft.sections if s.key == "recipients" for p in s.paragraphs]
        for t in texts:
            m = rx.search(t)
            if m:
                out.append(f"sai cấp ({m.group(0)}): “{t[:80]}…”")
    return out


def award_forms(draft: Draft, cfg: dict[str, Any] | None = None) -> list[str]:
    """Award forms given "của"/by an authority of the issuer's level that Luật 06/2022 Điều 80 does not let it give
    ("Bằng khen của Chủ tịch UBND phường")."""
    c = cfg or load_checks()
    forms = sorted(c["award_forms"], key=len, reverse=True)
    form_rx = re.compile("|".join(re.escape(f) for f in forms), re.I)
    out = []
    for level, spec in (c.get("award_authority") or {}).items():
        if level != draft.request.level:
            continue
        auth = re.compile(spec["authority_regex"])
        allowed = {a.lower() for a in spec["allowed"]}
        for _s, _i, p in body_paragraphs(draft):
            for sent in re.split(r"(?<=[.;])\s+", p.text):
                for m in form_rx.finditer(sent):
                    form = m.group(0)
                    after = sent[m.end():m.end() + 70]
                    before = sent[max(0, m.start() - 90):m.start()]
                    given = re.match(r"\s*[”\"]?\s*(?:cấp [^\s,]+\s+)?của\s+" + auth.pattern, after)
                    by = auth.search(before) and re.search(r"\b(tặng|khen thưởng|quyết định tặng)\b", before)
                    if (given or by) and form.lower() not in allowed:
                        out.append(f"hình thức khen thưởng vượt thẩm quyền ({form}): “{sent[:90]}…”")
    return out


# ------------------------------------------------------------------------------------------------ header vs request
def _gazetteer() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Folded name → official names of wards/communes, and folded province name → its division type."""
    try:
        from vietnam_provinces import Province, Ward
    except ImportError:  # pragma: no cover - the package is a dependency
        return {}, {}
    units: dict[str, list[str]] = {}
    for w in Ward.iter_all():
        units.setdefault(fold(w.name), []).append(w.name)
    provs = {}
    for p in Province.iter_all():
        name = re.sub(r"^(Tỉnh|Thành phố)\s+", "", p.name)
        kind = "thành phố" if "thành phố" in str(p.division_type.value) else "tỉnh"
        provs[fold(name)] = kind
        units.setdefault(fold(f"{kind} {name}"), []).append(f"{kind} {name}")
    return units, provs


_GAZ: tuple[dict[str, list[str]], dict[str, str]] | None = None


def gazetteer() -> tuple[dict[str, list[str]], dict[str, str]]:
    global _GAZ
    if _GAZ is None:
        _GAZ = _gazetteer()
    return _GAZ


def _same(a: str, b: str) -> bool:
    return unify_tones(nfc(a).lower()) == unify_tones(nfc(b).lower())


def header_lines(draft: Draft, *styles: str) -> list[str]:
    hdr = next((s for s in draft.sections if s.key == "header"), None)
    return [p.text for p in (hdr.paragraphs if hdr else []) if p.style in styles]


def header_vs_request(draft: Draft, expect: dict[str, Any] | None = None) -> list[str]:
    """Issuer and parent lines against the request and the gazetteer (diacritics, tỉnh vs thành phố); the issuer kept
    out of the title; plus a case's own expectations (`header_has`, `title_has`, `title_not`)."""
    req = draft.request
    out = []
    issuer = " ".join(header_lines(draft, "issuer-parent", "issuer"))
    title = " ".join(header_lines(draft, "title"))
    units, provs = gazetteer()
    for m in re.finditer(r"\b(XÃ|PHƯỜNG|ĐẶC KHU|TỈNH|THÀNH PHỐ)\s+([^\n]+?)(?=$|\s+(?:UBND|ỦY BAN|TRƯỜNG|BỆNH VIỆN|SỞ)\b)",
                         issuer):
        word, name = m.group(1), m.group(2).strip()
        full = f"{word} {name}"
        known = units.get(fold(full), [])
        if known and not any(_same(k, full) for k in known):
            out.append(f"địa danh sai/thiếu dấu: “{full}” (danh mục hành chính: {known[0]})")
        if word == "TỈNH" and provs.get(fold(name)) == "thành phố":
            out.append(f"“{full}” là thành phố trực thuộc trung ương, không phải tỉnh")
    if req.level == "co-quan" and not header_lines(draft, "issuer-parent"):
        out.append("thiếu cơ quan chủ quản trên tên cơ quan ban hành")
    # the issuing BODY in the title ("…Quốc khánh 2/9, UBND tỉnh Quảng Trị năm 2025"); the place alone may belong to
    # the theme ("… trên địa bàn thành phố Cần Thơ")
    bodies = [req.issuer] + ([f"Ủy ban nhân dân {req.unit_word} {req.locality}", f"UBND {req.unit_word} {req.locality}"]
                             if req.unit_word and req.locality else [])
    for x in bodies:
        if x and title and fold(x) in fold(title):
            out.append(f"tên cơ quan ban hành lọt vào tiêu đề: “{title[:90]}”")
            break
    e = expect or {}
    for want in e.get("header_has", []):
        if want not in issuer:
            out.append(f"phần đầu thiếu “{want}” (có: “{issuer}”)")
    for want in e.get("title_has", []):
        if fold(want) not in fold(title):
            out.append(f"tiêu đề thiếu “{want}” (có: “{title}”)")
    for bad in e.get("title_not", []):
        if fold(bad) in fold(title):
            out.append(f"tiêu đề không được chứa “{bad}”")
    for want in e.get("body_has", []):
        body = " ".join(p.text for _s, _i, p in body_paragraphs(draft))
        if fold(want) not in fold(body):
            out.append(f"nội dung thiếu “{want}”")
    return out


# ------------------------------------------------------------------------------------------------ section roles
@dataclass
class RoleIndex:
    """Every paragraph of the corpus plans with its role from assistant/drafting/roles.py (heading path + content),
    so a draft paragraph's role is the role of the corpus paragraph it was copied from."""

    paras: list[tuple[set[str], str]] = field(default_factory=list)

    @classmethod
    def from_plans(cls, plans: list[Any], w: dict[str, Any]) -> RoleIndex:
        out = []
        for p in plans:
            for lp in label_plan(p, w):
                ws = set(_words(lp.text))
                if len(ws) >= 6:
                    out.append((ws, lp.role))
        return cls(out)

    def origin(self, text: str, min_overlap: float = 0.6) -> str | None:
        """Role of the corpus paragraph the text comes from (best word overlap ≥ min_overlap), else None."""
        ws = set(_words(text))
        if len(ws) < 6:
            return None
        best, role = 0.0, None
        for cws, r in self.paras:
            j = len(ws & cws) / len(ws | cws)
            if j > best:
                best, role = j, r
        return role if best >= min_overlap else None


def section_roles(draft: Draft, index: RoleIndex | None, w: dict[str, Any],
                  cfg: dict[str, Any] | None = None) -> tuple[int, list[str]]:
    """(paragraphs checked, mismatches): each paragraph copied from the corpus must have a role that its outline slot
    accepts (every section kind its heading names / sub-heading kind); a paragraph whose source is not found is labelled from its own words
    under the draft's heading path."""
    extra = (cfg or load_checks()).get("extra_section_roles", {})
    n, bad = 0, []
    for sec in draft.sections:
        if not sec.kind or not re.fullmatch(r"[IVX]+", sec.key):
            continue
        sub: str | None = None
        lead: str | None = None
        for p in sec.paragraphs:
            if p.style == "subheading":
                sub, lead = sub_kind(p.text), (None if sub_kind(p.text) else p.text)
                continue
            if p.text.rstrip().endswith(":"):
                lead = p.text
            if not _prose(p) or any(x.startswith(NOT_COPIED) for x in p.sources) or len(_words(p.text)) < 6:
                continue
            n += 1
            role = (index.origin(p.text) if index else None) or content_role(p.text, sec.kind, sub, w, lead)
            kinds = {sec.kind} | {str(sp["key"]) for sp in w.get("sections", [])
                                  if any(m in fold(sec.heading) for m in sp["match"])}
            ok = {r for k in kinds for r in expected_roles(k, sub, w)} | {r for k in kinds for r in extra.get(k, [])}
            if ok and role not in ok:
                slot = sec.kind + (f"/{sub}" if sub else "")
                bad.append(f"mục {sec.key} ({slot}) nhận đoạn vai trò “{role}”: “{p.text[:70]}…”")
    return n, bad


# ------------------------------------------------------------------------------------------------ .docx layout (XML)
def _twips(el: Any, tag: str) -> int | None:
    x = el.find(f"{W}{tag}")
    return int(x.get(f"{W}w")) if x is not None and x.get(f"{W}w") else None


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def _rule_or_underline(paras: list[Any], idx: int) -> bool:
    """The paragraph `idx` carries a drawn line shape or underlined runs, or the next paragraph is an empty one with a
    bottom border."""
    p = paras[idx]
    if any(g.get("prst") == "line" for g in p.iter(f"{A}prstGeom")):
        return True
    for r in p.iter(f"{W}r"):
        u = r.find(f"{W}rPr/{W}u")
        if u is not None and u.get(f"{W}val", "single") != "none" and _text(r).strip():
            return True
    if idx + 1 < len(paras):
        q = paras[idx + 1]
        return not _text(q).strip() and q.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None
    return False


def docx_layout(path: Path, has_title: bool = True) -> list[str]:
    """Layout faults in the .docx XML: header grid ≠ cell widths, no line under the issuer / Tiêu ngữ / title, no
    PAGE field from page 2 (or one on page 1)."""
    out = []
    with zipfile.ZipFile(path) as z:
        doc = etree.fromstring(z.read("word/document.xml"))
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        parts = {r.get("Id"): r.get("Target") for r in rels}
        body = doc.find(f"{W}body")
        tables = body.findall(f"{W}tbl")
        if not tables:
            return ["không có bảng phần đầu (cơ quan ban hành | Quốc hiệu)"]
        tbl = tables[0]
        grid = [int(g.get(f"{W}w")) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        cells = [_twips(tc.find(f"{W}tcPr"), "tcW") if tc.find(f"{W}tcPr") is not None else None
                 for tc in tbl.find(f"{W}tr").findall(f"{W}tc")]
        if len(grid) != len(cells) or any(c is None or abs(g - c) > 2 for g, c in zip(grid, cells, strict=False)):
            out.append(f"lưới bảng phần đầu {grid} ≠ độ rộng ô {cells} (twip)")
        tcs = tbl.find(f"{W}tr").findall(f"{W}tc")
        left = tcs[0].findall(f"{W}p")
        texts = [_text(p).strip() for p in left]
        last = max((i for i, t in enumerate(texts) if t), default=None)
        if last is None or not _rule_or_underline(left, last):
            out.append("không có đường kẻ dưới tên cơ quan ban hành")
        right = tcs[1].findall(f"{W}p") if len(tcs) > 1 else []
        mot = next((i for i, p in enumerate(right) if "Độc lập" in _text(p)), None)
        if mot is None or not _rule_or_underline(right, mot):
            out.append("không có gạch chân dưới Tiêu ngữ")
        if has_title:
            top = []
            for el in body:
                if el is tbl:
                    top = []
                    continue
                if el.tag == f"{W}p":
                    top.append(el)
                    if len(top) >= 4:
                        break
            idx = [i for i, p in enumerate(top) if _text(p).strip()][:2]
            if not idx or not any(_rule_or_underline(top, i) for i in idx):
                out.append("không có đường kẻ dưới tên loại/trích yếu văn bản")
        sect = body.find(f"{W}sectPr")
        title_pg = sect is not None and sect.find(f"{W}titlePg") is not None
        rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        refs = (sect.findall(f"{W}headerReference") + sect.findall(f"{W}footerReference")) if sect is not None else []

        def has_page(kind: str) -> bool:
            for r in refs:
                if r.get(f"{W}type") == kind and parts.get(r.get(rid)):
                    x = z.read("word/" + parts[r.get(rid)]).decode("utf-8")
                    if re.search(r"instrText[^>]*>\s*PAGE\b|w:instr=\"\s*PAGE\b", x):
                        return True
            return False

        if not has_page("default"):
            out.append("không có số trang")
        elif not title_pg or has_page("first"):
            out.append("số trang hiện cả ở trang 1")
    return out
