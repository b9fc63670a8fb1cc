"""The grounded answer: lead passage, supporting citations, warnings, the document facts (date, signer)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.answer.amounts import title_match
from assistant.answer.compose import grounded_text
from assistant.answer.conclusion import (
    asked_labels,
    asked_parts,
    asks,
    asks_label,
    label_pattern,
    list_subject,
)
from assistant.answer.evidence import has_phrase
from assistant.answer.lead import LeadContext, choose_lead, scope_label
from assistant.answer.missing import Missing
from assistant.answer.models import Answer, Citation
from assistant.answer.siblings import passages_by_file
from assistant.answer.validity import (
    amendment_note,
    doc_warning,
    legal_warning,
    reform_notes,
)
from assistant.corpus.normalize import fold
from assistant.corpus.structure import SIGNATURE_SECTION
from assistant.index.retriever import Filters, Hit

MAX_SUPPORTING = 3


class GroundedAnswer:
    """Part of AskService (service.py): the grounded answer: lead passage, supporting citations, warnings, the document facts (date, signer)."""

    def _citation(self, n: int, hit: Hit, question: str, max_chars: int = 700,
                  names: list[str] | None = None) -> Citation:
        c = hit.chunk
        info = self._analyse(question)
        raw = self.knowledge.raw_text(c.source_file)
        quote, s, e = self.evidence.quote(question, c, raw, max_chars, names or ())
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
        kind = self.types.detect(question)
        subject = list_subject(self.knowledge.searcher.normaliser.strip_fillers(question)) \
            if kind == "components" else None
        ents = self._entities(question)
        labels = [label_pattern(n) for n in asked_labels(question)] if asks_label(kind, ents) else []
        return LeadContext(info, names_plan, self.today, ents, facts.title_names,
                           self.types.answer.get(kind or "", []), subject,
                           about_document=has_phrase(fold(question), self.words.identity), criteria=kind == "criteria",
                           residual_markers=self.words.residual, labels=labels)

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
        ents = self._entities(question)  # a list of titles is quoted around the point of the asked one
        # the lead, and a passage of the asked title's own, are quoted at length (its list whole)
        cites = [self._citation(i, h, question, 1000 if i == 1 or (ents and title_match(ents, h.chunk.text)) else 500,
                                ents) for i, h in enumerate(chosen, start=1)]
        warnings = self._warnings(question, cites[:1], hits, conversation_id)
        validity_lines = [f"⚠️ Lưu ý: {w}" for w in warnings]
        conclusion, extra, unstated = self._conclusion(question, cites, hits, chosen[0],
                                                       [m.short for m in missing or []])
        if unstated and not missing:
            return self._refusal(question, hits, [unstated], missing)
        signer = self._signer_line(question, cites)
        identity = self._identity_lines(question, chosen)
        if signer or (identity and self._names_document(question)):
            # a question about the document itself (its date, its signer): the registry/header fact first, then what
            # else the question asks
            rest = (conclusion or "") if not signer or self._asks_more(question) else ""
            conclusion = " ".join([*identity, *signer, rest]).strip()
        else:
            extra += identity
        text = grounded_text(cites, validity_lines, extra, conclusion=conclusion)
        return Answer(answer=text, conclusion=conclusion, citations=cites, warnings=warnings,
                      mode="deadline" if any(x.startswith("Thời hạn") for x in [conclusion or "", *extra])
                      else "grounded")

    def _title_text(self, question: str) -> str:
        """The question with abbreviations expanded the way search reads it (titles written as the corpus does)."""
        return f"{self._expand(question)} {self.knowledge.searcher.normaliser.normalise(question).text}"

    def _entities(self, question: str) -> list[str]:
        """Folded names of the titles/awards the question is about (abbreviations expanded)."""
        q = self._expand(question)
        ents = {e.split(" ", 2)[-1] if e.startswith("danh hieu ") else e for e in self.evidence.entities(q)}
        ents |= self._analyse(question).titles
        if not ents:  # the question part names no title: the asker's story before it does ("… công nhận CSTĐCS.
            # Tiền thưởng bao nhiêu lần lương cơ sở?"): its title is the subject, never another title's figure
            story = self.knowledge.searcher.normaliser.normalise(question).story
            ents = set(self._analyse(story).titles) if story else set()
        # a title asked in a rule-table wording is the same title in each wording the corpus writes ("cờ thi đua
        # cấp tỉnh": "cờ thi đua của bộ, ban, ngành, tỉnh" in the Law, "cờ thi đua của ủy ban nhân dân tỉnh" in a
        # province's regulation)
        ents |= set(self.evidence.alias_wordings(fold(q)))
        return sorted(e for e in ents if not any(e != o and e in o for o in ents))  # the most specific names

    def _titles_only(self, ents: list[str]) -> list[str]:
        """The entities that name titles: a term the texts define ("hồ sơ", "văn bản") is what is asked about,
        not a title every passage names."""
        return [e for e in ents if e not in self.knowledge.searcher.defined_terms]

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

    def _asks_more(self, question: str) -> bool:
        """Whether a question asks, beside its document's identity (signer, date), another fact."""
        return any(asks(p, self.types) and not has_phrase(fold(p), self.words.identity)
                   for p in asked_parts(question, self.types))

    def _signer_line(self, question: str, cites: list[Citation]) -> list[str]:
        """'Người ký: CHỦ TỊCH Nguyễn Văn A [n].' — the closing lines of the lead document (its signature block,
        the last passage of the file), for a question that asks who signed it."""
        if not any(self.types.detect(p) == "authority" and has_phrase(fold(p), self.words.identity)
                   for p in [question, *asked_parts(question, self.types)]):
            return []
        passages = self._facts.by_file.get(cites[0].source_file, [])
        # the closing block the chunker labelled (an appendix may follow it), else the file's last passage
        closing = [c for c in passages if c.label.get("section") == SIGNATURE_SECTION] or passages
        last = max(closing, key=lambda c: c.start, default=None)
        if last is None:
            return []
        lines = [x.strip() for x in last.text.split("\n") if x.strip()]
        block = lines[-2:]  # the capacity and the name, on two short lines or on one
        limit = SIGNER_LINE_CHARS if len(block) == 2 else 2 * SIGNER_LINE_CHARS
        if not block or any(len(x) > limit or re.search(r"[.;:]$", x) for x in block):
            return []
        if len(block) == 1 and not _capacity_and_name(block[0]):
            return []
        c = self._citation(len(cites) + 1, Hit(chunk=last, score=0.0, rank=0), question, 200)
        cites.append(c)
        return [f"Người ký: {' '.join(block)} [{c.n}]."]


SIGNER_LINE_CHARS = 60  # a line of a signature block is short: a capacity ("KT. CHỦ TỊCH") or a name


def _capacity_and_name(line: str) -> bool:
    """Whether one line holds a signer's capacity in capitals and a name ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Thị …")."""
    words = re.findall(r"\w+", line)
    caps = any(a.isupper() and b.isupper() and len(a) > 1 and len(b) > 1 for a, b in zip(words, words[1:], strict=False))
    return caps and bool(words) and words[-1][:1].isupper() and not words[-1].isupper()


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
        return cls(searcher, plan_numbers, plan - legal, names, passages_by_file(chunks))
