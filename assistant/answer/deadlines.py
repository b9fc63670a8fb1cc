"""Deadline arithmetic (working days over the Vietnamese holiday table) and deadline detection in passages."""

from __future__ import annotations

import calendar as _cal
import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml

DEFAULT_HOLIDAYS = Path(__file__).resolve().parents[2] / "knowledge" / "holidays.yaml"
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
WEEKEND = "thứ Bảy, Chủ nhật"

Kind = Literal["absolute_date", "recurring_date", "period_working_days", "period_days", "period_months"]


def fmt(d: date) -> str:
    """dd/mm/yyyy, the Vietnamese administrative date format."""
    return d.strftime("%d/%m/%Y")


def fmt_long(d: date) -> str:
    """'thứ Năm, 02/04/2026'."""
    return f"{WEEKDAYS[d.weekday()]}, {fmt(d)}"


# --------------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------------


class HolidayCalendar:
    """Working-day calendar: Monday–Friday minus days off, plus make-up working days (Saturdays)."""

    def __init__(
        self,
        days_off: dict[date, str] | None = None,
        working_days: dict[date, str] | None = None,
        years: tuple[int, int] | None = None,
        source: dict[str, Any] | None = None,
    ) -> None:
        self.days_off: dict[date, str] = dict(days_off or {})
        self.working_days: dict[date, str] = dict(working_days or {})
        self.years = years
        self.source = source or {}

    @classmethod
    def load(cls, path: Path | str = DEFAULT_HOLIDAYS) -> HolidayCalendar:
        """Read knowledge/holidays.yaml (holidays, working_days, extra_days_off, extra_working_days)."""
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise ValueError(f"Không đọc được bảng ngày nghỉ {path.name} (cannot read holiday table): {exc}") from exc
        off: dict[date, str] = {}
        work: dict[date, str] = {}
        for key in ("holidays", "extra_days_off"):
            for row in data.get(key) or []:
                d = _as_date(row.get("date"), path)
                off[d] = str(row.get("group") or row.get("name") or "ngày nghỉ")
        for key in ("working_days", "extra_working_days"):
            for row in data.get(key) or []:
                d = _as_date(row.get("date"), path)
                work[d] = str(row.get("name") or "ngày làm bù")
                off.pop(d, None)
        years = data.get("years")
        span = (int(years[0]), int(years[1])) if isinstance(years, list) and len(years) == 2 else None
        return cls(off, work, span, data.get("source") or {})

    def covers(self, d: date) -> bool:
        """True when the table has data for d's year (outside it only weekends are known)."""
        return self.years is None or self.years[0] <= d.year <= self.years[1]

    def day_off_reason(self, d: date) -> str | None:
        """Why d is not a working day ('Tết Nguyên đán', 'thứ Bảy', …), or None for a working day."""
        if d in self.working_days:
            return None
        if d in self.days_off:
            return self.days_off[d]
        if d.weekday() >= 5:
            return WEEKDAYS[d.weekday()]
        return None

    def is_working_day(self, d: date) -> bool:
        return self.day_off_reason(d) is None

    def add_working_days(self, start: date, n: int) -> tuple[date, list[str]]:
        """The n-th working day counted from the day after start, with a Vietnamese arithmetic trace."""
        if n < 0:
            raise ValueError(f"Số ngày làm việc phải ≥ 0 (n must be non-negative), nhận được {n}.")
        if n == 0:
            return start, [f"Thời hạn 0 ngày làm việc: hạn là chính ngày {fmt_long(start)}."]
        steps = [
            f"Thời hạn tính kể từ ngày {fmt(start)}: không tính ngày {fmt(start)}, "
            f"bắt đầu đếm từ ngày hôm sau ({fmt(start + timedelta(days=1))})."
        ]
        count = 0
        d = start
        weekend_days = 0
        runs: list[tuple[date, date, list[str]]] = []  # non-working runs that contain a holiday
        run: list[tuple[date, str]] = []
        uncovered = False
        made_up: list[date] = []

        def close_run() -> None:
            nonlocal weekend_days
            if not run:
                return
            reasons = [r for _, r in run]
            if all(r in WEEKDAYS for r in reasons):
                weekend_days += len(run)
            else:
                labels: list[str] = []
                for r in reasons:
                    label = WEEKEND if r in WEEKDAYS else r
                    if label not in labels:
                        labels.append(label)
                runs.append((run[0][0], run[-1][0], labels))
            run.clear()

        while count < n:
            d += timedelta(days=1)
            uncovered = uncovered or not self.covers(d)
            reason = self.day_off_reason(d)
            if reason is not None:
                run.append((d, reason))
                continue
            close_run()
            count += 1
            if d.weekday() >= 5:
                made_up.append(d)
            if count == 1:
                steps.append(f"Bắt đầu tính: ngày làm việc thứ 1 là {fmt_long(d)}.")
        close_run()
        for a, b, labels in runs:
            span = fmt(a) if a == b else f"{fmt(a)}–{fmt(b)}"
            steps.append(f"Bỏ qua: {span} ({', '.join(labels)}).")
        if weekend_days:
            other = " khác" if runs else ""
            steps.append(f"Bỏ qua {weekend_days} ngày thứ Bảy, Chủ nhật{other}.")
        for m in made_up:
            steps.append(f"Tính {fmt_long(m)} là ngày làm việc ({self.working_days.get(m, 'ngày làm bù')}).")
        if uncovered and self.years:
            steps.append(
                f"Lưu ý: bảng ngày nghỉ chỉ có dữ liệu năm {self.years[0]}–{self.years[1]}; "
                "ngoài khoảng này chỉ bỏ qua thứ Bảy, Chủ nhật."
            )
        steps.append(f"Ngày làm việc thứ {n}: {fmt_long(d)} — đây là hạn cuối.")
        return d, steps

    def add_days(self, start: date, n: int) -> tuple[date, list[str]]:
        """start + n calendar days (the day after start is day 1), with a trace."""
        if n < 0:
            raise ValueError(f"Số ngày phải ≥ 0 (n must be non-negative), nhận được {n}.")
        end = start + timedelta(days=n)
        steps = [
            f"Thời hạn tính kể từ ngày {fmt(start)}: không tính ngày {fmt(start)}, "
            f"ngày thứ 1 là {fmt(start + timedelta(days=1))}.",
            f"Cộng {n} ngày theo lịch (tính cả thứ Bảy, Chủ nhật, ngày lễ): ngày thứ {n} là {fmt_long(end)}.",
        ]
        steps += self._end_warning(end)
        return end, steps

    def add_months(self, start: date, n: int) -> tuple[date, list[str]]:
        """Same day n months later (clamped to the month's last day), with a trace."""
        if n < 0:
            raise ValueError(f"Số tháng phải ≥ 0 (n must be non-negative), nhận được {n}.")
        y, m = divmod(start.month - 1 + n, 12)
        year, month = start.year + y, m + 1
        end = date(year, month, min(start.day, _cal.monthrange(year, month)[1]))
        steps = [f"Cộng {n} tháng kể từ ngày {fmt(start)}: {fmt_long(end)}."]
        steps += self._end_warning(end)
        return end, steps

    def _end_warning(self, end: date) -> list[str]:
        reason = self.day_off_reason(end)
        if reason is None:
            return []
        return [
            f"Lưu ý: ngày {fmt(end)} là ngày nghỉ ({reason}); cần kiểm tra quy định về việc hạn cuối "
            "rơi vào ngày nghỉ."
        ]


