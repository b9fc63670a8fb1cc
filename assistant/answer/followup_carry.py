"""Follow-up carry: a follow-up question made self-contained with the previous turn's subject."""

from __future__ import annotations

from typing import Any

from assistant.answer.evidence import has_phrase
from assistant.answer.followup import (
    Subject,
    carry_subject,
    expand_abbreviations,
    subject_of,
    with_subject,
)
from assistant.corpus.normalize import fold


class FollowupCarry:
    """Part of AskService (service.py): follow-up carry: a follow-up question made self-contained with the previous turn's subject."""

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
