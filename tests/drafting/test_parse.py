"""Request parsing: prompt variants (with and without diacritics) and every kind of bad input."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.config import Settings
from assistant.corpus.registry import Registry
from assistant.drafting.parse import parse_request

TODAY = date(2026, 11, 21)
S = Settings()
REG = Registry.load(S.registry_path)


def p(text: str):
    return parse_request(text, S, TODAY, REG)


@pytest.mark.parametrize("prompt", [
    "Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung, chủ đề đoàn kết, sáng tạo, "
    "về đích nông thôn mới nâng cao",
    "soan ke hoach phat dong phong trao thi dua nam 2026 cua ubnd xa quang trung, chu de doan ket, sang tao",
    "Kế hoạch thi đua năm 2026 - Ủy ban nhân dân xã Quang Trung - chủ đề: “Đoàn kết, sáng tạo”",
])
def test_commune_plan_variants(prompt):
    r = p(prompt)
    assert not r.errors
    assert r.doc_type == "ke-hoach"
    assert r.issuer == "UBND xã Quang Trung" and r.level == "xa" and r.locality == "Quang Trung"
    assert r.year == 2026
    assert r.theme and r.theme.lower().replace("đ", "d").startswith(("doan ket", "đoàn kết".replace("đ", "d"))) or \
        r.theme.lower().startswith("đoàn kết")
    assert "targets" in r.missing and r.questions


def test_doc_types():
    assert p("Soạn văn bản phát động thi đua năm 2026 của UBND phường Hòa Bình").doc_type == "phat-dong"
    g = p("Đăng ký giao ước thi đua năm 2026 của UBND phường Hòa Bình gửi UBND phường Tân An (cụm trưởng)")
    assert g.doc_type == "giao-uoc" and g.issuer == "UBND phường Hòa Bình"
    assert g.recipient and "Tân An" in g.recipient
    d = p("Kế hoạch đợt thi đua chào mừng Đại hội Đảng bộ tỉnh năm 2026 của UBND tỉnh Ninh Bình")
    assert d.doc_type == "ke-hoach-dot" and d.level == "tinh" and d.occasion.startswith("chào mừng")
    assert "2026" not in d.occasion


def test_agencies_targets_signer():
    r = p("Soạn kế hoạch thi đua năm 2026 của Sở Nội vụ tỉnh Ninh Bình, chủ đề: kỷ cương, trách nhiệm; "
          "chỉ tiêu: tỷ lệ hồ sơ đúng hạn đạt 98%, giải quyết 100% thủ tục; người ký: Phó Giám đốc Trần Văn Bình")
    assert r.level == "co-quan" and r.issuer == "Sở Nội vụ" and r.province == "Ninh Bình"
    assert r.targets == ["Tỷ lệ hồ sơ đúng hạn đạt 98%", "Giải quyết 100% thủ tục"]
    assert r.signer == "Trần Văn Bình" and r.signer_capacity == "deputy"
    assert p("soan ke hoach thi dua nam 2026 cua truong THCS Nguyen Du").level == "co-quan"
    hosp = p("Kế hoạch thi đua năm 2026 của Bệnh viện Đa khoa tỉnh Ninh Bình")
    assert hosp.issuer == "Bệnh viện Đa khoa tỉnh Ninh Bình" and hosp.province == "Ninh Bình"  # the province is in its name
    school = p("Kế hoạch thi đua năm 2026 của Trường THCS Chu Văn An, phường Tây Hồ, thành phố Hà Nội")
    assert school.issuer == "Trường THCS Chu Văn An" and school.locality == "Tây Hồ" and school.province == "Hà Nội"
    assert p("Kế hoạch thi đua năm 2026 của UBND phường Hoàn Kiếm, chủ đề xây dựng phường văn minh").errors == []
    assert p("Phát động thi đua năm 2026 của UBND đặc khu Côn Đảo").level == "xa"
    q = p("Kế hoạch thi đua năm 2026 của UBND xã Quang Trung, chỉ tiêu: tỷ lệ hộ nghèo giảm 1%, thu ngân sách "
          "đạt 12,5 tỷ đồng; chủ tịch ký")
    assert q.targets == ["Tỷ lệ hộ nghèo giảm 1%", "Thu ngân sách đạt 12,5 tỷ đồng"]
    assert q.signer_capacity == "head"


def test_district_level_abolished():
    r = p("Soạn kế hoạch thi đua năm 2026 của UBND huyện Bình Sơn")
    assert r.errors and "huyện" in r.errors[0] and "01/7/2025" in r.errors[0]
    assert r.questions
    old = p("Soạn kế hoạch thi đua năm 2024 của UBND huyện Bình Sơn")
    assert not old.errors and old.level == "huyen"


@pytest.mark.parametrize("prompt,word", [
    ("", "trống"),
    ("   ", "trống"),
    ("thời tiết hôm nay", "không phải"),
    ("write a plan for the emulation movement of the commune", "tiếng Việt"),
    ("Soạn kế hoạch thi đua năm 1890 của UBND xã A", "1890"),
    ("Soạn kế hoạch thi đua năm 2100 của UBND xã A", "2100"),
    ("Soạn kế hoạch thi đua năm 2026 của UBND xã Quang Trung cấp tỉnh", "Mâu thuẫn"),
])
def test_bad_inputs(prompt, word):
    r = p(prompt)
    assert r.errors and word in r.errors[0]


def test_too_long_and_missing_issuer():
    r = p("Soạn kế hoạch thi đua " + "rất dài " * 700)
    assert r.errors and "quá dài" in r.errors[0]
    m = p("Soạn kế hoạch phát động thi đua năm 2026")
    assert not m.errors and "issuer" in m.missing and any("cơ quan" in q for q in m.questions)
    y = p("Soạn kế hoạch phát động thi đua của UBND xã Quang Trung")
    assert "year" in y.missing and y.year == TODAY.year


def test_never_crashes_on_odd_input():
    for text in ["???", "2026", "xã", "UBND", "kế hoạch", "\x00\x01", "ke hoach nam 99999 xa", "😀 thi đua"]:
        r = p(text)
        assert isinstance(r.errors, list)
