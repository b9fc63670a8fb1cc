"""Eligibility checker: the asker's facts against the rule table (knowledge/rules.yaml), condition by condition:
met, not met or unknown — never a guess — each condition with its provision and verbatim quote."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from assistant.answer.conclusion import CONCLUSION_CHARS, fit_conditions
from assistant.answer.facts import FactReader, Facts
from assistant.answer.models import Answer, Citation
from assistant.corpus.normalize import fold

Status = Literal["met", "not_met", "unknown"]
NAMED_CONDITIONS = 2  # open conditions named by their provision in the opening when there are at most this many
MIN_MET_WORDS = 30  # the fewest characters a met condition's words are shown in; with less room, its provision
STATUS_LABEL = {"met": "Đạt", "not_met": "Chưa đạt", "unknown": "Chưa xác định"}
STATUS_MARK = {"met": "✅", "not_met": "❌", "unknown": "❔"}
JUDGEMENT = "điều kiện này do cơ quan, đơn vị xem xét, đánh giá; không suy ra được từ thông tin bạn nêu"


class ConditionResult(BaseModel):
    """One condition of a title, evaluated against the asker's facts."""

    id: str
    provision: str
    quote: str = Field(description="Verbatim text of the condition (whitespace of hard-wrapped sources joined).")
    source_file: str
    start: int
    end: int
    status: Status
    reason: str
    secondary: bool = Field(False, description="Quote taken from a reworded secondary citation (Phụ lục B).")
    n: int = Field(0, description="Number of its citation in the answer.")


class EligibilityResult(BaseModel):
    """The checker's verdict for one title."""

    title: str
    title_name: str
    status: Status
    conclusion: str
    answer: str
    scope: str
    conditions: list[ConditionResult]
    citations: list[Citation]
    facts: dict[str, Any]
    notes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list, description="Validity of the documents relied on.")


@dataclass
class Outcome:
    status: Status
    reason: str


def _join(xs: list[int]) -> str:
    return ", ".join(str(x) for x in xs)


def _longest_run(years: set[int]) -> list[int]:
    best: list[int] = []
    for y in sorted(years):
        if y - 1 in years:
            continue
        run = [y]
        while run[-1] + 1 in years:
            run.append(run[-1] + 1)
        if len(run) > len(best):
            best = run
    return best


class RuleTable:
    """knowledge/rules.yaml: titles, their conditions with quotes and offsets, and the facts vocabulary."""

    def __init__(self, data: dict[str, Any], abbreviations: list[tuple[str, str]] | None = None) -> None:
        self.data = data
        self.levels: dict[str, int] = {str(k): int(v) for k, v in (data.get("levels") or {}).items()}
        self.ratings: dict[str, int] = {str(k): int(v) for k, v in (data.get("ratings") or {}).items()}
        self.titles: dict[str, dict[str, Any]] = data.get("titles") or {}
        self.rules: dict[str, dict[str, Any]] = {r["title"]: r for r in data.get("rules") or []}
        self.general: list[dict[str, Any]] = data.get("general") or []
        self.abbreviations = abbreviations or []  # (short form, long form) of knowledge/query.yaml
        self.reader = FactReader({k: with_short_forms(v.get("aliases") or [], abbreviations or [])
                                  for k, v in self.titles.items()}, data.get("vocabulary") or {})

    @classmethod
    def load(cls, path: Path) -> RuleTable:
        return _load(str(path), path.stat().st_mtime)

    def name(self, title: str) -> str:
        return str(self.titles.get(title, {}).get("name") or title)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> RuleTable:
    query = Path(path).parent / "query.yaml"  # the one abbreviation table (short form → the corpus' long form)
    q = yaml.safe_load(query.read_text(encoding="utf-8")) or {} if query.exists() else {}
    abbreviations = [(str(a["short"]), str(a["long"])) for a in q.get("abbreviations") or []]
    return RuleTable(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}, abbreviations)


