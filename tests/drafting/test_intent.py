"""Chat intent: drafting requests are recognised without /soan; questions that mention plans stay questions."""

from __future__ import annotations

import pytest

from assistant.drafting.intent import classify, is_question


@pytest.mark.parametrize("text", [
    "Soạn kế hoạch thi đua năm 2026 của UBND xã Quang Trung",
    "soan ke hoach thi dua nam 2026 xa Quang Trung",
    "Giúp tôi soạn thảo văn bản phát động thi đua",
    "Em cần dự thảo kế hoạch khen thưởng năm 2026",
    "Viết giúp kế hoạch thi đua chào mừng đại hội",
    "soạn giúp em bản đăng ký giao ước thi đua năm 2026 của UBND phường Ba Đình",
])
def test_requests_to_draft(text: str) -> None:
    assert classify(text) == "draft"


@pytest.mark.parametrize("text", [
    "Tiêu chuẩn Chiến sĩ thi đua cơ sở là gì?",
    "Kế hoạch thi đua năm 2025 của tỉnh Bắc Ninh có chỉ tiêu gì?",
    "Ai ký kế hoạch thi đua của xã?",
    "Lập báo cáo tổng kết thi đua năm 2025",  # not a document the drafting service writes
    "Xây dựng nông thôn mới được khen thưởng thế nào",
])
def test_questions_stay_questions(text: str) -> None:
    assert classify(text) == "ask"


@pytest.mark.parametrize("text", [
    "Làm thế nào để xây dựng kế hoạch thi đua?",
    "Lập kế hoạch thi đua cần những nội dung gì?",
    "Xây dựng nông thôn mới được khen thưởng theo kế hoạch nào",
])
def test_questions_about_drafting_offer_a_draft(text: str) -> None:
    assert classify(text) == "maybe"


def test_details_are_not_questions() -> None:
    assert not is_question("Chủ đề: chuyển đổi số; chỉ tiêu: 100% thôn đạt chuẩn")
    assert is_question("Mức thưởng Lao động tiên tiến là bao nhiêu?")
