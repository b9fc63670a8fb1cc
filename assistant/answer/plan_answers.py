"""Answers from past plans read by code: their outline, how many targets, indicator values."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer.compose import indicator_text, refusal_text
from assistant.answer.evidence import has_phrase
from assistant.answer.indicators import STOP, terms_of
from assistant.answer.models import Answer, Citation
from assistant.answer.validity import (
    reform_notes,
)
from assistant.corpus.normalize import asked_years, fold, year_asked_of

MAX_BREAKDOWN = 8  # parts of one target listed after it ('Trong đó:')
BREAKDOWN_GAP = 12  # characters between a target and its next part at most (a line break and an item mark)
_LIST_JOIN = re.compile(r"\s+(?:với|và|voi|va)\s+")  # 'đàn lợn với đàn gia cầm': two targets asked


class PlanAnswers:
    """Part of AskService (service.py): answers from past plans read by code: their outline, how many targets, indicator values."""

    def _plan_fact_answer(self, question: str) -> Answer | None:
        """Layout of a plan ('gồm những mục lớn nào') or how many targets it sets ('bao nhiêu chỉ tiêu')."""
        from assistant.answer.plan_facts import count_targets, item_number, outline, targets_heading

        fq = fold(question)
        want_outline = has_phrase(fq, self.words.structure)
        want_count = has_phrase(fq, self.words.count)
        if not (want_outline or want_count):
            return None
        qi = self.knowledge.searcher.analyse(question)
        docs: list[str] = []
        for h in self.knowledge.search(question, k=8):
            m = h.chunk.meta
            if not m or m.kind != "plan" or h.chunk.source_file in docs:
                continue
            if qi.localities and fold(m.locality or "") not in qi.localities:
                continue
            if qi.years and m.year not in qi.years:
                continue
            docs.append(h.chunk.source_file)
        docs = docs[: max(1, len(qi.years))]
        if not docs:
            return None
        by_doc: dict[str, list] = {}
        for c in self.knowledge.searcher.chunks:
            if c.source_file in docs:
                by_doc.setdefault(c.source_file, []).append(c)
        lines: list[str] = []
        counts: list[str] = []
        cites: list[Citation] = []
        for f in docs:
            raw = self.knowledge.raw_text(f) or ""
            meta = self.knowledge.doc_meta(f)
            name = meta.short_name if meta else f
            if want_outline:
                tree = outline(by_doc.get(f, []), raw)
                if tree:
                    parts = []
                    for sp, subs in tree:
                        n = len(cites) + 1
                        cites.append(Citation(n=n, source_file=f, citation=sp.chunk.citation, quote=sp.text,
                                              start=sp.start, end=sp.end, doc_number=meta.number if meta else None))
                        sub_txt = ""
                        if subs:
                            sub_txt = " (" + "; ".join(x.text for x in subs) + ")"
                        parts.append(f"{sp.text} [{n}]{sub_txt}")
                    lines.append(f"{name} gồm các phần lớn: " + "; ".join(parts) + ".")
            if want_count:
                sp = count_targets(by_doc.get(f, []), raw)
                head = targets_heading(by_doc.get(f, []), raw)
                if sp and head:
                    cites.append(Citation(n=len(cites) + 1, source_file=f, citation=head.chunk.citation,
                                          quote=head.text, start=head.start, end=head.end,
                                          doc_number=meta.number if meta else None))
                if sp:
                    n = len(cites) + 1
                    cites.append(Citation(n=n, source_file=f, citation=sp.chunk.citation, quote=sp.text,
                                          start=sp.start, end=sp.end, doc_number=meta.number if meta else None))
                    where = f" trong mục “{head.text}” [{n - 1}]" if head else ""
                    counts.append(f"{name} có {item_number(sp)} chỉ tiêu thi đua [{n}]")
                    lines.append(f"{name} có {item_number(sp)} chỉ tiêu thi đua{where}, đánh số đến "
                                 f"({item_number(sp)}) [{n}].")
        if not lines:
            return None
        # the counts first, in one sentence (the details name the section headings in quotes)
        conclusion = "; ".join(counts) + "." if counts else None
        text = "\n".join(lines) if conclusion is None else conclusion + "\n\n" + "\n".join(lines)
        return Answer(answer=text, conclusion=conclusion, citations=cites, mode="grounded")

    def _indicator_rows(self, question: str) -> list[Any]:
        """Indicators for the question and, when it asks several ('thu ngân sách bao nhiêu, chi ngân sách bao
        nhiêu'), for each of its parts with the question's locality and years."""
        from assistant.answer.conclusion import question_parts

        table = self.indicators
        rows = list(table.lookup(question))
        if not rows:
            return rows
        parts = [x for p in question_parts(question) for x in _LIST_JOIN.split(p) if x.strip()]
        if len(parts) > 1:
            fq = fold(question)
            where = [loc for loc in table.localities if re.search(r"(?<!\w)" + re.escape(loc) + r"(?!\w)", fq)]
            years = re.findall(r"(?<!\d)20\d\d(?!\d)", question)
            # the words that name the plan ("Kế hoạch phát động thi đua năm 2024 của …") are no metric's; "chỉ tiêu"
            # is read as a stopword already, and folded it is also "chi tiêu" (spending), a target's word
            naming = [w for w in self.types.plan_words if not set(w.split()) <= STOP]
            plan_named = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, naming)) + r")(?!\w)") if naming else None
            for p in parts:
                if plan_named:
                    p = plan_named.sub(" ", fold(p))
                found = table.lookup(" ".join([p, *where, *years]))
                pt = terms_of(p) - set(" ".join(where).split())
                top = max((len(pt & terms_of(r.metric)) for r in found), default=0)
                for r in found:  # a part asks one target (per plan/year): its best-matching ones
                    if len(pt & terms_of(r.metric)) < top:
                        continue
                    if not any(r.source_file == x.source_file and r.start == x.start for x in rows):
                        rows.append(r)
        return rows[:8]

    def _with_breakdown(self, rows: list[Any]) -> tuple[list[Any], dict[int, list[int]]]:
        """A target that announces its breakdown ('Tổng giá trị sản xuất: 663 tỷ đồng. Trong đó:') followed by the
        targets listed right after it in the same plan (its parts), each placed after its whole."""
        table = self.indicators
        out: list[Any] = []
        parts: dict[int, list[int]] = {}
        for r in rows:
            if any(r is x for x in out):
                continue
            out.append(r)
            if not r.value_text.rstrip().endswith(":"):
                continue
            same = sorted((x for x in table.rows if x.source_file == r.source_file and x.start >= r.end),
                          key=lambda x: x.start)
            end, kids, total = r.end, [], 0.0
            for x in same[:MAX_BREAKDOWN]:
                # the parts follow at once, in the whole's unit, and add up to at most the whole
                if x.start - end > BREAKDOWN_GAP or _unit_head(x.unit) != _unit_head(r.unit) or x.value is None:
                    break
                total += x.value
                if r.value is not None and total > r.value * 1.001:
                    break
                kids.append(x)
                end = x.end
            if kids:
                out = [y for y in out if not any(y is k for k in kids)]
                base = len(out)
                out.extend(kids)
                parts[base - 1] = list(range(base, base + len(kids)))
        return out, parts

    def _indicator_answer(self, question: str) -> Answer | None:
        rows = self._indicator_rows(question)
        if not rows:
            return None
        rows, parts = self._with_breakdown(rows)
        cmp_asked = has_phrase(fold(question), self.words.comparison)
        text = indicator_text(rows, cmp_asked, parts)
        cites = []
        for i, r in enumerate(rows, start=1):
            meta = self.knowledge.doc_meta(r.source_file)
            cites.append(Citation(n=i, source_file=r.source_file, citation=r.citation, quote=r.text, start=r.start,
                                  end=r.end, in_force=meta.in_force_on(self.today) if meta else True,
                                  doc_number=meta.number if meta else None, doc_title=meta.title if meta else None))
        signer = self._signer_line(question, cites)  # '… Kế hoạch do ai ký?' asked beside the targets
        if signer:
            text = f"{text}\n- {' '.join(signer)}"
        files = {r.source_file for r in rows}
        for h in self.knowledge.search(question, k=3):
            if h.chunk.source_file in files and not any(c.start <= h.chunk.start < c.end for c in cites):
                c = self._citation(len(cites) + 1, h, question, 700)
                cites.append(c)
                text += f"\n\nNguyên văn [{c.n}] {c.citation}:\n“{c.quote}”"
                break
        warnings = reform_notes(question, self.knowledge.registry, self.today, self.words.local_gov) \
            if has_phrase(fold(question), self.words.present) else []
        asked, absent = _years_without_rows(question, rows)
        if absent:
            where = rows[0].locality or ""
            note = (f"Kho văn bản chưa có chỉ tiêu năm {', '.join(map(str, absent))} của {where}; "
                    f"kho chỉ có năm {', '.join(map(str, sorted({r.year for r in rows if r.year})))}.")
            if asked in absent:  # the year asked of the place is missing: what the corpus has is no answer
                closest = [c.model_copy(update={"quote": c.quote[:300]}) for c in cites]
                return Answer(answer=refusal_text([], closest, [note]), citations=[], warnings=warnings,
                              refused=True, mode="refusal")
            text = f"ℹ️ {note}\n\n{text}"
        return Answer(answer=text, citations=cites, warnings=warnings, mode="indicator")


def _years_without_rows(question: str, rows: list[Any]) -> tuple[int | None, list[int]]:
    """(the year asked of the place: the one written nearest its name, the years the question names that no found
    target is of)."""
    asked = year_asked_of(question, rows[0].locality or "" if rows else "")
    if asked is None:
        return None, []
    have = {r.year for r in rows}
    return asked, [y for y in dict.fromkeys(y for _, y in asked_years(question)) if y not in have]


def _unit_head(unit: str) -> str:
    """'tỷ' for 'tỷ đồng' and 'tỷ.đ' (the same unit written two ways)."""
    return (re.findall(r"\w+", fold(unit)) or [""])[0]