def with_short_forms(aliases: list[str], abbreviations: list[tuple[str, str]]) -> list[str]:
    """A title's aliases plus each written with the abbreviation table's short forms ('chiến sĩ thi đua toàn quốc' →
    'cstd toan quoc', 'cstdtq'), folded: the rule table lists each wording once, not once per abbreviation."""
    out = list(aliases)
    for a in aliases:
        fa = fold(a)
        for short, long in abbreviations:
            fl = fold(long)
            if re.search(r"(?<!\w)" + re.escape(fl) + r"(?!\w)", fa):
                out.append(re.sub(r"(?<!\w)" + re.escape(fl) + r"(?!\w)", fold(short), fa))
    return list(dict.fromkeys(out))


class Evaluator:
    """Evaluates the machine-checkable form of each condition against Facts."""

    def __init__(self, table: RuleTable, facts: Facts) -> None:
        self.t = table
        self.f = facts
        years = [y for ys in facts.titles.values() for y in ys] + [y for y in facts.ratings if y]
        self.year = facts.target_year or (max(years) if years else None)
        ends = [max(d.years) for d in facts.disciplines if d.years and not d.pending]
        self.discipline_end = max(ends) if ends else None

    # ------------------------------------------------------------------------------------- counting
    def _countable(self, years: set[int]) -> tuple[set[int], set[int]]:
        """(strict, lenient) years that count after a discipline: after its last year / from its last year."""
        if self.discipline_end is None:
            return years, years
        return {y for y in years if y > self.discipline_end}, {y for y in years if y >= self.discipline_end}

    def _run_outcome(self, what: str, years: set[int] | None, streak: int | None, need: int,
                     by_years: bool = True) -> Outcome:
        if years and not by_years:  # consecutive "times" are not adjacent years for this title
            if len(years) < need:
                return Outcome("not_met", f"bạn nêu {what} {len(years)} lần ({_join(sorted(years))}), cần {need} "
                                          "lần liên tục")
            if len(_longest_run(years)) >= need:
                return Outcome("met", f"bạn nêu {what} các năm {_join(sorted(years))}: {need} lần liên tục")
            return Outcome("unknown", f"bạn nêu {what} các năm {_join(sorted(years))}; kho văn bản không quy định "
                                      "cách tính “lần liên tục” của danh hiệu này theo năm, nên chưa kết luận được")
        if years:
            strict, lenient = self._countable(years)
            rs, rl = _longest_run(strict), _longest_run(lenient)
            note = ""
            if self.discipline_end is not None:
                note = f"; chỉ tính thành tích sau khi chấp hành xong kỷ luật (năm {self.discipline_end})"
            if len(rs) >= need:
                return Outcome("met", f"bạn nêu {what} các năm {_join(sorted(years))}: có {len(rs)} năm liên "
                                      f"tục ({_join(rs)}), cần {need}{note}")
            if len(rl) < need:
                return Outcome("not_met", f"bạn nêu {what} các năm {_join(sorted(years))}: dài nhất {len(rl)} "
                                          f"năm liên tục{f' ({_join(rl)})' if rl else ''}, cần {need}{note}")
            return Outcome("unknown", f"bạn nêu {what} các năm {_join(sorted(years))} và bị kỷ luật năm "
                                      f"{self.discipline_end}: có tính thành tích năm {self.discipline_end} hay "
                                      "không tùy thời điểm chấp hành xong kỷ luật (bạn chưa nêu)")
        if streak is not None:
            if self.discipline_end is not None:
                return Outcome("unknown", f"bạn nêu {streak} năm liên tục {what} nhưng không nêu năm nào, nên "
                                          "chưa đối chiếu được với thời gian kỷ luật")
            if streak >= need:
                return Outcome("met", f"bạn nêu {streak} năm liên tục {what}, cần {need}")
            return Outcome("not_met", f"bạn nêu {streak} năm liên tục {what}, cần {need}")
        return Outcome("unknown", f"bạn chưa nêu các năm {what}")

    # ------------------------------------------------------------------------------------- checks
    def check(self, spec: dict[str, Any]) -> Outcome:
        kind = spec.get("kind")
        fn: Callable[[dict[str, Any]], Outcome] | None = getattr(self, f"_k_{kind}", None)
        if fn is None:
            return Outcome("unknown", f"chưa có cách kiểm tra tự động cho điều kiện dạng {kind}")
        return fn(spec)

    def _k_judgement(self, spec: dict[str, Any]) -> Outcome:
        return Outcome("unknown", JUDGEMENT)

    def _k_any_of(self, spec: dict[str, Any]) -> Outcome:
        outs = [self.check(p) for p in spec.get("parts") or []]
        met = [o for o in outs if o.status == "met"]
        if met:
            return Outcome("met", met[0].reason)
        if all(o.status == "not_met" for o in outs):
            return Outcome("not_met", "; ".join(dict.fromkeys(o.reason for o in outs)))
        failed = [o.reason for o in outs if o.status == "not_met"]
        open_ = [o.reason if o.reason != JUDGEMENT else "các trường hợp còn lại do cơ quan, đơn vị xem xét, đánh giá"
                 for o in outs if o.status == "unknown"]
        head = "chỉ cần một trong các trường hợp của điều kiện"
        if failed:
            head += " — không đáp ứng theo thông tin bạn nêu: " + "; ".join(dict.fromkeys(failed))
        return Outcome("unknown", head + " — còn có thể đáp ứng, chưa xác định: " + "; ".join(dict.fromkeys(open_)))

    def _k_all_of(self, spec: dict[str, Any]) -> Outcome:
        outs = [self.check(p) for p in spec.get("parts") or []]
        bad = [o for o in outs if o.status == "not_met"]
        if bad:
            return Outcome("not_met", "; ".join(o.reason for o in bad))
        if all(o.status == "met" for o in outs):
            return Outcome("met", "; ".join(o.reason for o in outs))
        return Outcome("unknown", "; ".join(o.reason for o in outs))

    def _rating(self) -> tuple[int | None, str] | None:
        r = self.f.ratings
        if self.year in r:
            return self.year, r[self.year]
        if None in r:
            return None, r[None]
        return None

    def _k_rating_at_least(self, spec: dict[str, Any]) -> Outcome:
        need = str(spec["level"])
        got = self._rating()
        label = {"xuat-sac": "hoàn thành xuất sắc nhiệm vụ", "tot": "hoàn thành tốt nhiệm vụ trở lên"}
        if got is None:
            when = f" năm {self.year}" if self.year else ""
            return Outcome("unknown", f"bạn chưa nêu mức độ hoàn thành nhiệm vụ{when}")
        year, level = got
        words = {"xuat-sac": "hoàn thành xuất sắc nhiệm vụ", "tot": "hoàn thành tốt nhiệm vụ",
                 "hoan-thanh": "hoàn thành nhiệm vụ", "khong-hoan-thanh": "không hoàn thành nhiệm vụ"}
        when = f" năm {year}" if year else ""
        ok = self.t.ratings.get(level, -1) >= self.t.ratings.get(need, 99)
        return Outcome("met" if ok else "not_met",
                       f"bạn nêu{when} {words.get(level, level)}; điều kiện: {label.get(need, need)}")

    def _k_title_in_year(self, spec: dict[str, Any]) -> Outcome:
        titles = [str(t) for t in spec.get("titles") or []]
        names = " hoặc ".join(f"“{self.t.name(t)}”" for t in titles)
        if self.year is None:
            return Outcome("unknown", f"bạn chưa nêu năm xét và danh hiệu {names} của năm đó")
        for t in titles:
            if self.year in self.f.titles.get(t, set()):
                return Outcome("met", f"bạn nêu đạt {self.t.name(t)} năm {self.year}")
        for t in titles:  # not said: the title's own conditions may still show it cannot be met
            rule = self.t.rules.get(t)
            if rule is None:
                continue
            outs = [self.check(c["check"]) for c in rule["conditions"]]
            bad = [o for o in outs if o.status == "not_met"]
            if bad:
                return Outcome("not_met", f"chưa đạt tiêu chuẩn {self.t.name(t)} năm {self.year}: {bad[0].reason}")
        return Outcome("unknown", f"bạn chưa nêu đạt danh hiệu {names} năm {self.year}")

    def _k_consecutive_title(self, spec: dict[str, Any]) -> Outcome:
        t = str(spec["title"])
        by_years = bool(spec.get("by_years", True)) and bool(self.t.titles.get(t, {}).get("annual"))
        return self._run_outcome(f"danh hiệu “{self.t.name(t)}”", self.f.titles.get(t),
                                 self.f.streaks.get(t), int(spec["times"]), by_years)

    def _k_consecutive_rating(self, spec: dict[str, Any]) -> Outcome:
        need = str(spec["level"])
        rank = self.t.ratings.get(need, 99)
        years = {y for y, lv in self.f.ratings.items() if y and self.t.ratings.get(lv, -1) >= rank}
        streak = None
        if self.f.rating_streak and self.t.ratings.get(self.f.rating_streak[0], -1) >= rank:
            streak = self.f.rating_streak[1]
        return self._run_outcome("hoàn thành xuất sắc nhiệm vụ" if need == "xuat-sac" else "hoàn thành nhiệm vụ",
                                 years or None, streak, int(spec["years"]))

    def _level_name(self, level: str | None) -> str:
        return {"co-so": "cấp cơ sở", "tinh": "cấp Bộ, ban, ngành, tỉnh", "toan-quoc": "toàn quốc"}.get(
            level or "", "chưa rõ cấp")

    def _k_initiative_at_least(self, spec: dict[str, Any]) -> Outcome:
        need = self.t.levels[str(spec["level"])]
        if not self.f.works:
            if self.f.no_works:
                return Outcome("not_met", "bạn nêu không có sáng kiến/đề tài")
            return Outcome("unknown", "bạn chưa nêu sáng kiến, đề tài khoa học (và phạm vi công nhận)")
        good = [w for w in self.f.works if w.level and self.t.levels.get(w.level, 0) >= need]
        if good:
            return Outcome("met", f"bạn nêu có {self._work(good[0])}")
        if any(w.level is None for w in self.f.works):
            return Outcome("unknown", "bạn nêu có sáng kiến/đề tài nhưng chưa nêu cấp công nhận, phạm vi ảnh hưởng")
        return Outcome("not_met", "bạn nêu " + ", ".join(self._work(w) for w in self.f.works)
                       + f", chưa đạt phạm vi {self._level_name(str(spec['level']))}")

    def _work(self, w: Any) -> str:
        kinds = {"sang kien": "sáng kiến", "de tai": "đề tài", "de tai khoa hoc": "đề tài khoa học",
                 "de an khoa hoc": "đề án khoa học", "cong trinh khoa hoc": "công trình khoa học"}
        return f"{w.count} {kinds.get(w.kind, w.kind)} {self._level_name(w.level)}"

    def _k_initiatives_count(self, spec: dict[str, Any]) -> Outcome:
        need = self.t.levels[str(spec["level"])]
        count = int(spec["count"])
        by_kind: dict[str, int] = {}
        for w in self.f.works:
            if w.level and self.t.levels.get(w.level, 0) >= need:
                k = "sang kien" if w.kind == "sang kien" else "de tai"
                by_kind[k] = by_kind.get(k, 0) + w.count
        if any(v >= count for v in by_kind.values()):
            return Outcome("met", "bạn nêu " + ", ".join(self._work(w) for w in self.f.works))
        if self.f.no_works:
            return Outcome("not_met", "bạn nêu không có sáng kiến/đề tài")
        if self.f.works and all(w.level for w in self.f.works):
            return Outcome("not_met", "bạn nêu " + ", ".join(self._work(w) for w in self.f.works)
                           + f", cần {count:02d}")
        return Outcome("unknown", f"bạn chưa nêu đủ số sáng kiến/đề tài (cần {count:02d}) và cấp công nhận")

    def _k_share_title(self, spec: dict[str, Any]) -> Outcome:
        t = str(spec["title"])
        pct = float(spec["percent"])
        got = self.f.member_share.get(t)
        if got is None:
            return Outcome("unknown", f"bạn chưa nêu tỷ lệ cá nhân đạt “{self.t.name(t)}”")
        if got < pct:
            return Outcome("not_met", f"bạn nêu {got:g}% cá nhân đạt “{self.t.name(t)}”, cần ít nhất {pct:g}%")
        if spec.get("all_completed") and not self.f.all_completed:
            return Outcome("unknown", f"bạn nêu {got:g}% đạt “{self.t.name(t)}” (đủ {pct:g}%) nhưng chưa nêu "
                                      f"{spec['all_completed']}% cá nhân hoàn thành nhiệm vụ")
        done = f" và {spec['all_completed']}% cá nhân hoàn thành nhiệm vụ" if spec.get("all_completed") else ""
        return Outcome("met", f"bạn nêu {got:g}% cá nhân đạt “{self.t.name(t)}”{done}, cần ít nhất {pct:g}%")

    def _k_member_has_title(self, spec: dict[str, Any]) -> Outcome:
        t = str(spec["title"])
        if t in self.f.member_titles:
            return Outcome("met", f"bạn nêu tập thể có cá nhân đạt “{self.t.name(t)}”")
        return Outcome("unknown", f"bạn chưa nêu tập thể có cá nhân đạt “{self.t.name(t)}”")

    def _k_no_member_discipline(self, spec: dict[str, Any]) -> Outcome:
        if self.f.no_member_discipline is True:
            return Outcome("met", "bạn nêu không có cá nhân bị kỷ luật")
        if self.f.no_member_discipline is False:
            return Outcome("not_met", "bạn nêu có cá nhân bị kỷ luật cảnh cáo")
        return Outcome("unknown", "bạn chưa nêu việc kỷ luật của các cá nhân trong tập thể")

    def _k_no_pending_discipline(self, spec: dict[str, Any]) -> Outcome:
        if self.f.pending_discipline:
            return Outcome("not_met", "bạn nêu đang bị xem xét kỷ luật")
        if self.f.no_discipline and not self.f.disciplines:
            return Outcome("met", "bạn nêu không bị kỷ luật")
        if self.f.disciplines:
            return Outcome("met", "bạn nêu việc kỷ luật đã có, không nêu việc đang bị xem xét kỷ luật")
        return Outcome("unknown", "bạn chưa nêu việc kỷ luật")

    def _k_achievements_after_discipline(self, spec: dict[str, Any]) -> Outcome:
        if self.discipline_end is None:
            return Outcome("met", "bạn không nêu năm bị kỷ luật")
        return Outcome("met", f"áp dụng khi đếm thành tích: chỉ tính sau năm {self.discipline_end}")


