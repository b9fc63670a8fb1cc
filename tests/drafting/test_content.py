"""Draft content: paragraph roles, whole units, the issuer's level, prompt understanding, type details, refinement."""

from __future__ import annotations

import re

import pytest
from helpers import TODAY

from assistant.corpus.normalize import fold
from assistant.drafting.roles import label_plan, units_of
from assistant.drafting.service import BODY_KEYS, DraftService
from assistant.drafting.vocab import Vocabulary
from assistant.memory import Store
from tests.drafting.conftest import QT_PROMPT

WARD = ("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND phường Ba Đình, thành phố Hà Nội, chủ đề: "
        "Đoàn kết, sáng tạo, chuyển đổi số")


def _body(d) -> list:
    return [p for s in d.sections if s.key in BODY_KEYS for p in s.paragraphs]


def _text(d) -> str:
    return "\n".join(p.text for s in d.sections if s.key in BODY_KEYS | {"opening", "closing"} for p in s.paragraphs)


@pytest.fixture(scope="module")
def ward(svc):
    return svc.draft(WARD)


def test_every_corpus_paragraph_has_a_role(svc):
    for p in svc.plans():
        labeled = label_plan(p, svc.w)
        n_paras = len(p.opening) + sum(len(pt.paras) for s in p.sections for pt in s.parts) + len(p.closing)
        assert len([lp for lp in labeled if not lp.is_lead or lp.text in {x.text for s in p.sections
                    for pt in s.parts for x in pt.paras}]) >= n_paras - 1, p.source_file
        assert all(lp.role for lp in labeled)
    kh = next(p for p in svc.plans() if p.source_file.startswith("kh-0124"))
    units = units_of(label_plan(kh, svc.w))
    snv = next(u for u in units if u.lead is not None and u.lead.text.startswith("Sở Nội vụ"))
    assert snv.role == "giao-nhiem-vu" and len(snv.items) == 3
    roles = {lp.role for lp in label_plan(kh, svc.w)}
    assert {"muc-dich", "yeu-cau", "chu-de", "thoi-gian", "noi-dung", "tieu-chi", "khen-thuong",
            "giao-nhiem-vu", "ket-thuc"} <= roles


def test_sections_hold_only_their_roles(ward, svc):
    allowed = {"muc-dich": {"muc-dich", "yeu-cau"}, "noi-dung": {"noi-dung", "chi-tieu", "chu-de", "khen-thuong"},
               "to-chuc": {"giao-nhiem-vu", "thoi-gian", "bao-cao", "khen-thuong", "giai-phap"},
               "doi-tuong": {"doi-tuong", "thoi-gian", "tieu-chi", "khen-thuong"},
               "khen-thuong": {"khen-thuong", "tieu-chi"}}
    for s in ward.sections:
        if s.key in BODY_KEYS:
            for p in s.paragraphs:
                if p.style != "subheading":
                    assert p.role in allowed[s.kind], (s.heading, p.role, p.text[:80])


def test_whole_units_no_cut_no_orphan_no_duplicate(ward):
    body = _body(ward)
    texts = [p.text for p in body if p.style != "subheading"]
    assert len(texts) == len({fold(t)[:80] for t in texts})
    for i, p in enumerate(body):
        if p.style == "subheading":
            continue
        assert p.text.rstrip().endswith((".", ";", ":", "./.", "]")), p.text
        if p.text.endswith(":") and p.style == "body" and p.role == "giao-nhiem-vu":
            assert i + 1 < len(body) and body[i + 1].style == "item", p.text  # no heading without its bullets
        if p.role == "giao-nhiem-vu" and p.style == "item" and not p.text.startswith("["):
            prev = body[i - 1] if i else None
            has_lead = prev is not None and (prev.text.endswith(":") or prev.role == "giao-nhiem-vu")
            assert has_lead or re.match(r"^(Đề nghị|Các|Sở|Ủy ban|UBND|Văn phòng|Phòng|Công an|Ban|Thủ trưởng|"
                                        r"Chủ tịch|Báo|Đài|Trung tâm|Hội|Đoàn|Giao)", p.text), p.text


