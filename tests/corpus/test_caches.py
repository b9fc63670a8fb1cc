"""The per-request caches give exactly what the uncached code gives: folding, text blocks, bounded memo."""

from __future__ import annotations

import unicodedata

from assistant.corpus import normalize
from assistant.corpus.memo import Memo
from assistant.corpus.normalize import _IY, _fold, blocks, mask_comments


def _fold_reference(s: str) -> str:
    """fold() as it was written before the translate table: NFD, drop every Mn character, đ → d, i/y."""
    s = unicodedata.normalize("NFD", s.lower())
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    s = s.replace("đ", "d")
    return _IY.sub(r"\1i", s) if "y" in s else s


def test_fold_translate_table_equals_the_category_filter_on_every_code_point() -> None:
    every = "".join(chr(c) for c in range(0x20, 0x30000) if not 0xD800 <= c < 0xE000)
    for i in range(0, len(every), 4000):
        piece = every[i:i + 4000]
        assert _fold.__wrapped__(piece) == _fold_reference(piece)
    viet = "Hoà thuỷ Chiến sỹ ĐOÀN Kết quý Ủy ban Mỹ hy sinh tỷ lệ 28.603,61"
    assert _fold.__wrapped__(viet) == _fold_reference(viet)


def _split_uncached(raw: str, start: int = 0, end: int | None = None, drop_quotes: bool = False) -> list:
    end = len(raw) if end is None else end
    return [(b.text, b.offsets, b.blank_before) for b in normalize._split(mask_comments(raw), start, end, drop_quotes)]


RAW = ("# Điều 5. Tiêu chuẩn <!-- ghi chú\nbiên tập --> chung\n\n1. Cá nhân **hoàn thành**\ntốt nhiệm vụ;\n"
       "> ghi chú của người sưu tầm\n2. Có sáng kiến <sup>1</sup> được công nhận.\n| --- |\na) Điểm một;\n")


def test_blocks_are_remembered_per_text_and_span_and_each_caller_gets_its_own_copy() -> None:
    spans = [(0, None, False), (0, None, True), (10, 80, False), (RAW.index("1."), len(RAW), False), (5, 5, False)]
    for start, end, dq in spans:
        want = _split_uncached(RAW, start, end, dq)
        first = blocks(RAW, start, end or len(RAW), dq) if end else blocks(RAW, start, drop_quotes=dq)
        assert [(b.text, b.offsets, b.blank_before) for b in first] == want
        for b in first:  # a caller that changes its blocks does not change what the next caller gets
            b.text += " (sửa)"
            b.offsets.append(-1)
        again = blocks(RAW, start, end or len(RAW), dq) if end else blocks(RAW, start, drop_quotes=dq)
        assert [(b.text, b.offsets, b.blank_before) for b in again] == want


def test_blocks_follow_the_text_not_a_stale_copy() -> None:
    changed = RAW.replace("hoàn thành", "hoàn thành xuất sắc")
    a = blocks(RAW, 0, 120)
    b = blocks(changed, 0, 120)
    assert [x.text for x in b] == [x[0] for x in _split_uncached(changed, 0, 120)]
    assert [x.text for x in a] != [x.text for x in b]


def test_memo_is_bounded_and_drops_the_least_recently_used() -> None:
    m: Memo[int] = Memo(2)
    calls: list[str] = []

    def make(k: str) -> int:
        calls.append(k)
        return len(k)

    assert m.get("a", lambda: make("a")) == 1
    assert m.get("bb", lambda: make("bb")) == 2
    assert m.get("a", lambda: make("a")) == 1  # kept: "a" is now the most recent
    assert m.get("ccc", lambda: make("ccc")) == 3  # drops "bb"
    assert len(m) == 2
    assert m.get("bb", lambda: make("bb")) == 2
    assert calls == ["a", "bb", "ccc", "bb"]
