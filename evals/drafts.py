"""Draft evaluation: leave-one-out over the corpus plans and the project's own prompts (province, commune, ward,
phát động, giao ước, school, hospital, Sở, no diacritics, past year). Every draft goes through the detectors of
evals/draft_checks.py (section roles, cut sentences, typos, subjectless bullets, fragments, duplicates, wrong-level bodies,
header vs request, award forms, expired bases, invented figures, .docx layout); a case with any finding FAILS."""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.corpus.normalize import fold, tokens
from assistant.drafting.adapt import build_support, unsupported
from assistant.drafting.models import Draft
from assistant.drafting.outline import parse_plan
from assistant.drafting.service import BODY_KEYS, DraftService
from evals import draft_checks as dc

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


@dataclass
class Case:
    """One of the project's own drafting prompts, with the date it is drafted on and what its header/text must show."""

    id: str
    prompt: str
    today: date
    expect: dict[str, Any] = field(default_factory=dict)


# The project's own prompts (not dev questions): one per kind of issuer and document the drafter must handle.
CASES = [
    Case("tinh-dot-thi-dua", "Soạn kế hoạch tổ chức đợt thi đua cao điểm lập thành tích chào mừng Quốc khánh 2/9 "
         "năm 2026 của UBND tỉnh Quảng Trị", date(2026, 6, 15),
         {"header_has": ["TỈNH QUẢNG TRỊ"], "title_has": ["cao điểm", "Quốc khánh"]}),
    Case("xa-ke-hoach", "Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Bình Sơn, tỉnh Quảng Ngãi, "
         "chủ đề đoàn kết, sáng tạo, về đích nông thôn mới nâng cao", date(2026, 1, 12),
         {"header_has": ["XÃ BÌNH SƠN"], "body_has": ["nông thôn mới nâng cao"]}),
    Case("phuong-2026", "Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND phường Hoàn Kiếm, thành phố "
         "Hà Nội, chủ đề xây dựng phường văn minh, hiện đại, nghĩa tình", date(2026, 1, 12),
         {"header_has": ["PHƯỜNG HOÀN KIẾM"], "body_has": ["văn minh, hiện đại, nghĩa tình"]}),
    Case("phat-dong", "Soạn văn bản phát động phong trào thi đua năm 2026 của UBND phường Hạc Thành, tỉnh Thanh Hóa",
         date(2026, 2, 2), {"header_has": ["PHƯỜNG HẠC THÀNH"]}),
    Case("giao-uoc", "Soạn công văn đăng ký giao ước thi đua năm 2026 của UBND xã Bình Sơn, tỉnh Quảng Ngãi gửi "
         "Trưởng Cụm thi đua số 3", date(2026, 3, 2),
         {"header_has": ["XÃ BÌNH SƠN"], "text_has": ["Trên đây là nội dung đăng ký giao ước", "Như trên"]}),
    Case("truong-hoc", "Soạn kế hoạch phát động phong trào thi đua năm học 2026-2027 của Trường THCS Chu Văn An, "
         "phường Tây Hồ, thành phố Hà Nội, chủ đề đổi mới, sáng tạo trong dạy và học", date(2026, 9, 10),
         {"header_has": ["TRƯỜNG THCS CHU VĂN AN"], "body_has": ["đổi mới, sáng tạo trong dạy và học"]}),
    Case("benh-vien", "Soạn kế hoạch phát động phong trào thi đua năm 2026 của Bệnh viện Đa khoa tỉnh Ninh Bình, chủ đề "
         "nâng cao chất lượng khám, chữa bệnh, hướng tới sự hài lòng của người bệnh", date(2026, 1, 20),
         {"header_has": ["BỆNH VIỆN ĐA KHOA TỈNH NINH BÌNH"], "doc_type": "ke-hoach",
          "body_has": ["hướng tới sự hài lòng của người bệnh"]}),
    Case("so", "Soạn kế hoạch phát động phong trào thi đua năm 2026 của Sở Nội vụ tỉnh Bắc Ninh", date(2026, 1, 20),
         {"header_has": ["SỞ NỘI VỤ", "BẮC NINH"]}),
    Case("khong-dau", "ke hoach thi dua phuong Ba Dinh nam 2026 chu de chuyen doi so", date(2026, 1, 15),
         {"header_has": ["PHƯỜNG BA ĐÌNH"], "body_has": ["chuyển đổi số"]}),
    Case("nam-truoc", "Soạn kế hoạch phát động phong trào thi đua năm 2025 của UBND tỉnh Bắc Ninh", date(2026, 11, 21),
         {"header_has": ["TỈNH BẮC NINH"], "asks_date": True}),
]