def _as_date(value: object, path: Path) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"Ngày không hợp lệ trong {path.name} (bad date): {value!r}") from exc


# --------------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineMention:
    """A deadline statement found in a passage; start/end are offsets into the text given."""

    kind: Kind
    start: int
    end: int
    text: str
    value: int | None = None  # the number as written, for period_* kinds ("01 năm" → value 1, unit "năm")
    unit: str | None = None  # "ngày làm việc" | "ngày" | "tháng" | "năm"
    day: int | None = None
    month: int | None = None
    year: int | None = None
    condition: str | None = None  # "kể từ ngày nhận đủ hồ sơ hợp lệ", "hằng năm", "của năm xét tặng"
    lead: str | None = None  # "chậm nhất", "trước ngày", "trong thời hạn", "định kỳ"

    @property
    def date(self) -> date | None:
        """The absolute date, for kind == 'absolute_date'."""
        if self.day and self.month and self.year:
            return date(self.year, self.month, self.day)
        return None

    @property
    def amount(self) -> int | None:
        """The period in its computing unit: working days, days, or months ("01 năm" → 12)."""
        if self.value is None:
            return None
        return self.value * 12 if self.unit == "năm" else self.value

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["date"] = self.date.isoformat() if self.date else None
        return out


_S = r"[\s*_]+"  # whitespace, hard wraps and broken markdown emphasis
_NUM_DATE = r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?(?!\d)"
_WORD_DATE = rf"(?P<wd>\d{{1,2}}){_S}tháng{_S}(?P<wm>\d{{1,2}})(?:{_S}năm{_S}(?P<wy>\d{{4}}))?(?!\d)"
_DATE_LEAD = (
    rf"(?P<lead>chậm{_S}nhất(?:{_S}(?:là|vào))*(?:{_S}trong)?|trước(?={_S}ngày)|hạn{_S}(?:chót|cuối)(?:{_S}là)?"
    rf"|không{_S}muộn{_S}hơn|đến{_S}hết|trong{_S}ngày|hoàn{_S}thành{_S}(?:trước|trong))"
)
DATE_RE = re.compile(rf"(?<!\w){_DATE_LEAD}{_S}(?:ngày{_S})?(?:{_NUM_DATE}|{_WORD_DATE})", re.IGNORECASE)
RECURRING_RE = re.compile(
    rf"[\s*_,]*(?P<cond>(?:hằng|hàng){_S}năm"
    rf"|của{_S}năm(?:{_S}(?:liền{_S}kề|xét{_S}tặng|tiếp{_S}theo|trước|sau|đó))?)(?!\w)",
    re.IGNORECASE,
)
PERIOD_RE = re.compile(
    rf"(?<![\w/.\-])(?P<n>\d{{1,3}}){_S}(?P<unit>ngày{_S}làm{_S}việc|ngày|tháng|năm)(?!{_S}\d)(?!\w)",
    re.IGNORECASE,
)
PERIOD_LEAD_RE = re.compile(
    rf"(?P<lead>trong{_S}thời{_S}hạn|trong{_S}vòng|trong|thời{_S}hạn(?:{_S}giải{_S}quyết)?(?:{_S}là)?"
    rf"|không{_S}quá|tối{_S}đa|định{_S}kỳ|chậm{_S}nhất(?:{_S}là)?|sau|xử{_S}lý[^.;\n]{{0,30}}?:)[\s*_:]*$",
    re.IGNORECASE,
)
CONDITION_RE = re.compile(
    rf"[\s*_]*[,(]?[\s*_]*(?P<cond>(?:kể|tính){_S}từ|sau{_S}khi|từ{_S}ngày|từ{_S}khi)(?P<rest>[^.;,|)]*)",
    re.IGNORECASE,
)
ONCE_RE = re.compile(rf"[\s*_]*(?:một|1){_S}lần", re.IGNORECASE)
NEXT_WORKING_DAY_RE = re.compile(
    rf"(?P<lead>chậm{_S}nhất(?:{_S}là)?){_S}trong{_S}ngày{_S}làm{_S}việc{_S}tiếp{_S}theo", re.IGNORECASE
)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "").replace("_", " ")).strip(" ,")


