"""Check an LLM answer against its sources: every figure, date and document number must appear in a passage or
the question (in any equivalent Vietnamese format) and every citation [n] must point at a given passage."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import yaml

from assistant.config import REPO_ROOT

WORDS_FILE = REPO_ROOT / "knowledge" / "verify.yaml"


@dataclass
class VerifyResult:
    """Outcome of verify_answer; `problems` are Vietnamese sentences fit to log or show."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    unsupported_numbers: list[str] = field(default_factory=list)
    bad_refs: list[int] = field(default_factory=list)
    unsupported_doc_refs: list[str] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Mention:
    """A figure or document reference found in text: its surface form and its canonical forms.

    `forms` are the canonical readings that must be found in the sources (any one suffices);
    `support` are extra canonical forms this mention lends to others when it occurs in a source.
    """

    surface: str
    start: int
    kind: str  # number | percent | date | month | daymonth | ref
    forms: frozenset[str]
    support: frozenset[str] = frozenset()
    primary: str = ""

    def __post_init__(self) -> None:
        if not self.primary:
            object.__setattr__(self, "primary", sorted(self.forms)[0])


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")) or {}


def _abbrev() -> dict[str, str]:
    return {k.lower(): str(v).upper() for k, v in (_words().get("doc_type_abbreviations") or {}).items()}


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# ------------------------------------------------------------------------------------------------------------
# patterns (applied in this order; each match is masked before the next pattern runs)
# ------------------------------------------------------------------------------------------------------------
_CODE = r"[A-Za-zĐđ][A-Za-zĐđ0-9]*(?:-[A-Za-zĐđ0-9]+)*"
RE_CITE = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|-|–)\s*\d+)*)\s*\]")
RE_REF_FULL = re.compile(rf"(?<![\w/])(\d{{1,5}})\s*/\s*((?:19|20)\d{{2}})\s*/\s*({_CODE})")
RE_REF_SHORT = re.compile(r"(?<![\w/])(\d{1,5})\s?/\s?([A-Za-zĐđ]{1,8}(?:-[A-Za-zĐđ0-9]+)+)")
RE_REF_PARTY = re.compile(r"(?<![\w/])(\d{1,5})-([A-Za-zĐđ]{1,6})/([A-Za-zĐđ]{1,8})(?![\w-])")
RE_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
RE_DATE_NUM = re.compile(r"(?<![\d/.,])(\d{1,2})\s?[/-]\s?(\d{1,2})\s?[/-]\s?(\d{4})(?![\d/])")
RE_MONTH_WORDS = re.compile(r"tháng\s+(\d{1,2})\s*(?:/|năm|-)\s*(\d{4})(?!\d)", re.I)
RE_MONTH_NUM = re.compile(r"(?<![\d/.,])(\d{1,2})/(\d{4})(?![\d/])")
RE_DAYMONTH_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?!\d)", re.I)
RE_DAYMONTH_NUM = re.compile(r"(?<![\d/.,])(\d{1,2})/(\d{1,2})(?![\d/])")
RE_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+•][ \t]*)?(?:\(?\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+\.?)(?=[ \t])", re.M)
RE_PAREN_SMALL = re.compile(r"\(\d{1,2}\)")
RE_NUMBER = re.compile(
    r"(?<![\w.,/])(?<![^\W\d]-)(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)(?![\w/]|[.,]\d)"
)


@lru_cache(maxsize=1)
def _named_ref_re() -> re.Pattern[str]:
    names = _alt(list(_abbrev()))
    return re.compile(rf"(?<!\w)({names})\s+(?:số\s+)?(\d{{1,5}})(?![\d/.,]\d)", re.I)


@lru_cache(maxsize=1)
def _suffix_re() -> re.Pattern[str]:
    mult = _alt(list((_words().get("multipliers") or {}).keys()))
    pct = _alt(list(_words().get("percent_words") or ["%"]))
    return re.compile(rf"\s*(?:(?P<pct>{pct})|(?P<mult>{mult})(?!\w)(?!\s+lệ))", re.I)  # not "tỷ lệ"


# ------------------------------------------------------------------------------------------------------------
# canonical forms
# ------------------------------------------------------------------------------------------------------------
def _dec(d: Decimal) -> str:
    s = format(d.normalize(), "f")
    return s if "." not in s else s.rstrip("0").rstrip(".")


def _readings(token: str) -> list[Decimal]:
    """All plausible values of a number token; the Vietnamese reading first (dot = thousands, comma = decimal)."""
    vals: list[str] = []
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", token):
        vals.append(token.replace(".", "").replace(",", "."))
        if token.count(".") == 1 and "," not in token:
            vals.append(token)  # "1.500" could be an English 1.5
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
        if token.count(",") == 1 and "." not in token:
            vals.append(token.replace(",", "."))  # "2,340" read as Vietnamese 2,34
        vals.append(token.replace(",", ""))
    else:
        vals.append(token.replace(",", "."))
    out: list[Decimal] = []
    for v in vals:
        try:
            out.append(Decimal(v))
        except InvalidOperation:
            continue
    return out


def _ref_full(num: str, year: str, code: str) -> tuple[frozenset[str], frozenset[str]]:
    code = _nfc(code).upper()
    n = str(int(num))
    canon = f"{n}/{year}/{code}"
    head = re.match(r"[A-ZĐ]+", code)
    support = {f"{n}/{code}"}
    if head:
        support.add(f"{head.group(0)} {n}")
    return frozenset({canon}), frozenset(support)


def _ref_short(num: str, code: str) -> tuple[frozenset[str], frozenset[str]]:
    code = _nfc(code).upper()
    n = str(int(num))
    head = re.match(r"[A-ZĐ]+", code)
    return frozenset({f"{n}/{code}"}), frozenset({f"{head.group(0)} {n}"} if head else set())


def _date(d: str, m: str, y: str) -> tuple[frozenset[str], frozenset[str]] | None:
    di, mi = int(d), int(m)
    if not (1 <= di <= 31 and 1 <= mi <= 12):
        return None
    support = {f"{y}-{mi:02d}", f"--{mi:02d}-{di:02d}", y, str(mi), str(di)}
    return frozenset({f"{y}-{mi:02d}-{di:02d}"}), frozenset(support)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u202f", " ")


# ------------------------------------------------------------------------------------------------------------
# scanning
# ------------------------------------------------------------------------------------------------------------
def _mask(buf: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if buf[i] != "\n":
            buf[i] = " "


def _scan(text: str) -> tuple[list[Mention], list[int]]:
    """Find every figure/date/document reference (Mention) and citation number in text."""
    text = _nfc(text)
    buf = list(text)
    mentions: list[Mention] = []
    cites: list[int] = []

    def cur() -> str:
        return "".join(buf)

    for m in RE_CITE.finditer(cur()):
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            bounds = re.split(r"\s*[-–]\s*", part)
            if len(bounds) == 2 and int(bounds[1]) >= int(bounds[0]) and int(bounds[1]) - int(bounds[0]) < 50:
                cites.extend(range(int(bounds[0]), int(bounds[1]) + 1))
            else:
                cites.extend(int(b) for b in bounds if b)
        _mask(buf, m.start(), m.end())

    for m in RE_REF_FULL.finditer(cur()):
        forms, support = _ref_full(*m.groups())
        mentions.append(Mention(m.group(0), m.start(), "ref", forms, support))
        _mask(buf, m.start(), m.end())
    for m in RE_REF_PARTY.finditer(cur()):  # Party documents: 41-CT/TW, 26-CT/TU
        n, kind, issuer = str(int(m.group(1))), _nfc(m.group(2)).upper(), _nfc(m.group(3)).upper()
        mentions.append(Mention(m.group(0), m.start(), "ref", frozenset({f"{n}-{kind}/{issuer}"}),
                                frozenset({f"{kind} {n}"})))
        _mask(buf, m.start(), m.end())
    for m in RE_REF_SHORT.finditer(cur()):
        forms, support = _ref_short(*m.groups())
        mentions.append(Mention(m.group(0), m.start(), "ref", forms, support))
        _mask(buf, m.start(), m.end())
    abbrev = _abbrev()
    for m in _named_ref_re().finditer(cur()):
        if re.fullmatch(r"(?:19|20)\d{2}", m.group(2)):
            continue  # "kế hoạch 2025": a year, not a document number
        code = abbrev[_nfc(m.group(1)).lower()]
        mentions.append(Mention(m.group(0), m.start(), "ref", frozenset({f"{code} {int(m.group(2))}"}),
                                frozenset({str(int(m.group(2)))})))
        _mask(buf, m.start(2), m.end(2))

    for rx in (RE_DATE_WORDS, RE_DATE_NUM):
        for m in rx.finditer(cur()):
            got = _date(*m.groups())
            if got:
                mentions.append(Mention(m.group(0), m.start(), "date", *got))
                _mask(buf, m.start(), m.end())
    for rx in (RE_MONTH_WORDS, RE_MONTH_NUM):
        for m in rx.finditer(cur()):
            mo, y = int(m.group(1)), m.group(2)
            if 1 <= mo <= 12:
                mentions.append(Mention(m.group(0), m.start(), "month", frozenset({f"{y}-{mo:02d}"}),
                                        frozenset({y, str(mo)})))
                _mask(buf, m.start(), m.end())
    for rx in (RE_DAYMONTH_WORDS, RE_DAYMONTH_NUM):
        for m in rx.finditer(cur()):
            d, mo = int(m.group(1)), int(m.group(2))
            if 1 <= d <= 31 and 1 <= mo <= 12:
                mentions.append(Mention(m.group(0), m.start(), "daymonth", frozenset({f"--{mo:02d}-{d:02d}"}),
                                        frozenset({str(d), str(mo)})))
                _mask(buf, m.start(), m.end())

    for rx in (RE_LIST_MARKER, RE_PAREN_SMALL):
        for m in rx.finditer(cur()):
            _mask(buf, m.start(), m.end())

    masked = cur()
    suffix_re = _suffix_re()
    mults = {k.lower(): Decimal(str(v)) for k, v in (_words().get("multipliers") or {}).items()}
    for m in RE_NUMBER.finditer(masked):
        values = _readings(m.group(1))
        if not values:
            continue
        raw = frozenset(_dec(v) for v in values)
        suf = suffix_re.match(masked, m.end())
        if suf and suf.group("pct"):
            mentions.append(Mention(text[m.start():suf.end()], m.start(), "percent",
                                    frozenset(f"{r}%" for r in raw), raw, f"{_dec(values[0])}%"))
        elif suf and suf.group("mult"):
            factor = mults[_nfc(suf.group("mult")).lower()]
            scaled = frozenset(_dec(v * factor) for v in values)
            mentions.append(Mention(text[m.start():suf.end()], m.start(), "number", scaled, raw,
                                    _dec(values[0] * factor)))
        else:
            mentions.append(Mention(m.group(1), m.start(), "number", raw, frozenset(), _dec(values[0])))
    mentions.sort(key=lambda x: x.start)
    return mentions, cites


# ------------------------------------------------------------------------------------------------------------
# public API
# ------------------------------------------------------------------------------------------------------------
def extract_numbers(text: str) -> set[str]:
    """Canonical figures in text: "2340000", "1.5", "15%", "10000000" (10 triệu), dates "2025-07-01",
    month "2025-07", day-month "--07-01". Document numbers, citations [n] and list markers are excluded."""
    mentions, _ = _scan(text)
    return {m.primary for m in mentions if m.kind != "ref"}


def extract_doc_refs(text: str) -> set[str]:
    """Canonical document references: "98/2023/NĐ-CP", "21/KH-UBND", "6/2022/QH15", "41-CT/TW",
    "NĐ 98" (Nghị định 98)."""
    mentions, _ = _scan(text)
    return {m.primary for m in mentions if m.kind == "ref"}


def extract_citations(text: str) -> list[int]:
    """Citation numbers [n] (also [1, 2] and [1-3]) in order of appearance."""
    return _scan(text)[1]


def support_forms(sources: list[str]) -> set[str]:
    """Every canonical form that the sources make available (incl. derived forms: a full date supports its
    year, month and day-month; 98/2023/NĐ-CP supports "Nghị định 98"; "28.603,61 tỷ" supports 28603.61)."""
    out: set[str] = set()
    for src in sources:
        for m in _scan(src or "")[0]:
            out |= m.forms | m.support
    return out


def find_unsupported(text: str, sources: list[str]) -> tuple[list[str], list[str]]:
    """(unsupported figures, unsupported document references) of text, as surface forms, in order."""
    support = support_forms(sources)
    nums: list[str] = []
    refs: list[str] = []
    for m in _scan(text)[0]:
        if m.forms & support:
            continue
        target = refs if m.kind == "ref" else nums
        if m.surface.strip() not in target:
            target.append(m.surface.strip())
    return nums, refs


def verify_answer(answer_text: str, passages: list[str], question: str, n_passages: int) -> VerifyResult:
    """Verify an answer: figures and document numbers must occur in the passages or the question; each [n] must
    satisfy 1 <= n <= n_passages; an answer to given passages must cite at least one."""
    problems: list[str] = []
    if not (answer_text or "").strip():
        return VerifyResult(ok=False, problems=["Câu trả lời rỗng."])
    nums, refs = find_unsupported(answer_text, list(passages) + [question or ""])
    cites = extract_citations(answer_text)
    bad = sorted({n for n in cites if not 1 <= n <= n_passages})
    cited = sorted({n for n in cites if 1 <= n <= n_passages})
    if nums:
        problems.append("Số liệu không có trong nguồn: " + "; ".join(nums))
    if refs:
        problems.append("Số hiệu văn bản không có trong nguồn: " + "; ".join(refs))
    if bad:
        problems.append(f"Trích dẫn không tồn tại: {', '.join(f'[{n}]' for n in bad)} (chỉ có {n_passages} nguồn)")
    if n_passages > 0 and not cited:
        problems.append("Câu trả lời không trích dẫn nguồn nào.")
    return VerifyResult(ok=not problems, problems=problems, unsupported_numbers=nums, bad_refs=bad,
                        unsupported_doc_refs=refs, cited=cited)


# ------------------------------------------------------------------------------------------------------------
# the model's conclusion line: claims checked against the passage each one cites
# ------------------------------------------------------------------------------------------------------------
RE_ARTICLE = re.compile(r"(?<!\w)Điều\s+(\d{1,3})(?!\d)", re.I)
RE_QUOTED = re.compile(r"[“\"]([^”\"]{4,})[”\"]")
RE_TERMINAL = re.compile(r"[.!?…]\s*(?:[”\")\]]\s*)*$")


@dataclass
class Claim:
    """A stretch of the line and the passages it cites (attached by code when the model wrote no marker)."""

    text: str
    cites: list[int]
    attached: bool = False


def _space(text: str) -> str:
    return re.sub(r"\s+", " ", _nfc(text)).strip()


def split_claims(line: str) -> list[Claim]:
    """Split a line at its citation markers: each stretch of text cites the marker(s) right after it."""
    claims: list[Claim] = []
    pos = 0
    for m in RE_CITE.finditer(line):
        text = line[pos:m.start()]
        nums = extract_citations(m.group(0))
        if text.strip(" ,;.:"):
            claims.append(Claim(text.strip(), nums))
        elif claims:
            claims[-1].cites.extend(nums)
        pos = m.end()
    tail = line[pos:]
    if tail.strip(" ,;.:!?"):
        claims.append(Claim(tail.strip(), []))
    return claims


def _attach(claim: Claim, passages: dict[int, str], question: str) -> None:
    """Cite the first passage that supports every figure and reference of an unmarked claim (else none)."""
    for n in sorted(passages):
        nums, refs = find_unsupported(claim.text, [passages[n], question])
        if not nums and not refs:
            claim.cites = [n]
            claim.attached = True
            return


def _looping(text: str, repeats: int) -> bool:
    words = re.findall(r"\w+", text.lower())
    grams: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - 3):
        g = tuple(words[i:i + 4])
        grams[g] = grams.get(g, 0) + 1
        if grams[g] >= repeats:
            return True
    sentences = [s.strip().lower() for s in re.split(r"[.!?]", text) if len(s.strip()) > 20]
    return len(sentences) != len(set(sentences))


def _echoes(text: str, question: str, echo_markers: list[str]) -> bool:
    """The line adds no word to the question, or repeats the prompt's own wording."""
    body = _space(RE_CITE.sub(" ", text)).lower()
    if any(m.lower() in body for m in echo_markers):
        return True
    new = set(re.findall(r"[\w,]+", body)) - set(re.findall(r"[\w,]+", _space(question).lower()))
    return not {w.strip(",") for w in new if w.strip(",")}


def _first_person(text: str, pronouns: list[str]) -> list[str]:
    low = _nfc(text).lower()
    return [p for p in pronouns if re.search(r"(?<!\w)" + re.escape(p.lower()) + r"(?!\w)", low)]


def _bound_in_one_sentence(claim: str, cited: list[str], question: str) -> bool:
    """A claim that combines several figures/references must find them together in ONE sentence of a cited
    passage (its label line and the question are free), so "98/2023/NĐ-CP … 01/7/2025" cannot be stitched from
    two different khoản."""
    mentions = _scan(claim)[0]
    labels = support_forms([p.split("\n", 1)[0] for p in cited])
    asked = support_forms([question])
    in_text = support_forms([p.split("\n", 1)[1] if "\n" in p else "" for p in cited])
    # the label line is free; the asker's own figures are free unless the passage itself states them
    needed = [m for m in mentions if not (m.forms & labels) and (not (m.forms & asked) or m.forms & in_text)]
    if len(needed) < 2:
        return True
    for p in cited:
        for unit in re.split(r"\n|(?<=[.;])\s+", p):
            have = support_forms([unit])
            if all(m.forms & have for m in needed):
                return True
    return False


def verify_line(line: str, passages: dict[int, str], question: str, finish_reason: str | None = None) -> VerifyResult:
    """Verify the model's conclusion line claim by claim: every figure and document number against the passage
    that claim cites (not against all passages), each "Điều N" carried by that passage, quoted phrases verbatim
    in it; no truncated, looping or echoed output, no first person. Unmarked claims get the citation of the first
    passage that supports them (attached by code). `passages`: citation number → citation label + quote."""
    w = _words()
    problems: list[str] = []
    text = (line or "").strip()
    if not text:
        return VerifyResult(ok=False, problems=["Câu trả lời rỗng."])
    if finish_reason == "length" or not RE_TERMINAL.search(RE_CITE.sub("", text).rstrip()):
        problems.append("Câu trả lời bị cắt cụt (chưa hết câu).")
    if len(text.split()) > int(w.get("line_max_words", 90)) or _looping(text, int(w.get("loop_repeats", 3))):
        problems.append("Câu trả lời lặp lại hoặc quá dài.")
    if _echoes(text, question, list(w.get("prompt_echo") or [])):
        problems.append("Câu trả lời chỉ lặp lại câu hỏi hoặc chỉ dẫn.")
    fp = _first_person(text, list(w.get("first_person") or []))
    if fp:
        problems.append("Câu trả lời xưng ngôi thứ nhất: " + ", ".join(f"“{p}”" for p in fp))
    claims = split_claims(text)
    bad = sorted({n for c in claims for n in c.cites if n not in passages})
    if bad:
        problems.append(f"Trích dẫn không tồn tại: {', '.join(f'[{n}]' for n in bad)} (chỉ có {len(passages)} nguồn)")
    nums_all: list[str] = []
    refs_all: list[str] = []
    for c in claims:
        if not c.cites:
            _attach(c, passages, question)
        cited = [passages[n] for n in c.cites if n in passages]
        if not cited:
            nums, refs = find_unsupported(c.text, [question])
            if nums or refs:
                problems.append(f"Ý “{c.text[:60]}” không có đoạn trích nào chứa: " + "; ".join(nums + refs))
                nums_all += nums
                refs_all += refs
            continue
        nums, refs = find_unsupported(c.text, cited + [question])
        label = ", ".join(f"[{n}]" for n in c.cites)
        if nums:
            problems.append(f"Số liệu không có trong đoạn trích được dẫn {label}: " + "; ".join(nums))
            nums_all += nums
        if refs:
            problems.append(f"Số hiệu văn bản không có trong đoạn trích được dẫn {label}: " + "; ".join(refs))
            refs_all += refs
        if not nums and not refs and not _bound_in_one_sentence(c.text, cited, question):
            problems.append(f"Các số liệu của ý “{c.text[:60]}” không cùng một câu trong đoạn trích {label}.")
        joined = _nfc(" ".join(cited))
        for m in RE_ARTICLE.finditer(c.text):
            if not re.search(r"(?<!\w)Điều\s+" + m.group(1) + r"(?!\d)", joined, re.I):
                problems.append(f"“Điều {m.group(1)}” không có trong đoạn trích được dẫn {label}.")
        flat = _space(joined).lower()
        for m in RE_QUOTED.finditer(c.text):
            if _space(m.group(1)).lower() not in flat:
                problems.append(f"Trích dẫn “{m.group(1)[:50]}” không nguyên văn trong đoạn trích {label}.")
    cited_all = sorted({n for c in claims for n in c.cites if n in passages})
    if not cited_all and not problems:
        problems.append("Câu trả lời không gắn được với đoạn trích nào.")
    return VerifyResult(ok=not problems, problems=problems, unsupported_numbers=nums_all, bad_refs=bad,
                        unsupported_doc_refs=refs_all, cited=cited_all)


def attach_citations(line: str, passages: dict[int, str], question: str) -> str:
    """The line with a citation marker after each claim the model left unmarked (code attaches them)."""
    out = line.rstrip()
    claims = split_claims(out)
    if claims and not claims[-1].cites:
        _attach(claims[-1], passages, question)
        if claims[-1].cites:
            m = re.search(r"[.!?…]+\s*$", out)
            marker = "".join(f"[{n}]" for n in claims[-1].cites)
            out = (out[:m.start()] + f" {marker}" + out[m.start():]) if m else f"{out} {marker}"
    return out


def is_refusal(line: str) -> bool:
    """True when the line is the refusal sentence the prompt asks for."""
    from assistant.corpus.normalize import fold

    phrase = str(_words().get("refusal") or "")
    return bool(phrase) and fold(_space(line)).startswith(fold(phrase))
