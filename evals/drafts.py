"""Draft evaluation: leave-one-out over the corpus plans — section coverage, legal bases valid at the plan's date,
invented figures, foreign-locality leaks, per-section similarity — plus the warm time of a whole grounded draft."""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import date
from typing import Any

from assistant.config import Settings
from assistant.corpus.normalize import fold, tokens
from assistant.drafting.adapt import build_support, unsupported
from assistant.drafting.models import Draft
from assistant.drafting.outline import parse_plan
from assistant.drafting.service import BODY_KEYS, DraftService

TYPE_WORDS = {
    "ke-hoach": "Soạn kế hoạch phát động phong trào thi đua",
    "phat-dong": "Soạn văn bản phát động phong trào thi đua",
    "giao-uoc": "Soạn công văn đăng ký giao ước thi đua",
    "ke-hoach-dot": "Soạn kế hoạch đợt thi đua",
}
TIMING_PROMPT = ("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung, chủ đề đoàn kết, "
                 "sáng tạo, về đích nông thôn mới nâng cao")


def theme_from_title(title: str, issuer: str | None) -> str:
    """Title words that carry the theme: without the type word, numbers, dates and the issuer."""
    t = title or ""
    t = re.sub(r"^(V/v|Kế hoạch|Công điện|Phát động|KẾ HOẠCH|PHÁT ĐỘNG)\s*", "", t)
    t = re.sub(r"\b\d[\w/.\-Đđ]*", " ", t)
    t = re.sub(r"\bngày\s+", " ", t)
    if issuer:
        t = t.replace(issuer, " ")
    t = re.sub(r"của\s+(UBND|Thủ tướng)[^,]*?(?=\s(phát động|triển khai|về|ban hành)\b)", " ", t)
    t = re.sub(r"\s+", " ", t).strip(" ,.")
    t = re.sub(r"^(của\s+)?((phát động|triển khai|v/v|về)\s+)*", "", t, flags=re.I)
    t = re.sub(r"(\s+(năm|của|-))+$", "", t)
    return t.strip(" ,.-")


def build_prompt(meta: Any, plan_type: str) -> str:
    words = TYPE_WORDS.get(plan_type, TYPE_WORDS["ke-hoach"])
    theme = theme_from_title(meta.title or "", meta.issuer)
    parts = [words]
    if plan_type == "ke-hoach-dot" and theme:
        parts.append(re.sub(r"^(đợt thi đua|các đợt thi đua)\s+", "", theme))
    parts.append(f"năm {meta.year}" if meta.year else "")
    if meta.issuer:
        parts.append(f"của {meta.issuer}")
    p = " ".join(x for x in parts if x)
    if plan_type != "ke-hoach-dot" and theme:
        p += f", chủ đề: {theme}"
    return p


def _section_kinds(draft: Draft) -> set[str]:
    return {s.kind for s in draft.sections if s.kind}


def _jaccard(a: str, b: str) -> float:
    x, y = set(tokens(a, folded=True)), set(tokens(b, folded=True))
    return len(x & y) / len(x | y) if x | y else 0.0


def check_draft(svc: DraftService, draft: Draft, prompt: str, plan_date: date,
                own: set[str]) -> dict[str, Any]:
    """Legal bases, invented figures and foreign-locality leaks of one draft."""
    reg = svc.registry
    req = draft.request
    year = req.year or plan_date.year
    user = [" ".join(req.targets), req.period or "", req.parent_plan or ""]
    support = build_support(prompt, reg, year, user)
    # a legal basis line may carry the registry's own facts (number, signing date) of the documents it cites
    expired: list[str] = []
    invented: list[str] = []
    for sec in draft.sections:
        for p in sec.paragraphs:
            sup = support
            if p.style == "basis":
                cited = reg.find_in_text(p.text)
                for d in cited:
                    if not d.in_force_on(plan_date):
                        expired.append(d.number)
                facts = [f"{d.number} ngày {d.signed.day:02d}/{d.signed.month}/{d.signed.year}" for d in cited
                         if d.signed]
                facts += [x.number for d in cited for x in [reg.by_number(d.number)] if x]
                sup = build_support(prompt, reg, year, user + facts + [
                    n for d in cited for n in re.findall(r"\d+/\d{4}/[\wĐđ-]+", d.title or "")])
            invented += unsupported(p.text, sup)
    text = fold(draft.markdown.split("\n---\n")[0])
    leaks = [n for n in svc.corpus_localities()
             if n not in own and not any(n in o or o in n for o in own)
             and re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text)]
    return {"expired_bases": expired, "invented": invented, "leaks": leaks}


def evaluate_drafts(knowledge: Any, settings: Settings, service: DraftService | None = None) -> dict[str, Any]:
    """Leave-one-out over every plan (kind == "plan"); returns the summary figures and one row per plan."""
    svc = service or DraftService(settings, knowledge)
    rows: list[dict[str, Any]] = []
    plans = svc.plans()
    for p in plans:
        m = p.meta
        prompt = build_prompt(m, p.plan_type)
        plan_date = m.signed or date(m.year or date.today().year, 3, 1)
        t0 = time.perf_counter()
        draft = svc.draft(prompt, exclude_files=[p.source_file], today=plan_date)
        dt = time.perf_counter() - t0
        real = parse_plan(m, knowledge.raw_text(p.source_file) or "", svc.w)
        real_kinds = {s.kind for s in real.sections if s.kind != "khac"}
        got = _section_kinds(draft)
        cov = (len(real_kinds & got) / len(real_kinds)) if real_kinds else None
        reg_plan = (svc.registry.plans or {}).get(p.source_file, {})
        own = {fold(x) for x in (m.locality, reg_plan.get("province"), draft.request.locality,
                                 draft.request.province) if x}
        chk = check_draft(svc, draft, prompt, plan_date, own)
        sims: dict[str, float] = {}
        for s in draft.sections:
            if s.key in BODY_KEYS and s.kind:
                real_text = " ".join(pp.text for rs in real.sections if rs.kind == s.kind
                                     for part in rs.parts for pp in part.paras)
                if real_text:
                    sims[s.kind] = round(_jaccard(" ".join(x.text for x in s.paragraphs), real_text), 3)
        rows.append({"source_file": p.source_file, "type": p.plan_type, "prompt": prompt,
                     "errors": draft.request.errors, "section_coverage": cov,
                     "real_sections": sorted(real_kinds), "draft_sections": sorted(got),
                     "expired_bases": chk["expired_bases"], "invented_figures": chk["invented"],
                     "foreign_locality_leaks": chk["leaks"], "similarity": sims, "seconds": round(dt, 3)})
    covs = [r["section_coverage"] for r in rows if r["section_coverage"] is not None]
    # warm timing of a whole grounded draft
    svc.draft(TIMING_PROMPT)
    t0 = time.perf_counter()
    svc.draft(TIMING_PROMPT)
    warm = time.perf_counter() - t0
    return {
        "n": len(rows),
        "section_coverage": round(sum(covs) / len(covs), 3) if covs else None,
        "invented_figures": sum(len(r["invented_figures"]) for r in rows),
        "foreign_locality_leaks": sum(len(r["foreign_locality_leaks"]) for r in rows),
        "expired_bases": sum(len(r["expired_bases"]) for r in rows),
        "warm_draft_seconds": round(warm, 3),
        "by_plan": rows,
    }


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - manual entry point
    from assistant.index.service import Knowledge

    settings = Settings()
    res = evaluate_drafts(Knowledge(settings), settings)
    json.dump(res, sys.stdout, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
