"""Drafting service over a real index: outline learned from the corpus, the 2026 commune plan, section operations,
verification of figures, LLM polish through a real OpenAI-compatible HTTP server, and export."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document

from assistant.config import Settings
from assistant.corpus.normalize import fold
from assistant.drafting.adapt import build_support, unsupported
from assistant.drafting.outline import learn_outlines
from assistant.llm import make_chat_model

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ on the path for the shared fakes
from fakes.openai_server import ScriptedOpenAI  # noqa: E402

QT_PROMPT = ("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung, chủ đề đoàn kết, "
             "sáng tạo, về đích nông thôn mới nâng cao")

FOREIGN = ["Bình Sơn", "Bắc Giang", "Chi Lăng", "Đắk Lắk", "Nghệ An", "Cần Thơ", "Quảng Ngãi", "Lạng Sơn", "Mộ Đức"]


def _body(draft) -> str:
    return draft.markdown.split("\n---\n")[0]


def test_outline_learned_from_corpus(svc):
    outlines = learn_outlines(svc.plans(), svc.w)
    kh = outlines["ke-hoach"]
    assert [s.kind for s in kh.sections] == ["muc-dich", "noi-dung", "to-chuc"]
    assert kh.sections[0].heading == "MỤC ĐÍCH, YÊU CẦU"
    assert [k for k, _ in kh.sections[0].subs] == ["muc dich", "yeu cau"]
    assert [k for k, _ in kh.sections[1].subs] == ["noi dung", "chi tieu"]
    assert set(kh.basis) == {"001_53c0be273c9cb1a6.txt", "004_c0df25c7958726b6.txt"}
    dot = outlines.get("ke-hoach-dot")
    if dot:  # the 2025 thematic plans are in the corpus
        assert "khen-thuong" in [s.kind for s in dot.sections] and dot.sections[-1].kind == "to-chuc"
    # leave-one-out: without 004 the skeleton is learned from 001 alone
    assert learn_outlines(svc.plans(), svc.w, {"004_c0df25c7958726b6.txt"})["ke-hoach"].basis == [
        "001_53c0be273c9cb1a6.txt"]


def test_commune_2026_header_and_format(qt_draft):
    md = qt_draft.markdown
    lines = [x.strip(" *#") for x in md.splitlines() if x.strip()]
    assert lines[:6] == ["ỦY BAN NHÂN DÂN", "XÃ QUANG TRUNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                         "Độc lập - Tự do - Hạnh phúc", "Số: /KH-UBND", "Quang Trung, ngày … tháng … năm 2026"]
    assert "KẾ HOẠCH" in lines and "Phát động phong trào thi đua năm 2026" in lines
    assert "“Đoàn kết, sáng tạo, về đích nông thôn mới nâng cao”" in md
    heads = [s.heading for s in qt_draft.sections if s.kind]
    assert heads[0].startswith("I. MỤC ĐÍCH") and heads[-1] == "III. TỔ CHỨC THỰC HIỆN"
    assert "TM. ỦY BAN NHÂN DÂN" in md and "CHỦ TỊCH" in md and "[Họ và tên]" in md
    assert "Nơi nhận:" in md and "Lưu: VT." in md
    assert re.match(r"^[0-9a-f]{32}$", qt_draft.draft_id)


def test_legal_bases_in_force_only(qt_draft, svc):
    bases = [p.text for s in qt_draft.sections for p in s.paragraphs if p.style == "basis"]
    joined = " ".join(bases)
    assert "06/2022/QH15" in joined and "152/2025/NĐ-CP" in joined
    assert "98/2023" not in qt_draft.markdown and "01/2024/TT-BNV" not in qt_draft.markdown
    for b in bases:
        for d in svc.registry.find_in_text(b):
            assert d.in_force_on(qt_draft.request.plan_date)
    old = svc.draft("Soạn kế hoạch phát động phong trào thi đua năm 2024 của UBND tỉnh Hà Giang, chủ đề đoàn kết")
    assert "98/2023/NĐ-CP" in old.markdown and "152/2025" not in old.markdown


def test_no_foreign_localities_or_invented_numbers(qt_draft, svc):
    body = fold(_body(qt_draft))
    for name in FOREIGN + svc.corpus_localities():
        if fold(name) != "quang trung":
            assert not re.search(r"(?<!\w)" + re.escape(fold(name)) + r"(?!\w)", body), name
    assert "lần thứ" not in _body(qt_draft)
    sup = build_support(QT_PROMPT, svc.registry, 2026)
    for s in qt_draft.sections:
        for p in s.paragraphs:
            if p.style != "basis":
                assert not unsupported(p.text, sup), p.text
            if s.key in ("I", "II", "III") and p.style == "item":
                assert p.sources


def test_targets_placeholders_and_user_targets(qt_draft, svc):
    sec = next(s for s in qt_draft.sections if s.kind == "noi-dung")
    items = [p.text for p in sec.paragraphs if p.text.startswith("(")]
    assert items and all("[giá trị: cần bổ sung]" in t for t in items)
    assert not any(re.search(r"\d+[,.]?\d*\s*(%|tỷ)", t) for t in items)
    d = svc.draft("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung, chủ đề đoàn kết; "
                  "chỉ tiêu: tỷ lệ hộ nghèo giảm 1%; thu ngân sách đạt 12,5 tỷ đồng")
    sec = next(s for s in d.sections if s.kind == "noi-dung")
    texts = [p.text for p in sec.paragraphs]
    assert "(1) Tỷ lệ hộ nghèo giảm 1%." in texts and "(2) Thu ngân sách đạt 12,5 tỷ đồng." in texts
    assert "targets" not in d.request.missing


def test_errors_give_questions_not_drafts(svc):
    d = svc.draft("Soạn kế hoạch thi đua năm 2026 của UBND huyện Bình Sơn")
    assert not d.sections and d.warnings and d.questions and "huyện" in d.markdown
    for bad in ["", "thời tiết hôm nay", "write a plan for the commune", "kế hoạch thi đua năm 2100 của UBND xã A"]:
        d = svc.draft(bad)
        assert not d.sections and d.warnings
    d = svc.draft("Soạn kế hoạch phát động thi đua năm 2026")  # no issuer: placeholders, one-shot draft
    assert d.sections and "[cơ quan ban hành: cần bổ sung]" in d.markdown and d.questions


def test_section_only_and_regenerate(svc, qt_draft):
    only = svc.draft(QT_PROMPT, section="II")
    assert [s.key for s in only.sections] == ["II"] and only.sections[0].kind == "noi-dung"
    full_ii = next(s for s in qt_draft.sections if s.key == "II")
    assert [p.text for p in only.sections[0].paragraphs] == [p.text for p in full_ii.paragraphs]  # deterministic
    short = svc.draft("", section="I", instruction="ngắn gọn hơn", base=qt_draft)
    assert short.draft_id == qt_draft.draft_id and len(short.sections) == len(qt_draft.sections)
    old_i = next(s for s in qt_draft.sections if s.key == "I")
    new_i = next(s for s in short.sections if s.key == "I")
    assert len(new_i.paragraphs) <= len(old_i.paragraphs)
    assert sum(len(p.text) for p in new_i.paragraphs) < sum(len(p.text) for p in old_i.paragraphs)
    assert next(s for s in short.sections if s.key == "III") == next(s for s in qt_draft.sections if s.key == "III")
    more = svc.draft("", section="II", instruction="thêm nội dung chuyển đổi số", base=qt_draft)
    new_ii = next(s for s in more.sections if s.key == "II")
    old_ii = next(s for s in qt_draft.sections if s.key == "II")
    added = [p for p in new_ii.paragraphs if p.text not in {q.text for q in old_ii.paragraphs}][0]
    assert "chuyển đổi số" in added.text.lower() and added.sources
    assert not unsupported(added.text, build_support(QT_PROMPT, svc.registry, 2026))


def test_llm_polish_verified(draft_settings, svc, tmp_path):
    with ScriptedOpenAI() as srv:
        model = make_chat_model(Settings(data_dir=tmp_path, llm="openai", llm_base_url=srv.base_url,
                                         llm_model="qwen-test"))

        def good(messages):
            text = messages[-1]["content"].split("Bản nháp:\n", 1)[1]
            return "\n".join(line.replace("Tăng cường", "Tiếp tục tăng cường") for line in text.splitlines())

        srv.script(responder=good)
        d = svc.draft(QT_PROMPT, section="I", llm=model)
        assert d.mode == "llm" and any("mô hình ngôn ngữ" in n for n in d.sections[0].notes)
        assert "draft_section" not in d.markdown and srv.requests
        srv.script(responder=lambda m: "1. Mục đích\nPhấn đấu tăng trưởng 12,5% như huyện Bình Sơn.")
        bad = svc.draft(QT_PROMPT, section="I", llm=model)
        grounded = svc.draft(QT_PROMPT, section="I")
        assert [p.text for p in bad.sections[0].paragraphs] == [p.text for p in grounded.sections[0].paragraphs]
        assert any("bị loại" in n for n in bad.sections[0].notes)


def test_export_markdown_and_docx(svc, qt_draft, tmp_path):
    assert svc.to_markdown(qt_draft) == qt_draft.markdown
    path = svc.to_docx(qt_draft, tmp_path / "kh.docx")
    doc = Document(str(path))
    sec = doc.sections[0]
    assert abs(sec.page_width.cm - 21.0) < 0.05 and abs(sec.page_height.cm - 29.7) < 0.05
    assert abs(sec.left_margin.cm - 3.0) < 0.05
    assert doc.styles["Normal"].font.name == "Times New Roman"
    hdr = doc.tables[0]
    assert hdr.cell(0, 0).text.split("\n") == ["ỦY BAN NHÂN DÂN", "XÃ QUANG TRUNG"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in hdr.cell(0, 1).text
    assert all(r.bold for p in hdr.cell(0, 0).paragraphs for r in p.runs)
    assert all(r.italic for r in hdr.cell(1, 1).paragraphs[0].runs)
    texts = [p.text for p in doc.paragraphs]
    assert "KẾ HOẠCH" in texts and "I. MỤC ĐÍCH, YÊU CẦU" in texts
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert 'w:w="11906"' in xml and 'w:h="16838"' in xml  # A4 in twips
    assert 'w:ascii="Times New Roman"' in xml
    sig = doc.tables[-1]
    assert "Nơi nhận:" in sig.cell(0, 0).text and "TM. ỦY BAN NHÂN DÂN" in sig.cell(0, 1).text
    label = sig.cell(0, 0).paragraphs[0].runs[0]
    assert label.bold and label.italic and label.font.size.pt == 12


def test_docx_with_office_template(svc, qt_draft, tmp_path):
    tpl = Document()
    tpl.sections[0].header.paragraphs[0].text = "MẪU CỦA VĂN PHÒNG"
    tpl.save(str(tmp_path / "tpl.docx"))
    out = svc.to_docx(qt_draft, tmp_path / "out.docx", template=tmp_path / "tpl.docx")
    doc = Document(str(out))
    assert doc.sections[0].header.paragraphs[0].text == "MẪU CỦA VĂN PHÒNG"
    assert any(p.text == "KẾ HOẠCH" for p in doc.paragraphs)


@pytest.mark.parametrize("prompt,symbol", [
    ("Soạn văn bản phát động phong trào thi đua năm 2026 của UBND phường Hòa Bình, chủ đề đoàn kết", "Số: /PĐTĐ-UBND"),
    ("Đăng ký giao ước thi đua năm 2026 của UBND phường Hòa Bình gửi UBND phường Tân An", "Số: /UBND"),
    ("Kế hoạch đợt thi đua chào mừng Đại hội Đảng bộ tỉnh năm 2026 của UBND tỉnh Ninh Bình, phó chủ tịch ký",
     "Số: /KH-UBND"),
])
def test_other_types(svc, prompt, symbol):
    d = svc.draft(prompt)
    assert symbol in d.markdown and d.sections
    if "giao ước" in prompt:
        assert "Kính gửi: UBND phường Tân An" in d.markdown and "V/v đăng ký giao ước thi đua năm 2026" in d.markdown
    if "phó chủ tịch" in prompt:
        assert "KT. CHỦ TỊCH" in d.markdown and "PHÓ CHỦ TỊCH" in d.markdown
