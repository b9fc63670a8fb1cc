"""The date a question asks ("trước ngày nào", "hạn chót") is a time limit or effective date of a provision: the
issue date written after a document's number, and the number itself ("06/2022/QH15"), are no such date."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT

from assistant.answer.conclusion import AnswerTypes

TYPES = AnswerTypes.load(ROOT / "knowledge" / "answer_types.yaml")
_DOC_SYMBOL = re.compile(r"(?:\d+/\d{4}/[A-ZĐ0-9-]+|\d+-?[A-ZĐ-]*/[A-ZĐ-]+|số\s+\d+)\s+(?:ngày\s+)?$")


def _dates(text: str) -> list[str]:
    return [m.group(0) for p in TYPES.answer["date"] for m in p.finditer(text)]


@pytest.mark.parametrize("text", [
    "(Kèm theo Nghị quyết số: 83/2025/NQ-HĐND ngày 27 tháng 11 năm 2025 của Hội đồng nhân dân)",
    "Căn cứ Chỉ thị số 02-CT/TU ngày 05/8/2025 của Ban Thường vụ Tỉnh ủy",
    "Luật Thi đua, khen thưởng số 06/2022/QH15",
    "Nghệ An, ngày 19 tháng 11 năm 2025",  # the place and date a document opens with: its issue date
])
def test_a_documents_number_and_issue_date_are_no_asked_date(text: str) -> None:
    assert _dates(text) == []


@pytest.mark.parametrize(("text", "date"), [
    ("gửi hồ sơ về Sở Nội vụ trước ngày 31/3/2026", "31/3/2026"),
    ("gửi hồ sơ về đơn vị chậm nhất là ngày 15 tháng 8 của năm xét tặng", "ngày 15 tháng 8"),
    ("trước ngày 10/7 hằng năm", "10/7"),
])
def test_a_time_limit_is_a_date(text: str, date: str) -> None:
    assert date in _dates(text)


def test_no_date_the_corpus_writes_after_a_document_number_is_read_as_asked(knowledge) -> None:  # noqa: ANN001
    seen = 0
    for c in knowledge.searcher.chunks:
        for p in TYPES.answer["date"]:
            for m in p.finditer(c.text):
                seen += 1
                assert not _DOC_SYMBOL.search(c.text[max(0, m.start() - 40):m.start()]), c.text[m.start() - 40:m.end()]
    assert seen > 50  # the corpus' own time limits are still read


@pytest.mark.parametrize(("question", "kinds"), [
    ("Thời hạn gửi hồ sơ đề nghị khen thưởng tổng kết năm là khi nào?", ["duration", "date"]),
    ("thoi han gui ho so de nghi bang khen", ["duration", "date"]),
    ("Trong bao lâu phải nộp lưu hồ sơ?", []),  # a length of time only
])
def test_thoi_han_asks_a_length_of_time_or_a_deadline(question: str, kinds: list[str]) -> None:
    assert TYPES.also_asked(question) == kinds



def test_the_signing_date_answers_only_a_question_about_the_document_s_issuing(ask_service) -> None:  # noqa: ANN001
    if not any(c.source_file.startswith("kh-0125") for c in ask_service.knowledge.searcher.chunks):
        pytest.skip("the Đắk Lắk election plan of ../shared/corpus/raw is not indexed")
    issued = ask_service.ask("Kế hoạch 0125/KH-UBND của Đắk Lắk ban hành ngày nào?")
    assert "ngày ký 18/11/2025" in (issued.conclusion or ""), issued.answer[:300]
    deadline = ask_service.ask("Theo Kế hoạch 0125/KH-UBND của Đắk Lắk, hồ sơ đề nghị Bằng khen gửi về Sở Nội vụ "
                               "hạn chót ngày nào?")
    assert "ngày ký" not in (deadline.conclusion or ""), deadline.answer[:300]
