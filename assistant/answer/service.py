"""AskService: rewrite → retrieve → assess → compose (grounded or LLM) → verify → cite → warn → remember."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from assistant.answer.amounts import title_match
from assistant.answer.compose import grounded_text, indicator_text, plain_reasons, refusal_text
from assistant.answer.conclusion import AnswerTypes, Conclusion, build_conclusion
from assistant.answer.deadlines import HolidayCalendar, explain_deadline, find_deadlines, parse_user_date
from assistant.answer.evidence import SLOT_NAMES, Evidence, Words, has_phrase
from assistant.answer.followup import (
    Subject,
    carry_subject,
    expand_abbreviations,
    merge,
    subject_of,
    with_subject,
)
from assistant.answer.indicators import IndicatorTable, extract_indicators
from assistant.answer.indicators import _terms as _terms
from assistant.answer.lead import LeadContext, choose_lead, scope_label
from assistant.answer.missing import HOW_TO_ADD, Missing, find_missing
from assistant.answer.models import Answer, AskEvent, Citation
from assistant.answer.siblings import best_slot_sentence, sibling_passages, slot_holders
from assistant.answer.validity import (
    AMENDMENT_MARK,
    amendment_note,
    doc_warning,
    legal_warning,
    reform_notes,
    validity_conclusion,
)
from assistant.answer.verdict import VerdictDecider
from assistant.config import Settings
from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold
from assistant.index.retriever import Filters, Hit
from assistant.index.service import Knowledge

_EN_WORDS = {"what", "how", "who", "when", "where", "which", "why", "is", "are", "the", "of", "for", "does", "can",
             "please", "award", "criteria", "law"}
MAX_SUPPORTING = 3
BARE_TITLE_WORDS = 10  # a line without final punctuation and shorter than this is a title, not a statement
OPEN_PART = "open"  # a sub-question of no known kind ('… tặng cho đối tượng nào')
OPEN_PART_SUPPORT = 0.3  # the share of an open part's own words its answer must match
DECIDER_CHARS = 130  # one decider of a list of deciders, at most (its first and last clauses, verbatim)
MAX_BREAKDOWN = 8  # parts of one target listed after it ('Trong đó:')
BREAKDOWN_GAP = 12  # characters between a target and its next part at most (a line break and an item mark)
_LIST_JOIN = re.compile(r"\s+(?:với|và|voi|va)\s+")  # 'đàn lợn với đàn gia cầm': two targets asked


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
        self.types = AnswerTypes.load(settings.knowledge_dir / "answer_types.yaml")

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

    def rewrite(self, question: str, history: list[Any], subject: Subject | None = None) -> str:
        """A follow-up made self-contained: the previous question with the subject slots the new one changes
        (title, locality, year, base salary) replaced, or the new question completed with the carried subject."""
        prev = [t for t in history if getattr(t, "role", "") == "user"]
        if not prev:
            return question
        last = (prev[-1].meta or {}).get("rewritten") or prev[-1].text
        fq = fold(question)
        terms = self.evidence.terms(question)
        needs = has_phrase(fq, self.words.followup) or len([t for t in terms if "_" not in t]) <= 2
        if not needs:
            return question
        prev_subject = subject if subject is not None else self._subject(last)
        new_subject = self._subject(question)
        new_subject.titles = [self._canonical_title(t) for t in new_subject.titles]
        carried = carry_subject(question, self._expand(last), prev_subject, new_subject)
        if carried:
            return carried
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
        content = [t for t in terms if "_" not in t and not has_phrase(t, self.words.followup)]
        if len(content) >= 2 and not prev_subject.is_empty():
            return with_subject(question, prev_subject, with_base=self.types.detect(question) == "amount")
        return f"{last} — {question}"

    def _expand(self, text: str) -> str:
        return expand_abbreviations(text, self.words.abbreviations)

    def _canonical_title(self, surface: str) -> str:
        """The rule table's name of a title named by another wording ('chiến sĩ thi đua cấp tỉnh' → 'Chiến sĩ thi
        đua Bộ, ban, ngành, tỉnh', the wording of the law), so a rewritten follow-up retrieves the provision; other
        text unchanged."""
        f = fold(surface)
        table = self.eligibility.table
        found = [m for m in table.reader.titles_in(f) if m.start == 0 and m.end == len(f)]
        return table.name(found[0].key) if found else surface

    def _subject(self, question: str) -> Subject:
        q = self._expand(question)
        subject = subject_of(q, self.knowledge.searcher)
        if not subject.titles:  # a title the corpus quotes under another wording ("chiến sĩ thi đua cấp tỉnh"):
            # the rule table's aliases of the titles it defines (knowledge/rules.yaml)
            subject.titles = [q[m.start:m.end] for m in self.eligibility.table.reader.titles_in(fold(q))][:2]
        return subject

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
        subject = Subject.from_dict(self._meta(conversation_id, "subject")) if history else None
        rewritten = self.rewrite(question, history, subject)
        model = llm if llm is not None else self.llm
        ans: Answer | None = None
        streamed = False  # the LLM path streams the grounded answer itself
        ind = (self.eligibility.answer(rewritten) or self._plan_fact_answer(rewritten)
               or self._indicator_answer(rewritten))
        if ind is not None:
            ans = ind
        else:
            hits = self.knowledge.search(rewritten, k=5)
            assess = self.evidence.assess(rewritten, hits, self.today.year)
            missing = self._missing(rewritten)
            articles = [m for m in missing if m.article]
            if articles and not self._holds_named_article(articles, hits):
                ans = self._refusal(rewritten, hits, [], missing)
            elif not assess.supported:
                ans = self._refusal(rewritten, hits, plain_reasons(assess.reasons, rewritten), missing)
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

    def _missing(self, question: str) -> list[Missing]:
        """Documents or articles the question names that the corpus lacks (see missing.py)."""
        kn = self.knowledge
        files = {m.source_file for m in kn.documents()}
        raws = _LazyRaw(kn)
        return find_missing(question, kn.registry, kn.searcher.chunks, files, raws)  # type: ignore[arg-type]

    @staticmethod
    def _holds_named_article(articles: list[Missing], hits: list[Hit]) -> bool:
        """True when a reworded quote of every named missing article was retrieved (the note then only adds)."""
        return all(any(h.chunk.label.get("dieu") == m.article and h.chunk.source_file in m.doc.files for h in hits)
                   for m in articles)

    # ------------------------------------------------------------------------------------ parts
    def _citation(self, n: int, hit: Hit, question: str, max_chars: int = 700) -> Citation:
        c = hit.chunk
        info = self._analyse(question)
        raw = self.knowledge.raw_text(c.source_file)
        quote, s, e = self.evidence.quote(question, c, raw, max_chars)
        m = c.meta
        in_force = m.in_force_on(self.today) if m else True
        note = doc_warning(m, self.knowledge.registry, self.today) if m else None
        return Citation(n=n, source_file=c.source_file, citation=c.citation, quote=quote, start=s, end=e,
                        in_force=in_force, doc_number=m.number if m else None,
                        doc_title=m.title if m else None, validity_note=note, scope=scope_label(c, info))

    def _warnings(self, question: str, cites: list[Citation], hits: list[Hit],
                  conversation_id: str | None = None) -> list[str]:
        """Validity warnings for the documents the answer relies on: the cited passages given (the lead), the
        documents the question names and those the lead passage itself names; the amendment note once per
        conversation."""
        reg = self.knowledge.registry
        out: list[str] = []
        for c in cites:
            if c.validity_note and c.validity_note not in out:
                out.append(c.validity_note)
        named = reg.find_in_text(question)
        for c in cites[:1]:  # documents the lead passage itself refers to
            named += [d for d in reg.find_in_text(c.quote) if d not in named]
        for d in named:
            w = legal_warning(d, reg, self.today)
            if w and w not in out and not any((d.short_name or d.number) in x for x in out):
                out.append(w)
        shown = set(self._meta(conversation_id, "amendment_notes", []) or [])
        for c in cites:
            note = amendment_note(self.knowledge.doc_meta(c.source_file))
            if note and note not in out and note not in shown:
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

    def _supports(self, question: str, hits: list[Hit]) -> list[float]:
        s = self.knowledge.searcher
        question = self._expand(question)
        return [self.evidence.support(question, s.folded[s.pos[h.chunk.chunk_id]] if h.chunk.chunk_id in s.pos
                                      else fold(h.chunk.embed_text)) for h in hits]

    def _lead_context(self, question: str) -> LeadContext:
        info = self._analyse(question)
        facts = self._facts
        names_plan = (any(fold(n) in info.folded for n in facts.plan_numbers)
                      or has_phrase(fold(question), self.types.plan_words) or bool(info.localities & facts.plan_places))
        from assistant.answer.conclusion import list_subject

        kind = self.types.detect(question)
        subject = list_subject(self.knowledge.searcher.normaliser.strip_fillers(question)) \
            if kind == "components" else None
        return LeadContext(info, names_plan, self.today, self._entities(question), facts.title_names,
                           self.types.answer.get(kind or "", []), subject,
                           about_document=has_phrase(fold(question), self.words.identity))

    @property
    def _facts(self) -> _CorpusFacts:
        """Per-index facts the answer needs often (rebuilt when the index changes)."""
        s = self.knowledge.searcher
        cached = getattr(self, "_facts_cache", None)
        if cached is None or cached.searcher is not s:
            cached = _CorpusFacts.build(s, self.words.heads)
            self._facts_cache = cached
            self._analysed: dict[str, Any] = {}
        return cached

    @property
    def _title_names(self) -> set[str]:
        return self._facts.title_names

    def _analyse(self, question: str) -> Any:
        """searcher.analyse of the abbreviation-expanded question, cached per question."""
        facts = self._facts
        key = self._expand(question)
        got = self._analysed.get(key)
        if got is None:
            if len(self._analysed) > 512:
                self._analysed.clear()
            got = self._analysed[key] = facts.searcher.analyse(key)
        return got

    def _in_force_twin(self, question: str, hits: list[Hit], lead: int, ctx: LeadContext) -> list[Hit]:
        """When the lead comes from an expired document the question does not name, the same rule in its
        replacement (found in the replacing document's own passages) leads instead, if it supports as well."""
        m = hits[lead].chunk.meta
        if not m or not m.replaced_by or m.in_force_on(self.today):
            return hits
        from assistant.answer.lead import names_document

        if names_document(m, ctx.info):
            return hits
        rep = self.knowledge.registry.by_number(m.replaced_by)
        if not rep or not rep.files:
            return hits
        found = self.knowledge.search(question, k=2, filters=Filters(source_files=list(rep.files)))
        if not found:
            return hits
        sup_lead, sup_new = self._supports(question, [hits[lead], found[0]])
        if sup_new < 0.8 * sup_lead:
            return hits
        twin = found[0]
        return [twin] + [h for h in hits if h.chunk.chunk_id != twin.chunk.chunk_id]

    def _grounded(self, question: str, hits: list[Hit], best: int, conversation_id: str | None = None,
                  missing: list[Missing] | None = None) -> Answer:
        ctx = self._lead_context(question)
        lead = choose_lead(hits, self._supports(question, hits), best, ctx)
        ordered = self._in_force_twin(question, hits, lead, ctx)
        if ordered is not hits:
            hits, lead = ordered, 0
        chosen = self._supporting(question, hits, lead)
        cites = [self._citation(i, h, question, 1000 if i == 1 else 500) for i, h in enumerate(chosen, start=1)]
        warnings = self._warnings(question, cites[:1], hits, conversation_id)
        validity_lines = [f"⚠️ Lưu ý: {w}" for w in warnings]
        conclusion, extra, unstated = self._conclusion(question, cites, hits, chosen[0],
                                                       [m.short for m in missing or []])
        if unstated and not missing:
            return self._refusal(question, hits, [unstated], missing)
        signer = self._signer_line(question, cites)
        identity = self._identity_lines(question, chosen)
        if signer or (identity and self._names_document(question)):
            # a question about the document itself (its date, its signer): the registry/header fact first
            conclusion = " ".join([*identity, *signer, "" if signer else conclusion or ""]).strip()
        else:
            extra += identity
        text = grounded_text(cites, validity_lines, extra, conclusion=conclusion)
        return Answer(answer=text, conclusion=conclusion, citations=cites, warnings=warnings,
                      mode="deadline" if any(x.startswith("Thời hạn") for x in [conclusion or "", *extra])
                      else "grounded")

    def _conclusion(self, question: str, cites: list[Citation], hits: list[Hit], lead: Hit,
                    missing: list[str] | None = None) -> tuple[str | None, list[str], str | None]:
        """The opening sentence(s): the validity of documents the question names (registry dates), the asked fact
        from the lead quote (or from a supporting quote when the lead lacks it), arithmetic on it when the user
        gives a base salary or a start date; and, when the asked amount is stated in no cited passage, why."""
        from assistant.answer.conclusion import CONCLUSION_CHARS, asked_parts

        kind = self.types.detect(question)
        kinds = {self.types.detect(p) for p in asked_parts(question, self.types)}
        if kind not in ("components", "criteria") and kinds & {"components", "criteria"}:
            kind = "criteria"  # one part asks for a list or the criteria: the list is the conclusion's body
        ents = self._entities(question)
        reg = self.knowledge.registry
        named = reg.find_in_text(question)
        asks_validity = has_phrase(fold(question), self.words.validity)
        validity = validity_conclusion(named, reg, self.today, include_in_force=asks_validity) + (missing or [])
        if not cites[0].in_force and cites[0].validity_note and not any(
                (cites[0].doc_number or "~") in v for v in validity):
            validity.append(cites[0].validity_note)  # an expired lead never reads as current law
        amount = self._amount_line(question, cites, ents)
        deadline = self._deadline_lines(question, cites)
        start_given = parse_user_date(question, default_year=self.today.year) is not None
        computed = [deadline.pop(0)] if deadline and start_given and kind in ("duration", "date") else []
        budget = CONCLUSION_CHARS - sum(len(x) + 1 for x in [*validity, *computed, amount or "", cites[0].scope or ""])
        expanded = self._expand(question)
        support = lambda t: self.evidence.support(expanded, t)  # noqa: E731
        fact: str | None = None
        if budget >= 80:
            fact = self._per_plan_facts(question, cites, budget) \
                or self._part_facts(question, cites, ents, budget, lead.chunk)
            if fact is not None and not amount and kind != "amount":  # an amount is not padded with other titles'
                fact = self._fill(fact, cites[0], support, budget)
            if fact is None:
                if kind == "yesno" and ents:  # the condition asked about, not the title every sentence names
                    rest = fold(expanded)
                    for e in ents:
                        rest = re.sub(r"(?<!\w)" + re.escape(e) + r"(?!\w)", " ", rest)
                    support = lambda t: self.evidence.support(rest, t)  # noqa: E731
                con: Conclusion | None = build_conclusion(question, cites[0].quote, self.types, support, ents, kind,
                                                          budget - 6, subject=self._title_text(question))
                fact = con.text.rstrip(" .;:") + f" [{cites[0].n}]." if con else None
        unstated: str | None = None
        stated = fact and (not ents or title_match(ents, fact)) and any(
            p.search(fact) for p in self.types.answer.get("amount", []))
        if kind == "amount" and not amount and not stated:
            # no cited passage states the amount of the title asked (another title's figure is no answer): refused,
            # with the closest passages
            named = f" của {self.evidence._surface(question, max(ents, key=len))}" if ents else " được hỏi"
            unstated = f"các đoạn tìm được không nêu {SLOT_NAMES['amount']}{named}"
        asked_first = [amount] if amount and kind == "amount" else []
        after = [amount] if amount and kind != "amount" else []
        if fact:
            fact = self._name_this_document(question, fact, cites[0])
        if fact and cites[0].scope and cites[0].scope.startswith("Quy định riêng"):
            fact = f"{cites[0].scope}: {fact}"
        lines = [*validity, *asked_first, *computed, *([fact] if fact else []), *after]
        extra = deadline
        return (" ".join(x for x in lines if x) or None), extra, unstated

    def _per_plan_facts(self, question: str, cites: list[Citation], budget: int) -> str | None:
        """For a question naming two years or localities of plans ('Văn bản 2024 và 2025 của …'): the sentence
        that answers it from each named plan ('<plan>: <sentence> [n]'), the plan's passage cited (searched within
        that plan when none is cited yet)."""
        from assistant.answer.per_document import best_sentence, named_plans

        info = self._analyse(question)
        plans = [m for m in self.knowledge.documents() if m.kind == "plan"]
        groups = named_plans(plans, info.years, info.localities)
        if not groups:
            return None
        # the words that name the plans (their short names, kinds, places, years) do not tell which passage of a plan
        # answers: the plan is searched with the rest
        naming = {w for g in groups for m in g
                  for w in fold(f"{m.short_name or ''} {' '.join((m.title or '').split()[:2])}").split()}
        named_years = re.sub(r"(?<!\w)nam\s+(?=(?:19|20)\d\d(?!\d))", "", fold(self._expand(question)))  # 'năm 2024'
        rest = " ".join(w for w in named_years.split() if w.strip("?,.") not in naming)

        def support(t: str) -> float:
            return self.evidence.support(rest, t)

        share = max(80, budget // len(groups)) - 12
        lines: list[str] = []
        every = [m.source_file for g in groups for m in g]  # one search (one query embedding) for all named plans
        hits = self.knowledge.search(rest, k=4 * len(groups), filters=Filters(source_files=every)) if rest else []
        for group in groups:
            files = [m.source_file for m in group]
            mine = [c for c in cites if c.source_file in files]
            found = [h for h in hits if h.chunk.source_file in files][:2]
            extra = [self._citation(len(cites) + 1, h, question, 500) for h in found
                     if not any(c.source_file == h.chunk.source_file and c.start <= h.chunk.start < c.end
                                for c in mine)]
            picks = [(r, c) for c in [*mine, *extra] if (r := best_sentence(c.quote, support, share - 40))
                     and r[0] >= OPEN_PART_SUPPORT]
            if not picks:
                continue
            (_, text), c = max(picks, key=lambda x: x[0][0])
            if c in extra:  # the plan's best passage was not cited yet
                cites.append(c)
            meta = self.knowledge.doc_meta(c.source_file)
            name = meta.short_name if meta and meta.short_name else c.citation
            lines.append(f"{name}: {text.rstrip(' .;:,…')} [{c.n}].")
        return " ".join(lines) if len(lines) >= 2 else None

    def _part_facts(self, question: str, cites: list[Citation], ents: list[str], budget: int,
                    lead_chunk: Chunk | None = None) -> str | None:
        """For each part of the question that asks a fact of a known kind (a question may ask two: 'do ai quyết
        định, trong thời hạn bao lâu?'), the sentence that states it, from the lead or else a supporting passage,
        or else another passage of the lead's Điều/document (then cited too)."""
        from assistant.answer.conclusion import asked_parts, asks

        asked = [(p, self.types.detect(p)) for p in asked_parts(question, self.types) if asks(p, self.types)]
        parts = [(p, k) for p, k in asked if k and self.types.answer.get(k)]
        lists = any(k in ("components", "criteria") for _, k in asked)
        if len(asked) >= 2 and len(parts) < len(asked) and (parts or not lists):
            # several sub-questions, some not of a kind with a fact pattern ('… xử lý thế nào, trong thời hạn bao
            # lâu?'): each part answered in turn, an open part by the cited passage that answers it best (a question
            # of lists or criteria only keeps the list conclusion of its lead)
            parts = [(p, k or OPEN_PART) for p, k in asked]
        if not parts:
            return None
        whole: dict[str, float] = {}
        if len(parts) == 1 and parts[0][1] == "authority" and ents and lead_chunk is not None:
            listed = self._deciders(question, lead_chunk, cites, ents, budget)
            if listed is None and not self._states_for_title(cites, "authority", ents):
                # no cited passage says who decides the asked title: the article of the corpus that does
                where = self._title_slot_article(question, "authority", ents)
                listed = self._deciders(question, where, cites, ents, budget, single=True) if where else None
            if listed:
                return listed
        if len(parts) == 1 and parts[0][1] == "amount" and len(ents) >= 2:  # the amount of each title asked
            fq = fold(self._title_text(question))
            named = sorted(ents, key=lambda e: fq.find(e) if e in fq else len(fq))
            parts = [(parts[0][0], "amount", e) for e in named]  # type: ignore[misc]
        share = max(80, budget // len(parts)) - 6
        def run(pk: tuple[str, ...], room: int) -> str | None:
            part, kind, *title = pk
            if kind == OPEN_PART or not self.types.answer.get(kind):
                return self._open_part_fact(part, kind, cites, ents, room)
            return self._one_part_fact(question, part, kind, cites, title or ents, room, lead_chunk, whole,
                                       title[0] if title else None)

        lines = [run(pk, share) for pk in parts]
        stated = [pk for pk, line in zip(parts, lines, strict=True) if line]
        if stated and len(stated) < len(parts):  # the parts the passages do not answer leave their room to the others
            share = max(80, budget // len(stated)) - 6
            lines = [run(pk, share) for pk in stated]
        out: list[str] = []
        for line in lines:
            if line and not any(fold(line)[:40] in fold(x) for x in out) \
                    and sum(len(x) + 1 for x in out) + len(line) <= budget:
                out.append(line)
        return " ".join(out) or None

    def _open_part_fact(self, part: str, kind: str, cites: list[Citation], ents: list[str], share: int) -> str | None:
        """A sub-question without a fact pattern ('xử lý thế nào', 'tặng cho đối tượng nào', '… gồm những gì'):
        a list or criteria part by the list/criteria conclusion of the quote matching it best, any other part by the
        cited sentence that matches its own words (the asked title aside) best — the lead on ties; None when none
        matches enough."""
        from assistant.answer.conclusion import (
            _plain,
            _with_continuation,
            is_heading,
            relevant_clauses,
            sentences,
        )

        words = fold(f"{self._expand(part)} {self.knowledge.searcher.normaliser.normalise(part).text}")
        for e in ents:  # the title every passage names does not tell which sentence answers the part
            words = re.sub(r"(?<!\w)" + re.escape(e) + r"(?!\w)", " ", words)

        def support(t: str) -> float:
            return self.evidence.support(words, t)

        best: tuple[float, str, Citation] | None = None
        for c in cites[:MAX_SUPPORTING]:
            if kind in ("components", "criteria"):
                con = build_conclusion(part, c.quote, self.types, support, ents, kind, share,
                                       subject=self._title_text(part))
                cands = [con.text] if con else []
            else:
                sents = [x for x in sentences(c.quote) if not is_heading(x)]
                top = max(sents, key=lambda x: support(fold(x)), default=None)
                cands = [_with_continuation(top, sents, share)] if top else []
            for text in cands:
                if len(text) > share:
                    text = relevant_clauses(_plain(text), share, support)
                score = support(fold(text))
                if score >= OPEN_PART_SUPPORT and (best is None or score > best[0] + 1e-9):
                    best = (score, text, c)
        if best is None:
            return None
        return best[1].rstrip(" .;:,…") + f" [{best[2].n}]."

    def _one_part_fact(self, question: str, part: str, kind: str, cites: list[Citation], ents: list[str],
                       share: int, lead_chunk: Chunk | None, whole: dict[str, float],
                       subject: str | None = None) -> str | None:
        """'<the sentence stating the fact one part asks> [n].', or None when no passage states it (`subject`: the
        one title asked about when the question asks several)."""
        from assistant.answer.conclusion import fact_sentence

        def support(t: str, p: str = part) -> float:
            if t not in whole:
                whole[t] = self.evidence.support(self._expand(question), t)
            return whole[t] + self.evidence.support(self._expand(p), t)

        # the lead first; a supporting passage when the lead lacks the fact, or states it only for a longer
        # title ('Tập thể Lao động tiên tiến' when 'Lao động tiên tiến' is asked) and the other names it exactly
        titles = self._title_names
        subject = subject or self._title_text(part)
        found = [(title_match(ents, f, titles) if ents else 0, -i, f, c) for i, c in enumerate(cites)
                 if (f := fact_sentence(c.quote, kind, self.types, support, ents, share, subject))]
        # a figure stated for another title is not the asked title's: when the question names a title, an
        # amount (any fact, from a supporting passage) must come from a sentence that names it
        found = [x for x in found if not ents or x[0] > 0 or (kind != "amount" and x[1] == 0)]
        if kind == "amount" and ents and lead_chunk is not None and not any(x[0] == 2 for x in found):
            # the cited sentence names the asked title only inside a longer one ('Tập thể Lao động tiên tiến'): the
            # sentence of the lead's Điều that names it exactly
            found = self._exact_title_fact(question, kind, lead_chunk, cites, ents, share) or found
        if lead_chunk is not None and (not found or kind != "amount"):
            # another passage of the lead's Điều states it — or states it in words closer to the question than any
            # sentence of the lead does
            found = self._sibling_fact(question, part, kind, lead_chunk, cites, ents, share, support) or found
        if not found:
            return None
        lead = next((x for x in found if x[1] == 0), None)
        exact = [x for x in found if x[0] == 2]
        pick = (exact[0] if lead and lead[0] == 1 and exact else lead) or max(found, key=lambda x: (x[0], x[1]))
        _, _, fact, c = pick
        return fact.rstrip(" .;:,") + f" [{c.n}]."

    def _states_for_title(self, cites: list[Citation], kind: str, ents: list[str]) -> bool:
        """Whether a cited quote has a sentence naming the asked title exactly and stating the asked kind of fact."""
        from assistant.answer.conclusion import sentences

        pats = self.types.answer.get(kind, [])
        return any(any(p.search(s) for p in pats) and title_match(ents, s, self._title_names) == 2
                   for c in cites for s in sentences(c.quote))

    def _title_slot_article(self, question: str, kind: str, ents: list[str]) -> Chunk | None:
        """The first passage of the corpus article that states the asked kind of fact for the asked title in most
        sentences (verbatim, in force, of the right scope — national unless the question names the province)."""
        from assistant.answer.conclusion import sentences
        from assistant.answer.lead import scope_fits

        ctx = self._lead_context(question)
        pats = self.types.answer.get(kind, [])
        s = self.knowledge.searcher
        groups: dict[tuple[str, str], list[Chunk]] = {}
        for c in s.chunks:
            m = c.meta
            if c.secondary or not c.label.get("dieu") or not any(e in s.folded[s.pos[c.chunk_id]] for e in ents) \
                    or (m and not m.in_force_on(self.today)) or not scope_fits(c, ctx):
                continue
            if any(any(p.search(x) for p in pats) and title_match(ents, x, self._title_names) == 2
                   for x in sentences(c.text)):
                groups.setdefault((c.source_file, c.label["dieu"]), []).append(c)
        if not groups:
            return None
        best = max(groups.values(), key=lambda cs: (len(cs), bool(cs[0].meta and cs[0].meta.level == "trung-uong")))
        return min(best, key=lambda c: c.start)

    def _deciders(self, question: str, lead: Chunk, cites: list[Citation], ents: list[str],
                  budget: int, single: bool = False) -> str | None:
        """Who decides, when several sentences of the lead's Điều name the asked title with a decider (one khoản
        per kind of body): 'A quyết định tặng [1]; B quyết định tặng [2]; …', each verbatim and cited (`single`:
        one such sentence is enough)."""
        from assistant.answer.conclusion import _plain, relevant_clauses

        titles = self._title_names
        holders = slot_holders(lead, self._facts.by_file, self.types.answer.get("authority", []),
                               lambda t: title_match(ents, t, titles) == 2)
        if len({c.chunk_id for c, _, _ in holders}) < (1 if single else 2):
            return None
        items: list[str] = []
        for c, sent, m in holders:
            end = m.end()
            nxt = re.match(r"\s+(?:xét\s+)?tặng\b", sent[end:])
            span = _plain(sent[: end + (nxt.end() if nxt else 0)])
            span = relevant_clauses(span, DECIDER_CHARS, lambda _t: 0.0).rstrip(" …")
            cite = next((x for x in cites if x.source_file == c.source_file and fold(sent[:60]) in fold(x.quote)), None)
            if cite is None:
                cite = self._citation(len(cites) + 1, Hit(chunk=c, score=0.0, rank=0), question, 400)
                cite.quote, cite.start, cite.end = self.evidence.quote(sent, c, self.knowledge.raw_text(c.source_file),
                                                                       400)
                cites.append(cite)
            item = f"{span} [{cite.n}]"
            if sum(len(x) + 2 for x in items) + len(item) > budget:
                break
            items.append(item)
        return "; ".join(items) + "." if len(items) >= (1 if single else 2) else None

    def _exact_title_fact(self, question: str, kind: str, lead: Chunk, cites: list[Citation], ents: list[str],
                          share: int) -> list[tuple[int, int, str, Citation]]:
        """The first sentence of the lead's Điều that names the asked title exactly and states the asked kind of
        fact, cited (its passage appended to `cites` when not cited yet); [] when there is none."""
        from assistant.answer.conclusion import _plain, _trim

        holders = slot_holders(lead, self._facts.by_file, self.types.answer.get(kind, []),
                               lambda t: title_match(ents, t, self._title_names) == 2)
        if not holders:
            return []
        c, sent, m = holders[0]
        cite = next((x for x in cites if x.source_file == c.source_file and sent[:60] in x.quote), None)
        if cite is None:
            cite = self._citation(len(cites) + 1, Hit(chunk=c, score=0.0, rank=0), question, 400)
            cite.quote, cite.start, cite.end = self.evidence.quote(sent, c, self.knowledge.raw_text(c.source_file), 400)
            if sent[:60] not in cite.quote:
                return []
            cites.append(cite)
        plain = _plain(sent)
        fact = _trim(plain, share, re.search(re.escape(m.group(0)), plain))
        return [(2, -(cite.n - 1), fact, cite)]

    def _sibling_fact(self, question: str, part: str, kind: str, lead: Chunk, cites: list[Citation],
                      ents: list[str], share: int, support: Any) -> list[tuple[int, int, str, Citation]]:
        """The asked fact from another passage of the lead's Điều (or document outside articles) when no cited
        passage states it: the sentence holding the asked kind of fact that best matches the question; its passage
        is cited (appended to `cites`, quoted around that sentence)."""
        from assistant.answer.conclusion import _plain, _trim, fact_sentence

        s = self.knowledge.searcher
        expanded = self._expand(f"{question} {part}" if part != question else question)

        def chunk_support(c: Chunk) -> float:
            text = s.folded[s.pos[c.chunk_id]] if c.chunk_id in s.pos else fold(c.embed_text)
            return self.evidence.support(expanded, text)

        # sentences are compared on what the question asks besides the title every passage of the Điều names
        rest = fold(expanded)
        for e in ents:
            rest = re.sub(r"(?<!\w)" + re.escape(e) + r"(?!\w)", " ", rest)
        cited = {(c.source_file, c.start) for c in cites}
        found = best_slot_sentence(lead, sibling_passages(lead, self._facts.by_file, cited),
                                   self.types.answer.get(kind, []), chunk_support,
                                   lambda t: self.evidence.support(rest, t), cites[0].quote)
        if found is None:
            return []
        c = found.chunk
        cite = self._citation(len(cites) + 1, Hit(chunk=c, score=0.0, rank=0), question, 500)
        raw = self.knowledge.raw_text(c.source_file)
        # the quote holds the sentence (and the sentence announcing it)
        cite.quote, cite.start, cite.end = self.evidence.quote(f"{found.lead_in} {found.sentence}", c, raw, 500)
        f = fact_sentence(cite.quote, kind, self.types, lambda t: self.evidence.support(fold(found.sentence), t),
                          ents, share, self._title_text(part))
        if not f or (ents and kind == "amount" and not title_match(ents, f, self._title_names)):
            return []
        lead_in = _plain(found.lead_in)
        if lead_in and fold(lead_in) not in fold(f) and found.lead_in in cite.quote:
            f = _trim(f"{lead_in}: {f}", share)
        cites.append(cite)
        return [(title_match(ents, f, self._title_names) if ents else 0, -(len(cites) - 1), f, cite)]

    def _name_this_document(self, question: str, fact: str, lead: Citation) -> str:
        """'NQ 83/2025/NQ-HĐND TP Hà Nội: Nghị quyết này thay thế …' — a fact that names its own document only as
        '<kind> này' (the words its title starts with) is preceded by the document's name from the index."""
        from assistant.answer.lead import names_document

        meta = self.knowledge.doc_meta(lead.source_file)
        if not meta or not meta.short_name or not meta.title or meta.short_name in fact:
            return fact
        info = self._analyse(question)
        if names_document(meta, info) or (meta.kind == "plan" and meta.year in info.years
                                          and fold(meta.locality or "") in info.localities):
            return fact  # the question names the document already
        kind = " ".join(meta.title.split()[:2])
        for n in (2, 1):  # 'Nghị quyết này', 'Luật này'
            words = " ".join(kind.split()[:n])
            if re.search(r"(?<!\w)" + re.escape(fold(words)) + r"\s+nay(?!\w)", fold(fact)):
                return f"{meta.short_name}: {fact}"
        return fact

    @staticmethod
    def _fill(fact: str, lead: Citation, support: Any, budget: int) -> str:
        """A short fact completed by the lead quote's next most relevant sentence when the opening has room
        (questions often ask two things of one provision)."""
        from assistant.answer.conclusion import _plain, is_heading, sentences

        room = budget - len(fact) - 8
        if room < 60:
            return fact
        have = fold(fact)
        # a sentence that only announces a list ('… đạt các tiêu chuẩn sau đây:') adds nothing on its own
        # nor does a khoản's bare title ('2. Danh hiệu “Tập thể lao động xuất sắc”': no statement, no punctuation)
        cands = [x for x in sentences(lead.quote) if not is_heading(x) and fold(_plain(x))[:40] not in have
                 and not re.search(r"(?:\bsau(?: đây)?|\bgồm)\s*:?\s*$", x.rstrip(" ."))
                 and (re.search(r"[.;:!?)]$", x.strip()) or len(x.split()) >= BARE_TITLE_WORDS)]
        scored = sorted(((support(fold(x)), x) for x in cands), key=lambda t: -t[0])
        for score, x in scored[:3]:
            text = _plain(x)
            if score > 0 and len(text) <= room:
                return f"{fact} {text} [{lead.n}]."
        return fact

    def _title_text(self, question: str) -> str:
        """The question with abbreviations expanded the way search reads it (titles written as the corpus does)."""
        return f"{self._expand(question)} {self.knowledge.searcher.normaliser.normalise(question).text}"

    def _entities(self, question: str) -> list[str]:
        """Folded names of the titles/awards the question is about (abbreviations expanded)."""
        q = self._expand(question)
        ents = {e.split(" ", 2)[-1] if e.startswith("danh hieu ") else e for e in self.evidence.entities(q)}
        ents |= self._analyse(question).titles
        return sorted(e for e in ents if not any(e != o and e in o for o in ents))  # the most specific names

    def _amount_line(self, question: str, cites: list[Citation], ents: list[str]) -> str | None:
        """'Tính theo mức lương cơ sở bạn nêu: 0,3 × 2.340.000 đồng = 702.000 đồng [1]' — the multiplier of the
        asked title in a cited passage, and the rounding rule stated in the same document, if any."""
        from assistant.answer.amounts import compute, multiplier_match, parse_base

        base = parse_base(question)
        if base is None:
            return None
        found = [(m, -i, c) for i, c in enumerate(cites) if (m := multiplier_match(ents, c.quote))]
        if not found:
            return None
        (score, mult), _, c = max(found, key=lambda x: (x[0][0], x[1]))
        unit, note = self._rounding_rule(c, cites)
        a = compute(mult, base, unit or False)
        return f"Tính theo mức lương cơ sở bạn nêu: {a.explanation} [{c.n}]{note}."

    def _rounding_rule(self, c: Citation, cites: list[Citation]) -> tuple[int | None, str]:
        """The rounding unit stated in the multiplier's own document (any of its passages), cited when used."""
        from assistant.answer.amounts import rounding_unit

        for x in cites:
            u = rounding_unit(x.quote)
            if u:
                return u, f" [{x.n}]"
        for ch in self._facts.by_file.get(c.source_file, []):
            u = rounding_unit(ch.text)
            if u:
                hit = Hit(chunk=ch, score=0.0, rank=0)
                extra = self._citation(len(cites) + 1, hit, ch.text, 400)
                cites.append(extra)
                return u, f" [{extra.n}]"
        return None, ""

    def _identity_lines(self, question: str, chosen: list[Hit]) -> list[str]:
        if not has_phrase(fold(question), self.words.identity):
            return []
        m = chosen[0].chunk.meta
        if not m or not m.signed:
            return []
        return [f"{m.short_name}: ngày ký {m.signed.day:02d}/{m.signed.month:02d}/{m.signed.year}."]

    def _names_document(self, question: str) -> bool:
        info = self._analyse(question)
        return bool(info.doc_numbers) or any(fold(n) in info.folded for n in self._facts.plan_numbers)

    def _signer_line(self, question: str, cites: list[Citation]) -> list[str]:
        """'Người ký: CHỦ TỊCH Nguyễn Văn A [n].' — the closing lines of the lead document (its signature block,
        the last passage of the file), for a question that asks who signed it."""
        if self.types.detect(question) != "authority" or not has_phrase(fold(question), self.words.identity):
            return []
        f = cites[0].source_file
        last = max(self._facts.by_file.get(f, []), key=lambda c: c.start, default=None)
        if last is None:
            return []
        lines = [x.strip() for x in last.text.split("\n") if x.strip()]
        if len(lines) < 2 or any(len(x) > 60 or re.search(r"[.;:]$", x) for x in lines[-2:]):
            return []
        c = self._citation(len(cites) + 1, Hit(chunk=last, score=0.0, rank=0), question, 200)
        cites.append(c)
        return [f"Người ký: {lines[-2]} {lines[-1]} [{c.n}]."]

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

    def _refusal(self, question: str, hits: list[Hit], reasons: list[str],
                 missing: list[Missing] | None = None) -> Answer:
        closest = [self._citation(i, h, question, 200) for i, h in enumerate(hits[:3], start=1)]
        warnings = []
        for d in self.knowledge.registry.find_in_text(question):
            w = legal_warning(d, self.knowledge.registry, self.today)
            if w:
                warnings.append(w)
        text = refusal_text(reasons, closest, [m.short for m in missing or []], HOW_TO_ADD)
        if warnings:
            text += "\n\n" + "\n".join(f"⚠️ Lưu ý: {w}" for w in warnings)
        return Answer(answer=text, refused=True, citations=closest, warnings=warnings, mode="refusal",
                      notes=[m.message for m in missing or []])

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
            for p in parts:
                found = table.lookup(" ".join([p, *where, *years]))
                pt = _terms(p) - set(" ".join(where).split())
                top = max((len(pt & _terms(r.metric)) for r in found), default=0)
                for r in found:  # a part asks one target (per plan/year): its best-matching ones
                    if len(pt & _terms(r.metric)) < top:
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


def _unit_head(unit: str) -> str:
    """'tỷ' for 'tỷ đồng' and 'tỷ.đ' (the same unit written two ways)."""
    return (re.findall(r"\w+", fold(unit)) or [""])[0]


@dataclass
class _CorpusFacts:
    """Facts about the indexed corpus computed once per index: plan numbers, localities only plans have, title
    names without their head noun, passages by file."""

    searcher: Any
    plan_numbers: set[str]
    plan_places: set[str]
    title_names: set[str]
    by_file: dict[str, list[Any]]

    @classmethod
    def build(cls, searcher: Any, heads: list[str]) -> _CorpusFacts:
        chunks = searcher.chunks
        plan_numbers = {c.meta.number for c in chunks if c.meta and c.meta.kind == "plan" and c.meta.number}
        plan = {fold(c.meta.locality) for c in chunks if c.meta and c.meta.locality and c.meta.kind == "plan"}
        legal = {fold(c.meta.locality) for c in chunks if c.meta and c.meta.locality and c.meta.kind != "plan"}
        hs = sorted(heads, key=len, reverse=True)
        names = {next((t[len(h) + 1:] for h in hs if t.startswith(h + " ")), t) for t in searcher.titles}
        by_file: dict[str, list[Any]] = {}
        for c in chunks:
            by_file.setdefault(c.source_file, []).append(c)
        return cls(searcher, plan_numbers, plan - legal, names, by_file)


class _LazyRaw(dict):  # type: ignore[type-arg]
    """Raw texts of indexed files, read on first use (the completeness note sits at the top of each file)."""

    def __init__(self, knowledge: Knowledge) -> None:
        super().__init__()
        self.kn = knowledge

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key not in self:
            self[key] = self.kn.raw_text(key)
        return dict.get(self, key, default)
