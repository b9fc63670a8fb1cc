"""Lead selection by authority, scope and validity, and the scope labels of provincial or reworded passages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.answer.amounts import title_match
from assistant.corpus.models import Chunk, DocMeta
from assistant.corpus.normalize import fold
from assistant.index.retriever import Hit, QueryInfo

CLOSE_SUPPORT = 0.8  # a passage whose support is at least this share of the best one answers the question as well
LOCAL_LEVELS = ("tinh", "huyen", "xa", "co-quan")
SLOT_SUPPORT = 0.75  # a passage that holds the asked kind of fact competes down to this share of the best support
SCOPE_SUPPORT = 0.6  # a passage of the right scope holding the asked fact competes down to this share when no closer
# passage is of the right scope
CLEARLY_BETTER = 0.1  # support margin over the evidence check's best passage that makes another passage lead


@dataclass
class LeadContext:
    """What the question names, as lead selection needs it."""

    info: QueryInfo
    plan_question: bool
    today: date
    entities: list[str] = field(default_factory=list)  # folded title names the question is about
    titles: set[str] = field(default_factory=set)  # every folded title name of the corpus
    slot_patterns: list[re.Pattern[str]] = field(default_factory=list)  # how the asked fact looks in a provision
    list_subject: str | None = None  # folded head noun of a list asked for ('ho so' in 'Hồ sơ … gồm những gì?')
    about_document: bool = False  # the question asks about a document itself (its date, signer, number)
    criteria: bool = False  # the question asks for the criteria of the titles it names
    residual_markers: list[str] = field(default_factory=list)  # folded: "không thuộc đối tượng quy định tại" …
    labels: list[re.Pattern[str]] = field(default_factory=list)  # folded 'chủ đề:' for '… chủ đề là gì?'


_LIST_LINE = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]|\(\d+\)|[-–+•])\s*")
_ARTICLE = re.compile(r"^(?:#+\s*)?Điều\s+\d+[a-z]?\.")


def list_heads(text: str) -> list[str]:
    """The lines of a passage that announce an enumeration: a line ending with ':' or an article heading, followed
    by an item line ('a)', '1.', '-' …)."""
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    return [line for line, nxt in zip(lines, lines[1:], strict=False)
            if (line.endswith(":") or _ARTICLE.match(line)) and _LIST_LINE.match(nxt)]


def announcing_lines(text: str) -> list[str]:
    """The lines of a passage that announce what follows (ending with ':'), e.g. a title's criteria list."""
    return [x.strip() for x in text.split("\n") if x.strip().endswith(":")]


def holds_slot(chunk: Chunk, ctx: LeadContext) -> bool:
    """Whether a passage holds the kind of fact asked: a figure/time limit/decision maker matching the answer type's
    patterns, or, for a list, an enumeration whose head names what is listed. True when nothing is known to check."""
    text = chunk.text
    if ctx.labels:  # the value the question asks by its label ('chủ đề là gì?' → 'với chủ đề: …')
        return any(p.search(fold(text)) for p in ctx.labels)
    if ctx.criteria and ctx.entities:  # a criteria list announced for the asked title itself, not a longer one
        return any(title_match(ctx.entities, h, ctx.titles) == 2 for h in announcing_lines(text))
    if ctx.list_subject:
        return any(ctx.list_subject in fold(h) for h in list_heads(text))
    if ctx.slot_patterns:
        return any(p.search(text) for p in ctx.slot_patterns)
    return True


def residual_unnamed(chunk: Chunk, ctx: LeadContext) -> bool:
    """A clause covering only those the other clauses leave out ("… tặng cho công nhân, nông dân, người lao động
    không thuộc đối tượng quy định tại khoản 1 và khoản 2 Điều này"), while the question names none of the groups
    it lists: the clauses it refers to are the general case."""
    for line in fold(chunk.text).split("\n"):
        at = [i for i in (line.find(m) for m in ctx.residual_markers) if i >= 0]
        if not at:
            continue
        listed = line[:min(at)].rsplit(" cho ", 1)[-1]
        groups = [g.strip() for g in re.split(r",|(?<!\w)(?:va|hoac)(?!\w)", listed) if len(g.split()) >= 2]
        return not any(re.search(r"(?<!\w)" + re.escape(g) + r"(?!\w)", ctx.info.folded) for g in groups)
    return False


def is_local(meta: DocMeta | None) -> bool:
    """A legal text of a province (or lower), which applies only inside its locality."""
    return bool(meta and meta.kind != "plan" and meta.level in LOCAL_LEVELS and meta.locality)


def names_locality(meta: DocMeta | None, info: QueryInfo) -> bool:
    return bool(meta and meta.locality and fold(meta.locality) in info.localities)


def names_document(meta: DocMeta | None, info: QueryInfo) -> bool:
    from assistant.corpus.registry import norm_number

    return bool(meta and meta.number and norm_number(meta.number) in info.doc_numbers)


def scope_label(chunk: Chunk, info: QueryInfo) -> str | None:
    """'Quy định riêng của tỉnh Bắc Ninh' for a provincial text the question does not place in its province;
    'trích dẫn gián tiếp' for a reworded secondary quotation."""
    m = chunk.meta
    labels = []
    if is_local(m) and not names_locality(m, info) and not names_document(m, info):
        assert m is not None and m.locality
        unit = "thành phố" if "thanh pho" in fold(m.issuer or "") else "tỉnh"
        labels.append(f"Quy định riêng của {unit} {m.locality}")
    if chunk.secondary:
        labels.append("trích dẫn gián tiếp, diễn đạt lại từ nguồn thứ cấp")
    return "; ".join(labels) or None