def test_ward_plan_has_no_body_of_another_level(ward):
    f = fold(_text(ward) + "\n" + "\n".join(p.text for s in ward.sections if s.key == "recipients"
                                            for p in s.paragraphs))
    for bad in ("so noi vu", "cac so", "tinh uy", "khu cong nghiep", "cum cong nghiep", "xuat khau", "doi ngoai",
                "huyen", "thon", "dang bo xa"):
        assert not re.search(rf"(?<!\w){bad}(?!\w)", f), bad
    assert not re.search(r"(?<!\w)xa(?!\w)(?!\s+hoi)", f.replace("xa hoi", ""))
    assert "bang khen cua chu tich" not in f
    award = [p for p in _body(ward) if "Điều 80" in " ".join(p.sources)]
    assert award and "Giấy khen" in award[0].text and "Bằng khen" not in award[0].text
    hdr = [p.text for p in ward.sections[0].paragraphs]
    assert "PHƯỜNG BA ĐÌNH" in hdr


def test_prompt_without_diacritics(svc):
    d = svc.draft("soan ke hoach phat dong thi dua nam 2026 cua UBND phuong Ba Dinh, ha noi, chu de chuyen doi so")
    assert "PHƯỜNG BA ĐÌNH" in [p.text for p in d.sections[0].paragraphs]
    assert d.request.theme == "Chuyển đổi số" and d.request.province == "Hà Nội"


def test_theme_words_do_not_change_type_and_issuer_stays_out_of_title(svc):
    d = svc.draft("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã An Phú, chủ đề: Chung tay "
                  "hướng tới nông thôn mới")
    assert d.doc_type == "ke-hoach"
    d = svc.draft("Soạn kế hoạch đợt thi đua cao điểm lập thành tích chào mừng Quốc khánh 2/9, UBND tỉnh Quảng Trị "
                  "năm 2025")
    title = next(p.text for p in d.sections[0].paragraphs if p.style == "title")
    assert "cao điểm lập thành tích" in title and "Quảng Trị" not in title
    d = svc.draft("Soạn kế hoạch thi đua kỷ niệm 80 năm Cách mạng tháng Tám năm 2025 của UBND tỉnh Nghệ An")
    assert "kỷ niệm" in d.request.occasion


def test_issuer_after_a_quoted_theme_and_agency_without_diacritics(svc):
    d = svc.draft("Soạn kế hoạch thi đua “chuyên đề chuyển đổi số” năm 2026 của UBND phường Ba Đình, Hà Nội")
    assert d.request.issuer == "UBND phường Ba Đình" and d.request.theme == "Chuyên đề chuyển đổi số"
    d = svc.draft("soan ke hoach thi dua nam 2026 cua so noi vu tinh ninh binh")
    assert [p.text for p in d.sections[0].paragraphs][:2] == ["ỦY BAN NHÂN DÂN TỈNH NINH BÌNH", "SỞ NỘI VỤ"]


def test_past_year_plan_states_its_date_and_bases(svc):
    d = svc.draft("Soạn kế hoạch phát động phong trào thi đua năm 2025 của UBND tỉnh Bắc Ninh, chủ đề: Đổi mới")
    notes = " ".join(d.notes)
    assert "Giả định ngày ban hành 15/01/2025" in notes and "152/2025/NĐ-CP" in notes
    assert "98/2023/NĐ-CP" in " ".join(p.text for p in d.sections[1].paragraphs)
    rec = [p.text for s in d.sections if s.key == "recipients" for p in s.paragraphs]
    assert "- UBND các huyện, thành phố;" in rec  # before the two-level reform
    now = svc.draft("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND tỉnh Bắc Ninh, chủ đề: Đổi mới")
    assert "- UBND các xã, phường;" in [p.text for s in now.sections if s.key == "recipients" for p in s.paragraphs]
    assert any("Giả định ngày ban hành" in x for x in d.warnings) and "Giả định ngày ban hành" in d.markdown


