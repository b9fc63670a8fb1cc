"""Generate knowledge/holidays.yaml (Vietnamese public days off) from the PyPI package `holidays`.

The package is a build-time tool only, never a runtime dependency of tdkt (it pins python-dateutil<3, which
conflicts with chromadb's kubernetes dependency). Run it from a throw-away venv:

    python3 -m venv /tmp/holvenv && /tmp/holvenv/bin/pip install holidays==0.109
    /tmp/holvenv/bin/python scripts/gen_holidays.py --out knowledge/holidays.yaml --from 2023 --to 2030
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path

import holidays  # type: ignore[import-not-found]
from holidays.countries import vietnam  # type: ignore[import-not-found]

REPO_ROOT = Path(__file__).resolve().parent.parent
SUBSTITUTED = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")
LUNAR_NEW_YEAR = ("Tết Nguyên Đán", "29 Tết")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _group(name: str) -> str:
    """Short label used in deadline explanations ("Tết Nguyên đán" for every lunar-new-year day)."""
    base = name.replace(" (nghỉ bù)", "").replace(" (nghỉ bù, dự kiến)", "").replace(" (dự kiến)", "")
    if any(key in base for key in LUNAR_NEW_YEAR):
        return "Tết Nguyên đán"
    if base.startswith("Ngày nghỉ (thay cho"):
        return "Ngày nghỉ hoán đổi"
    return base


def _references(doc: str | None) -> list[tuple[str, str]]:
    """(title, url) pairs from the "References:" list of a docstring of the holidays package."""
    return re.findall(r"\*\s*\[([^\]]+)\]\((\S+?)\)", doc or "")


def build(first: int, last: int) -> str:
    cal = holidays.Vietnam(years=range(first, last + 1), language="vi")
    rows = sorted(cal.items())
    working: list[tuple[date, date]] = []
    for day, name in rows:
        m = SUBSTITUTED.search(name)
        if m:
            working.append((date(int(m[3]), int(m[2]), int(m[1])), day))
    out: list[str] = []
    w = out.append
    w("# Ngày nghỉ lễ, Tết (ngày không làm việc) của Việt Nam — bảng dữ liệu dùng khi tính thời hạn.")
    w("# Vietnamese public days off, used by assistant/answer/deadlines.py. DO NOT EDIT BY HAND the generated")
    w("# part: re-run scripts/gen_holidays.py. Offices add their own entries under extra_days_off /")
    w("# extra_working_days at the end (that part is kept when the table is regenerated).")
    w("#")
    w("# Lưu ý (notes):")
    w("# - Nguồn: gói PyPI `holidays` (tính toán âm lịch cho Tết Nguyên đán và Giỗ Tổ Hùng Vương 10/3 âm lịch,")
    w("#   ngày nghỉ bù khi ngày lễ trùng ngày nghỉ hằng tuần theo quy tắc của gói).")
    w("# - Ngày nghỉ hoán đổi / nghỉ bù do Thủ tướng Chính phủ quyết định hằng năm KHÔNG có trong bảng, trừ")
    w("#   những ngày chính gói `holidays` đã ghi (nhãn \"Ngày nghỉ (thay cho ngày …)\"; ngày làm bù tương ứng")
    w("#   nằm trong working_days). Hãy bổ sung theo thông báo của cơ quan có thẩm quyền mỗi năm.")
    w("# - Compensatory days off / day swaps decided yearly by the Prime Minister are NOT included unless the")
    w("#   package has them. Offices can add entries in extra_days_off and extra_working_days.")
    w("")
    w("source:")
    w(f"  package: {_q('holidays')}")
    w(f"  version: {_q(holidays.__version__)}")
    call = f"holidays.Vietnam(years=range({first}, {last + 1}), language='vi')"
    w(f"  call: {_q(call)}")
    w(f"  generator: {_q('scripts/gen_holidays.py')}")
    w(f"  generated: {_q(date.today().isoformat())}")
    w("  legal_basis:  # as named by the package's holidays/countries/vietnam.py docstring (References)")
    for title, url in _references(vietnam.Vietnam.__doc__):
        w(f"    - {{title: {_q(title)}, url: {_q(url)}}}")
    w("  special_days_basis:  # references for the day swaps the package includes (VietnamStaticHolidays)")
    for title, url in _references(vietnam.VietnamStaticHolidays.__doc__):
        w(f"    - {{title: {_q(title)}, url: {_q(url)}}}")
    w(f"years: [{first}, {last}]")
    w("")
    w("holidays:  # ngày nghỉ (days off): date, name (as given by the package, Vietnamese), group")
    for day, name in rows:
        w(f"  - {{date: {day.isoformat()}, name: {_q(name)}, group: {_q(_group(name))}}}")
    w("")
    w("working_days:  # ngày làm bù (Saturdays worked in exchange for a day off), from the package's labels")
    for worked, off in working:
        note = f"làm bù cho ngày nghỉ {off.strftime('%d/%m/%Y')}"
        w(f"  - {{date: {worked.isoformat()}, name: {_q(note)}}}")
    w("")
    return "\n".join(out) + "\n"


OFFICE_MARKER = "# === Do cơ quan bổ sung (office additions) ==="
OFFICE_DEFAULT = f"""{OFFICE_MARKER}
# Everything from the marker line above to the end of the file is kept when the table is regenerated.
# Ví dụ (example):
#   extra_days_off:
#     - {{date: 2027-02-11, name: "Nghỉ theo thông báo hằng năm"}}
#   extra_working_days:
#     - {{date: 2027-02-20, name: "Làm bù"}}
extra_days_off: []
extra_working_days: []
"""


def office_part(existing: Path) -> str:
    """The office additions of an existing table (from the marker on), or the empty default."""
    if existing.is_file():
        text = existing.read_text(encoding="utf-8")
        i = text.find(OFFICE_MARKER)
        if i >= 0:
            return text[i:]
    return OFFICE_DEFAULT


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "knowledge" / "holidays.yaml")
    ap.add_argument("--from", dest="first", type=int, default=2023)
    ap.add_argument("--to", dest="last", type=int, default=2030)
    args = ap.parse_args()
    text = build(args.first, args.last) + "\n" + office_part(args.out)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