def _condition_after(text: str, pos: int) -> tuple[str | None, int]:
    """'kể từ ngày nhận đủ hồ sơ hợp lệ' right after pos (stops at . ; ) | or a blank line)."""
    m = CONDITION_RE.match(text, pos)
    if not m:
        return None, pos
    raw = m.group("cond") + m.group("rest")
    cut = raw.find("\n\n")
    if cut >= 0:
        raw = raw[:cut]
    if len(raw) > 160:
        raw = raw[:160].rsplit(" ", 1)[0]
    cond = _clean(raw)
    return (cond or None), m.start("cond") + len(raw.rstrip())


def _valid(d: int, m: int, y: int | None) -> bool:
    try:
        date(y or 2000, m, d)
    except ValueError:
        return False
    return y is None or 1990 <= y <= 2100


def find_deadlines(text: str) -> list[DeadlineMention]:
    """Deadline statements in a passage, in text order."""
    found: list[DeadlineMention] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in DATE_RE.finditer(text):
        d, mo, y = (m.group("d"), m.group("m"), m.group("y"))
        if d is None:
            d, mo, y = m.group("wd"), m.group("wm"), m.group("wy")
        day, month, year = int(d), int(mo), (int(y) if y else None)
        if not _valid(day, month, year):
            continue
        end = m.end()
        cond = None
        r = RECURRING_RE.match(text, end)
        if r:
            cond = _clean(r.group("cond"))
            end = r.end("cond")
        kind: Kind = "absolute_date" if year and not r else "recurring_date"
        if year and r:
            year = None if "hằng" in cond.lower() or "hàng" in cond.lower() else year
            kind = "absolute_date" if year else "recurring_date"
        found.append(
            DeadlineMention(kind, m.start(), end, text[m.start() : end], day=day, month=month, year=year,
                            condition=cond, lead=_clean(m.group("lead")).lower())
        )
        taken.append((m.start(), end))

    for m in NEXT_WORKING_DAY_RE.finditer(text):
        if free(m.start(), m.end()):
            found.append(DeadlineMention("period_working_days", m.start(), m.end(), text[m.start() : m.end()],
                                         value=1, unit="ngày làm việc", condition="ngày làm việc tiếp theo",
                                         lead="chậm nhất là trong"))
            taken.append((m.start(), m.end()))

    for m in PERIOD_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        if re.search(rf"(?:ngày|tháng|năm|số|điều|khoản|mục){_S}$", before, re.IGNORECASE):
            continue
        lead_m = PERIOD_LEAD_RE.search(before)
        cond, cond_end = _condition_after(text, m.end())
        unit = _clean(m.group("unit")).lower()
        lead = _clean(lead_m.group("lead")).lower() if lead_m else None
        if lead and lead.startswith("xử lý"):
            lead = "thời gian xử lý"
        if not lead and not cond:
            continue
        n = int(m.group("n"))
        end = m.end()
        if unit == "năm":
            if not cond:
                continue  # "trong 05 năm liên tục" is a duration of achievement, not a deadline
            kind: Kind = "period_months"
        elif unit == "tháng":
            kind = "period_months"
        elif unit == "ngày":
            kind = "period_days"
        else:
            kind = "period_working_days"
        if lead == "định kỳ":
            once = ONCE_RE.match(text, end)
            if once:
                end = once.end()
            cond = cond or "định kỳ"
        if cond:
            end = max(end, cond_end)
        start = lead_m.start() + max(0, m.start() - 40) if lead_m else m.start()
        found.append(
            DeadlineMention(kind, start, end, text[start:end], value=n, unit=unit, condition=cond, lead=lead)
        )
        taken.append((start, end))
    found.sort(key=lambda x: x.start)
    return found


