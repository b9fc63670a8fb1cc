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
