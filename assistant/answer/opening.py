"""The opening of a grounded answer: the asked fact of each question part, from verbatim cited sentences."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer.amounts import occurrences, title_match, without_titles
from assistant.answer.conclusion import _QUOTE_MARKS, Conclusion, build_conclusion
from assistant.answer.deadlines import explain_deadline, find_deadlines, parse_user_date
from assistant.answer.evidence import SLOT_NAMES, has_phrase
from assistant.answer.grounded import MAX_SUPPORTING
from assistant.answer.models import Citation
from assistant.answer.validity import (
    reform_notes,
    validity_conclusion,
)
from assistant.answer.verify import extract_citations
from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold
from assistant.corpus.registry import as_date, norm_number
from assistant.index.retriever import Filters, Hit

CORE_CHARS = 40  # the start of a fact line compared with the others; a shorter line is never taken as held


def _holds(line: str, other: str) -> bool:
    """Whether a fact line already holds another's start (folded, without its citation marker)."""
    core = fold(re.sub(r"\s*\[\d+\]\.?$", "", other))[:CORE_CHARS]
    return len(core) >= CORE_CHARS // 2 and core in fold(line)


def _cited_by(fact: str, cites: list[Citation]) -> list[Citation]:
    """The citations a fact line marks ([n]), in citation order."""
    used = set(extract_citations(fact))
    return [c for c in cites if c.n in used]


# validity asked, not only mentioned ("… đang có hiệu lực thì …"): a validity word closely followed by an interrogative
_VALIDITY_ASKED = re.compile(r"(?<!\w)(?:hieu luc|ap dung|thay the|bai bo)(?:\W+\w+){0,3}?\W+"
                             r"(?:khong|chua|nao|bao gio)(?!\w)")
_FIRST_SENTENCE = re.compile(r"(?<=\])\.\s+")  # where an opening's first cited sentence ends ('… [2]. ')
BARE_TITLE_WORDS = 10  # a line without final punctuation and shorter than this is a title, not a statement
VALUE_KINDS = ("count", "duration", "date")  # kinds of fact that are a value: an answer without one says nothing
OPEN_PART = "open"  # a sub-question of no known kind ('… tặng cho đối tượng nào')
OPEN_PART_SUPPORT = 0.3  # the share of an open part's own words its answer must match