class EligibilityChecker:
    """Reads facts, finds the title asked about, evaluates its rule; builds the result and an Answer."""

    def __init__(self, table: RuleTable, meta_of: Callable[[str], Any] | None = None, today: Any = None,
                 registry: Any = None) -> None:
        self.table = table
        self.meta_of = meta_of or (lambda _f: None)
        self.today = today
        self.registry = registry

    def warnings(self, files: list[str]) -> list[str]:
        """Validity warnings of the documents the verdict relies on (expired, or possibly amended)."""
        from assistant.answer.validity import doc_warning

        out: list[str] = []
        for f in dict.fromkeys(files):
            m = self.meta_of(f)
            if m is None:
                continue
            w = doc_warning(m, self.registry, self.today) if (self.registry is not None and self.today) else None
            if w:
                out.append(w)
            if getattr(m, "amended_by", None):
                out.append(f"{m.short_name or f} có thể đã được sửa đổi, bổ sung: {m.amended_by}.")
        return list(dict.fromkeys(out))

    def is_eligibility_question(self, question: str, yes_no: bool = False) -> bool:
        """Whether the question asks if someone qualifies for a title of the table: with the asker's own facts, or
        asked yes/no ("Tôi muốn được xét … thì có đủ điều kiện không?", `yes_no`) without them — then every condition
        is unknown and the answer says what to tell (a question for the criteria alone gets the usual answer)."""
        facts = self.table.reader.read(question)
        return bool(facts.asked and facts.target in self.table.rules and (facts.said_anything() or yes_no))

    def check(self, question: str, title: str | None = None) -> EligibilityResult | None:
        """The verdict for the title asked about (or `title`); None when no title of the table is named."""
        facts = self.table.reader.read(question)
        tid = title or facts.target
        if tid not in self.table.rules:
            return None
        rule = self.table.rules[tid]
        ev = Evaluator(self.table, facts)
        conds: list[ConditionResult] = []
        for c in rule["conditions"]:
            o = ev.check(c["check"])
            reason = o.reason
            if c.get("selection") and o.status == "met":
                reason += " — đủ điều kiện để được xem xét, lựa chọn; việc lựa chọn do cấp có thẩm quyền quyết định"
            conds.append(self._cond(c, rule["source_file"], o.status, reason))
        extra: list[ConditionResult] = []
        if facts.disciplines or facts.no_discipline:
            for g in self.table.general:
                o = ev.check(g["check"])
                if g["check"].get("kind") == "achievements_after_discipline":
                    if ev.discipline_end is not None:  # a counting rule: cited, not a condition of the title
                        extra.append(self._cond(g, g["source_file"], o.status, o.reason))
                    continue
                conds.append(self._cond(g, g["source_file"], o.status, o.reason))
        cites: list[Citation] = []
        for i, c in enumerate(conds + extra, start=1):
            c.n = i
            cites.append(self._citation(c))
        status: Status = "not_met" if any(c.status == "not_met" for c in conds) else \
            "unknown" if any(c.status == "unknown" for c in conds) else "met"
        scope = str(rule.get("scope") or "national")
        notes = self._scope_notes(question, scope)
        if not (facts.disciplines or facts.no_discipline):
            notes.append("Chưa xét việc kỷ luật: bạn chưa nêu (khen thưởng không xét trong thời gian đang bị xem "
                         "xét kỷ luật, theo Điều 4 Nghị định 152/2025/NĐ-CP).")
        for c in extra:
            notes.append(f"Thành tích được tính từ khi chấp hành xong thời gian kỷ luật ({c.provision}, trích dẫn "
                         f"lại [{c.n}]: “{c.quote}”).")
        if ev.year and not facts.target_year:
            notes.append(f"Năm xét được hiểu là năm {ev.year} (năm gần nhất bạn nêu).")
        name = self.table.name(tid)
        conclusion = self._conclusion(name, status, conds)
        answer = self._text(rule, name, conclusion, conds, notes)
        warnings = self.warnings([c.source_file for c in conds + extra])
        if warnings:
            answer += "\n\n" + "\n".join(f"⚠️ Lưu ý: {w}" for w in warnings)
        return EligibilityResult(title=tid, title_name=name, status=status, conclusion=conclusion, answer=answer,
                                 scope=scope, conditions=conds, citations=cites, facts=facts.to_json(), notes=notes,
                                 warnings=warnings)

    def answer(self, question: str, yes_no: bool = False) -> Answer | None:
        """An Answer for an eligibility question (see is_eligibility_question); None for any other question."""
        if not self.is_eligibility_question(question, yes_no):
            return None
        res = self.check(question)
        if res is None:
            return None
        extra: dict[str, Any] = {}
        if "conclusion" in Answer.model_fields:
            extra["conclusion"] = res.conclusion
        return Answer(answer=res.answer, citations=res.citations, warnings=res.warnings,
                      notes=["Trả lời bằng bảng điều kiện (knowledge/rules.yaml) đối chiếu với thông tin bạn nêu."],
                      mode="grounded", **extra)

    # ------------------------------------------------------------------------------------- parts
    @staticmethod
    def _cond(c: dict[str, Any], source_file: str, status: Status, reason: str) -> ConditionResult:
        s, e = c["span"]
        return ConditionResult(id=str(c["id"]), provision=str(c["provision"]), quote=" ".join(str(c["text"]).split()),
                               source_file=source_file, start=int(s), end=int(e), status=status, reason=reason,
                               secondary=bool(c.get("secondary")))

    def _citation(self, c: ConditionResult) -> Citation:
        m = self.meta_of(c.source_file)
        in_force = m.in_force_on(self.today) if (m is not None and self.today is not None) else True
        return Citation(n=c.n, source_file=c.source_file, citation=c.provision, quote=c.quote, start=c.start,
                        end=c.end, in_force=in_force, doc_number=getattr(m, "number", None),
                        doc_title=getattr(m, "title", None))

    @staticmethod
    def _scope_notes(question: str, scope: str) -> list[str]:
        if scope == "national":
            return []
        if fold(scope) in fold(question):
            return [f"Áp dụng quy định riêng của tỉnh {scope}."]
        return [f"Quy định riêng của tỉnh {scope}: kho văn bản chỉ có tiêu chuẩn của danh hiệu này theo quy định "
                f"của tỉnh {scope}; tỉnh khác có quy định riêng (chưa có trong kho)."]

    @staticmethod
    def _conclusion(name: str, status: Status, conds: list[ConditionResult]) -> str:
        def provs(xs: list[ConditionResult]) -> str:
            return "; ".join(f"{c.provision} [{c.n}] ({c.reason})" for c in xs)

        if status == "not_met":
            return f"Chưa đủ điều kiện danh hiệu {name}: " + provs([c for c in conds if c.status == "not_met"]) + "."
        if status == "unknown":
            met = [c for c in conds if c.status == "met"]
            open_ = [c for c in conds if c.status == "unknown"]
            # each open condition stated compactly (its verbatim words, figures and titles), named by its provision
            # when there are few (the details below name every one)
            # the open conditions first (what the asker must still show); the conditions met are stated by their
            # words too when room is left (the asker sees what counted), else by their provisions
            named = len(open_) <= NAMED_CONDITIONS
            head = f"Chưa xác định được việc đủ điều kiện danh hiệu {name}"
            labels = " — đã đáp ứng: " + "; ".join(f"{c.provision} [{c.n}]" if named else f"[{c.n}]" for c in met) \
                if met else ""
            todo = "; còn thiếu thông tin hoặc cần đánh giá: "
            form = "{p} [{n}] ({w})" if named else "{w} [{n}]"
            fixed = len(head) + len(labels) + len(todo) + sum(len(form.format(p=c.provision, n=c.n, w="")) + 2
                                                              for c in open_)
            words = fit_conditions([_condition_text(c.quote) for c in open_], CONCLUSION_CHARS - fixed)
            todo += "; ".join(form.format(p=c.provision, n=c.n, w=re.sub(r"[“”]", "", w))
                              for c, w in zip(open_, words, strict=True))
            done = labels
            if met:
                room = CONCLUSION_CHARS - len(head) - len(todo) - 2 - len(" — đã đáp ứng: ") \
                    - sum(len(f" [{c.n}]") + 2 for c in met)
                if room >= MIN_MET_WORDS * len(met):
                    said = fit_conditions([_condition_text(c.quote) for c in met], room)
                    stated = " — đã đáp ứng: " + "; ".join(f"{re.sub(r'[“”]', '', w)} [{c.n}]"
                                                             for c, w in zip(met, said, strict=True))
                    done = stated if len(head + stated + todo) < CONCLUSION_CHARS else labels
            return head + done + todo + "."
        return f"Đủ các điều kiện có trong kho cho danh hiệu {name}: " + provs(conds) + "."

    @staticmethod
    def _text(rule: dict[str, Any], name: str, conclusion: str, conds: list[ConditionResult],
              notes: list[str]) -> str:
        lines = [conclusion, "", f"Đối chiếu từng điều kiện ({rule['provision']}):"]
        for c in conds:
            label = " (trích dẫn lại từ nguồn thứ cấp)" if c.secondary else ""
            lines.append(f"{STATUS_MARK[c.status]} {STATUS_LABEL[c.status]} — {c.provision}{label} [{c.n}]: "
                         f"“{c.quote}”")
            lines.append(f"   → {c.reason[:1].upper() + c.reason[1:]}.")
        if notes:
            lines.append("")
            lines.extend(f"Lưu ý: {n}" for n in notes)
        return "\n".join(lines)


ITEM_MARK = re.compile(r"^(?:[a-zđ]\)|\d+\.|\(\d+\)|[-–+•])\s*")  # "a) ", "1. ", "(1) ", "- " opening a list item


def strip_item_mark(text: str) -> str:
    """The text without the list item mark it opens with."""
    return ITEM_MARK.sub("", text.strip())


def _condition_text(quote: str) -> str:
    """A condition's verbatim text without its item mark, markdown or final punctuation."""
    return strip_item_mark(quote.replace("*", "")).rstrip(" ;,.:")


def build_checker(settings: Any, knowledge: Any = None, today: Any = None) -> EligibilityChecker:
    """The checker over settings.knowledge_dir/rules.yaml; document metadata from the knowledge base if given."""
    table = RuleTable.load(Path(settings.knowledge_dir) / "rules.yaml")
    meta_of = knowledge.doc_meta if knowledge is not None else None
    registry = knowledge.registry if knowledge is not None else None
    return EligibilityChecker(table, meta_of, today or date.today(), registry)
