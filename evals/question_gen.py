"""Generated answer-eval questions: templated, informal paraphrases built from corpus provisions (not dev phrasings).

Each question carries its gold passage (file + a unique anchor of the provision line) and key facts taken
verbatim from that line, so `tdkt eval answers` scores it exactly like the dev set. Run:
`python -m evals.question_gen OUT.jsonl` (uses the configured index). `evals/generated/answer_questions.jsonl` is the
first set (48, per-passage questions only); `answer_questions_v2.jsonl` the current one (`generate_answer_set`: local
texts' questions name their locality, plus article-level questions — two kinds of fact at once, two titles' amounts,
who decides a title several khoản name). `--criteria` writes `criteria_questions.jsonl` (title → its conditions, from the
rule table and the corpus's 'tiêu chuẩn sau' lists; key facts by `condition_fact` from each condition's verbatim text);
`--eligibility` writes `eligibility_questions.jsonl` ('do I qualify for <title>?' without facts: every condition open).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from assistant.answer.eligibility import strip_item_mark
from assistant.corpus.models import Chunk

LOCAL_LEVELS = ("tinh", "huyen", "xa", "co-quan")  # the levels whose texts apply only in their locality

_TITLE = r"“([^”]{4,60})”"
_AMOUNT = re.compile(_TITLE + r"[^;.]*?được thưởng (\d+(?:,\d+)?) lần mức lương cơ sở")
_COUNT = re.compile(r"(\d{2}) (lần|năm) liên tục")
_DAYS = re.compile(r"(?:trong thời hạn|trong vòng|trong thời gian|sau) (\d{2,3}) (ngày(?: làm việc)?)")
_AUTH = re.compile(r"((?:Chủ tịch|Thủ tướng|Bộ trưởng|Giám đốc|Thủ trưởng|Người đứng đầu)[^,;.“]{3,70}?) "
                   r"(?:quyết định tặng|tặng|xét tặng|quyết định)")
_HEAD = re.compile(r"^(?:\d+\.\s*)?(.{12,90}?)\s+(?:gồm|bao gồm)(?: các [^:]{0,30})?:\s*$")
_ITEM = re.compile(r"^(?:[a-zđ]\)|\d+\.|\(\d+\)|-)\s*(.+)$")

AMOUNT_Q = ["Danh hiệu {t} được thưởng bao nhiêu lần mức lương cơ sở?", "{t} thì tiền thưởng bao nhiêu vậy?",
            "cho em hỏi mức thưởng {t} là bao nhiêu ạ"]
COUNT_Q = ["Muốn được {t} thì cần mấy {u} liên tục?", "Phải đạt bao nhiêu {u} liên tục mới được xét {t}?"]
DAYS_Q = ["Theo quy định về {h}, thời hạn là bao nhiêu ngày?", "{h}: trong bao lâu?"]
AUTH_Q = ["Ai có thẩm quyền quyết định tặng {t}?", "{t} do ai quyết định tặng vậy?"]
LIST_Q = ["{h} gồm những gì?", "cho hỏi {h} bao gồm những nội dung nào"]
CRIT_Q = ["Tiêu chuẩn danh hiệu {t} là gì?", "Muốn đạt {t} thì cần điều kiện gì ạ?"]


def _anchor(line: str, raw: str) -> str | None:
    """A substring of the line (15–80 characters) that occurs exactly once in the raw file."""
    words = line.split()
    for n in (10, 8, 6, 12):
        for i in range(0, max(1, len(words) - n + 1)):
            a = " ".join(words[i:i + n])
            if 15 <= len(a) <= 80 and raw.count(a) == 1:
                return a
    return None


def _short(item: str, words: int = 4) -> str:
    return " ".join(re.sub(r"[“”*]", "", item).split()[:words]).rstrip(",;:.")


def _heading(c: Chunk) -> str:
    h = c.breadcrumb[-1] if c.breadcrumb else ""
    h = re.sub(r"^Điều \d+\.\s*", "", h)
    return re.sub(r"[“”*]", "", h).strip()


def place_of(c: Chunk) -> str:
    """'Ở tỉnh Bắc Ninh, ' for a passage of a provincial (or lower) text — a question whose gold is a local rule names
    the locality, as a real asker from there would (a question that does not name it is answered by national law
    first); '' for a national text."""
    m = c.meta
    if not m or not m.locality or m.level not in LOCAL_LEVELS:
        return ""
    unit = "thành phố" if "thành phố" in (m.issuer or "").lower() else "tỉnh"
    return f"Ở {unit} {m.locality}, "


def questions_from_chunk(c: Chunk, raw: str, rng: random.Random, name_place: bool = False) -> list[dict[str, Any]]:
    """Templated questions for one legal passage, one per fact pattern found in its lines (the locality named first
    for a local text when `name_place`)."""
    out: list[dict[str, Any]] = []
    lines = [x.strip() for x in c.text.split("\n") if x.strip()]
    place = place_of(c) if name_place else ""

    def add(kind: str, templates: list[str], line: str, facts: list[str], **kw: str) -> None:
        a = _anchor(line, raw)
        if not a or not all(facts):
            return
        for tpl in templates:
            q = tpl.format(**kw)
            q = place + q[:1].lower() + q[1:] if place else q
            out.append({"question": q[:1].upper() + q[1:], "type": kind, "gen": True,
                        "gold": [{"file": c.source_file, "anchor": a, "citation": c.citation}], "key_facts": facts})

    for i, line in enumerate(lines):
        if m := _AMOUNT.search(line):
            add("amount", AMOUNT_Q, line, [f"{m.group(2)} lần"], t=m.group(1))
        if (m := _COUNT.search(line)) and (t := re.search(_TITLE, c.text)):
            add("count", COUNT_Q, line, [f"{m.group(1)} {m.group(2)}"], t=t.group(1), u=m.group(2))
        if (m := _DAYS.search(line)) and _heading(c):
            add("duration", DAYS_Q, line, [f"{m.group(1)} {m.group(2)}"], h=_heading(c).lower())
        if (m := _AUTH.search(line)) and (t := re.search(_TITLE, line)):
            add("authority", AUTH_Q, line, [_short(m.group(1), 6)], t=t.group(1))
        if (m := _HEAD.match(line)) and "…" not in line and i + 1 < len(lines):
            items = [im.group(1) for x in lines[i + 1:i + 4] if (im := _ITEM.match(x))]
            if len(items) >= 2:
                add("components", LIST_Q, line, [_short(x) for x in items[:2]], h=m.group(1).lower())
        if "tiêu chuẩn sau" in line and (t := re.search(_TITLE, line)) and i + 1 < len(lines):
            items = [im.group(1) for x in lines[i + 1:i + 3] if (im := _ITEM.match(x))]
            if items:
                add("criteria", CRIT_Q, line, [_short(x) for x in items], t=t.group(1))
    return out


def generate(knowledge: Any, seed: int = 11, per_type: int = 20, name_place: bool = False) -> list[dict[str, Any]]:
    """Questions from the verbatim legal passages of the index (at most `per_type` of each answer type)."""
    rng = random.Random(seed)
    today = knowledge.today or date.today()
    raws: dict[str, str] = {}
    by_type: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for c in knowledge.searcher.chunks:
        if c.secondary or not c.meta or c.meta.kind == "plan" or not c.meta.in_force_on(today):
            continue
        raw = raws.setdefault(c.source_file, knowledge.raw_text(c.source_file) or "")
        for q in questions_from_chunk(c, raw, rng, name_place):
            if q["question"] not in seen:
                seen.add(q["question"])
                by_type.setdefault(q["type"], []).append(q)
    return sample_per_kind(by_type, rng, per_type, "gen")


def sample_per_kind(by_kind: dict[str, list[dict[str, Any]]], rng: random.Random, per_kind: int,
                    prefix: str) -> list[dict[str, Any]]:
    """At most `per_kind` shuffled questions of each kind (kinds in sorted order), numbered '<prefix>-001' …"""
    out: list[dict[str, Any]] = []
    for _kind, qs in sorted(by_kind.items()):
        rng.shuffle(qs)
        out.extend(qs[:per_kind])
    for i, q in enumerate(out, start=1):
        q["id"] = f"{prefix}-{i:03d}"
    return out


ASK = {"days": "thời hạn là bao nhiêu ngày", "auth": "ai quyết định", "count": "cần mấy {u} liên tục",
       "amount": "được thưởng bao nhiêu lần mức lương cơ sở"}
PAIR_Q = "{place}theo quy định về {h}: {a1} và {a2}?"
TWO_TITLES_Q = ["{t1} và {t2} được thưởng bao nhiêu lần mức lương cơ sở?",
                "cho em hỏi tiền thưởng {t1} với {t2} là bao nhiêu ạ"]
ANY_AUTH_Q = ["Ai có thẩm quyền quyết định tặng danh hiệu {t}?", "{t} thì cấp nào quyết định tặng?"]


def _article_facts(chunks: list[Chunk]) -> list[tuple[str, str, dict[str, str], Chunk, str]]:
    """(kind, key fact, template words, passage, line) for every fact pattern in the lines of one article."""
    out = []
    for c in chunks:
        for line in (x.strip() for x in c.text.split("\n") if x.strip()):
            if m := _DAYS.search(line):
                out.append(("days", f"{m.group(1)} {m.group(2)}", {}, c, line))
            if m := _COUNT.search(line):
                out.append(("count", f"{m.group(1)} {m.group(2)}", {"u": m.group(2)}, c, line))
            if m := _AUTH.search(line):
                out.append(("auth", _short(m.group(1), 6), {}, c, line))
            for m in _AMOUNT.finditer(line):
                out.append(("amount", f"{m.group(2)} lần", {"t": m.group(1)}, c, line))
    return out


def article_questions(knowledge: Any, raws: dict[str, str]) -> list[dict[str, Any]]:
    """Questions whose answer spans several khoản of one Điều: two kinds of fact asked at once ('… thời hạn bao
    nhiêu ngày và ai quyết định?'), two titles' amounts, and who decides a title that several khoản name (any of the
    deciders counts: the key fact lists them as variants, every such khoản is gold)."""
    today = knowledge.today or date.today()
    groups: dict[tuple[str, str], list[Chunk]] = {}
    for c in knowledge.searcher.chunks:
        article = next((b for b in c.breadcrumb if re.match(r"Điều \d+", b)), None)
        if c.secondary or not c.meta or c.meta.kind == "plan" or not c.meta.in_force_on(today) or not article:
            continue
        groups.setdefault((c.source_file, article), []).append(c)  # a decision's Điều 3 is not its rules' Điều 3
    out: list[dict[str, Any]] = []

    def gold(c: Chunk, line: str) -> dict[str, str] | None:
        a = _anchor(line, raws.setdefault(c.source_file, knowledge.raw_text(c.source_file) or ""))
        return {"file": c.source_file, "anchor": a, "citation": c.citation} if a else None

    for (_, article), chunks in groups.items():
        facts = _article_facts(chunks)
        head = re.sub(r"^Điều \d+\.\s*", "", re.sub(r"[“”*]", "", article)).strip().lower()
        place = place_of(chunks[0])
        kinds: dict[str, tuple[str, dict[str, str], Chunk, str]] = {}
        for k, f, w, c, line in facts:
            kinds.setdefault(k, (f, w, c, line))
        pairs = [(a, b) for a in ("days", "count", "amount") for b in ("auth",) if a in kinds and b in kinds]
        for k1, k2 in pairs:
            (f1, w1, c1, l1), (f2, _, c2, l2) = kinds[k1], kinds[k2]
            g = [x for x in (gold(c1, l1), gold(c2, l2)) if x]
            if head and len(g) == 2 and "{t}" not in ASK[k1]:
                q = PAIR_Q.format(place=place, h=head, a1=ASK[k1].format(**w1), a2=ASK[k2])
                out.append({"question": q[:1].upper() + q[1:], "type": "two_part", "gen": True, "gold": g,
                            "key_facts": [f1, f2]})
        amounts = [(f, w["t"], c, line) for k, f, w, c, line in facts if k == "amount"]
        for (f1, t1, c1, l1), (f2, t2, c2, l2) in zip(amounts[::2], amounts[1::2], strict=False):
            g = [x for x in (gold(c1, l1), gold(c2, l2)) if x]
            if len(g) == 2 and f1 != f2:
                for tpl in TWO_TITLES_Q:
                    q = place + tpl.format(t1=t1, t2=t2)
                    out.append({"question": q[:1].upper() + q[1:], "type": "two_titles", "gen": True, "gold": g,
                                "key_facts": [f1, f2]})
        deciders: dict[str, list[tuple[str, Chunk, str]]] = {}
        for k, f, _, c, line in facts:
            if k == "auth":
                for t in re.findall(_TITLE, line):
                    deciders.setdefault(t, []).append((f, c, line))
        for t, ds in deciders.items():
            if len({c.chunk_id for _, c, _ in ds}) < 2:
                continue
            g = [x for _, c, line in ds if (x := gold(c, line))]
            for tpl in ANY_AUTH_Q:
                q = place + tpl.format(t=t)
                out.append({"question": q[:1].upper() + q[1:], "type": "authority_any", "gen": True, "gold": g,
                            "key_facts": ["|".join(dict.fromkeys(f for f, _, _ in ds))]})
    return out


def generate_answer_set(knowledge: Any, seed: int = 11, per_type: int = 20) -> list[dict[str, Any]]:
    """The generated answer-eval set: the per-passage questions (localities named for local texts) and the
    article-level ones (several khoản, two parts, two titles)."""
    raws: dict[str, str] = {}
    out = generate(knowledge, seed, per_type, name_place=True)
    seen = {q["question"] for q in out}
    out += [q for q in article_questions(knowledge, raws) if q["question"] not in seen]
    for i, q in enumerate(out, start=1):
        q["id"] = f"gen-{i:03d}"
    return out


# ------------------------------------------------------------------------------------------------ criteria set
CRITERIA_Q = ["Tiêu chuẩn xét tặng {t} là gì?", "Muốn được tặng {t} thì phải đạt những điều kiện gì?",
              "cho em hỏi điều kiện để được xét {t} ạ", "{t} cần đáp ứng tiêu chuẩn nào?"]
_CRIT_HEAD = re.compile(r"(?:tiêu chuẩn|điều kiện) sau")
_CRIT_TITLE = re.compile(r"[Dd]anh hiệu\s+“([^”]{4,60})”|((?:[Dd]anh hiệu|Bằng khen|Giấy khen)\s.{4,60}?)\s+(?:để\s+)?tặng")
MAX_ITEMS = 8
_FIGURE = re.compile(r"\d+(?:,\d+)?\s*(?:%|lần(?: liên tục)?|năm(?: liên tục)?|tháng|ngày(?: làm việc)?)")
MAX_CONDITIONS = 4  # conditions scored per question (the opening holds about this many, compactly)


def condition_fact(text: str) -> str:
    """The fact a condition must show in a compact statement, taken by code from its verbatim text: its figure with
    its unit ('03 lần liên tục'), else the title it names (“…”), else its first three words."""
    body = strip_item_mark(text)
    if m := _FIGURE.search(body):
        return m.group(0)
    if m := re.search(_TITLE, body):
        return m.group(1)
    return _short(body, 3)


def _marker(line: str) -> str:
    m = re.match(r"^(?:([a-zđ])\)|(\d+)\.|\((\d+)\)|([-–+•]))", line)
    if not m:
        return ""
    return "a)" if m.group(1) else "1." if m.group(2) else "(1)" if m.group(3) else "-"


def _criteria_items(lines: list[str], i: int) -> list[str]:
    """The condition lines right after the head line `i`: the items of the first item's marker kind, or — when the
    source marks none — the lines up to the one ending the list with '.' (a hard-wrapped item joined)."""
    kind = _marker(lines[i + 1]) if i + 1 < len(lines) else ""
    items: list[str] = []
    if kind:
        for x in lines[i + 1:]:
            if _marker(x) == kind:
                items.append(x)
            elif not _marker(x) and items and not x.startswith("+"):
                break
        return items
    cur = ""
    for x in lines[i + 1:i + 1 + 3 * MAX_ITEMS]:
        if _marker(x) or x.startswith("#"):
            break
        cur = f"{cur} {x}".strip()
        if cur.endswith((";", ".")):
            items.append(cur)
            if cur.endswith("."):
                break
            cur = ""
    return items[:MAX_ITEMS]


def criteria_questions(knowledge: Any, rules_path: Path | None = None) -> list[dict[str, Any]]:
    """Title → its conditions: one question per template for each title whose criteria list the corpus holds (the
    rule table's titles with their verbatim conditions, and every 'Danh hiệu … để tặng … đạt các tiêu chuẩn sau'
    list of an in-force legal passage); key facts are taken by code from each condition's text (condition_fact)."""
    import yaml

    today = knowledge.today or date.today()
    raws: dict[str, str] = {}
    found: dict[tuple[str, str], tuple[str, list[str], Chunk | None, str]] = {}  # (file, title) → head, conditions
    if rules_path is not None and rules_path.exists():
        table = yaml.safe_load(rules_path.read_text("utf-8")) or {}
        names = {k: v["name"] for k, v in (table.get("titles") or {}).items()}
        for r in table.get("rules") or []:
            conds = [c["text"] for c in r.get("conditions") or []]
            if conds and r.get("title") in names:
                found[(r["source_file"], fold_key(names[r["title"]]))] = (r["lead"], conds, None, names[r["title"]])
    for c in knowledge.searcher.chunks:
        if c.secondary or not c.meta or c.meta.kind == "plan" or not c.meta.in_force_on(today):
            continue
        lines = [x.strip() for x in c.text.split("\n") if x.strip()]
        for i, line in enumerate(lines):
            if not _CRIT_HEAD.search(line) or not (m := _CRIT_TITLE.search(line)):
                continue
            items = _criteria_items(lines, i)
            title = re.sub(r"^[Dd]anh hiệu\s+", "", (m.group(1) or m.group(2)).strip())
            title = title[:1].upper() + title[1:]
            if len(items) >= 2:
                found.setdefault((c.source_file, fold_key(title)), (line, items, c, title))
    out: list[dict[str, Any]] = []
    for (f, _), (head, conds, c, title) in sorted(found.items()):
        raw = raws.setdefault(f, knowledge.raw_text(f) or "")
        a = _anchor(re.sub(r"\s+", " ", head), raw) or _anchor(conds[0], raw)
        if not a:
            continue
        facts = list(dict.fromkeys(condition_fact(x) for x in conds))[:MAX_CONDITIONS]
        chunk = c or next((x for x in knowledge.searcher.chunks if x.source_file == f and a in x.text), None)
        if chunk is None:
            continue
        place = place_of(chunk)
        for tpl in CRITERIA_Q:
            q = tpl.format(t=title)
            q = place + q[:1].lower() + q[1:] if place else q
            out.append({"question": q[:1].upper() + q[1:], "type": "criteria", "gen": True,
                        "gold": [{"file": f, "anchor": a, "citation": chunk.citation}], "key_facts": facts})
    for i, q in enumerate(out, start=1):
        q["id"] = f"crit-{i:03d}"
    return out


ELIGIBILITY_Q = ["Em có đủ điều kiện {t} không ạ?", "Tôi muốn được xét {t} năm nay thì có đủ điều kiện không?"]


def eligibility_questions(knowledge: Any, rules_path: Path) -> list[dict[str, Any]]:
    """'Do I qualify for <title>?' without the asker's facts, for each title of the rule table: every condition stays
    open, so the opening must state each one (key facts by condition_fact from the conditions' verbatim text)."""
    import yaml

    table = yaml.safe_load(rules_path.read_text("utf-8")) or {}
    names = {k: v["name"] for k, v in (table.get("titles") or {}).items()}
    out: list[dict[str, Any]] = []
    for r in table.get("rules") or []:
        conds = [c for c in r.get("conditions") or [] if c.get("text")]
        raw = knowledge.raw_text(r["source_file"]) or ""
        a = _anchor(conds[0]["text"], raw) if conds else None
        if not a or r.get("title") not in names:
            continue
        place = "" if r.get("scope") == "national" else f"Ở tỉnh {r['scope']}, "
        facts = list(dict.fromkeys(condition_fact(c["text"]) for c in conds))[:MAX_CONDITIONS]
        for tpl in ELIGIBILITY_Q:
            q = tpl.format(t=names[r["title"]])
            q = place + q[:1].lower() + q[1:] if place else q
            out.append({"question": q, "type": "eligibility", "gen": True, "key_facts": facts,
                        "gold": [{"file": r["source_file"], "anchor": a, "citation": r["provision"]}]})
    for i, q in enumerate(out, start=1):
        q["id"] = f"elig-{i:03d}"
    return out


def fold_key(title: str) -> str:
    """A title compared without case, quotes or spacing differences."""
    return re.sub(r"\s+", " ", re.sub(r"[“”*]", "", title)).strip().casefold()


def write_generated(make: Callable[[Any], list[dict[str, Any]]]) -> None:  # pragma: no cover - thin CLI wrapper
    """`python -m evals.<generator> OUT.jsonl`: generate from the configured index and write one question a line."""
    from assistant.config import get_settings
    from assistant.index.service import Knowledge

    out = Path(sys.argv[1])
    qs = make(Knowledge(get_settings()))
    out.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qs), "utf-8")
    print(f"{len(qs)} questions → {out}")


def main() -> None:  # pragma: no cover - thin CLI wrapper
    if "--criteria" in sys.argv:  # python -m evals.question_gen OUT.jsonl --criteria
        from assistant.config import get_settings

        write_generated(lambda kn: criteria_questions(kn, get_settings().knowledge_dir / "rules.yaml"))
    elif "--eligibility" in sys.argv:  # python -m evals.question_gen OUT.jsonl --eligibility
        from assistant.config import get_settings

        write_generated(lambda kn: eligibility_questions(kn, get_settings().knowledge_dir / "rules.yaml"))
    else:
        write_generated(generate_answer_set)


if __name__ == "__main__":  # pragma: no cover
    main()
