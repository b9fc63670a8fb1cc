"""Abstention features title_slot (the corpus states the asked kind of fact for the asked title) and
definition_missing (a meaning asked with no defining sentence), on the real index and on views hiding documents."""

from __future__ import annotations

import re

import pytest
from helpers import ROOT, narrow_decider_patterns

from assistant.answer.evidence import FEATURES, Evidence, Words, marked_reading
from assistant.index.retriever import Filters

KNOW = ROOT / "knowledge"
BAC_NINH = "qd-86-2025-qd-ubnd-bac-ninh-quy-dinh-tdkt.md"
ND30 = "nd-30-2020.md"


@pytest.fixture(scope="module")
def evidence(knowledge) -> Evidence:  # noqa: ANN001
    return Evidence(knowledge.searcher, Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml"))


def _title_slot(ev: Evidence, q: str) -> float:
    with marked_reading():
        return ev.title_slot(q, ev.entities(q))


def test_new_features_are_model_inputs() -> None:
    assert {"title_slot", "definition_missing"} <= set(FEATURES)


def test_title_slot_is_met_where_the_corpus_states_the_value_for_the_title(evidence: Evidence) -> None:
    # Điều 50 NĐ 152: "Danh hiệu “Lao động tiên tiến” … được thưởng 0,3 lần mức lương cơ sở"
    assert _title_slot(evidence, "Tiền thưởng Lao động tiên tiến bao nhiêu?") == 0.0
    # no sentence of the corpus gives an amount for this title
    assert _title_slot(evidence, "Công dân danh dự Thủ đô được thưởng bao nhiêu tiền?") == 1.0
    # nothing with a value form asked, or no title named: the feature says nothing
    assert _title_slot(evidence, "Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?") == 0.0
    assert _title_slot(evidence, "Thời hạn gửi hồ sơ là bao lâu?") == 0.0


def test_title_slot_reads_a_list_item_after_the_line_announcing_it(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    # Bắc Ninh, Điều 5: "… báo cáo Chủ tịch Ủy ban nhân dân tỉnh quyết định tặng thưởng:" then the item
    # "Danh hiệu “Tập thể Lao động xuất sắc”;" on a line of its own
    q = "Tập thể lao động xuất sắc do ai quyết định tặng?"
    lines = [ln for c in knowledge.searcher.chunks if c.source_file == BAC_NINH for ln in c.text.split("\n")]
    item = next(i for i, ln in enumerate(lines) if "Tập thể Lao động xuất sắc”;" in ln)
    assert lines[item - 1].rstrip().endswith(":") and "quyết định tặng" in lines[item - 1]
    assert _title_slot(evidence, q) == 0.0
    assert _title_slot(evidence.view([BAC_NINH]), q) > 0.0  # the view's corpus has no such list


def test_title_slot_reads_a_sentence_with_its_headings(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    # QĐ 3621: "Tổng thời gian xử lý theo quy định: 150 ngày …" names no award; its section heading does
    holders = [c for c in knowledge.searcher.chunks
               if any(re.search(r"\d+\s+ngày", ln) and "Tổng thời gian" in ln for ln in c.text.split("\n"))]
    assert holders and all("Hải Thượng Lãn Ông" not in ln for c in holders for ln in c.text.split("\n")
                           if "Tổng thời gian" in ln)
    assert any("Hải Thượng Lãn Ông" in " ".join(c.breadcrumb) for c in holders)
    assert _title_slot(evidence, "Xét tặng giải thưởng Hải Thượng Lãn Ông mất bao lâu?") == 0.0


def test_title_slot_half_met_by_the_title_named_with_what_is_asked(evidence: Evidence, knowledge) -> None:  # noqa: ANN001
    # Luật, khoản 5 Điều 80: "Thẩm quyền quyết định tặng danh hiệu … “Chiến sĩ tiên tiến” … do Bộ Quốc phòng, Bộ
    # Công an quy định": the decider patterns read "do X quy định" as a decider …
    q = "Ai có thẩm quyền quyết định tặng “Chiến sĩ tiên tiến”?"
    assert _title_slot(evidence, q) == 0.0
    # … and with patterns that do not, the asked words next to the title still count as half
    words = Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml")
    words.types.answer["authority"] = narrow_decider_patterns(words)
    assert _title_slot(Evidence(knowledge.searcher, words), q) == 0.5


@pytest.mark.parametrize(("q", "term"), [
    ("Thế nào là danh mục hồ sơ?", "danh muc ho so"),
    ("Văn bản đến được hiểu như thế nào?", "van ban den"),
    ("van ban den duoc hieu nhu the nao", "van ban den"),
    ("Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?", None),  # criteria asked: a list, not a meaning
])
def test_defined_term(evidence: Evidence, q: str, term: str | None) -> None:
    assert evidence.defined_term(q) == term


@pytest.mark.parametrize("q", ["Thế nào là danh mục hồ sơ?", "Văn bản đến được hiểu như thế nào?"])
def test_definition_missing_when_the_defining_document_is_hidden(evidence: Evidence, knowledge, q: str) -> None:  # noqa: ANN001
    hits = knowledge.search(q, k=5)
    assert evidence.definition_missing(q, evidence.wider_passages(hits)) == 0.0  # NĐ 30, Điều 3 defines it
    gone = knowledge.search(q, k=5, filters=Filters(exclude_files=[ND30]))
    assert evidence.view([ND30]).definition_missing(q, evidence.wider_passages(gone)) == 1.0


def test_a_value_listed_under_a_line_naming_the_title_is_stated_for_it(evidence: Evidence) -> None:
    # Điều 64 of the Law survives only as a reworded secondary quote: "(2) Danh hiệu “Nhà giáo nhân dân” … đạt các
    # tiêu chuẩn sau đây:" + "- Có thời gian trực tiếp nuôi dạy, giảng dạy từ 20 năm trở lên …"
    assert _title_slot(evidence, "Danh hiệu Nhà giáo nhân dân cần thời gian giảng dạy bao nhiêu năm?") == 0.0
    items = list(Evidence.announced_sentences("Danh hiệu “Nhà giáo nhân dân” đạt các tiêu chuẩn sau đây:\n"
                                              "- Có thời gian giảng dạy từ 20 năm trở lên;", [], "nha giao nhan dan"))
    assert items[-1].startswith("Danh hiệu “Nhà giáo nhân dân”") and items[-1].endswith("20 năm trở lên;")
    # a line naming another title announces nothing for this one
    other = list(Evidence.announced_sentences("Danh hiệu “Nhà giáo ưu tú” đạt các tiêu chuẩn sau đây:\n"
                                              "- Có thời gian giảng dạy từ 15 năm trở lên;", [], "nha giao nhan dan"))
    assert other[-1] == "- Có thời gian giảng dạy từ 15 năm trở lên;"