# --------------------------------------------------------------------------------------------------
# User dates and explanations
# --------------------------------------------------------------------------------------------------

USER_DATE_RE = re.compile(
    rf"(?<![\d/.\-])(?:{_NUM_DATE}|(?:ngày{_S})?{_WORD_DATE})", re.IGNORECASE
)


def parse_user_date(question: str, default_year: int | None = None) -> date | None:
    """The first valid date the user wrote ('nộp ngày 05/3/2026', 'ngày 5 tháng 3 năm 2026', '05-03-2026').

    A date without a year is accepted only when default_year is given."""
    for m in USER_DATE_RE.finditer(question):
        d, mo, y = m.group("d"), m.group("m"), m.group("y")
        if d is None:
            d, mo, y = m.group("wd"), m.group("wm"), m.group("wy")
        year = int(y) if y else default_year
        if year is None:
            continue
        try:
            return date(year, int(mo), int(d))
        except ValueError:
            continue
    return None


def _rule(m: DeadlineMention) -> str:
    """Restate the rule: 'trong thời hạn 20 ngày làm việc kể từ ngày nhận đủ hồ sơ'."""
    if m.kind == "absolute_date" and m.date:
        return f"{m.lead or 'hạn'} ngày {fmt(m.date)} ({WEEKDAYS[m.date.weekday()]})"
    if m.kind == "recurring_date":
        tail = f" {m.condition}" if m.condition else ""
        return f"{m.lead or 'hạn'} ngày {m.day:02d}/{m.month:02d}{tail}"
    if m.condition == "ngày làm việc tiếp theo":
        return "chậm nhất là trong ngày làm việc tiếp theo"
    unit = m.unit or {"period_working_days": "ngày làm việc", "period_days": "ngày", "period_months": "tháng"}[m.kind]
    lead = f"{m.lead} " if m.lead and m.lead != "thời gian xử lý" else ""
    cond = f" {m.condition}" if m.condition and m.condition != "định kỳ" else ""
    once = " một lần" if m.lead == "định kỳ" else ""
    return f"{lead}{m.value:02d} {unit}{once}{cond}".strip()


