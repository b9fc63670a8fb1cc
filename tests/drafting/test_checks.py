"""The draft eval's detectors catch hand-made bad drafts (issue 9's failures) and let good text pass."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.corpus.normalize import tokens
from assistant.drafting.models import Draft, DraftParagraph, DraftRequest, DraftSection
from evals.draft_checks import (
    EndWords,
    RoleIndex,
    Spelling,
    award_forms,
    cut_sentences,
    duplicates,
    fragments,
    header_vs_request,
    section_roles,
    subjectless,
    typos,
    wrong_level,
)

WARD = dict(level="xa", unit_word="phường", locality="Ba Đình", issuer="UBND phường Ba Đình", year=2026,
            plan_date=date(2026, 1, 15))


def P(text: str, style: str = "item", sources: list[str] | None = None) -> DraftParagraph:  # noqa: N802
    return DraftParagraph(text=text, style=style, sources=sources or ["corpus"])


def make(paras: list[DraftParagraph], kind: str = "to-chuc", header: list[DraftParagraph] | None = None,
         **req: object) -> Draft:
    r = DraftRequest(prompt="x", **{**WARD, **req})
    secs = [DraftSection(key="header", heading="", paragraphs=header or [
        P("ỦY BAN NHÂN DÂN", "issuer"), P("PHƯỜNG BA ĐÌNH", "issuer"),
        P("KẾ HOẠCH", "doctype"), P("Phát động phong trào thi đua năm 2026", "title")]),
            DraftSection(key="III", heading="III. TỔ CHỨC THỰC HIỆN", kind=kind, paragraphs=paras)]
    return Draft(draft_id="t", request=r, sections=secs)


GOOD = make([
    P("1. Văn phòng HĐND và UBND phường", "subheading"),
    P("Chủ trì, phối hợp với các cơ quan, đơn vị tham mưu tổ chức triển khai Kế hoạch; theo dõi, tổng hợp kết quả."),
    P("2. Ủy ban Mặt trận Tổ quốc phường", "subheading"),
    P("Ủy ban Mặt trận Tổ quốc phường vận động đoàn viên, hội viên và Nhân dân tích cực hưởng ứng phong trào thi đua."),
    P("Đối với các tổ dân phố:"),
    P("Tổ chức phát động thi đua đến từng hộ gia đình, biểu dương kịp thời gương người tốt, việc tốt."),
    P("Đối với các trường học: mỗi trường chọn 02 tập thể tiêu biểu để biểu dương."),
    P("Chủ tịch UBND phường tặng Giấy khen cho tập thể, cá nhân có thành tích xuất sắc trong phong trào."),
    P("Kịp thời biểu dương gương người tốt, việc tốt để mọi người học tập và làm theo."),
])


def test_good_text_passes_every_detector():
    ew = EndWords.from_texts(["Tập trung hoàn thành nhiệm vụ, giữ vững an ninh. Thi đua để hoàn thành chỉ tiêu. "
                              "Hưởng ứng phong trào thi đua. Tổng hợp kết quả. Khen thưởng trong phong trào. "
                              "Học tập và làm theo."] * 5)
    assert cut_sentences(GOOD, ew) == []
    assert subjectless(GOOD) == []
    assert fragments(GOOD) == []
    assert duplicates(GOOD) == []
    assert wrong_level(GOOD) == []
    assert award_forms(GOOD) == []
    assert header_vs_request(GOOD) == []


def test_cut_sentences_caught():
    ew = EndWords.from_texts(["Tập trung hoàn thành nhiệm vụ, giữ vững an ninh chính trị, hoàn thiện thể chế."] * 5)
    assert tokens("hoàn")[0] in ew.never_final and tokens("giữ")[0] in ew.never_final
    bad = make([P("Xây dựng lực lượng vũ trang vững mạnh, sẵn sàng chiến đấu giữ."),
                P("Tạo không khí thi đua sôi nổi để hoàn."),
                P("Phát huy tinh thần đoàn kết của"),
                P("Đẩy mạnh cải cách hành chính và.")])
    found = cut_sentences(bad, ew)
    assert len(found) == 4, found
    empty = make([P("(1) Tổng giá trị sản xuất địa bàn: ."), P("(2) Thu nhập bình quân đầu người: 60 triệu đồng.")])
    assert len(cut_sentences(empty, ew)) == 1


def test_other_plans_typos_caught():
    corpus = ["Đẩy nhanh giải phóng mặt bằng các dự án. Phấn đấu hoàn thành chỉ tiêu."] * 4 + [
        "Giải phòng mặt bằng thực hiện các dự án. Phần đấu giảm tai nạn."]
    sp = Spelling.from_texts(corpus)
    bad = make([P("Giải phòng mặt bằng thực hiện các dự án trọng điểm của phường đúng tiến độ."),
                P("Phần đấu hoàn thành toàn diện các chỉ tiêu, nhiệm vụ năm 2026 của phường.")])
    assert len(typos(bad, sp)) == 2
    target = make([P("(8) Giải phòng mặt bằng thực hiện các dự án: [giá trị: cần bổ sung].")])
    assert len(typos(target, sp)) == 1
    good = make([P("Đẩy nhanh giải phóng mặt bằng các dự án; phấn đấu hoàn thành các chỉ tiêu năm 2026.")])
    assert typos(good, sp) == []
    user = make([P("Giải phòng mặt bằng thực hiện các dự án.", sources=["yêu cầu của người dùng"])])
    assert typos(user, sp) == []


def test_subjectless_bullets_caught():
    bad = make([P("III. TỔ CHỨC THỰC HIỆN", "subheading"),
                P("Chủ trì, phối hợp với các cơ quan liên quan tổ chức triển khai thực hiện Kế hoạch này."),
                P("Tham mưu UBND phường khen thưởng kịp thời các tập thể, cá nhân có thành tích xuất sắc.")])
    assert len(subjectless(bad)) == 2


def test_heading_only_fragments_caught():
    bad = make([P("Đối với Ủy ban Mặt trận Tổ quốc tỉnh, các tổ chức chính trị - xã hội."),
                P("Đối với các cơ quan, đơn vị:"),
                P("1. Nội dung thi đua", "subheading"),
                P("2. Chỉ tiêu thi đua", "subheading"),
                P("Phấn đấu hoàn thành toàn diện các chỉ tiêu kinh tế - xã hội năm 2026 của phường.")])
    found = fragments(bad)
    assert len(found) == 3, found  # the "." lead-in, the ":" lead-in without bullets, the empty heading 1.


def test_duplicates_caught():
    t = "Đẩy mạnh cải cách hành chính, chuyển đổi số, xây dựng chính quyền điện tử, chính quyền số phục vụ Nhân dân."
    bad = make([P(t), P("Tiếp tục thi đua thực hiện tốt công tác bảo đảm quốc phòng, an ninh trên địa bàn."),
                P(t.replace("Đẩy mạnh", "- Đẩy mạnh"))])
    assert len(duplicates(bad)) == 1


@pytest.mark.parametrize("text", [
    "Sở Tài chính chủ trì, phối hợp bố trí kinh phí khen thưởng.",
    "Báo cáo kết quả về Ban Thường vụ Tỉnh ủy theo quy định.",
    "Đẩy nhanh tiến độ đầu tư hạ tầng các khu công nghiệp trên địa bàn.",
    "Trưởng các thôn tổ chức phát động thi đua đến từng hộ gia đình.",
    "Đảng bộ xã lãnh đạo, chỉ đạo thực hiện phong trào thi đua.",
    "UBND các huyện tổ chức phát động phong trào thi đua.",
    "Giấy khen của Thủ trưởng các cơ quan, đơn vị; Chủ tịch UBND các xã, phường.",
    "Hội đồng Thi đua - Khen thưởng phân công giám sát để Đợt thi đua được triển khai sâu rộng.",
])
def test_wrong_level_bodies_in_a_ward_plan_caught(text):
    assert wrong_level(make([P(text)])), text


def test_territorial_targets_in_a_school_plan_caught():
    school = dict(level="co-quan", unit_word="Trường", issuer="Trường THCS Chu Văn An", locality=None)
    assert wrong_level(make([P("(1) Phấn đấu tốc độ tăng GRDP: [giá trị: cần bổ sung].")], **school))
    assert wrong_level(make([P("(4) Thu ngân sách nhà nước: [giá trị: cần bổ sung].")], **school))
    assert wrong_level(make([P("(6) Tỷ lệ học sinh lên lớp đạt trên 98%.")], **school)) == []
    assert wrong_level(make([P("(4) Thu ngân sách nhà nước đạt dự toán.")], level="xa")) == []
    assert wrong_level(make([P("(1) Tốc độ tăng GRDP đạt 8%.")], level="xa"))


def test_campaign_self_reference_allowed_in_a_campaign_plan():
    t = "Hội đồng Thi đua - Khen thưởng phân công giám sát để Đợt thi đua được triển khai sâu rộng."
    assert wrong_level(make([P(t)], doc_type="ke-hoach-dot")) == []
    assert wrong_level(make([P("Đợt thi đua được tổ chức từ tháng 6 đến tháng 9.")], doc_type="ke-hoach")) == []


def test_wrong_level_depends_on_level_and_date():
    # a province plan may name Sở; huyện is history only after the reform date
    assert wrong_level(make([P("Sở Nội vụ tham mưu tổng hợp kết quả thi đua.")], level="tinh", unit_word="tỉnh")) == []
    old = make([P("UBND các huyện tổ chức phát động thi đua.")], level="tinh", unit_word="tỉnh",
               plan_date=date(2024, 3, 1), year=2024)
    assert wrong_level(old) == []


@pytest.mark.parametrize("text", [
    "Bằng khen của Chủ tịch UBND phường tặng cho 05 tập thể tiêu biểu.",
    "Tặng “Cờ thi đua” của Ủy ban nhân dân phường cho tổ dân phố dẫn đầu.",
    "Chủ tịch UBND phường quyết định tặng Bằng khen cho cá nhân có thành tích xuất sắc.",
])
def test_award_forms_beyond_a_commune_chairman_caught(text):
    assert award_forms(make([P(text)])), text


def test_award_forms_allowed_or_proposed_upward_pass():
    ok = make([P("Chủ tịch UBND phường tặng Giấy khen cho tập thể, cá nhân có thành tích xuất sắc."),
               P("Đề nghị Chủ tịch UBND thành phố tặng Bằng khen cho tập thể tiêu biểu nhất.")])
    assert award_forms(ok) == []
    school = make([P("Bằng khen của Hiệu trưởng cho giáo viên tiêu biểu.")], level="co-quan", unit_word="Trường")
    assert award_forms(school)


def test_header_vs_request_caught():
    no_marks = make([P("Tổ chức thực hiện.")], header=[P("ỦY BAN NHÂN DÂN", "issuer"), P("PHƯỜNG BA DINH", "issuer"),
                                                       P("Kế hoạch thi đua năm 2026", "title")])
    assert any("dấu" in x for x in header_vs_request(no_marks))
    school = make([P("x")], header=[P("UBND TỈNH HÀ NỘI", "issuer-parent"), P("TRƯỜNG THCS CHU VĂN AN", "issuer"),
                                    P("Kế hoạch thi đua năm học 2026", "title")],
                  level="co-quan", unit_word="Trường", issuer="Trường THCS Chu Văn An", locality=None)
    assert any("thành phố trực thuộc" in x for x in header_vs_request(school))
    no_parent = make([P("x")], header=[P("TRƯỜNG THCS CHU VĂN AN", "issuer"), P("Kế hoạch", "title")],
                     level="co-quan", unit_word="Trường", issuer="Trường THCS Chu Văn An", locality=None)
    assert any("chủ quản" in x for x in header_vs_request(no_parent))
    leak = make([P("x")], header=[P("ỦY BAN NHÂN DÂN", "issuer"), P("PHƯỜNG BA ĐÌNH", "issuer"),
                                  P("Đợt thi đua chào mừng Quốc khánh 2/9, UBND phường Ba Đình năm 2026", "title")])
    assert any("tiêu đề" in x for x in header_vs_request(leak))
    assert header_vs_request(GOOD, {"title_has": ["chuyển đổi số"]})
    theme_place = make([P("x")], header=[P("ỦY BAN NHÂN DÂN", "issuer"), P("PHƯỜNG BA ĐÌNH", "issuer"),
                                         P("Đợt thi đua chuyển đổi số trên địa bàn phường Ba Đình năm 2026", "title")])
    assert header_vs_request(theme_place) == []


def test_section_roles_caught_by_origin_and_by_the_role_labeller():
    from assistant.drafting.words import words
    from evals.draft_checks import _words

    w = words()
    content = "Thi đua đẩy mạnh phát triển kinh tế, nâng cao đời sống vật chất và tinh thần của Nhân dân."
    # copied from a corpus paragraph labelled "nội dung" into the khen thưởng section: caught by its origin
    idx = RoleIndex([(set(_words(content)), "noi-dung")])
    n, wrong = section_roles(make([P(content)], kind="khen-thuong"), idx, w)
    assert n == 1 and len(wrong) == 1
    assert section_roles(make([P(content)], kind="noi-dung"), idx, w) == (1, [])
    # no source found: labelled from its own words under the draft's heading path
    tasks = make([P("Tiếp tục đẩy mạnh phong trào thi đua yêu nước trên các lĩnh vực kinh tế, văn hóa, xã hội."),
                  P("Văn phòng HĐND và UBND phường chủ trì, phối hợp tổ chức triển khai thực hiện Kế hoạch này.")])
    n, wrong = section_roles(tasks, None, w)
    assert n == 2 and len(wrong) == 1 and "Tiếp tục" in wrong[0]
    rule = make([P("Không khen thưởng nhiều lần, nhiều hình thức khen thưởng cho một thành tích đạt được.")],
                kind="doi-tuong")
    assert len(section_roles(rule, None, w)[1]) == 1


def test_header_in_capitals_with_diacritics_passes():
    ok = make([P("Tổ chức thực hiện.")], header=[P("ỦY BAN NHÂN DÂN", "issuer"), P("PHƯỜNG HOÀN KIẾM", "issuer"),
                                                 P("Kế hoạch thi đua năm 2026", "title")])
    assert not any("dấu" in x for x in header_vs_request(ok))
