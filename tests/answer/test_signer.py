"""Who signed a document: its closing block (the chunker's signature section, even when an appendix follows it)."""

from __future__ import annotations

import pytest

from assistant.answer.grounded import _capacity_and_name


@pytest.mark.parametrize(("line", "signer"), [
    ("KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Thị Ngọc Điệp", True),
    ("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Vi Nông Trường", True),
    ("Lưu: VT, NV (V-10b)", False),
    ("THỦ TƯỚNG", False),  # a capacity without the name
])
def test_one_line_signature(line: str, signer: bool) -> None:
    assert _capacity_and_name(line) is signer


def test_the_signer_of_a_plan_with_an_appendix_after_its_signature(ask_service) -> None:  # noqa: ANN001
    if not any(c.source_file.startswith("kh-157") for c in ask_service.knowledge.searcher.chunks):
        pytest.skip("the Cần Thơ plan of ../shared/corpus/raw is not indexed")
    a = ask_service.ask("KH 157 của Cần Thơ về chi trả không dùng tiền mặt do ai ký?")
    assert "Nguyễn Thị Ngọc Điệp" in (a.conclusion or ""), a.answer[:300]


def test_the_signer_asked_beside_a_target_states_both(ask_service) -> None:  # noqa: ANN001
    """'… chỉ tiêu … là bao nhiêu? Kế hoạch do ai ký?': the signer (from the closing block) and the target, each."""
    from assistant.corpus.structure import SIGNATURE_SECTION

    rows = [r for r in ask_service.indicators.rows if r.locality and r.year and r.value is not None]
    closing = {c.source_file: c.text for c in ask_service.knowledge.searcher.chunks
               if c.label.get("section") == SIGNATURE_SECTION}
    checked = 0
    for r in rows:
        name = next((x.strip() for x in reversed(closing.get(r.source_file, "").split("\n")) if x.strip()), "")
        if not name or len(name.split()) > 5 or name.isupper():
            continue
        a = ask_service.ask(f"Văn bản thi đua năm {r.year} của {r.locality} đặt chỉ tiêu {r.metric.lower()} là bao "
                            f"nhiêu? Văn bản đó do ai ký?")
        opening = (a.conclusion or "")
        assert name in opening, (r.metric, opening)
        assert r.value_text.split()[0].strip(";.") in a.answer, (r.metric, r.value_text, a.answer[:400])
        checked += 1
        if checked >= 3:
            break
    assert checked
