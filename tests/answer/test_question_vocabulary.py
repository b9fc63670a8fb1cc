"""Question vocabulary built from general classes, not one phrase per question: time interrogatives, 'những <noun>
nào/gì', 'cần/phải đạt', follow-up ellipses, present/comparison markers, pronoun classes of chat fillers and
drafting lead-ins (knowledge/answer_types.yaml, ask.yaml, query.yaml, intent.yaml)."""

from __future__ import annotations

import pytest
import yaml
from helpers import ROOT

from assistant.answer.conclusion import AnswerTypes
from assistant.answer.evidence import Words, has_phrase
from assistant.corpus.normalize import fold
from assistant.drafting.intent import classify, intent_words, is_question
from assistant.index.query import QueryNormaliser, compose_phrases

KNOW = ROOT / "knowledge"
TYPES = AnswerTypes.load(KNOW / "answer_types.yaml")
WORDS = Words.load(KNOW / "ask.yaml", KNOW / "retrieval.yaml")


def test_compose_phrases_nests_classes() -> None:
    got = compose_phrases([{"ask": ["cho"], "nouns": [{"ask": ["em", "mình"], "nouns": ["hỏi"]}, ["bạn"]]}])
    assert got == ["cho em hỏi", "cho mình hỏi", "cho bạn"]


@pytest.mark.parametrize(("question", "kind"), [
    ("Bao giờ phải nộp báo cáo tổng kết?", "date"),
    ("Lúc nào thì Hội đồng họp xét?", "date"),
    ("Thời điểm nào bắt đầu tính thành tích?", "date"),
    ("hom nao to chuc le trao tang", "date"),  # typed without diacritics
    ("Cần chuẩn bị những giấy tờ gì để đề nghị Bằng khen?", "components"),
    ("Kế hoạch có những phần lớn nào?", "components"),
    ("Cá nhân cần đạt những tiêu chuẩn gì để được Chiến sĩ thi đua cơ sở?", "criteria"),  # a list of criteria
    ("Muốn được Lao động tiên tiến thì phải đáp ứng gì?", "criteria"),
])
def test_answer_types_from_general_question_words(question: str, kind: str) -> None:
    assert TYPES.detect(question) == kind


def test_ask_markers_are_classes() -> None:
    assert has_phrase(fold("Còn Tập thể lao động tiên tiến thì thế nào?"), WORDS.followup)
    assert has_phrase(fold("Còn ở xã thì ra sao?"), WORDS.followup)
    assert has_phrase(fold("Hôm nay nộp còn kịp không?"), WORDS.present)
    assert has_phrase(fold("Thông tư này còn áp dụng không?"), WORDS.present)
    assert has_phrase(fold("Tỷ lệ hộ nghèo giảm hay tăng so với năm trước?"), WORDS.comparison)
    assert has_phrase(fold("Số hộ dùng nước sạch cao hơn hay thấp hơn kế hoạch?"), WORDS.comparison)
    assert has_phrase(fold("Quyết định này còn dùng được không?"), WORDS.validity)


def test_chat_fillers_from_pronoun_classes() -> None:
    norm = QueryNormaliser(yaml.safe_load((KNOW / "query.yaml").read_text("utf-8")))
    assert norm.strip_fillers("Cho cháu hỏi chút, tiêu chuẩn Lao động tiên tiến là gì?") == \
        "tiêu chuẩn Lao động tiên tiến là gì?"
    assert norm.strip_fillers("Mọi người ơi, hồ sơ gồm những gì?") == "hồ sơ gồm những gì?"
    assert norm.strip_fillers("Giúp tôi với, Bằng khen do ai tặng?") == "Bằng khen do ai tặng?"


def test_drafting_lead_ins_and_question_words_composed() -> None:
    w = intent_words(KNOW)
    assert {"cho minh", "giup toi", "em muon", "anh oi"} <= set(w["lead_ins"])
    assert classify("Cho mình soạn kế hoạch phát động thi đua năm 2026 của UBND xã Quang Trung", KNOW) == "draft"
    assert is_question("Kế hoạch này viết ra sao", KNOW) and is_question("tại sao phải lập kế hoạch", KNOW)


def test_rule_table_titles_match_their_abbreviated_wordings() -> None:
    """rules.yaml lists each title wording once; the query.yaml abbreviation table adds the short forms."""
    from assistant.answer.eligibility import RuleTable, with_short_forms

    assert with_short_forms(["chiến sĩ thi đua toàn quốc"], [("CSTĐTQ", "Chiến sĩ thi đua toàn quốc"),
                                                             ("CSTĐ", "Chiến sĩ thi đua")]) == \
        ["chiến sĩ thi đua toàn quốc", "cstdtq", "cstd toan quoc"]
    reader = RuleTable.load(KNOW / "rules.yaml").reader
    for text, title in [("cstđ toàn quốc", "cstd-toan-quoc"), ("CSTĐCS", "cstd-co-so"), ("cstd cap tinh", "cstd-tinh"),
                        ("LĐTT", "lao-dong-tien-tien"), ("ttlđxs", "tap-the-lao-dong-xuat-sac")]:
        assert [m.key for m in reader.titles_in(fold(text))] == [title], text
