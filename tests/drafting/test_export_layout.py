""".docx layout to NĐ 30/2020: the XML (grid = cells, lines under issuer / Tiêu ngữ / title, page numbers from page 2)
and the real rendering — LibreOffice converts the .docx to PDF and the header lines must not wrap."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Cm
from pypdf import PdfReader
from pypdf.generic import ContentStream

from assistant.drafting.export import to_docx
from assistant.drafting.models import Draft, DraftParagraph, DraftRequest, DraftSection
from evals.draft_checks import docx_layout

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: .ci/run installs "
                                   "libreoffice-writer; without it the PDF rendering cannot be checked")


def P(text: str, style: str = "item") -> DraftParagraph:  # noqa: N802
    return DraftParagraph(text=text, style=style)


def long_draft(doctype: bool = True) -> Draft:
    hdr = [P("ỦY BAN NHÂN DÂN", "issuer"), P("PHƯỜNG BA ĐÌNH", "issuer"), P(MOTTO, "motto"),
           P("Độc lập - Tự do - Hạnh phúc", "motto-sub"), P("Số: /KH-UBND", "number"),
           P("Ba Đình, ngày … tháng … năm 2026", "date")]
    if doctype:
        hdr += [P("KẾ HOẠCH", "doctype"), P("Phát động phong trào thi đua năm 2026", "title")]
    body = [P(f"Nội dung {i}: đẩy mạnh cải cách hành chính, chuyển đổi số, xây dựng chính quyền số phục vụ Nhân dân, "
              "doanh nghiệp ngày càng tốt hơn, bảo đảm thực chất, hiệu quả.") for i in range(45)]
    return Draft(draft_id="layout", request=DraftRequest(prompt="x"), sections=[
        DraftSection(key="header", heading="", paragraphs=hdr),
        DraftSection(key="I", heading="I. MỤC ĐÍCH, YÊU CẦU", kind="muc-dich", paragraphs=body),
        DraftSection(key="recipients", heading="Nơi nhận:", paragraphs=[
            P("- UBND thành phố (b/c);", "recipient-item"), P("- Lưu: VT.", "recipient-item")]),
        DraftSection(key="signature", heading="", paragraphs=[
            P("TM. ỦY BAN NHÂN DÂN", "signature"), P("CHỦ TỊCH", "signature"), P("[Họ và tên]", "signature")])])


def to_pdf(docx: Path) -> Path:
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{docx.parent}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = docx.with_suffix(".pdf")
    assert pdf.exists()
    return pdf


def page_lines(pdf: Path) -> list[list[str]]:
    return [[ln.strip() for ln in (pg.extract_text() or "").splitlines() if ln.strip()] for pg in PdfReader(pdf).pages]


def horizontal_rules(pdf: Path) -> list[tuple[float, float, float]]:
    """Horizontal line segments drawn on page 1 as (x1, x2, y), following translations (cm) and q/Q."""
    r = PdfReader(pdf)
    ops = ContentStream(r.pages[0].get_contents(), r).operations
    out, start, t, stack = [], None, (0.0, 0.0), []
    for args, op in ops:
        if op == b"q":
            stack.append(t)
        elif op == b"Q":
            t = stack.pop() if stack else (0.0, 0.0)
        elif op == b"cm":
            t = (t[0] + float(args[4]), t[1] + float(args[5]))
        elif op == b"m":
            start = (float(args[0]) + t[0], float(args[1]) + t[1])
        elif op == b"l" and start is not None:
            end = (float(args[0]) + t[0], float(args[1]) + t[1])
            if abs(end[1] - start[1]) < 0.5 and abs(end[0] - start[0]) > 20:
                out.append((min(start[0], end[0]), max(start[0], end[0]), start[1]))
    return out


def text_positions(pdf: Path) -> dict[str, tuple[float, float]]:
    """Baseline (x, y) of each text run on page 1."""
    pos: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, font, size):  # noqa: ANN001
        if text.strip():
            pos.setdefault(text.strip(), (float(tm[4]), float(tm[5])))

    PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return pos


def line_below(rules: list[tuple[float, float, float]], y: float, max_width: float) -> bool:
    return any(0 < y - ry < 12 and x2 - x1 <= max_width for x1, x2, ry in rules)


def test_docx_xml_layout(tmp_path):
    path = to_docx(long_draft(), tmp_path / "d.docx")
    assert docx_layout(path) == []
    doc = Document(str(path))
    sec = doc.sections[0]
    assert sec.different_first_page_header_footer
    grid = doc.tables[0]._tbl.tblGrid.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol")
    assert [round(int(g.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) / 567, 1)
            for g in grid] == [6.5, 9.5]
    motto_sub = [p for p in doc.tables[0].cell(0, 1).paragraphs if "Độc lập" in p.text][0]
    assert all(r.underline for r in motto_sub.runs)


def test_docx_layout_detector_catches_the_old_layout(tmp_path):
    """A header table whose grid (8/8 cm) disagrees with its cells (6.5/9.5 cm), no lines, no page numbers."""
    doc = Document()
    t = doc.add_table(rows=2, cols=2)
    for col in t._tbl.tblGrid.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol"):
        col.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w", str(8 * 567))
    for row in t.rows:
        row.cells[0].width, row.cells[1].width = Cm(6.5), Cm(9.5)
    t.cell(0, 0).paragraphs[0].add_run("ỦY BAN NHÂN DÂN")
    t.cell(0, 1).paragraphs[0].add_run(MOTTO)
    t.cell(0, 1).add_paragraph("Độc lập - Tự do - Hạnh phúc")
    doc.add_paragraph("KẾ HOẠCH")
    doc.add_paragraph("Phát động phong trào thi đua năm 2026")
    doc.add_paragraph("Nội dung.")
    path = tmp_path / "old.docx"
    doc.save(str(path))
    found = docx_layout(path)
    assert len(found) == 5, found
    assert any("lưới" in x for x in found) and any("số trang" in x for x in found)


def test_giao_uoc_without_title_needs_no_title_line(tmp_path):
    path = to_docx(long_draft(doctype=False), tmp_path / "g.docx")
    assert docx_layout(path, has_title=False) == []


@needs_soffice
def test_libreoffice_renders_header_on_one_line_and_numbers_from_page_2(tmp_path):
    pdf = to_pdf(to_docx(long_draft(), tmp_path / "d.docx"))
    pages = page_lines(pdf)
    assert len(pages) >= 2
    first = pages[0]
    assert any(MOTTO in ln for ln in first), first[:6]          # the Quốc hiệu does not wrap
    assert any("Độc lập - Tự do - Hạnh phúc" in ln for ln in first)
    assert any("PHƯỜNG BA ĐÌNH" in ln for ln in first)
    assert any("Phát động phong trào thi đua năm 2026" in ln for ln in first)
    assert not any(ln == "1" for ln in first)                     # no number on page 1
    for i, lines in enumerate(pages[1:], start=2):
        assert lines[0] == str(i), lines[:2]                      # the page number heads pages 2, 3, …
    rules, pos = horizontal_rules(pdf), text_positions(pdf)
    page_mid = float(PdfReader(pdf).pages[0].mediabox.width) / 2
    issuer_y = pos["PHƯỜNG BA ĐÌNH"][1]
    assert line_below([r for r in rules if r[1] < page_mid], issuer_y, 100), (rules, pos)      # short, left column
    assert line_below([r for r in rules if r[0] > page_mid - 30], pos["Độc lập - Tự do - Hạnh phúc"][1], 200)
    assert line_below(rules, pos["Phát động phong trào thi đua năm 2026"][1], 100)          # short, under title


@needs_soffice
def test_real_draft_renders_without_wrapping(svc, tmp_path):
    draft = svc.draft("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND phường Ba Đình, thành phố Hà Nội, "
                      "chủ đề chuyển đổi số")
    path = svc.to_docx(draft, tmp_path / "ward.docx")
    assert docx_layout(path) == []
    pages = page_lines(to_pdf(path))
    assert any(MOTTO in ln for ln in pages[0])
    assert all(lines[0] == str(i) for i, lines in enumerate(pages[1:], start=2))
