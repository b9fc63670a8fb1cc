"""AskService: rewrite → retrieve → assess → compose (grounded or LLM) → verify → cite → warn → remember."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from functools import cached_property
from typing import Any

from assistant.answer.compose import grounded_text, indicator_text, refusal_text
from assistant.answer.deadlines import HolidayCalendar, explain_deadline, find_deadlines, parse_user_date
from assistant.answer.evidence import Evidence, Words, has_phrase
from assistant.answer.indicators import IndicatorTable, extract_indicators
from assistant.answer.models import Answer, AskEvent, Citation
from assistant.answer.validity import doc_warning, legal_warning, reform_notes
from assistant.config import Settings
from assistant.corpus.normalize import fold
from assistant.index.retriever import Hit
from assistant.index.service import Knowledge

_EN_WORDS = {"what", "how", "who", "when", "where", "which", "why", "is", "are", "the", "of", "for", "does", "can",
             "please", "award", "criteria", "law"}
MAX_SUPPORTING = 3


class AskService:
    """Answers questions from the knowledge base; every figure shown comes from a cited passage."""

    def __init__(self, settings: Settings, knowledge: Knowledge, llm: Any = None, store: Any = None,
                 today: date | None = None) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.llm = llm
        self.store = store
        self.today = today or date.today()
        self.words = Words.load(settings.knowledge_dir / "ask.yaml", settings.knowledge_dir / "retrieval.yaml")

    # ------------------------------------------------------------------------------------ helpers
    @property
    def evidence(self) -> Evidence:
        s = self.knowledge.searcher
        ev = getattr(self, "_ev", None)
        if ev is None or ev.s is not s:
            ev = Evidence(s, self.words)
            self._ev = ev
        return ev

    @property
    def indicators(self) -> IndicatorTable:
        s = self.knowledge.searcher
        cached = getattr(self, "_ind", None)
        if cached is None or cached[0] is not s:
            raws = {m.source_file: self.knowledge.raw_text(m.source_file) or "" for m in self.knowledge.documents()
                    if m.kind == "plan"}
            cached = (s, IndicatorTable(extract_indicators(s.chunks, raws)))
            self._ind = cached
        return cached[1]

    @cached_property
    def calendar(self) -> HolidayCalendar | None:
        p = self.settings.knowledge_dir / "holidays.yaml"
        try:
            return HolidayCalendar.load(p) if p.exists() else None
        except ValueError:
            return None

    def _prompt(self, name: str) -> str:
        return (self.settings.prompts_dir / name).read_text("utf-8")

    def validate(self, question: str) -> str | None:
        q = (question or "").strip()
        if not q:
            return "Câu hỏi trống. Hãy nhập câu hỏi về thi đua, khen thưởng. (empty question)"
        if len(q) > self.settings.max_question_chars:
            return (f"Câu hỏi quá dài ({len(q)} ký tự, tối đa {self.settings.max_question_chars}). "
                    "Hãy rút gọn câu hỏi. (question too long)")
        if not any(unicodedata.category(c)[0] in "LN" for c in q):
            return "Câu hỏi không có chữ hoặc số nào. Hãy nhập câu hỏi bằng tiếng Việt. (no text)"
        words = re.findall(r"[a-zA-Z]+", q.lower())
        if fold(q) == q.lower() and len(words) >= 3 and sum(w in _EN_WORDS for w in words) >= 2 \
                and not any(w in self.words.stop for w in words if len(w) > 2 and w not in _EN_WORDS):
            return ("Xin lỗi, trợ lý hiện chỉ hỗ trợ câu hỏi bằng tiếng Việt. "
                    "(Sorry, the assistant answers questions in Vietnamese only.)")
        return None

    def rewrite(self, question: str, history: list[Any]) -> str:
        prev = [t for t in history if getattr(t, "role", "") == "user"]
        if not prev:
            return question
        last = (prev[-1].meta or {}).get("rewritten") or prev[-1].text
        fq = fold(question)
        terms = self.evidence.terms(question)
        needs = has_phrase(fq, self.words.followup) or len([t for t in terms if "_" not in t]) <= 2
        if not needs:
            return question
        if self.llm is not None:
            from assistant.answer.verify import find_unsupported
            from assistant.llm import LLMError, chat

            try:
                out = chat(self.llm, [("human", self._prompt("rewrite.txt").format(previous=last,
                                                                                  question=question))]).strip()
                nums, refs = find_unsupported(out, [last, question])
                if out and len(out) < 600 and not nums and not refs:
                    return out.splitlines()[0]
            except LLMError:
                pass
        return f"{last} — {question}"

    # ------------------------------------------------------------------------------------ main
    def ask(self, question: str, conversation_id: str | None = None, llm: Any = None) -> Answer:
        final: Answer | None = None
        for ev in self.ask_stream(question, conversation_id, llm):
            if ev.type == "final":
                final = ev.answer
        assert final is not None
        return final

    def ask_stream(self, question: str, conversation_id: str | None = None, llm: Any = None) -> Iterator[AskEvent]:
        problem = self.validate(question)
        if problem:
            ans = Answer(answer=problem, refused=True, mode="error", conversation_id=conversation_id)
            yield AskEvent(type="final", answer=ans)
            return
        question = question.strip()
        history = self.store.history(conversation_id) if (self.store and conversation_id) else []
        rewritten = self.rewrite(question, history)
        model = llm if llm is not None else self.llm
        ans: Answer | None = None
        ind = self._plan_fact_answer(rewritten) or self._indicator_answer(rewritten)
        if ind is not None:
            ans = ind
        else:
            hits = self.knowledge.search(rewritten, k=5)
            assess = self.evidence.assess(rewritten, hits, self.today.year)
            if not assess.supported:
                ans = self._refusal(rewritten, hits, assess.reasons)
            elif model is not None:
                for ev in self._llm_answer(rewritten, hits, assess.best, model):
                    if ev.type == "token":
                        yield ev
                    else:
                        ans = ev.answer
            else:
                ans = self._grounded(rewritten, hits, assess.best)
        assert ans is not None
        ans.conversation_id = conversation_id
        ans.rewritten_question = rewritten if rewritten != question else None
        if ans.mode in ("grounded", "indicator", "refusal", "deadline"):
            for piece in re.split(r"(?<=\n)", ans.answer):
                if piece:
                    yield AskEvent(type="token", text=piece)
        self._remember(conversation_id, question, rewritten, ans)
        notice = getattr(self.store, "notice", None)  # memory broken or disk full: answered without it
        if notice and notice not in ans.notes:
            ans.notes.append(notice)
        yield AskEvent(type="final", answer=ans)

    # ------------------------------------------------------------------------------------ parts
    def _citation(self, n: int, hit: Hit, question: str, max_chars: int = 700) -> Citation:
        c = hit.chunk
        raw = self.knowledge.raw_text(c.source_file)
        quote, s, e = self.evidence.quote(question, c, raw, max_chars)
        m = c.meta
        in_force = m.in_force_on(self.today) if m else True
        note = doc_warning(m, self.knowledge.registry, self.today) if m else None
        return Citation(n=n, source_file=c.source_file, citation=c.citation, quote=quote, start=s, end=e,
                        in_force=in_force, doc_number=m.number if m else None,
                        doc_title=m.title if m else None, validity_note=note)

    def _warnings(self, question: str, cites: list[Citation], hits: list[Hit]) -> list[str]:
        reg = self.knowledge.registry
        out: list[str] = []
        for c in cites:
            if c.validity_note and c.validity_note not in out:
                out.append(c.validity_note)
        named = reg.find_in_text(question)
        for c in cites:  # documents the quoted passages themselves refer to
            named += [d for d in reg.find_in_text(c.quote) if d not in named]
        for d in named:
            w = legal_warning(d, reg, self.today)
            if w and w not in out and not any((d.short_name or d.number) in x for x in out):
                out.append(w)
        for c in cites:
            m = self.knowledge.doc_meta(c.source_file)
            if m and m.amended_by:
                note = f"{m.short_name} có thể đã được sửa đổi, bổ sung: {m.amended_by}."
                if note not in out:
                    out.append(note)
        present = has_phrase(fold(question), self.words.present) or not re.search(r"20\d\d", question)
        if present:
            out.extend(n for n in reform_notes(question, reg, self.today, self.words.local_gov) if n not in out)
        return out

    def _supporting(self, question: str, hits: list[Hit], best: int) -> list[Hit]:
        order = [hits[best]] + [h for i, h in enumerate(hits) if i != best]
        chosen = [order[0]]
        top = order[0].score
        for h in order[1:]:
            if len(chosen) > MAX_SUPPORTING:
                break
            if h.score >= 0.5 * top and self.evidence.support(question, fold(h.chunk.embed_text)) >= 0.2:
                chosen.append(h)
        return chosen

    def _deadline_lines(self, question: str, cites: list[Citation]) -> list[str]:
        fq = fold(question)
        if not has_phrase(fq, self.words.deadline):
            return []
        start = parse_user_date(question, default_year=self.today.year)
        lines: list[str] = []
        for c in cites[:2]:
            for m in find_deadlines(c.quote)[:2]:
                if self.calendar is None:
                    continue
                if start is None and m.kind.startswith("period") is False:
                    continue
                if start is not None or m.kind.startswith("period"):
                    lines.append(explain_deadline(m, start, self.calendar) + f" [{c.n}]")
        return lines[:2]

    def _grounded(self, question: str, hits: list[Hit], best: int) -> Answer:
        chosen = self._supporting(question, hits, best)
        cites = [self._citation(i, h, question, 1000 if i == 1 else 500) for i, h in enumerate(chosen, start=1)]
        warnings = self._warnings(question, cites, hits)
        validity_lines = [f"⚠️ Lưu ý: {w}" for w in warnings]
        deadline = self._deadline_lines(question, cites)
        extra = deadline + self._amount_lines(question, cites, hits) + self._identity_lines(question, chosen)
        text = grounded_text(cites, validity_lines, extra)
        return Answer(answer=text, citations=cites, warnings=warnings, mode="deadline" if deadline else "grounded")

    def _amount_lines(self, question: str, cites: list[Citation], hits: list[Hit]) -> list[str]:
        from assistant.answer.amounts import compute, multiplier_for, parse_base, rounding_rule

        base = parse_base(question)
        if base is None:
            return []
        ents = [e.split(" ", 2)[-1] if e.startswith(("danh hieu ",)) else e for e in
                self.evidence.entities(question)] or self.knowledge.searcher.analyse(question).titles
        texts = [h.chunk.text for h in hits]
        for c in cites:
            mult = multiplier_for(list(ents), c.quote)
            if mult is None:
                continue
            rule_note = ""
            rule = rounding_rule(texts + [x.quote for x in cites])
            if not rule:  # look for the rounding provision in the same document
                from assistant.index.retriever import Filters

                for h in self.knowledge.search("tiền thưởng làm tròn số hàng chục nghìn đồng", k=2,
                                               filters=Filters(source_files=[c.source_file])):
                    if rounding_rule([h.chunk.text]):
                        extra = self._citation(len(cites) + 1, h, "làm tròn hàng chục nghìn", 400)
                        cites.append(extra)
                        rule, rule_note = True, f" [{extra.n}]"
                        break
            a = compute(mult, base, rule)
            return [f"Tính theo mức lương cơ sở bạn nêu: {a.explanation} [{c.n}]{rule_note}."]
        return []

    def _identity_lines(self, question: str, chosen: list[Hit]) -> list[str]:
        if not has_phrase(fold(question), self.words.identity):
            return []
        m = chosen[0].chunk.meta
        if not m or not m.signed:
            return []
        return [f"{m.short_name}: ngày ký {m.signed.day:02d}/{m.signed.month:02d}/{m.signed.year}."]

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
                    lines.append(f"{name} có {item_number(sp)} chỉ tiêu thi đua{where}, đánh số đến "
                                 f"({item_number(sp)}) [{n}].")
        if not lines:
            return None
        return Answer(answer="\n".join(lines), citations=cites, mode="grounded")

    def _refusal(self, question: str, hits: list[Hit], reasons: list[str]) -> Answer:
        closest = [self._citation(i, h, question, 200) for i, h in enumerate(hits[:3], start=1)]
        warnings = []
        for d in self.knowledge.registry.find_in_text(question):
            w = legal_warning(d, self.knowledge.registry, self.today)
            if w:
                warnings.append(w)
        text = refusal_text(reasons, closest)
        if warnings:
            text += "\n\n" + "\n".join(f"⚠️ Lưu ý: {w}" for w in warnings)
        return Answer(answer=text, refused=True, citations=closest, warnings=warnings, mode="refusal")

    def _indicator_answer(self, question: str) -> Answer | None:
        rows = self.indicators.lookup(question)
        if not rows:
            return None
        cmp_asked = has_phrase(fold(question), self.words.comparison)
        text = indicator_text(rows, cmp_asked)
        cites = []
        for i, r in enumerate(rows, start=1):
            meta = self.knowledge.doc_meta(r.source_file)
            cites.append(Citation(n=i, source_file=r.source_file, citation=r.citation, quote=r.text, start=r.start,
                                  end=r.end, in_force=meta.in_force_on(self.today) if meta else True,
                                  doc_number=meta.number if meta else None, doc_title=meta.title if meta else None))
        files = {r.source_file for r in rows}
        for h in self.knowledge.search(question, k=3):
            if h.chunk.source_file in files and not any(c.start <= h.chunk.start < c.end for c in cites):
                c = self._citation(len(cites) + 1, h, question, 700)
                cites.append(c)
                text += f"\n\nNguyên văn [{c.n}] {c.citation}:\n“{c.quote}”"
                break
        warnings = reform_notes(question, self.knowledge.registry, self.today, self.words.local_gov) \
            if has_phrase(fold(question), self.words.present) else []
        return Answer(answer=text, citations=cites, warnings=warnings, mode="indicator")

    def _llm_answer(self, question: str, hits: list[Hit], best: int, model: Any) -> Iterator[AskEvent]:
        from assistant.answer.verify import verify_answer
        from assistant.llm import LLMError, chat_stream

        chosen = self._supporting(question, hits, best)
        cites = [self._citation(i, h, question, 900) for i, h in enumerate(chosen, start=1)]
        passages = "\n\n".join(f"[{c.n}] {c.citation}:\n{c.quote}" for c in cites)
        messages = [("system", self._prompt("ask_system.txt")),
                    ("human", self._prompt("ask_user.txt").format(passages=passages, question=question))]
        buf: list[str] = []
        try:
            for piece in chat_stream(model, messages):
                buf.append(piece)
                yield AskEvent(type="token", text=piece)
        except LLMError as e:
            g = self._grounded(question, hits, best)
            g.notes.append(f"Không dùng được mô hình ngôn ngữ ({e}); đã trả lời trực tiếp từ văn bản.")
            yield AskEvent(type="final", answer=g)
            return
        text = "".join(buf).strip()
        if fold(text).startswith("khong tim thay can cu"):
            # the evidence check found support: keep the verbatim answer rather than the model's refusal
            g = self._grounded(question, hits, best)
            g.notes.append("Mô hình ngôn ngữ không tổng hợp được câu trả lời; đã trả lời trực tiếp từ văn bản.")
            yield AskEvent(type="final", answer=g)
            return
        vr = verify_answer(text, [c.quote + "\n" + c.citation for c in cites], question, len(cites))
        if not vr.ok:
            g = self._grounded(question, hits, best)
            g.notes.append("Câu trả lời của mô hình không kiểm chứng được (" + "; ".join(vr.problems)
                           + "), đã thay bằng câu trả lời trích nguyên văn.")
            yield AskEvent(type="final", answer=g)
            return
        used = [c for c in cites if c.n in set(vr.cited)] or cites[:1]
        warnings = self._warnings(question, used, hits)
        if warnings:
            text += "\n\n" + "\n".join(f"⚠️ Lưu ý: {w}" for w in warnings)
        yield AskEvent(type="final", answer=Answer(answer=text, citations=cites, warnings=warnings, mode="llm"))

    def _remember(self, cid: str | None, question: str, rewritten: str, ans: Answer) -> None:
        if not (self.store and cid) or ans.mode == "error":
            return
        try:
            self.store.add_turn(cid, "user", question, {"rewritten": rewritten})
            self.store.add_turn(cid, "assistant", ans.answer, {"mode": ans.mode})
            self.store.set_meta(cid, "last_citations", [c.model_dump() for c in ans.citations])
            self.store.set_meta(cid, "last_warnings", ans.warnings)
        except KeyError:
            pass