# advisory detectors: reported per case and in the totals, but a finding does not FAIL the case (n-gram spelling can
# mistake a rare but correct phrase, e.g. "đẩy mạnh phòng, chống", for a typo)
ADVISORY = ("typos",)
DETECTORS = ("refused", "role_mismatches", "cut_sentences", "typos", "subjectless", "fragments", "duplicates", "wrong_level",
             "header", "award_forms", "expired_bases", "invented_figures", "foreign_locality_leaks", "layout")


@dataclass
class Checker:
    """The detectors with what they learn from the corpus once (role index, words that never end a clause)."""

    svc: DraftService
    knowledge: Any
    checks: dict[str, Any]
    roles: dc.RoleIndex
    end_words: dc.EndWords
    spelling: dc.Spelling
    workdir: Path

    @classmethod
    def build(cls, svc: DraftService, knowledge: Any, knowledge_dir: Path | None) -> Checker:
        plans = svc.plans()
        checks = dc.load_checks(knowledge_dir)
        texts = [re.sub(r"(?<!\n)\n(?!\n)", " ", knowledge.raw_text(p.source_file) or "") for p in plans]
        return cls(svc, knowledge, checks, dc.RoleIndex.from_plans(plans, svc.w),
                   dc.EndWords.from_texts(texts, int(checks["cut_sentence"].get("min_seen", 4))),
                   dc.Spelling.from_texts(texts), Path(tempfile.mkdtemp(prefix="tdkt-eval-drafts-")))

    def run(self, draft: Draft, prompt: str, plan_date: date, own: set[str],
            expect: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every detector on one draft: {detector: [findings]} plus the number of paragraphs role-checked."""
        c = self.checks
        base = check_draft(self.svc, draft, prompt, plan_date, own)
        n_roles, roles = dc.section_roles(draft, self.roles, self.svc.w, c)
        path = self.svc.to_docx(draft, self.workdir / f"{draft.draft_id}.docx")
        drafted = any(s.paragraphs for s in draft.sections if s.key in BODY_KEYS)
        found = {
            "refused": [] if drafted else (draft.request.errors or ["không soạn được văn bản"]),
            "role_mismatches": roles,
            "cut_sentences": dc.cut_sentences(draft, self.end_words, c),
            "typos": dc.typos(draft, self.spelling),
            "subjectless": dc.subjectless(draft, c),
            "fragments": dc.fragments(draft, c),
            "duplicates": dc.duplicates(draft, c),
            "wrong_level": dc.wrong_level(draft, c),
            "header": dc.header_vs_request(draft, expect) + _expectations(draft, expect or {}),
            "award_forms": dc.award_forms(draft, c),
            "expired_bases": base["expired_bases"],
            "invented_figures": base["invented"],
            "foreign_locality_leaks": base["leaks"],
            "layout": dc.docx_layout(path, has_title=(draft.doc_type or draft.request.doc_type) != "giao-uoc"),
        }
        return {"found": found, "roles_checked": n_roles}


def _expectations(draft: Draft, e: dict[str, Any]) -> list[str]:
    """A case's expectations on the whole text, the type and the date question."""
    out = []
    text = draft.markdown or ""
    for want in e.get("text_has", []):
        if fold(want) not in fold(text):
            out.append(f"văn bản thiếu “{want}”")
    if e.get("doc_type") and (draft.doc_type or draft.request.doc_type) != e["doc_type"]:
        out.append(f"loại văn bản {draft.doc_type or draft.request.doc_type} ≠ {e['doc_type']}")
    if e.get("asks_date") and not any(re.search(r"ngày ban hành|ban hành ngày|ngày ký", x, re.I)
                                      for x in draft.questions + draft.warnings + draft.request.warnings + draft.notes):
        out.append("không hỏi/nêu ngày ban hành giả định của kế hoạch năm trước")
    return out


def _row(kind: str, name: str, prompt: str, draft: Draft, res: dict[str, Any], seconds: float,
         **extra: Any) -> dict[str, Any]:
    found = res["found"]
    counts = {k: len(v) for k, v in found.items()}
    failing = any(v for k, v in counts.items() if k not in ADVISORY)
    return {"source_file": name, "kind": kind, "prompt": prompt, "status": "FAIL" if failing else "PASS",
            "counts": {k: v for k, v in counts.items() if v}, "roles_checked": res["roles_checked"],
            "examples": {k: v[:2] for k, v in found.items() if v}, "seconds": round(seconds, 3),
            "plan_date": str(draft.request.plan_date) if draft.request.plan_date else None, **extra}


def run_cases(svc: DraftService, checker: Checker, cases: list[Case] | None = None) -> list[dict[str, Any]]:
    """The project's own prompts through the drafter and every detector."""
    rows = []
    for case in cases or CASES:
        t0 = time.perf_counter()
        draft = svc.draft(case.prompt, today=case.today)
        dt = time.perf_counter() - t0
        req = draft.request
        plan_date = req.plan_date or case.today
        own = {fold(x) for x in (req.locality, req.province) if x}
        res = checker.run(draft, case.prompt, plan_date, own, case.expect)
        rows.append(_row("case", f"case:{case.id}", case.prompt, draft, res, dt, errors=req.errors))
    return rows


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Findings per detector over all rows, cases passed/failed, section-role accuracy."""
    out: dict[str, Any] = {d: sum(r["counts"].get(d, 0) for r in rows) for d in DETECTORS}
    checked = sum(r["roles_checked"] for r in rows)
    out["section_role_accuracy"] = round(1 - out["role_mismatches"] / checked, 3) if checked else None
    out["passed"] = sum(r["status"] == "PASS" for r in rows)
    out["failed"] = sum(r["status"] == "FAIL" for r in rows)
    return out


def evaluate_drafts(knowledge: Any, settings: Settings, service: DraftService | None = None,
                    cases: list[Case] | None = None, loo: bool = True) -> dict[str, Any]:
    """Leave-one-out over every plan (kind == "plan") and the project's own cases, each through every detector;
    returns the totals, the leave-one-out figures and one row per plan and per case."""
    svc = service or DraftService(settings, knowledge)
    checker = Checker.build(svc, knowledge, getattr(settings, "knowledge_dir", None))
    rows: list[dict[str, Any]] = []
    plans = svc.plans() if loo else []
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
        res = checker.run(draft, prompt, plan_date, own)
        sims: dict[str, float] = {}
        for s in draft.sections:
            if s.key in BODY_KEYS and s.kind:
                real_text = " ".join(pp.text for rs in real.sections if rs.kind == s.kind
                                     for part in rs.parts for pp in part.paras)
                if real_text:
                    sims[s.kind] = round(_jaccard(" ".join(x.text for x in s.paragraphs), real_text), 3)
        f = res["found"]
        rows.append(_row("loo", p.source_file, prompt, draft, res, dt, type=p.plan_type,
                         errors=draft.request.errors, section_coverage=cov, real_sections=sorted(real_kinds),
                         draft_sections=sorted(got), expired_bases=f["expired_bases"],
                         invented_figures=f["invented_figures"], foreign_locality_leaks=f["foreign_locality_leaks"],
                         similarity=sims))
    loo_rows = list(rows)
    rows += run_cases(svc, checker, cases)
    covs = [r["section_coverage"] for r in loo_rows if r.get("section_coverage") is not None]
    # warm timing of a whole grounded draft
    svc.draft(TIMING_PROMPT)
    t0 = time.perf_counter()
    svc.draft(TIMING_PROMPT)
    warm = time.perf_counter() - t0
    loo_tot = totals(loo_rows)
    return {
        "n": len(loo_rows),
        "n_cases": len(rows) - len(loo_rows),
        "section_coverage": round(sum(covs) / len(covs), 3) if covs else None,
        "section_role_accuracy": loo_tot["section_role_accuracy"],
        "invented_figures": loo_tot["invented_figures"],
        "foreign_locality_leaks": loo_tot["foreign_locality_leaks"],
        "expired_bases": loo_tot["expired_bases"],
        "leave_one_out": loo_tot,
        "cases": totals(rows[len(loo_rows):]),
        "all": totals(rows),
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
