"""Paragraph roles of the corpus plans: every paragraph/bullet of a plan labelled (mục đích, yêu cầu, chủ đề, nội
dung, chỉ tiêu, đối tượng, thời gian, tiêu chí, khen thưởng, a body's assignment, reporting, closing …) from its heading
path AND its content, grouped into whole units (a lead such as "Sở Nội vụ:" with its bullets)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.corpus.normalize import fold
from assistant.drafting.outline import Para, PlanDoc

ROLES = ["can-cu", "mo-dau", "chu-de", "muc-dich", "yeu-cau", "noi-dung", "chi-tieu", "doi-tuong", "thoi-gian",
         "tieu-chi", "khen-thuong", "giao-nhiem-vu", "giai-phap", "bao-cao", "ket-thuc", "khac"]
ROLE_NAMES = {
    "can-cu": "căn cứ", "mo-dau": "mở đầu", "chu-de": "chủ đề/khẩu hiệu", "muc-dich": "mục đích",
    "yeu-cau": "yêu cầu", "noi-dung": "nội dung thi đua", "chi-tieu": "chỉ tiêu", "doi-tuong": "đối tượng",
    "thoi-gian": "thời gian", "tieu-chi": "tiêu chí thi đua", "khen-thuong": "tiêu chuẩn/hình thức khen thưởng",
    "giao-nhiem-vu": "giao nhiệm vụ cho cơ quan", "giai-phap": "nhiệm vụ, giải pháp chung", "bao-cao": "chế độ báo cáo",
    "ket-thuc": "kết thúc", "khac": "khác",
}
_BULLET = re.compile(r"^\s*[-–•+*]\s*")
_MARK = re.compile(r"^\s*(?:\(?\d{1,2}\)|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\))\s*")


@dataclass
class LabeledParagraph:
    """One paragraph/bullet of a corpus plan with its role, heading path and unit (lead + its bullets)."""

    source_file: str
    text: str
    start: int
    role: str
    section_kind: str | None = None
    sub_kind: str | None = None
    heading_path: tuple[str, ...] = ()
    unit: int = 0
    is_lead: bool = False
    lead: str | None = None  # the text of the unit's lead (subject) when this is one of its bullets
    plan_type: str | None = None
    level: str | None = None


@dataclass
class Unit:
    """A whole unit to copy: a lead (or a single paragraph) and its bullets, all of one role."""

    source_file: str
    role: str
    lead: LabeledParagraph | None
    items: list[LabeledParagraph] = field(default_factory=list)


def is_bullet(text: str) -> bool:
    return bool(_BULLET.match(text))


def _is_lead(text: str, nxt: str | None) -> bool:
    t = text.strip()
    if t.endswith(":") and (nxt is None or is_bullet(nxt) or len(t) < 220):
        return True
    if len(t) > 220 or nxt is None or not is_bullet(nxt) or is_bullet(t):
        return False
    core = _MARK.sub("", t)
    return not core.rstrip().endswith((".", ";")) or fold(core).startswith("doi voi")


def _is_heading_item(text: str, nxt: str | None) -> bool:
    """A marked item that is only a heading ("a) Thủ tục, hồ sơ đề nghị khen thưởng cấp Nhà nước"): short, no end
    punctuation, followed by an unmarked paragraph that carries its content."""
    t = text.strip()
    return (bool(_MARK.match(t)) and len(t) < 120 and not t.endswith((".", ";", ":", "./.")) and nxt is not None
            and not _MARK.match(nxt) and not is_bullet(nxt))


def _is_caption(text: str) -> bool:
    """A stray heading fragment ("THI ĐUA") or a bare marker: nothing to copy."""
    letters = [c for c in text if c.isalpha()]
    return len(text) < 60 and (not letters or sum(c.isupper() for c in letters) > 0.8 * len(letters))


def _cue(words: dict[str, Any], key: str) -> list[str]:
    return list((words.get("role_cues") or {}).get(key, []))


def starts_with_body(text: str, w: dict[str, Any]) -> bool:
    """The paragraph names who acts first ("Sở Nội vụ chủ trì …", "Đề nghị Ủy ban MTTQ …", "Các cơ quan …")."""
    f = fold(_MARK.sub("", _BULLET.sub("", text)))
    return any(f.startswith(s) for s in _cue(w, "body_subjects"))


def content_role(text: str, section_kind: str | None, sub: str | None, w: dict[str, Any],
                 lead: str | None = None) -> str:
    """Role of a paragraph from its heading path (section kind, sub-heading kind) and its own words."""
    f = fold(_MARK.sub("", _BULLET.sub("", text)))
    if any(f.startswith(c) for c in _cue(w, "time_starts")):
        return "thoi-gian"
    if any(f.startswith(c) for c in _cue(w, "target_group_starts")):
        return "doi-tuong"
    if section_kind == "to-chuc":
        if "bao cao" in f and any(c in f for c in _cue(w, "report_words")) and not lead:
            return "bao-cao"
        if lead or starts_with_body(text, w):
            return "giao-nhiem-vu"
        return "giai-phap"
    by_sub = (w.get("role_by_sub") or {})
    if sub and sub in by_sub:
        return str(by_sub[sub])
    if section_kind in ("doi-tuong", "khen-thuong") and any(c in f for c in _cue(w, "award_words")):
        return "khen-thuong"
    by_section = (w.get("role_by_section") or {})
    return str(by_section.get(section_kind or "", "khac"))


def label_plan(plan: PlanDoc, w: dict[str, Any]) -> list[LabeledParagraph]:
    """Every paragraph of the plan with its role, heading path and unit, in document order."""
    out: list[LabeledParagraph] = []
    unit = 0
    common = {"plan_type": plan.plan_type, "level": plan.meta.level, "source_file": plan.source_file}
    for p in plan.opening:
        f = fold(p.text)
        role = ("can-cu" if f.startswith(("can cu", "thuc hien")) else
                "chu-de" if "chu de" in f else "mo-dau")
        unit += 1
        out.append(LabeledParagraph(text=p.text, start=p.start, role=role, unit=unit, **common))
    for s in plan.sections:
        for part in s.parts:
            path = tuple(x for x in (s.heading, part.heading) if x)
            part_lead = part.heading if part.kind is None and part.heading else None
            paras: list[Para] = part.paras
            lead_text: str | None = None
            lead_role: str | None = None
            lead_heading = False  # the lead is a marked heading without punctuation ("a) Thủ tục, hồ sơ …")
            if part_lead and paras:  # a body's sub-heading ("Sở Nội vụ") is the subject of its bullets
                unit += 1
                lead_text = part_lead
                lead_role = content_role(part_lead + ":", s.kind, None, w, part_lead)
                out.append(LabeledParagraph(text=part_lead.rstrip(":") + ":", start=paras[0].start, role=lead_role,
                                            section_kind=s.kind, sub_kind=part.kind, heading_path=path, unit=unit,
                                            is_lead=True, **common))
            for i, para in enumerate(paras):
                nxt = paras[i + 1].text if i + 1 < len(paras) else None
                bullet = is_bullet(para.text)
                under_heading = lead_heading and not _MARK.match(para.text)
                if lead_text is not None and (bullet or lead_text == part_lead or under_heading):
                    out.append(LabeledParagraph(text=para.text, start=para.start, role=lead_role or "khac",
                                                section_kind=s.kind, sub_kind=part.kind, heading_path=path,
                                                unit=unit, lead=lead_text, **common))
                    continue
                unit += 1
                if _is_lead(para.text, nxt) or _is_heading_item(para.text, nxt):
                    lead_heading = _is_heading_item(para.text, nxt)
                    lead_text = para.text
                    lead_role = content_role(para.text, s.kind, part.kind, w, part_lead)
                    if s.kind == "to-chuc" and starts_with_body(para.text, w):
                        lead_role = "giao-nhiem-vu"
                    out.append(LabeledParagraph(text=para.text, start=para.start, role=lead_role,
                                                section_kind=s.kind, sub_kind=part.kind, heading_path=path,
                                                unit=unit, is_lead=True, lead=part_lead, **common))
                    continue
                lead_text = None
                lead_heading = False
                role = content_role(para.text, s.kind, part.kind, w, part_lead)
                if _is_caption(para.text):
                    role = "khac"
                out.append(LabeledParagraph(text=para.text, start=para.start, role=role, section_kind=s.kind,
                                            sub_kind=part.kind, heading_path=path, unit=unit, lead=part_lead,
                                            **common))
    for p in plan.closing:
        unit += 1
        out.append(LabeledParagraph(text=p.text, start=p.start, role="ket-thuc", unit=unit, **common))
    return out


def units_of(labeled: list[LabeledParagraph]) -> list[Unit]:
    """Group labelled paragraphs into whole units (a lead with its bullets, or one paragraph)."""
    out: list[Unit] = []
    by_id: dict[int, Unit] = {}
    for lp in labeled:
        u = by_id.get(lp.unit)
        if u is None:
            u = Unit(lp.source_file, lp.role, lp if lp.is_lead else None)
            by_id[lp.unit] = u
            out.append(u)
            if lp.is_lead:
                continue
        u.items.append(lp)
    return out


def expected_roles(section_kind: str | None, sub: str | None, w: dict[str, Any]) -> list[str]:
    """Roles that may fill an outline slot (section kind, sub-heading kind), best first."""
    slots = w.get("slot_roles") or {}
    if sub and f"{section_kind}/{sub}" in slots:
        return list(slots[f"{section_kind}/{sub}"])
    return list(slots.get(section_kind or "", []))
