"""A title written as one item of a coordination ("Danh hiệu thôn, tổ dân phố văn hóa", "chiến sĩ thi đua bộ, ban,
ngành, tỉnh") is named by that text: the amount asked of any item is the line's own, read here from the corpus."""

from __future__ import annotations

import re

import pytest

from assistant.answer.amounts import occurrences, title_match
from assistant.corpus.normalize import fold

LINE = re.compile(r"^[a-zđ]\) Danh hiệu ([^“”;]+?) được (?:tặng [^;]*?và được )?thưởng (\d+,\d) lần mức lương cơ sở",
                  re.M)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("danh hieu thon van hoa", "d) Danh hiệu thôn, tổ dân phố văn hóa được tặng", 2),
    ("danh hieu to dan pho van hoa", "d) Danh hiệu thôn, tổ dân phố văn hóa được tặng", 2),
    ("chien si thi dua tinh", "b) Danh hiệu chiến sĩ thi đua bộ, ban, ngành, tỉnh được tặng", 2),
    ("chien si thi dua nganh", "b) Danh hiệu chiến sĩ thi đua bộ, ban, ngành, tỉnh được tặng", 2),
    ("co thi dua tinh", "e) Danh hiệu cờ thi đua của bộ, ban, ngành, tỉnh được tặng cờ", 2),
    ("lao dong tien tien", "danh hiệu Lao động xuất sắc, tiên tiến", 2),
    # a coordination of other words is no occurrence
    ("co thi dua cua tinh", "Danh hiệu Cờ thi đua của Chính phủ được tặng cờ và được thưởng 12,0 lần", 0),
    ("bang khen tinh", "Bằng khen của Bộ trưởng, Chủ tịch UBND tỉnh", 0),
    ("chien si thi dua tinh", "Chiến sĩ thi đua cơ sở, tỉnh đoàn", 0),
])
def test_title_match_reads_coordinations(name: str, text: str, expected: int) -> None:
    assert title_match([name], text) == expected


def test_occurrences_stay_fast_on_long_lists() -> None:
    text = fold(", ".join(["danh hiệu tổ dân phố"] * 300) + " thôn xóm văn hóa tiêu")
    assert occurrences("danh hieu to dan pho thon xom van hoa tieu bieu", text) == []


def _coordinated_lines(knowledge) -> list[tuple[str, str]]:  # noqa: ANN001
    """(the coordinated title as written, its multiplier) of every such line of the legal texts in the index."""
    out = []
    for f in sorted({c.source_file for c in knowledge.searcher.chunks if c.meta and c.meta.kind != "plan"}):
        for m in LINE.finditer(knowledge.raw_text(f) or ""):
            if "," in m.group(1):
                out.append((m.group(1), m.group(2)))
    return out


def test_each_item_of_a_coordinated_title_gets_the_lines_amount(ask_service, knowledge) -> None:  # noqa: ANN001
    lines = _coordinated_lines(knowledge)
    assert len(lines) >= 3, lines
    asked = 0
    for title, mult in lines:
        items = [x.strip() for x in title.split(",")]
        last = items[-1].split()
        if len(last) > 1:  # the words after the list are shared: "thôn, tổ dân phố văn hóa" → "thôn văn hóa"
            # the shared words are those the last item has beyond the length of the first one's own noun
            shared = last[-2:]
            names = [f"{items[0]} {' '.join(shared)}"]
        else:  # the words before the list are shared: "chiến sĩ thi đua bộ, ban, ngành, tỉnh" → "… tỉnh"
            head = items[0].split()[:-1]
            names = [" ".join(head + last)]
        for name in names:
            q = f"Danh hiệu {name} được thưởng bao nhiêu?"
            a = ask_service.ask(q)
            opening = a.answer.split("\n\n", 1)[0]
            assert not a.refused, (q, a.answer)
            assert f"{mult} lần" in opening, (q, opening)
            asked += 1
    assert asked == len(lines)
