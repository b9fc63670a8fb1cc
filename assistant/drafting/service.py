"""DraftService: prompt → request → outline learned from corpus plans → sections adapted from evidence → verify →
(optional LLM polish) → Draft (+ .md / .docx export)."""

from __future__ import annotations

import re
import threading
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.corpus.models import Chunk
from assistant.corpus.normalize import fold, tokens
from assistant.corpus.registry import LegalDoc, fmt_date
from assistant.drafting import export, places
from assistant.drafting.adapt import (
    Target,
    accented,
    adapt_text,
    build_support,
    has_word,
    strip_marker,
    target_metric,
    unsupported,
)
from assistant.drafting.models import Draft, DraftParagraph, DraftRequest, DraftSection
from assistant.drafting.outline import Outline, PlanDoc, learn_outlines, outline_for, parse_plan
from assistant.drafting.parse import _reform_date, parse_request
from assistant.drafting.roles import ROLE_NAMES, Unit, expected_roles, label_plan, starts_with_body, units_of
from assistant.drafting.vocab import Vocabulary
from assistant.drafting.words import levels, placeholder, words
from assistant.index.retriever import Filters

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
BODY_KEYS = set(ROMAN)
TEMPLATE_SOURCE = "mẫu văn bản: knowledge/drafting.yaml"
AWARD_MARK = "\x00award"  # in a compose call's `seen`: the award line is already placed