def test_giao_uoc_closes_like_a_cong_van(svc):
    d = svc.draft("Soạn văn bản đăng ký giao ước thi đua năm 2026 của UBND xã Quang Trung gửi UBND xã Tân Lập "
                  "(Cụm trưởng cụm thi đua số 3)")
    closing = next(s for s in d.sections if s.key == "closing").paragraphs[0].text
    assert closing.startswith("Trên đây là nội dung đăng ký giao ước thi đua năm 2026")
    rec = next(s for s in d.sections if s.key == "recipients").paragraphs
    assert rec[0].text == "- Như trên;"


@pytest.mark.parametrize("prompt,parent", [
    ("Soạn kế hoạch phát động thi đua năm 2026 của Trường THCS Nguyễn Du thuộc UBND phường Ba Đình, chủ đề: Dạy "
     "tốt, học tốt", "UBND PHƯỜNG BA ĐÌNH"),
    ("Soạn kế hoạch phát động thi đua năm 2026 của Bệnh viện Đa khoa tỉnh Ninh Bình, chủ đề: Vì sức khỏe nhân dân",
     "[CƠ QUAN CHỦ QUẢN: CẦN BỔ SUNG]"),
    ("Soạn kế hoạch phát động thi đua năm 2026 của Sở Nội vụ tỉnh Ninh Bình, chủ đề: Kỷ cương, trách nhiệm",
     "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH"),
])
def test_agency_plans(svc, prompt, parent):
    d = svc.draft(prompt)
    hdr = d.sections[0].paragraphs
    assert hdr[0].style == "issuer-parent" and hdr[0].text == parent
    assert any("Kho chưa có kế hoạch mẫu" in n for n in d.notes)
    f = " ".join(p.text for p in _body(d)).lower().replace(d.request.issuer.lower(), "")
    other_sector = {"truong": ("người bệnh", "khám, chữa bệnh"), "benh vien": ("học sinh", "dạy và học")}
    for bad in ("huyện", "xã", "phường", "tỉnh", "thôn", "ubnd", "khu công nghiệp", "sở nội vụ",
                *other_sector.get(d.request.agency_key, ())):
        assert not re.search(rf"(?<!\w){bad}(?!\w)(?!\s+hội)", f), (bad, prompt)


def test_refine_one_section_of_the_stored_draft(draft_settings, draft_knowledge, tmp_path):
    svc = DraftService(draft_settings, draft_knowledge, today=TODAY, store=Store(tmp_path / "m.db", 10))
    d = svc.draft(QT_PROMPT)
    before = {s.key: [p.text for p in s.paragraphs] for s in d.sections}
    r = svc.draft("", section="II", instruction="thêm nội dung về chuyển đổi số", base=d.draft_id)
    assert r.draft_id == d.draft_id and not r.request.errors
    after = {s.key: [p.text for p in s.paragraphs] for s in r.sections}
    assert {k for k in before if before[k] != after[k]} == {"II"}
    added = [t for t in after["II"] if t not in before["II"]]
    assert added and any("chuyển đổi số" in t.lower() for t in added)
    roles = [p.role for p in r.sections[[s.key for s in r.sections].index("II")].paragraphs]
    first = after["II"].index(added[0])
    assert roles[first - 1] == roles[first]  # placed next to the paragraphs of its own role
    assert svc.load(d.draft_id).sections[2].paragraphs == r.sections[2].paragraphs
    missing = svc.draft("", section="II", instruction="x", base="khong-co")
    assert missing.request.errors


def test_vocabulary_restores_and_fixes_only_with_evidence():
    v = Vocabulary(["chuyển đổi số"] * 5 + ["chuyển đổi số và kinh tế số", "thi đua chuyên đề",
                    "đánh giá định kỳ", "đánh giá định kỳ hằng năm", "gia đình văn hóa", "gia đình văn hóa",
                    "xây dựng gia đình", "gia đình", "gia đình"])
    assert v.restore("chuyen doi so") == "chuyển đổi số"
    assert v.fix_typos("tăng cường chuyên đổi số") == "tăng cường chuyển đổi số"
    assert v.fix_typos("kiểm tra, đánh giá định kỳ") == "kiểm tra, đánh giá định kỳ"