def explain_deadline(mention: DeadlineMention, start: date | None, calendar: HolidayCalendar) -> str:
    """A Vietnamese sentence the ask service can append: arithmetic when start is given, else the rule."""
    rule = _rule(mention)
    if mention.kind == "absolute_date" and mention.date:
        out = f"Thời hạn: {rule}."
        if start:
            days = (mention.date - start).days
            if days < 0:
                out += f" Ngày {fmt(start)} đã sau mốc này {-days} ngày."
            else:
                work = sum(
                    calendar.is_working_day(start + timedelta(days=i)) for i in range(1, days + 1)
                )
                out += f" Tính từ ngày {fmt(start)} còn {days} ngày theo lịch ({work} ngày làm việc)."
        reason = calendar.day_off_reason(mention.date)
        if reason:
            out += f" Lưu ý: ngày {fmt(mention.date)} là ngày nghỉ ({reason})."
        return out
    if mention.kind == "recurring_date":
        out = f"Thời hạn: {rule}."
        if start and mention.day and mention.month and (not mention.condition or "năm" in mention.condition):
            nxt = _next_occurrence(start, mention.day, mention.month)
            if nxt and (not mention.condition or mention.condition.lower() in ("hằng năm", "hàng năm")):
                out += f" Tính từ ngày {fmt(start)}, mốc gần nhất là {fmt_long(nxt)}."
        return out
    if mention.value is None:
        return f"Thời hạn: {rule}."
    if mention.lead == "định kỳ":
        out = f"Thời hạn: {rule}."
        if start and mention.kind == "period_months":
            nxt, _ = calendar.add_months(start, mention.amount or 0)
            out += f" Nếu kỳ trước là ngày {fmt(start)} thì kỳ tiếp theo vào khoảng {fmt_long(nxt)}."
        return out
    if start is None:
        return f"Thời hạn: {rule}. Cho biết ngày bắt đầu (ví dụ ngày nhận đủ hồ sơ) để tính ngày hạn cuối."
    if mention.kind == "period_working_days":
        end, steps = calendar.add_working_days(start, mention.amount or 0)
        extra = (
            " Ngày nghỉ hoán đổi do Thủ tướng Chính phủ quyết định hằng năm chỉ được tính nếu đã có trong "
            "bảng ngày nghỉ."
        )
    elif mention.kind == "period_days":
        end, steps = calendar.add_days(start, mention.amount or 0)
        extra = ""
    else:
        end, steps = calendar.add_months(start, mention.amount or 0)
        extra = ""
    return (
        f"Thời hạn: {rule}. Nếu mốc bắt đầu là ngày {fmt(start)} thì hạn cuối là {fmt_long(end)}. "
        f"Cách tính: {' '.join(steps)}{extra}"
    )


def _next_occurrence(start: date, day: int, month: int) -> date | None:
    for year in (start.year, start.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d >= start:
            return d
    return None