def scope_fits(chunk: Chunk, ctx: LeadContext) -> bool:
    """A plan only for a plan question, a provincial text only when the question names its province (or the text
    itself); a text the question names always fits."""
    m = chunk.meta
    named = names_document(m, ctx.info)
    is_plan = bool(m and m.kind == "plan")
    scope_ok = (is_plan == ctx.plan_question) or named
    if is_local(m) and not (names_locality(m, ctx.info) or named):
        scope_ok = False
    return scope_ok


def plan_asked(meta: DocMeta | None, info: QueryInfo) -> bool:
    """False only for a plan of another place or year than the question names (a 2025 plan quoting its 2024 results
    does not answer about the 2024 plan, nor a commune's plan about a district's)."""
    if not (meta and meta.kind == "plan"):
        return True
    other_year = bool(meta.year and info.years and meta.year not in info.years)
    other_place = bool(meta.locality and info.localities and not names_locality(meta, info))
    return not (other_year or other_place)


def lead_rank(hit: Hit, support: float, ctx: LeadContext) -> tuple[float, ...]:
    """Sort key (higher leads): right scope, a plan of the asked place and year, in force (or named by the
    question), holds the asked kind of fact, names the asked title, not a residual clause the question does not place
    itself in, verbatim, national authority, support."""
    m = hit.chunk.meta
    named = names_document(m, ctx.info)
    scope_ok = scope_fits(hit.chunk, ctx)
    in_force = named or not m or m.in_force_on(ctx.today)
    national = bool(m and m.level == "trung-uong")
    names_title = min(1, title_match(ctx.entities, hit.chunk.text, ctx.titles)) if ctx.entities else 1
    # a legal text's preamble or closing (căn cứ, signature) states no rule: it leads only a question about the text;
    # nor does a form to fill in ('ông/bà...........đủ tiêu chuẩn')
    provision = (ctx.about_document or not is_preamble(hit.chunk)) and not is_form(hit.chunk.text)
    return (float(scope_ok), float(plan_asked(m, ctx.info)), float(in_force), float(provision),
            float(holds_slot(hit.chunk, ctx)), float(names_title), float(not residual_unnamed(hit.chunk, ctx)),
            float(not hit.chunk.secondary), float(national), support)


_BLANK = re.compile(r"(?:\.{5,}|…{3,}|_{5,})")  # the blanks of a form ('……….', '.........', '_____')


def is_form(text: str) -> bool:
    """A form or template to fill in: a passage with blanks on most of its lines."""
    lines = [x for x in text.split("\n") if x.strip()]
    return bool(lines) and sum(bool(_BLANK.search(x)) for x in lines) * 2 >= len(lines)


def is_preamble(chunk: Chunk) -> bool:
    """The preamble/closing blocks of a legal text (title, căn cứ, signature), which belong to no article."""
    return chunk.label.get("section") == "preamble" and not (chunk.meta and chunk.meta.kind == "plan")


def choose_lead(hits: list[Hit], supports: list[float], best: int, ctx: LeadContext) -> int:
    """Index of the hit that leads the answer: among passages that support the question about as well as the best
    one, the one with the highest authority, the right scope and in force."""
    if not hits:
        return best
    top = supports[best] if best < len(supports) else max(supports, default=0.0)
    slots = [holds_slot(h.chunk, ctx) for h in hits]
    if ctx.labels and not any(slots):  # no passage labels the asked value: the answer type's own checks
        ctx = replace(ctx, labels=[])
        slots = [holds_slot(h.chunk, ctx) for h in hits]
    if ctx.criteria and not any(slots):  # no passage announces the asked title's criteria: ranked as any question
        ctx = replace(ctx, criteria=False)
        slots = [holds_slot(h.chunk, ctx) for h in hits]
    cands = [i for i, s in enumerate(supports)
             if s >= (SLOT_SUPPORT if slots[i] else CLOSE_SUPPORT) * top or i == best]
    if not any(scope_fits(hits[i].chunk, ctx) for i in cands):
        # every close passage is out of the question's scope (another province's rule, a plan for a legal question):
        # a passage of the right scope holding the asked kind of fact competes further down
        cands += [i for i, s in enumerate(supports) if i not in cands and slots[i] and s >= SCOPE_SUPPORT * top
                  and scope_fits(hits[i].chunk, ctx)]
    # a question naming a place or year of a plan the corpus holds is answered from that plan, not another's figures
    info = ctx.info
    if ctx.plan_question and (info.localities or info.years):
        named = [i for i, h in enumerate(hits)
                 if h.chunk.meta and h.chunk.meta.kind == "plan" and plan_asked(h.chunk.meta, info)]
        if named and not any(i in named for i in cands):
            cands = [i for i in named if supports[i] >= SCOPE_SUPPORT * top] or cands
    # among equals by scope, validity and authority, the passage the evidence check judged best stays the lead
    # unless another supports the question clearly better
    return max(cands, key=lambda i: (*lead_rank(hits[i], supports[i], ctx)[:-1], supports[i] >= top + CLEARLY_BETTER,
                                     i == best, supports[i], -i))