class OpeningFacts:
    """Part of AskService (service.py): the opening of a grounded answer: the asked fact of each question part, from verbatim cited sentences."""

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
        if kind == "yesno" and self.types.asks_type(question, "criteria"):
            kind = "criteria"  # 'có đủ điều kiện … không?' without the asker's facts: the conditions are the answer
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
                fact = self._fill(fact, cites[0], support, budget,  # never with another title's sentence
                                  lambda x: self._may_state(x, ents))
            if fact is None:
                if kind == "yesno" and ents:  # the condition asked about, not the title every sentence names
                    rest = without_titles(fold(expanded), self._titles_only(ents))
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
            named = f" của {self.evidence._surface(self._expand(question), max(ents, key=len))}" if ents else " được hỏi"
            unstated = f"các đoạn tìm được không nêu {SLOT_NAMES['amount']}{named}"
        unstated = unstated or self._value_unstated(question, kind, fact, cites, bool(computed)) \
            or self._abolished_authority(question, kinds, fact) \
            or self._criteria_unstated(question, kind, ents) \
            or self._other_title_unstated(question, kind, ents, fact, cites) \
            or self._excluded_case(question, kind, fact) or self._expired_instead(question, fact, cites)
        asked_first = [amount] if amount and kind == "amount" else []
        after = [amount] if amount and kind != "amount" else []
        actor = None
        if kinds & {"authority", "yesno"} and fact and not unstated:
            # the actor the question names, when another khoản of the lead's Điều says what it decides: first
            actor = self._asked_actor_fact(question, lead.chunk, cites, max(80, budget - len(fact)))
        if fact:
            fact = self._name_this_document(question, fact, cites[0])
        if fact and cites[0].scope and cites[0].scope.startswith("Quy định riêng"):
            fact = f"{cites[0].scope}: {fact}"
        lines = [*validity, *asked_first, *computed, *([actor] if actor else []), *([fact] if fact else []), *after]
        extra = deadline
        return (" ".join(x for x in lines if x) or None), extra, unstated

    def _value_unstated(self, question: str, kind: str | None, fact: str | None, cites: list[Citation],
                        computed: bool) -> str | None:
        """Why a question of one part asking a number, a time limit or a date is not answered: neither its opening
        nor any cited passage states a value of that kind ('… mấy Bằng khen?' answered by a list of forms). A
        document's own date (asked as 'ban hành ngày nào') comes from the registry, not from a passage."""
        from assistant.answer.conclusion import asked_parts, asks

        if kind not in VALUE_KINDS or computed or has_phrase(fold(question), self.words.identity):
            return None
        if sum(asks(p, self.types) for p in asked_parts(question, self.types)) != 1:
            return None
        pats = self.types.answer.get(kind, [])
        if not pats or any(p.search(x) for p in pats for x in [fact or "", *(c.quote for c in cites)]):
            return None
        return f"các đoạn tìm được không nêu {SLOT_NAMES[kind]}"

    def _criteria_unstated(self, question: str, kind: str | None, ents: list[str]) -> str | None:
        """Why a question asking the criteria or conditions of a title is not answered: no passage of the corpus
        states them for that title (it is only listed, or named in another document's name); None otherwise."""
        if kind not in ("criteria", "components") or not ents or not has_phrase(fold(question), self.types.criteria_marks):
            return None
        name = self.evidence.known_title(ents) or self._listed_name(ents)
        asked_folded = fold(self._expand(question))
        aliased = self.evidence.aliased_titles(asked_folded)
        # any title the question names (the asked one may not be the longest: "… đã được CSTĐ cơ sở, tiêu chuẩn
        # CSTĐ cấp tỉnh …"), in any wording of the rule table
        # (names of three words or more: "hồ sơ", quoted as a term in the corpus, is no title)
        named = [n for e in ents if (n := self.evidence.known_title([e])) and len(n.split()) >= 3]
        names = [name, *named, *self.evidence.alias_wordings(asked_folded)]
        if not name or any(self.evidence.criteria_stated(n) for n in names if n):
            return None
        asked = aliased[0][0] if aliased and aliased[0][1] == name else name
        return f"kho văn bản không có đoạn nêu tiêu chuẩn, điều kiện của “{self.evidence._surface(self._expand(question), asked)}”"

    def _abolished_authority(self, question: str, kinds: set[str | None], fact: str | None) -> str | None:
        """Why who decides is not answered: the asker speaks of the units a reform abolished ("không còn UBND
        huyện"), asks who decides now, and the passages give the decision to that abolished level (the reform of
        the registry, with its date)."""
        markers = self.words.local_gov
        if "authority" not in kinds or not fact or not has_phrase(fold(question), markers) \
                or not has_phrase(fold(fact), markers):
            return None
        if not reform_notes(question, self.knowledge.registry, self.today, markers):
            return None
        when = min(as_date(r["date"]) for r in self.knowledge.registry.reforms if r.get("date"))
        if any(int(y) < when.year for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", question)):
            return None  # asked of a time before the reform: the passages answer it
        # … or of what a document signed before it says ("Theo KH 21/KH-UBND ngày 03/02/2025 …, cơ quan nào …")
        from assistant.answer.lead import names_document

        info = self._analyse(question)
        if any(m.signed and m.signed < when and names_document(m, info) for m in self.knowledge.documents()):
            return None
        level = self.evidence._surface(fact, max((m for m in markers if has_phrase(fold(fact), [m])), key=len))
        return (f"các đoạn tìm được giao việc này cho {level}, không còn từ {when:%d/%m/%Y} theo sắp xếp chính "
                "quyền địa phương; kho chưa có văn bản quy định lại thẩm quyền này")

    def _listed_name(self, ents: list[str]) -> str | None:
        """An asked name whose words after the head noun the corpus writes, maybe only as an item of a coordination
        ("xã tiêu biểu" in "Danh hiệu xã, phường, đặc khu tiêu biểu"), the longest; None when there is none."""
        listed = []
        for e in ents:
            bare = self.evidence.without_head(e)
            if len(bare.split()) >= 2 and not bare.startswith("cua ") and self.evidence.in_corpus(bare, coordinated=True):
                listed.append(e)
        return max(listed, key=len) if listed else None

    def _other_title_unstated(self, question: str, kind: str | None, ents: list[str], fact: str | None,
                              cites: list[Citation]) -> str | None:
        """Why a fact of the asked kind is no answer: each passage it cites is from a document that never names the
        asked title and whose name is another title's ("trước ngày 31 tháng 3" of the rules of “Công dân Thủ đô ưu
        tú”, asked of “Công dân danh dự Thủ đô”); None otherwise."""
        if kind not in SLOT_NAMES or kind == "amount" or not ents or not fact:
            return None
        name = self.evidence.known_title(ents)
        if not name:
            return None
        names = [name, *self.evidence.alias_wordings(fold(self._expand(question)))]
        others: list[tuple[str, str]] = []
        for c in _cited_by(fact, cites):
            if any(occurrences(n, fold(ch.text)) for ch in self._facts.by_file.get(c.source_file, []) for n in names):
                return None  # the document speaks of the asked title
            head = fold(c.doc_title or "")
            other = [t for t in self.evidence.titles_in_order
                     if len(t.split()) >= 3 and t != name and name not in t and t not in name and occurrences(t, head)]
            if not other:
                return None
            others.append((c.doc_title or "", max(other, key=len)))
        if not others:
            return None
        text, other = others[0]
        return (f"các đoạn tìm được nêu {SLOT_NAMES[kind]} của “{self.evidence._surface(text, other)}”, không phải "
                f"của “{self.evidence._surface(self._expand(question), name)}”")

    def _excluded_case(self, question: str, kind: str | None, fact: str | None) -> str | None:
        """Why a stated value is no answer: the sentence stating it leaves out the very case asked about ("… trước 10
        ngày (trừ khen thưởng đột xuất)" asked of khen thưởng đột xuất); None otherwise, and for a yes/no question
        (there the exclusion is the answer)."""
        if not fact or kind not in SLOT_NAMES or self.types.exclusion is None:
            return None
        fq = fold(question)
        for m in self.types.exclusion.finditer(fact):
            case = (m.group(1) or m.group(2)).strip()
            words = [w for w in fold(case).split() if len(w) > 1]
            said = re.compile(r"(?<!\w)" + re.escape(" ".join(words)) + r"(?!\w)")
            if len(words) >= 2 and said.search(fq) and len(said.findall(fold(fact))) == 1:  # not stated elsewhere
                return f"quy định tìm được loại trừ “{case}”, đúng trường hợp được hỏi"
        return None

    def _expired_instead(self, question: str, fact: str | None, cites: list[Citation]) -> str | None:
        """Why a fact is no answer to a question on what a document in force says ("Theo NĐ 152/2025 …"): every
        passage its first sentence (what is asked; others complete it) cites is of an expired document the question
        does not name — its rule may not be the current one; None otherwise, and for questions on the documents
        themselves (validity, date, signer)."""
        f = fold(question)
        if not fact or _VALIDITY_ASKED.search(f) or has_phrase(f, self.words.identity):
            return None
        named = self.knowledge.registry.find_in_text(question)
        current = [d for d in named if d.files and d.in_force_on(self.today)]
        cited = _cited_by(_FIRST_SENTENCE.split(fact, 1)[0], cites)
        if not current or not cited or any(c.in_force for c in cited):
            return None
        numbers = {norm_number(d.number) for d in named}
        if any(norm_number(c.doc_number or "") in numbers for c in cited):
            return None  # the question names the expired document too: it asks what that one said
        was = self.knowledge.registry.by_number(cited[0].doc_number or "")
        old = (was.short_name or was.number) if was else (cited[0].doc_number or cited[0].citation)
        return (f"các đoạn tìm được không nêu điều này trong {current[0].short_name or current[0].number}; chỉ thấy "
                f"trong {old}, văn bản đã hết hiệu lực")

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
                found = self._open_part_fact(part, kind, cites, ents, room)
                listed = kind in ("criteria", "components") or self.types.asks_type(part, "criteria")
                if found is None and listed and len(parts) > 1:
                    # a part that names nothing of its own ("… còn cần điều kiện gì nữa?"): the list of the subject
                    # the whole question asks about
                    found = self._open_part_fact(question, "criteria", cites, ents, room)
                if found is None and listed and ents and title_match(ents, cites[0].quote):
                    # the lead quote is the asked title's own provision: its list, however few words the asker's
                    # story shares with it
                    con = build_conclusion(question, cites[0].quote, self.types, lambda t: 0.0, ents, "criteria",
                                           room, subject=self._title_text(question))
                    found = con.text.rstrip(" .;:,…") + f" [{cites[0].n}]." if con else None
                return found
            # words that ask either of two kinds ("thời hạn": a length of time or a deadline): the other when the
            # passages state none of the first
            kinds = [kind, *(k for k in self.types.also_asked(part) if k != kind and self.types.answer.get(k))]
            return next((f for k in kinds if (f := self._one_part_fact(question, part, k, cites, title or ents, room,
                                                                        lead_chunk, whole, title[0] if title else None))),
                        None)

        lines = [run(pk, share) for pk in parts]
        stated = [pk for pk, line in zip(parts, lines, strict=True) if line]
        if stated and len(stated) < len(parts):  # the parts the passages do not answer leave their room to the others
            share = max(80, budget // len(stated)) - 6
            lines = [run(pk, share) for pk in stated]
        out: list[str] = []
        for line in lines:
            if not line or any(_holds(x, line) for x in out):
                continue
            kept = [x for x in out if not _holds(line, x)]  # a later list that holds an earlier fact replaces it
            if sum(len(x) + 1 for x in kept) + len(line) <= budget:
                out = [*kept, line]
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
            list_subject,
            relevant_clauses,
            sentences,
        )

        # the title every passage names does not tell which sentence answers the part
        words = without_titles(fold(f"{self._expand(part)} {self.knowledge.searcher.normaliser.normalise(part).text}"),
                               self._titles_only(ents))

        def support(t: str) -> float:
            return self.evidence.support(words, t)

        # a list whose head names the noun whose parts are asked ("Hồ sơ … gồm:" for "hồ sơ gồm những gì") answers
        # before a list of something else that merely mentions it ("Nhiệm vụ … gồm: Quy định hồ sơ …")
        subject = list_subject(part) if kind in ("components", "criteria") else None
        best: tuple[int, int, int, float, str, Citation] | None = None
        for i, c in enumerate(cites):
            if kind in ("components", "criteria"):
                con = build_conclusion(part, c.quote, self.types, support, ents, kind, share,
                                       subject=self._title_text(part))
                cands = [con.text] if con else []
            else:
                sents = [x for x in sentences(c.quote) if not is_heading(x)]
                sents = [x for x in sents if self._may_state(x, ents)]
                top = max(sents, key=lambda x: support(fold(x)), default=None)
                cands = [_with_continuation(top, sents, share)] if top else []
            for text in cands:
                if len(text) > share:
                    text = relevant_clauses(_plain(text), share, support)
                score = support(fold(text))
                # a list is the asked title's own when one is given (the list of another title is none)
                own = int(bool(ents) and kind in ("components", "criteria") and bool(title_match(ents, text)))
                if i >= MAX_SUPPORTING and not own:  # a later passage only for the asked title's own list
                    continue
                heads = int(bool(subject) and subject in fold(text.split(":", 1)[0]))
                # a province's own rule answers only when nothing of the question's scope does
                fits = int(not (c.scope or "").startswith("Quy định riêng"))
                if (score >= OPEN_PART_SUPPORT or own) and (
                        best is None or (own, fits, heads, score) > (best[0], best[1], best[2], best[3] + 1e-9)):
                    best = (own, fits, heads, score, text, c)
        if best is None:
            return None
        return best[4].rstrip(" .;:,…") + f" [{best[5].n}]."

    def _may_state(self, sentence: str, ents: list[str]) -> bool:
        """Whether a sentence may state a fact of the asked titles: it names one, or is not about another title."""
        return not ents or bool(title_match(ents, sentence)) or not self._about_other_title(sentence, ents)

    def _about_other_title(self, sentence: str, ents: list[str]) -> bool:
        """Whether a sentence (one that does not name the asked titles) is about another title: it opens with a
        title's head noun or a title of the corpus ("b) Danh hiệu “Tập thể lao động xuất sắc” được tặng …"), not
        merely names one ("Khai từ Giấy khen cấp sở …")."""
        head = re.sub(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*\.|[-+•])\s*", "", fold(_QUOTE_MARKS.sub("", sentence)).strip())
        if any(head.startswith(h + " ") for h in self.words.heads):  # "Danh hiệu xã, phường … tiêu biểu được …"
            return True
        return any(head.startswith(t) for t in self._title_names if not any(t in e or e in t for e in ents))

    def _one_part_fact(self, question: str, part: str, kind: str, cites: list[Citation], ents: list[str],
                       share: int, lead_chunk: Chunk | None, whole: dict[str, float],
                       subject: str | None = None) -> str | None:
        """'<the sentence stating the fact one part asks> [n].', or None when no passage states it (`subject`: the
        one title asked about when the question asks several)."""
        from assistant.answer.conclusion import fact_sentence

        # sentences are told apart by what the question asks besides the title they all name (the title is the
        # first key of the choice)
        asked_q = without_titles(fold(self._expand(question)), self._titles_only(ents))
        asked_p = without_titles(fold(self._expand(part)), self._titles_only(ents))

        def support(t: str) -> float:
            if t not in whole:
                whole[t] = self.evidence.support(asked_q, t)
            return whole[t] + self.evidence.support(asked_p, t)

        # the lead first; a supporting passage when the lead lacks the fact, or states it only for a longer
        # title ('Tập thể Lao động tiên tiến' when 'Lao động tiên tiến' is asked) and the other names it exactly
        titles = self._title_names
        subject = subject or self._title_text(part)
        if ents and not any(occurrences(e, fold(subject)) for e in ents):
            subject = self._title_text(question)  # the part names no title ('… thì mức tiền thưởng là bao nhiêu'): the question's
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
    def _fill(fact: str, lead: Citation, support: Any, budget: int, keep: Any = None) -> str:
        """A short fact completed by the lead quote's next most relevant sentence when the opening has room
        (questions often ask two things of one provision); `keep`: which sentences may complete it."""
        from assistant.answer.conclusion import _plain, _with_continuation, is_heading, sentences

        room = budget - len(fact) - 8
        if room < 60:
            return fact
        have = fold(fact)
        # a sentence that only announces a list ('… đạt các tiêu chuẩn sau đây:') adds nothing on its own
        # nor does a khoản's bare title ('2. Danh hiệu “Tập thể lao động xuất sắc”': no statement, no punctuation)
        cands = [x for x in sentences(lead.quote) if not is_heading(x) and fold(_plain(x))[:40] not in have
                 and not re.search(r"(?:\bsau(?: đây)?|\bgồm)\s*:?\s*$", x.rstrip(" ."))
                 and (re.search(r"[.;:!?)]$", x.strip()) or len(x.split()) >= BARE_TITLE_WORDS)
                 and (keep is None or keep(x))]
        scored = sorted(((support(fold(x)), x) for x in cands), key=lambda t: -t[0])
        sents = sentences(lead.quote)
        for score, x in scored[:3]:
            text = _plain(x)
            if x.rstrip().endswith(":"):  # a lead-in ('Đối với khen thưởng tổng kết năm:') says nothing without
                # the statement it announces
                text = _with_continuation(x, sents, room)
                if text == _plain(x) or _holds(text, fact):
                    continue  # nothing announced, or only the fact already stated
            if score > 0 and len(text) <= room:
                return f"{fact} {text} [{lead.n}]."
        return fact

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
