"""AskService: rewrite → retrieve → assess → compose (grounded or LLM) → verify → cite → warn → remember."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from functools import cached_property
from typing import Any

from assistant.answer.compose import plain_reasons
from assistant.answer.conclusion import AnswerTypes
from assistant.answer.deadlines import HolidayCalendar
from assistant.answer.evidence import Evidence, Words
from assistant.answer.followup import (
    Subject,
    merge,
)
from assistant.answer.followup_carry import FollowupCarry
from assistant.answer.grounded import GroundedAnswer
from assistant.answer.indicators import IndicatorTable, extract_indicators
from assistant.answer.missing import HOW_TO_ADD
from assistant.answer.models import Answer, AskEvent
from assistant.answer.opening import OpeningFacts
from assistant.answer.part_search import search_with_parts
from assistant.answer.plan_answers import PlanAnswers
from assistant.answer.refusal_path import RefusalPath
from assistant.answer.title_facts import TitleFacts
from assistant.answer.validity import (
    AMENDMENT_MARK,
)
from assistant.answer.verdict import VerdictDecider
from assistant.config import Settings
from assistant.corpus.normalize import fold
from assistant.index.service import Knowledge

_EN_WORDS = {"what", "how", "who", "when", "where", "which", "why", "is", "are", "the", "of", "for", "does", "can",
             "please", "award", "criteria", "law"}


class AskService(FollowupCarry, RefusalPath, GroundedAnswer, OpeningFacts, TitleFacts, PlanAnswers):
    """Answers questions from the knowledge base; every figure shown comes from a cited passage."""

    def __init__(self, settings: Settings, knowledge: Knowledge, llm: Any = None, store: Any = None,
                 today: date | None = None) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.llm = llm
        self.store = store
        self.today = today or date.today()
        self.words = Words.load(settings.knowledge_dir / "ask.yaml", settings.knowledge_dir / "retrieval.yaml")
        self.types = AnswerTypes.load(settings.knowledge_dir / "answer_types.yaml")

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
    def eligibility(self):  # noqa: ANN201 - EligibilityChecker (imported lazily)
        """The eligibility checker over knowledge/rules.yaml (the asker's facts against each title's conditions)."""
        from assistant.answer.eligibility import build_checker

        return build_checker(self.settings, self.knowledge, self.today)

    @cached_property
    def verdicts(self) -> VerdictDecider:
        """Yes/no verdicts decided by code (knowledge/verdict.yaml, the eligibility checker, number comparisons)."""
        return VerdictDecider.build(self.settings.knowledge_dir, self.types, self.words.stop, self.eligibility,
                                    lambda q: self._expand(self.knowledge.searcher.normaliser.strip_fillers(q)),
                                    self.knowledge.registry, self.today, self.words.validity)

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
        subject = Subject.from_dict(self._meta(conversation_id, "subject")) if history else None
        rewritten = self.rewrite(question, history, subject)
        model = llm if llm is not None else self.llm
        ans: Answer | None = None
        streamed = False  # the LLM path streams the grounded answer itself
        # asked yes/no of the asker's own case ("tôi … có đủ điều kiện không?"): the checker answers even without facts
        own = self.types.detect(rewritten) == "yesno" and self.knowledge.searcher.normaliser.speaks_of_self(rewritten)
        ind = (self.eligibility.answer(rewritten, yes_no=own)
               or self._plan_fact_answer(rewritten)
               or self._indicator_answer(rewritten))
        if ind is not None:
            ans = ind
        else:
            hits = search_with_parts(self.knowledge.search, rewritten, self.types,
                                     lambda h: self._supports(rewritten, [h])[0],
                                     part_support=lambda p, h: self._supports(p, [h])[0])
            assess = self.evidence.assess(rewritten, hits, self.today.year)
            missing = self._missing(rewritten)
            articles = [m for m in missing if m.article]
            delegated, handed_on = self._delegated(rewritten, hits, assess.best)
            if (articles and not self._holds_named_article(articles, hits)) or self._asks_textless(rewritten, missing):
                ans = self._refusal(rewritten, hits, [], missing)
            elif unindexed := self._unindexed_named(rewritten):
                ans = self._refusal(rewritten, hits, [], missing, unindexed)
            elif delegated:
                ans = self._refusal(rewritten, hits, handed_on, missing + delegated)
            elif not assess.supported:
                ans = (self._registry_status(rewritten)
                       or self._refusal(rewritten, hits, plain_reasons(assess.reasons, rewritten), missing))
            elif model is not None:
                from assistant.answer.llm_answer import answer_with_line

                ans = yield from answer_with_line(self, rewritten, hits, assess, model, conversation_id, missing)
                streamed = True
            else:
                ans = self._grounded(rewritten, hits, assess.best, conversation_id, missing)
            if ans is not None and missing and not ans.refused:
                ans.answer += "\n\nℹ️ " + HOW_TO_ADD
                ans.notes.extend(m.message for m in missing)
        assert ans is not None
        if not streamed and ans.mode in ("grounded", "deadline"):
            ans = self.verdicts.apply(ans, rewritten)  # 'Có.' / 'Không.' first when code decides it (verdict.py)
        if ans.conclusion is None and ans.mode != "error":  # refusals, plan facts, indicators: their first paragraph
            ans.conclusion = ans.answer.split("\n\n", 1)[0].split("“", 1)[0].strip()[:400] or None
        ans.conversation_id = conversation_id
        ans.rewritten_question = rewritten if rewritten != question else None
        if ans.mode in ("grounded", "indicator", "refusal", "deadline") and not streamed:
            for piece in re.split(r"(?<=\n)", ans.answer):
                if piece:
                    yield AskEvent(type="token", text=piece)
        self._remember(conversation_id, question, rewritten, ans, merge(subject or Subject(), self._subject(rewritten)))
        notice = getattr(self.store, "notice", None)  # memory broken or disk full: answered without it
        if notice and notice not in ans.notes:
            ans.notes.append(notice)
        yield AskEvent(type="final", answer=ans)

    def _meta(self, cid: str | None, key: str, default: Any = None) -> Any:
        if not (self.store and cid):
            return default
        try:
            return self.store.get_meta(cid, key, default)
        except KeyError:
            return default

    def _remember(self, cid: str | None, question: str, rewritten: str, ans: Answer, subject: Subject) -> None:
        if not (self.store and cid) or ans.mode == "error":
            return
        try:
            self.store.add_turn(cid, "user", question, {"rewritten": rewritten})
            self.store.add_turn(cid, "assistant", ans.answer, {"mode": ans.mode})
            self.store.set_meta(cid, "last_citations", [c.model_dump() for c in ans.citations])
            self.store.set_meta(cid, "last_warnings", ans.warnings)
            self.store.set_meta(cid, "subject", subject.to_dict())
            notes = [w for w in ans.warnings if AMENDMENT_MARK in w]
            if notes:
                shown = list(self._meta(cid, "amendment_notes", []) or [])
                self.store.set_meta(cid, "amendment_notes", shown + [n for n in notes if n not in shown])
        except KeyError:
            pass
