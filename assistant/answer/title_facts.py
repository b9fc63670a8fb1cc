"""Facts stated for the asked title: who decides it, its exact-title sentence, sibling passages of the lead's Điều."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer.amounts import title_match, without_titles
from assistant.answer.models import Citation
from assistant.answer.siblings import best_slot_sentence, sibling_passages, slot_holders
from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold
from assistant.index.retriever import Hit

DECIDER_CHARS = 130  # one decider of a list of deciders, at most (its first and last clauses, verbatim)
ACTOR_WORDS = 3  # an actor named by fewer words ("Sở", "Ban") is too vague to be matched in a question
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}|[a-zđ])[.)]\s*")  # a khoản's or điểm's number ('3. ', 'b) ')


def _first_line(text: str) -> str:
    """A passage's first line without its khoản's or điểm's number."""
    return _NUMBERED.sub("", text.strip().split("\n")[0])


class TitleFacts:
    """Part of AskService (service.py): facts stated for the asked title: who decides it, its exact-title sentence, sibling passages of the lead's Điều."""

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

    def _asked_actor_fact(self, question: str, lead: Chunk, cites: list[Citation], budget: int) -> str | None:
        """What the actor the question names may decide, when another passage of the lead's Điều gives it ('Chủ tịch
        UBND xã có được ký quyết định tặng CSTĐCS không?' — the lead says who decides that title; the khoản of
        'Chủ tịch Ủy ban nhân dân cấp xã' says what that one decides): its first sentence, verbatim and cited (its
        passage appended to `cites`); None when the question names no actor of the Điều, or the lead is its."""
        from assistant.answer.conclusion import _plain, _trim, actor_clause

        if not lead.label.get("dieu"):
            return None
        asked = fold(self._title_text(question))  # abbreviations written out ('UBND')
        pats = self.types.answer.get("authority", [])

        def actor_named(text: str) -> bool:
            actor = actor_clause(_first_line(text), pats)
            words = fold(actor).split() if actor is not None else []
            words = [w for w in words if w != "cap"]
            return len(words) >= ACTOR_WORDS and bool(
                re.search(r"(?<!\w)" + r"\s+(?:cap\s+)?".join(map(re.escape, words)) + r"(?!\w)", asked))

        if actor_named(lead.text):
            return None
        # a cited passage of the lead's document that names the actor (under "Xem thêm"), else a sibling passage
        cite = next((c for c in cites[1:] if c.source_file == lead.source_file and actor_named(c.quote)), None)
        if cite is not None:
            sent = _first_line(cite.quote)
        else:
            cited = {(c.source_file, c.start) for c in cites}
            sib = next((c for c in sibling_passages(lead, self._facts.by_file, cited) if actor_named(c.text)), None)
            if sib is None:
                return None
            sent = _first_line(sib.text)
            cite = self._citation(len(cites) + 1, Hit(chunk=sib, score=0.0, rank=0), question, 400)
            cite.quote, cite.start, cite.end = self.evidence.quote(sent, sib, self.knowledge.raw_text(sib.source_file),
                                                                   400)
            if fold(sent[:60]) not in fold(cite.quote):
                return None
            cites.append(cite)
        plain = _plain(sent)
        return _trim(plain, budget).rstrip(" .;:,") + f" [{cite.n}]."

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

        # sentences are compared on what the question asks besides the title every passage of the Điều names, and
        # besides the words naming the lead's document (a plan's title, "… chi trả … không dùng tiền mặt", names it
        # in every sentence that recalls what the plan is for, not in the one that answers)
        rest = without_titles(fold(expanded), ents)
        meta = lead.meta
        naming = set(fold(f"{meta.title or ''} {meta.short_name or ''}").split()) if meta else set()
        rest = " ".join(w for w in rest.split() if w.strip("?,.;:") not in naming) or rest
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