class DraftService:
    """Drafting facade used by the CLI, API and bot."""

    def __init__(self, settings: Settings, knowledge: Any, llm: Any = None, today: date | None = None,
                 store: Any = None) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.llm = llm
        self.today = today
        self.store = store
        self.w = words(settings.knowledge_dir)
        self.lv = levels(settings.knowledge_dir)
        self._units: dict[str, list[Unit]] = {}
        self.vocab = Vocabulary([])
        self._lock = threading.Lock()
        self._plans: list[PlanDoc] | None = None
        self._chunks: dict[str, list[Chunk]] = {}
        self._foreign: dict[str, set[str]] = {}

    # ------------------------------------------------------------------------------------------- corpus views
    @property
    def registry(self) -> Any:
        return self.knowledge.registry

    def plans(self) -> list[PlanDoc]:
        if self._plans is None:
            with self._lock:
                if self._plans is None:
                    out = []
                    for m in self.knowledge.documents():
                        if m.kind != "plan":
                            continue
                        raw = self.knowledge.raw_text(m.source_file)
                        if raw:
                            out.append(parse_plan(m, raw, self.w))
                    chunks: dict[str, list[Chunk]] = defaultdict(list)
                    for c in self.knowledge.chunks():
                        if c.meta and c.meta.kind == "plan":
                            chunks[c.source_file].append(c)
                    self._chunks = dict(chunks)
                    self._foreign = self._collect_localities(out)
                    self._units = {p.source_file: units_of(label_plan(p, self.w)) for p in out}
                    texts = [self.knowledge.raw_text(m.source_file) or "" for m in self.knowledge.documents()]
                    self.vocab = Vocabulary(texts)
                    self._plans = out
        return self._plans

    def _collect_localities(self, plans: list[PlanDoc]) -> dict[str, set[str]]:
        """Place names of the corpus (metadata + registry), each with the files it belongs to."""
        names: dict[str, set[str]] = defaultdict(set)
        for m in self.knowledge.documents():
            if m.locality:
                names[fold(m.locality)].add(m.source_file)
        for f, v in (self.registry.plans or {}).items():
            for k in ("locality", "province"):
                if v.get(k):
                    names[fold(str(v[k]))].add(f)
        for d in self.registry.docs:
            if d.locality:
                names[fold(d.locality)].update(d.files)
        return dict(names)

    def corpus_localities(self) -> list[str]:
        self.plans()
        return sorted(self._foreign)

    def _citation(self, source_file: str, start: int) -> str:
        for c in self._chunks.get(source_file, []):
            if c.start <= start < c.end:
                return c.citation
        return source_file

    # ------------------------------------------------------------------------------------------- public API
    def draft(self, prompt: str, section: str | None = None, instruction: str | None = None,
              conversation_id: str | None = None, base: Draft | str | None = None,
              exclude_files: list[str] | None = None, today: date | None = None,
              llm: Any = None) -> Draft:
        """Draft a whole document, or only `section` ("I", "II", … or a kind like "to-chuc"); with `base`, the
        section is regenerated (optionally following `instruction`) and the other sections are kept."""
        today = today or self.today or date.today()
        if isinstance(base, str):
            stored = self.load(base)
            if stored is None:
                d = Draft(draft_id=base, request=DraftRequest(prompt=prompt or ""))
                d.warnings.append(f"Không tìm thấy bản dự thảo “{base}” để soạn lại [draft not found].")
                d.request.errors.append(d.warnings[0])
                return d
            base = stored
        if base is not None and not (prompt or "").strip():
            req = base.request.model_copy(deep=True)
        else:
            req = parse_request(prompt, self.settings, today, self.registry)
        notes: list[str] = []
        if not req.errors and (base is None or (prompt or "").strip()):
            notes = self._understand(req)
        draft = Draft(draft_id=uuid.uuid4().hex, request=req, doc_type=req.doc_type, notes=notes)
        draft.warnings += req.warnings
        draft.questions += req.questions
        if req.errors:
            draft.warnings = list(req.errors) + draft.warnings
            draft.markdown = self.to_markdown(draft)
            return draft
        exclude = list(exclude_files or [])
        tgt = self._target(req, today)
        outline = outline_for(learn_outlines(self.plans(), self.w, set(exclude)), req.doc_type or "ke-hoach", self.w)
        if outline.fallback:
            draft.warnings.append(f"Kho chưa có mẫu loại “{req.doc_type}”: dùng khung của kế hoạch phát động thi đua.")
        ranked = self._rank_plans(req, exclude)
        sections = self._compose(req, tgt, outline, ranked, instruction, section)
        if base is not None and section:
            draft.sections = self._merge(base, sections, section, instruction, tgt, exclude, draft)
            draft.draft_id = base.draft_id
            draft.notes = list(dict.fromkeys(base.notes + draft.notes))
        elif section:
            draft.sections = [s for s in sections if self._section_match(s, section)]
            if not draft.sections:
                draft.warnings.append(f"Không có phần “{section}” trong khung văn bản [unknown section].")
        else:
            draft.sections = sections
        model = llm if llm is not None else self.llm
        if model is not None:
            self._polish(draft, model, tgt, instruction)
        draft.markdown = self.to_markdown(draft)
        if self.store is not None:
            self.store.save_draft(draft.draft_id, conversation_id, draft.request.model_dump(mode="json"),
                                  draft.model_dump(mode="json"))
        return draft

    def _understand(self, req: DraftRequest) -> list[str]:
        """Complete the parsed request from the corpus and the gazetteer: diacritics of names and themes typed
        without them, the province of a commune, an agency's parent body, the assumed issue date. Returns notes."""
        self.plans()
        notes: list[str] = []
        plain = fold(req.prompt) == req.prompt.lower()
        if plain:
            for attr in ("theme", "occasion", "period"):
                val = getattr(req, attr)
                if val:
                    val = self.vocab.restore(val)
                    setattr(req, attr, val[:1].upper() + val[1:] if attr == "theme" else val)
        fp = fold(req.prompt)
        if req.level == "xa" and req.locality:
            cands = places.communes(req.locality, req.unit_word)
            if req.province:
                inside = [c for c in cands if c.province and fold(c.province) == fold(req.province)]
                if cands and not inside:
                    req.warnings.append(f"Theo danh mục đơn vị hành chính sau 01/7/2025, {req.unit_word} "
                                        f"{req.locality} không thuộc {req.province}: xin kiểm tra lại địa danh.")
                cands = inside or cands
            else:
                named = [c for c in cands if c.province and re.search(rf"(?<!\w){re.escape(fold(c.province))}(?!\w)", fp)]
                cands = named or (cands if len(cands) == 1 else [])
            if len(cands) >= 1 and (len({c.province for c in cands}) == 1):
                req.locality = cands[0].name
                req.province = cands[0].province
        elif req.level == "tinh" and req.locality:
            pv = places.province(req.locality)
            if pv:
                req.locality, req.unit_word = pv.name, pv.unit_word if req.unit_word in ("tỉnh", "thành phố") else req.unit_word
        if req.level == "co-quan":
            if req.province:
                pv = places.province(req.province)
                if pv:
                    req.province = pv.name
            if plain and req.issuer:
                req.issuer = self.vocab.restore(req.issuer)
                if req.province and fold(req.province) in fold(req.issuer):  # "… tinh Ninh Binh" in the name
                    i = fold(req.issuer).index(fold(req.province))
                    req.issuer = req.issuer[:i] + req.province + req.issuer[i + len(req.province):]
            if req.locality and fold(req.locality) == fold(req.province or ""):
                req.locality = req.province
            if not req.parent_body and req.agency_key == "so" and req.province:
                pv = places.province(req.province)
                req.parent_body = f"Ủy ban nhân dân {pv.unit_word if pv else 'tỉnh'} {req.province}"
            if not req.parent_body:
                req.questions.append(f"{req.issuer} trực thuộc cơ quan nào (cơ quan chủ quản ghi ở đầu văn bản)?")
            label = next((a["word"] for a in self.w.get("agencies", []) if a["key"] == req.agency_key), "cơ quan")
            if not any(p.meta.level == "co-quan" for p in self.plans()):
                notes.append(f"Kho chưa có kế hoạch mẫu của {label.lower()} (chỉ có kế hoạch của UBND): bản thảo chỉ "
                             f"giữ những đoạn chung không gắn với địa bàn; phần giao nhiệm vụ cho các bộ phận của "
                             f"{req.issuer} cần tự bổ sung.")
            if not self._award_rule(req):
                notes.append(f"Các đoạn luật trong kho không nêu thẩm quyền khen thưởng của người đứng đầu "
                             f"{label.lower()}: hình thức khen thưởng để trống cần bổ sung.")
        if req.locality and req.level != "co-quan" and plain and req.issuer:
            req.issuer = f"UBND {req.unit_word} {req.locality}"
        dated = self._date_notes(req)
        req.warnings += dated  # shown in every channel with the draft
        return notes + dated

    def _date_notes(self, req: DraftRequest) -> list[str]:
        """State the assumed issue date when it decides the legal bases (a past year, a year the bases changed)."""
        if not req.year or not req.plan_date:
            return []
        notes: list[str] = []
        start, end = date(req.year, 1, 1), date(req.year, 12, 31)
        if req.plan_date.year != (self.today or date.today()).year or req.plan_date < start:
            notes.append(f"Giả định ngày ban hành {req.plan_date.day:02d}/{req.plan_date.month:02d}/"
                         f"{req.plan_date.year}: căn cứ pháp lý chọn theo văn bản còn hiệu lực vào ngày đó.")
        at = {d.number for d in self.legal_bases(req.plan_date)}
        for other in (start, end):
            alt = {d.number for d in self.legal_bases(other)}
            if alt != at:
                notes.append(f"Nếu văn bản ban hành ngày {fmt_date(other)}, căn cứ pháp lý là "
                             f"{', '.join(sorted(alt))} thay cho {', '.join(sorted(at - alt)) or '—'} "
                             f"(hiệu lực theo knowledge/registry.yaml).")
        reform = _reform_date(self.registry)
        if req.year == reform.year and req.level in ("xa", "tinh"):
            notes.append(f"Năm {req.year} có cải cách chính quyền hai cấp từ {fmt_date(reform)}: nơi nhận và cơ quan "
                         f"thực hiện trong bản thảo theo ngày ban hành giả định.")
        return notes

    def to_docx(self, draft: Draft, path: str | Path, template: str | Path | None = None) -> Path:
        return export.to_docx(draft, Path(path), template=template, knowledge_dir=self.settings.knowledge_dir)

    def to_markdown(self, draft: Draft) -> str:
        """The draft as Markdown, followed by its drafting notes (assumptions, missing models)."""
        md = export.to_markdown(draft)
        notes = [n for n in draft.notes if n not in draft.warnings]
        if notes:
            md = md.rstrip("\n") + "\n\n" + "\n".join(f"> Ghi chú: {n}" for n in notes) + "\n"
        return md

    def explain(self, draft: Draft) -> str:
        """Each body paragraph with its role and sources (what `tdkt draft --explain` prints)."""
        lines: list[str] = []
        for sec in draft.sections:
            if sec.heading:
                lines.append(f"## {sec.heading}  [{sec.kind or sec.key}]")
            for p in sec.paragraphs:
                if p.style in ("subheading",) or not (p.role or p.sources):
                    continue
                role = ROLE_NAMES.get(p.role or "", p.role or "—")
                lines.append(f"- [{role}] {p.text[:100]}{'…' if len(p.text) > 100 else ''}")
                lines += [f"    nguồn: {x}" for x in p.sources]
        lines += [f"Ghi chú: {n}" for n in draft.notes]
        return "\n".join(lines)

    def load(self, draft_id: str) -> Draft | None:
        """A stored draft by id (None without a store or when unknown)."""
        if self.store is None:
            return None
        found = self.store.get_draft(draft_id)
        return Draft.model_validate(found) if found else None

    # ------------------------------------------------------------------------------------------- internals
    def _merge(self, base: Draft, sections: list[DraftSection], section: str, instruction: str | None,
               tgt: Target, exclude: list[str], draft: Draft) -> list[DraftSection]:
        """The stored draft with one section replaced: an "add …" instruction adds the best whole unit on that
        topic inside the section (before its time/report lines); any other instruction regenerates the section."""
        out = [s.model_copy(deep=True) for s in base.sections]
        target = next((s for s in out if self._section_match(s, section)), None)
        if target is None:
            draft.warnings.append(f"Không có phần “{section}” trong bản dự thảo [unknown section].")
            return out
        shorter, topic = self._instruction(instruction)
        if topic and not shorter:
            have = {fold(p.text) for s in out for p in s.paragraphs}
            add = self._topic_paragraphs(topic, tgt, exclude, expected_roles(target.kind, None, self.w), have)
            if not add:
                target.notes.append(f"Không tìm thấy nội dung về “{topic}” trong kho kế hoạch.")
                draft.warnings.append(f"Không tìm thấy nội dung về “{topic}” trong kho kế hoạch.")
                return out
            same = [i for i, p in enumerate(target.paragraphs) if p.role == add[0].role]
            tail = [i for i, p in enumerate(target.paragraphs) if p.role in ("thoi-gian", "bao-cao")
                    and p.sources and p.sources[0] in ("yêu cầu của người dùng", TEMPLATE_SOURCE)]
            at = same[-1] + 1 if same else tail[0] if tail else len(target.paragraphs)  # next to its own kind
            target.paragraphs[at:at] = add
            return out
        new = next((s for s in sections if s.key == target.key or self._section_match(s, section)), None)
        if new is not None:
            out[out.index(target)] = new
        return out

    @staticmethod
    def _section_match(s: DraftSection, section: str) -> bool:
        k = section.strip().rstrip(".").upper()
        if s.key.upper() == k or (s.kind or "").upper() == k:
            return True
        return len(k) > 4 and fold(s.heading).split(". ", 1)[-1].startswith(fold(section.strip()))

    def _target(self, req: DraftRequest, today: date) -> Target:
        self.plans()
        own = {fold(x) for x in (req.locality, req.province) if x}
        foreign = [n for n in self._foreign if n not in own and not any(n in o or o in n for o in own)]
        reform = _reform_date(self.registry)
        year = req.year or today.year
        prompt_extra = [" ".join(req.targets), req.period or "", req.parent_plan or ""]
        return Target(
            issuer=req.issuer or placeholder("cơ quan ban hành"), unit_word=req.unit_word or "",
            locality=req.locality, level=req.level or "xa", year=year,
            plan_date=req.plan_date or today, province=req.province,
            support=build_support(req.prompt, self.registry, year, prompt_extra),
            foreign=foreign, specific=[re.compile(p) for p in self.w.get("specific_patterns", [])
                                       if not re.search(p, fold(" ".join([req.occasion or "", req.theme or ""])))],
            abolished=[fold(a) for a in self.w.get("abolished_words", [])],
            gone_after_rewrite=[fold(a) for a in self.w.get("abolished_after_adaptation", [])],
            not_at_level=[fold(a) for a in (self.w.get("not_at_level") or {}).get(req.level or "", [])],
            after_reform=(req.plan_date or today) >= reform, own_names=own,
            request_bigrams=_bigrams(req.prompt),
            foreign_bodies=self._foreign_bodies(req, (req.plan_date or today) >= reform),
            forbidden_awards=self._forbidden_awards(req),
            foreign_phrases=[re.compile(x) for x in (self.w.get("foreign_by_type") or {}).get(req.doc_type or "", [])],
            community=[(str(r["from"]), str(r["to"])) for r in
                       (self.lv.get("community_rewrite") or {}).get(req.unit_word or "", [])],
        )

    def _foreign_bodies(self, req: DraftRequest, after_reform: bool) -> list[str]:
        """Words (accented, lower case) of bodies and fields that belong to another level than the issuer's."""
        out: list[str] = []
        for entry in (self.lv.get("foreign") or {}).get(req.level or "", []):
            if entry.get("after_reform_only") and not after_reform:
                continue
            out += [accented(x) for x in entry.get("words", [])]
        for entry in (self.lv.get("foreign_by_unit") or {}).get(req.unit_word or "", []):
            out += [accented(x) for x in entry.get("words", [])]
        for entry in (self.lv.get("foreign_by_agency") or {}).get(req.agency_key or "", []):
            out += [accented(x) for x in entry.get("words", [])]
        return out

    def _forbidden_awards(self, req: DraftRequest) -> list[re.Pattern[str]]:
        """'<form> của Chủ tịch UBND <issuer's unit>' for every form the issuer's head may not give."""
        rule = self._award_rule(req)
        if not rule or req.level == "co-quan":
            return []
        allowed = fold(" ".join(str(f) for f in rule.get("forms", [])))
        unit = fold(req.unit_word or "")
        return [re.compile(rf"{re.escape(n)}[^.;]{{0,60}}(chu tich )?(ubnd|uy ban nhan dan) {re.escape(unit)}\b")
                for n in self.lv.get("award_form_names", []) if n not in allowed]

    def _rank_plans(self, req: DraftRequest, exclude: list[str]) -> list[PlanDoc]:
        """Most similar plans first: same type, same level, then hybrid-search relevance to the request."""
        query = " ".join(x for x in [req.theme or "", req.occasion or "", "phát động phong trào thi đua",
                                     f"năm {req.year}" if req.year else ""] if x)
        score: dict[str, float] = defaultdict(float)
        try:
            hits = self.knowledge.search(query, k=40, filters=Filters(kind="plan", exclude_files=exclude or None))
        except Exception:  # noqa: BLE001 - ranking degrades to type/level only
            hits = []
        for h in hits:
            score[h.chunk.source_file] += 1.0 / (10 + h.rank)
        out = []
        qtok = set(tokens(query, folded=True))
        for p in self.plans():
            if p.source_file in exclude or not p.sections:
                continue
            s = score.get(p.source_file, 0.0)
            ttok = set(tokens(p.meta.title or "", folded=True))
            s += 2.0 * len(qtok & ttok) / max(1, len(qtok | ttok))
            s += 3.0 if p.plan_type == req.doc_type else 0.0
            s += 1.5 if p.meta.level == req.level else 0.0
            s += 0.5 if p.meta.doc_type in ("ke-hoach", "phat-dong") else 0.0
            out.append((s, p.source_file, p))
        out.sort(key=lambda x: (-x[0], x[1]))
        return [p for _, _, p in out]

    def _title_df(self) -> dict[str, int]:
        if not hasattr(self, "_df"):
            df: dict[str, int] = defaultdict(int)
            for p in self.plans():
                for b in _bigrams(p.meta.title or ""):
                    df[b] += 1
            self._df = dict(df)
        return self._df

    def _topic_block(self, p: PlanDoc, tgt: Target) -> set[str]:
        """Word pairs of the source plan's title that are specific to it (in no other plan title) and absent from
        the request: passages about them belong to that plan's own topic (e.g. an election, cashless payments)."""
        df = self._title_df()
        return {b for b in _bigrams(p.meta.title or "") if df.get(b, 0) < 2 and b not in tgt.request_bigrams}

    def _adapt(self, p: PlanDoc, text: str, tgt: Target) -> str | None:
        """One paragraph of plan p rewritten for the target, whole or None."""
        reg = (self.registry.plans or {}).get(p.source_file, {})
        m = re.search(r"\b(xã|phường|đặc khu|huyện|tỉnh|thành phố|thị xã)\b", p.meta.issuer or "")
        txt = adapt_text(text, p.meta.locality, p.meta.level, p.meta.year, reg.get("province"), tgt,
                         self._topic_block(p, tgt), src_unit=m.group(1) if m else None)
        if not txt or len(txt) > int(self.w.get("max_chars_per_paragraph", 900)):
            return None
        return self.vocab.fix_typos(txt)

    def _para(self, p: PlanDoc, para: Any, tgt: Target) -> DraftParagraph | None:
        txt = self._adapt(p, para.text, tgt)
        if not txt or txt.endswith(":"):
            return None
        return DraftParagraph(text=txt, style="item", sources=[self._citation(p.source_file, para.start)])

    def _unit(self, p: PlanDoc, u: Unit, tgt: Target) -> list[DraftParagraph] | None:
        """A whole unit for the target: its lead (subject) and the bullets that survive adaptation; None when the
        lead does not, when no bullet does, or when an assignment has no subject."""
        role = u.role
        out: list[DraftParagraph] = []
        if any(it.text.rstrip().endswith(":") for it in u.items) and u.lead is not None:
            return None  # a nested list flattened by the source layout: its sub-leads would lose their bullets
        if u.lead is not None and re.search(r"\S\s+[a-zđ]\)\s", u.lead.text):
            return None  # two headings run together by a page break ("… tỉnh a) Đối với tập thể:")
        if u.lead is not None:
            lead = self._adapt(p, u.lead.text, tgt)
            if not lead:
                return None
            lead = lead.rstrip(".;") + ":" if not lead.endswith(":") else lead
            out.append(DraftParagraph(text=lead, style="body", role=role,
                                      sources=[self._citation(p.source_file, u.lead.start)]))
        for it in u.items:
            if u.lead is None and role == "giao-nhiem-vu" and not it.lead and not starts_with_body(it.text, self.w):
                return None  # an assignment bullet without the body it assigns
            txt = self._adapt(p, it.text, tgt)
            if not txt or (txt.endswith(":") and u.lead is None):
                if u.lead is None:
                    return None
                continue
            if u.lead is None and it.lead and role == "giao-nhiem-vu":
                subj = self._adapt(p, it.lead, tgt)
                if not subj:
                    return None
                out.append(DraftParagraph(text=subj.rstrip(".;:") + ":", style="body", role=role,
                                          sources=[self._citation(p.source_file, it.start)]))
            out.append(DraftParagraph(text=txt, style="item", role=role,
                                      sources=[self._citation(p.source_file, it.start)]))
        if not out or (u.lead is not None and len(out) < 2):
            return None
        return out

    def _fill(self, ranked: list[PlanDoc], roles: list[str], tgt: Target, limit: int,
              seen: set[str]) -> list[DraftParagraph]:
        """Whole units of the given roles, most similar plans (same type and level) first, no duplicates."""
        out: list[DraftParagraph] = []
        n = 0
        for p in ranked:
            for u in self._units.get(p.source_file, []):
                if u.role not in roles or n >= limit:
                    continue
                paras = self._unit(p, u, tgt)
                if not paras:
                    continue
                keys = [fold(x.text)[:80] for x in paras]
                if any(k in seen for k in keys if len(k) > 30):
                    continue
                seen.update(keys)
                out += paras
                n += 1
            if n >= limit:
                break
        return out

    def _targets(self, req: DraftRequest, ranked: list[PlanDoc], tgt: Target) -> list[DraftParagraph]:
        out = [DraftParagraph(text=f"({i}) {t}.", style="item", sources=["yêu cầu của người dùng"])
               for i, t in enumerate(req.targets, start=1)]
        if req.targets:
            return out
        val = placeholder(str(self.w.get("target_placeholder_value", "giá trị")))
        if req.level == "co-quan":  # the corpus targets are a territory's socio-economic indicators
            return [DraftParagraph(text=placeholder(f"chỉ tiêu thi đua của {req.issuer or 'cơ quan'}"), style="item",
                                   sources=[TEMPLATE_SOURCE])]
        seen: set[str] = set()
        for p in ranked:
            for s in p.sections:
                for part in s.parts:
                    if part.kind != "chi tieu":
                        continue
                    breakdown = False  # the items after "…: Trong đó:" break the previous target down
                    for para in part.paras:
                        if breakdown and len(para.text) < 60:
                            continue
                        breakdown = fold(para.text).rstrip().endswith("trong do:")
                        m = target_metric(para.text)
                        m = m and self.vocab.fix_typos(m)
                        for frm, to in tgt.community:  # "thôn" → "tổ dân phố" in a phường
                            m = m and re.sub(rf"(?<![\w]){re.escape(frm)}(?![\w])", to, m)
                        if not m or fold(m) in seen or len(out) >= 8:
                            continue
                        if any(n in fold(m) for n in tgt.foreign) or unsupported(m, tgt.support) or \
                                has_word(accented(m), tgt.foreign_bodies):
                            continue
                        if tgt.locality is None and re.search(r"\b(huyện|tỉnh|xã)\b", m):
                            pass
                        seen.add(fold(m))
                        out.append(DraftParagraph(text=f"({len(out) + 1}) {m}: {val}.", style="item",
                                                  sources=[self._citation(p.source_file, para.start)]))
            if out:
                break
        if not out:
            out.append(DraftParagraph(text=placeholder("chỉ tiêu thi đua"), style="item", sources=[TEMPLATE_SOURCE]))
        return out

    def _instruction(self, instruction: str | None) -> tuple[bool, str | None]:
        if not instruction:
            return False, None
        f = fold(instruction)
        ins = self.w.get("instructions", {})
        shorter = any(k in f for k in ins.get("shorter", []))
        topic = None
        m = re.search(r"(them noi dung|bo sung noi dung|them|bo sung)\s+(ve\s+)?(.+)$", f)
        if m:
            topic = instruction[m.start(3):m.end(3)].strip(" .")
        return shorter, topic

    def _topic_paragraphs(self, topic: str, tgt: Target, exclude: list[str],
                          roles: list[str] | None = None, have: set[str] | None = None) -> list[DraftParagraph]:
        """The whole corpus unit that best covers `topic` (its words, diacritic-folded), adapted to the target;
        units of the given roles first."""
        phrase = fold(self.vocab.restore(topic)).strip()
        words_ = [x for x in phrase.split() if len(x) > 1]
        if not words_:
            return []
        scored = []
        for p in self.plans():
            if p.source_file in exclude:
                continue
            for u in self._units.get(p.source_file, []):
                text = fold(" ".join(x.text for x in ([u.lead] if u.lead else []) + u.items))
                hit = sum(1 for x in words_ if re.search(rf"(?<!\w){re.escape(x)}(?!\w)", text))
                if phrase in text and (not roles or u.role in roles):  # the phrase, in a unit of the section's role
                    bonus = 0
                    scored.append((-(hit + bonus), len(text), p, u))
        scored.sort(key=lambda x: (x[0], x[1]))
        for _, _, p, u in scored:
            got = self._unit(p, u, tgt)
            if got and phrase in fold(" ".join(x.text for x in got)) and not any(
                    fold(x.text) in (have or set()) for x in got):
                return got
        return []

    def _compose(self, req: DraftRequest, tgt: Target, outline: Outline, ranked: list[PlanDoc],
                 instruction: str | None, only: str | None) -> list[DraftSection]:
        w = self.w
        year = tgt.year
        ph = placeholder
        typ = req.doc_type or "ke-hoach"
        spec = (w.get("doc_types") or {}).get(typ, {})
        shorter, topic = self._instruction(instruction)
        limit = int(w.get("max_units_per_part", 3))
        if shorter:
            limit = 1
        unit = req.unit_word or ""
        issuer = req.issuer or ph("cơ quan ban hành")
        issuer_full = (f"Ủy ban nhân dân {unit} {req.locality}" if req.level in ("xa", "tinh", "huyen")
                       and req.locality else issuer)
        sections: list[DraftSection] = []
        # ---- header
        hdr: list[DraftParagraph] = []
        if req.level == "co-quan":
            parent = req.parent_body or ph("cơ quan chủ quản")
            hdr.append(DraftParagraph(text=parent.upper(), style="issuer-parent",
                                      sources=["yêu cầu của người dùng" if req.parent_body else TEMPLATE_SOURCE]))
            hdr.append(DraftParagraph(text=issuer.upper(), style="issuer"))
        elif req.locality:
            hdr.append(DraftParagraph(text=str(w.get("ubnd", "ỦY BAN NHÂN DÂN")), style="issuer"))
            hdr.append(DraftParagraph(text=f"{unit} {req.locality}".upper(), style="issuer"))
        else:
            hdr.append(DraftParagraph(text=ph("cơ quan ban hành").upper(), style="issuer"))
        hdr.append(DraftParagraph(text=str(w["national_motto"]), style="motto"))
        hdr.append(DraftParagraph(text=str(w["motto"]), style="motto-sub"))
        org = "UBND"
        if req.level == "co-quan":
            org = "…"
        sym = spec.get("symbol", "KH")
        number = f"Số: /{org}" if sym == "UBND" else f"Số: /{sym}-{org}"
        hdr.append(DraftParagraph(text=number, style="number"))
        if typ == "giao-uoc":
            hdr.append(DraftParagraph(text=f"V/v đăng ký giao ước thi đua năm {year}", style="vv"))
        place = req.locality or ph("địa danh")
        hdr.append(DraftParagraph(text=str(w["date_line"]).format(place=place, year=year), style="date"))
        occasion = req.occasion or req.theme or ph("tên đợt thi đua")
        title = str((w.get("titles") or {}).get(typ, "{year}")).format(year=year, occasion=occasion)
        if typ != "giao-uoc":
            hdr.append(DraftParagraph(text=str(spec.get("title_word", "KẾ HOẠCH")), style="doctype"))
            hdr.append(DraftParagraph(text=title, style="title"))
        sections.append(DraftSection(key="header", heading="", paragraphs=hdr))
        # ---- opening: recipient, legal bases, parent plan, context, theme
        op: list[DraftParagraph] = []
        if typ == "giao-uoc":
            op.append(DraftParagraph(text=f"Kính gửi: {req.recipient or ph('cụm trưởng/khối trưởng thi đua')}.",
                                     style="recipient"))
        for d in self.legal_bases(tgt.plan_date):
            op.append(DraftParagraph(text=self._basis_line(d), style="basis",
                                     sources=[f"registry: {d.number} ({', '.join(d.files) or d.basis})"]))
        if req.parent_plan:
            op.append(DraftParagraph(text=str(w["parent_sentence"]).format(parent_plan=req.parent_plan),
                                     style="body", sources=["yêu cầu của người dùng"]))
        for p in ranked[:3]:
            ctx = [x for x in p.opening if _context_paragraph(x.text)]
            done = False
            for para in ctx[:2]:
                dp = self._para(p, para, tgt)
                if dp and "chủ đề" not in dp.text.lower():
                    dp.style = "body"
                    op.append(dp)
                    done = True
                    break
            if done:
                break
        theme = req.theme or ph("chủ đề thi đua")
        occ_phrase = f"đợt thi đua {req.occasion or req.theme or ph('tên đợt thi đua')} năm {year}"
        ts = str((w.get("theme_sentence") or {}).get(typ, "")).format(
            issuer_full=issuer_full, year=year, theme=theme, occasion_phrase=occ_phrase)
        if ts:
            op.append(DraftParagraph(text=ts, style="body", sources=["yêu cầu của người dùng"]))
        sections.append(DraftSection(key="opening", heading="", paragraphs=op))
        # ---- body sections from the learned outline
        seen: set[str] = set()
        kinds = [sp.kind for sp in outline.sections]
        award_kind = next((k for k in ("khen-thuong", "to-chuc") if k in kinds), None)
        for i, sp in enumerate(outline.sections):
            key = ROMAN[i] if i < len(ROMAN) else str(i + 1)
            sec = DraftSection(key=key, heading=f"{key}. {sp.heading}", kind=sp.kind)
            sec.notes.append(f"Khung mục học từ {len(outline.basis)} kế hoạch trong kho (tỷ lệ có mục: "
                             f"{sp.share:.0%}).")
            if only and not self._section_match(sec, only):
                sections.append(sec)
                continue
            sub_kinds = {k for k, _ in sp.subs}
            slots = [(sk, disp) for sk, disp in sp.subs] or [(None, "")]
            for j, (sk, disp) in enumerate(slots, start=1):
                if sk is not None:
                    sec.paragraphs.append(DraftParagraph(text=f"{j}. {disp}", style="subheading"))
                n_units = int((w.get("max_units_by_kind") or {}).get(sp.kind, limit)) if not shorter else limit
                sec.paragraphs += self._slot(req, tgt, ranked, sp.kind, sk, disp or sp.heading, n_units, seen)
            if sp.kind == "noi-dung" and req.targets and "chi tieu" not in sub_kinds:
                sec.paragraphs.append(DraftParagraph(text="Chỉ tiêu thi đua:", style="subheading"))
                sec.paragraphs += self._targets(req, ranked, tgt)
            if sp.kind == "doi-tuong" and not any(p.role == "thoi-gian" for p in sec.paragraphs):
                sec.paragraphs.append(self._period_line(req))
            if sp.kind == "to-chuc":
                if req.level == "co-quan":
                    sec.paragraphs = [p for p in sec.paragraphs if not (p.sources == [TEMPLATE_SOURCE]
                                                                        and p.text.startswith("[nội dung"))]
                    sec.paragraphs.insert(0, DraftParagraph(
                        text=ph(f"nhiệm vụ của các bộ phận, đơn vị thuộc {issuer}"), style="body",
                        role="giao-nhiem-vu", sources=[TEMPLATE_SOURCE]))
                office = str((w.get("office_by_level") or {}).get(req.level or "xa", "")).format(unit_word=unit)
                for line in w.get("schedule", []):
                    sec.paragraphs.append(DraftParagraph(text=line.format(
                        period=req.period or ph("thời gian thực hiện"), office=office,
                        deadline=ph("hạn báo cáo"), issuer_short=issuer), style="item",
                        role="thoi-gian" if "{period}" in line else "bao-cao",
                        sources=["yêu cầu của người dùng" if req.period else TEMPLATE_SOURCE]))
            if sp.kind == award_kind and AWARD_MARK not in seen:  # in "tổ chức thực hiện": the head's power
                seen.add(AWARD_MARK)
                sec.paragraphs += self._award_lines(req, "khen-thuong" if sp.kind == "khen-thuong"
                                                    else "giao-nhiem-vu")
            sections.append(sec)
        # ---- closing, recipients, signature
        cl: list[DraftParagraph] = []
        own_type = [p for p in ranked if p.plan_type == typ]
        typed = (w.get("closing_by_type") or {}).get(typ)
        for p in (own_type if typed else ranked)[:3]:
            for para in p.closing:
                dp = self._para(p, para, tgt)
                if dp:
                    dp.style, dp.role = "body", "ket-thuc"
                    if not dp.text.endswith("./."):
                        dp.text = dp.text.rstrip(".") + "./."
                    cl.append(dp)
                    break
            if cl:
                break
        if not cl:
            fb = str(typed or w.get("closing_fallback", ""))
            cl.append(DraftParagraph(text=fb.format(title_lower=title[:1].lower() + title[1:], issuer=issuer,
                                                    year=year), style="body", role="ket-thuc",
                                     sources=[TEMPLATE_SOURCE]))
        sections.append(DraftSection(key="closing", heading="", paragraphs=cl))
        rec = [r.format(unit_word=unit, issuer=issuer) for r in (w.get("recipients_first") or {}).get(typ, [])]
        rec += [r.format(unit_word=unit, issuer=issuer) for r in (w.get("recipients") or {}).get(req.level or "xa", [])]
        if not tgt.after_reform:
            swap = (w.get("recipients_before_reform") or {}).get(req.level or "", {})
            rec = [swap.get(r, r) for r in rec]
        for frm, to in tgt.community:
            rec = [re.sub(rf"(?<![\w]){re.escape(frm)}(?![\w])", to, r) for r in rec]
        rec = list(dict.fromkeys(rec))
        sections.append(DraftSection(key="recipients", heading="Nơi nhận:", paragraphs=[
            DraftParagraph(text=f"- {r}" + ("" if r.endswith(".") else ";"), style="recipient-item") for r in rec]))
        sig = self._signature(req)
        sections.append(DraftSection(key="signature", heading="", paragraphs=[
            DraftParagraph(text=s, style="signature") for s in sig]))
        return sections

    def _slot(self, req: DraftRequest, tgt: Target, ranked: list[PlanDoc], kind: str, sk: str | None,
              disp: str, limit: int, seen: set[str]) -> list[DraftParagraph]:
        """Paragraphs for one outline slot: the user's own data where the slot holds it (theme, targets, period),
        else whole corpus units of the slot's roles, else a visible placeholder."""
        roles = expected_roles(kind, sk, self.w)
        if sk == "chi tieu" or roles == ["chi-tieu"]:
            out: list[DraftParagraph] = []
            intro = str(self.w.get("targets_intro", "")).format(year=tgt.year)
            if intro and not req.targets:
                out.append(DraftParagraph(text=intro, style="body", role="chi-tieu", sources=[TEMPLATE_SOURCE]))
            by_level = sorted(ranked, key=lambda p: p.meta.level != tgt.level)  # stable: same level first
            for dp in self._targets(req, by_level, tgt):
                dp.role = "chi-tieu"
                out.append(dp)
            return out
        if roles == ["chu-de"]:
            return [DraftParagraph(text=f"“{req.theme}”." if req.theme else placeholder("chủ đề thi đua"),
                                   style="body", role="chu-de", sources=["yêu cầu của người dùng"])]
        if roles == ["thoi-gian"]:
            return [self._period_line(req)]
        award: list[DraftParagraph] = []
        if "khen-thuong" in roles and AWARD_MARK not in seen:
            seen.add(AWARD_MARK)
            award = self._award_lines(req)
        got = self._fill(ranked, roles, tgt, limit, seen)
        if got or award:
            return award + got
        return [DraftParagraph(text=placeholder(f"nội dung “{disp.strip().capitalize()}”"), style="body",
                               role=roles[0] if roles else None, sources=[TEMPLATE_SOURCE])]

    def _period_line(self, req: DraftRequest) -> DraftParagraph:
        return DraftParagraph(text=f"Thời gian thực hiện: {req.period or placeholder('thời gian thực hiện')}.",
                              style="item", role="thoi-gian",
                              sources=["yêu cầu của người dùng" if req.period else TEMPLATE_SOURCE])

    def _award_rule(self, req: DraftRequest) -> dict[str, Any] | None:
        forms = self.lv.get("award_forms") or {}
        if req.level == "co-quan":
            return forms.get(req.agency_key or "")
        return forms.get(req.level or "")

    def _award_lines(self, req: DraftRequest, role: str = "khen-thuong") -> list[DraftParagraph]:
        """The award forms the issuer's head may give, from the law's provisions in the corpus (levels.yaml)."""
        rule = self._award_rule(req)
        if not rule:
            return [DraftParagraph(text=placeholder("hình thức khen thưởng theo thẩm quyền của người đứng đầu "
                                                    f"{req.issuer or 'cơ quan'}"), style="item",
                                   role=role, sources=[TEMPLATE_SOURCE])]
        unit = f"{req.unit_word} {req.locality}" if req.level != "co-quan" and req.locality else (req.unit_word or "")
        head = str(rule.get("head", "")).format(unit_word=unit).strip()
        if req.level == "co-quan" and req.issuer:
            head = str(rule.get("head", "")).replace("Sở", req.issuer)
        forms = [str(f).format(unit_word=req.unit_word or "") for f in rule.get("forms", [])]
        text = str(self.w.get("award_sentence", "")).format(
            head=head, forms=", ".join(forms), provision=str(rule.get("provision", "")).format(
                unit_word=req.unit_word or ""))
        return [DraftParagraph(text=text, style="item", role=role,
                               sources=[f"{rule.get('article', '')} {rule.get('provision', '')}".strip(),
                                        f"knowledge/levels.yaml award_forms: {rule.get('basis', '')}"])]

    def _signature(self, req: DraftRequest) -> list[str]:
        sw = self.w.get("signature", {})
        name = req.signer or sw.get("name_placeholder", "[Họ và tên]")
        if req.level == "co-quan":
            ag = next((a for a in self.w.get("agencies", []) if a["word"] == req.unit_word), None)
            head = ag["head"] if ag else "THỦ TRƯỞNG"
            deputy = ag["deputy"] if ag else "PHÓ THỦ TRƯỞNG"
            key = "agency_deputy" if req.signer_capacity == "deputy" else "agency_head"
            lines = [x.format(head=head, deputy=deputy) for x in sw.get(key, [])]
        else:
            lines = list(sw.get("ubnd_deputy" if req.signer_capacity == "deputy" else "ubnd_head", []))
        return lines + [name]

    def legal_bases(self, on: date) -> list[LegalDoc]:
        """Legal bases for a plan dated `on`: the registry's central-level law texts on emulation and commendation
        in force on that date (an expired one cited by corpus plans is replaced by its in-force successor)."""
        out: list[LegalDoc] = []
        for d in self.registry.docs:
            if d.level != "trung-uong" or d.doc_type not in ("luat", "nghi-dinh", "thong-tu"):
                continue
            if "thi đua" not in (d.title or "").lower() and "thi đua" not in (d.short_name or "").lower():
                continue
            if not d.in_force_on(on):
                continue
            if d.doc_type == "nghi-dinh" and "chi tiết" not in (d.title or "") and "hướng dẫn" not in (d.title or ""):
                continue
            out.append(d)
        order = {"luat": 0, "nghi-dinh": 1, "thong-tu": 2}
        out.sort(key=lambda d: (order.get(d.doc_type, 9), d.number))
        return out

    @staticmethod
    def _basis_line(d: LegalDoc) -> str:
        kind = {"luat": "Luật", "nghi-dinh": "Nghị định", "thong-tu": "Thông tư"}.get(d.doc_type, "")
        s = f"Căn cứ {d.title} số {d.number}" if d.doc_type == "luat" else f"Căn cứ {kind} số {d.number}"
        if d.signed:
            s += f" ngày {fmt_date(d.signed)}"
        if d.doc_type != "luat":
            s += f" của {d.issuer}"
            rest = (d.title or "")
            for pre in ("Nghị định ", "Thông tư "):
                if rest.startswith(pre):
                    rest = rest[len(pre):]
            if rest:
                s += f" {rest[0].lower()}{rest[1:]}"
        return s + ";"

    # ------------------------------------------------------------------------------------------- LLM polish
    def _polish(self, draft: Draft, model: Any, tgt: Target, instruction: str | None) -> None:
        from assistant.drafting.llm_polish import polish_section

        draft.mode = "llm"
        for sec in draft.sections:
            if sec.key not in BODY_KEYS or not sec.paragraphs:
                continue
            polish_section(sec, model, tgt, self.settings, instruction)


def _bigrams(text: str) -> set[str]:
    toks = [t for t in tokens(text, folded=True) if not any(c.isdigit() for c in t)]
    return {f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)}


def _context_paragraph(text: str) -> bool:
    """An opening paragraph that sets the context (not a title, source note, basis or theme sentence)."""
    letters = [c for c in text if c.isalpha()]
    if len(text) < 120 or not letters or sum(c.isupper() for c in letters) > 0.3 * len(letters):
        return False
    f = fold(text)
    if "chu de" in f or "ngu lieu" in f or "nguon:" in f or re.match(r"^(ke hoach|cong dien|quyet dinh) \d", f):
        return False
    return not f.startswith(("can cu", "thuc hien", "de ", "kinh gui", "so:"))


def grounded_text(sec: DraftSection) -> str:
    return "\n".join(strip_marker(p.text) for p in sec.paragraphs)
