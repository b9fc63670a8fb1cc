"""Export a Draft to Markdown and to .docx (python-docx; A4, Times New Roman, NĐ 30/2020 layout from docx_style.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips
from lxml import etree

from assistant.drafting.models import Draft, DraftParagraph, DraftSection
from assistant.drafting.words import style as load_style

CELL_PADDING_CM = 0.19  # Word's and LibreOffice's default left/right cell margin (108 twips)


def _sec(draft: Draft, key: str) -> DraftSection | None:
    return next((s for s in draft.sections if s.key == key), None)


def _fill_cell(cell: Any, paras: list[Any], st: dict[str, Any], size: Callable[[Any], float],
               bold: Callable[[Any], bool] = lambda p: False,
               underline: Callable[[Any], bool] = lambda p: False) -> None:
    """Centred lines in a header-table cell, the first in the cell's existing paragraph."""
    for i, p in enumerate(paras):
        par = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        par.paragraph_format.space_after = Pt(0)
        _font(par.add_run(p.text), st, size(p), bold=bold(p), underline=underline(p))


def _by_style(sec: DraftSection | None, *styles: str) -> list[DraftParagraph]:
    return [p for p in (sec.paragraphs if sec else []) if p.style in styles]


# ------------------------------------------------------------------------------------------------ markdown
def to_markdown(draft: Draft) -> str:
    """Markdown rendering of the draft (also carries warnings and open questions at the end)."""
    out: list[str] = []
    hdr = _sec(draft, "header")
    if hdr:
        out += [f"**{p.text}**  " for p in _by_style(hdr, "issuer-parent", "issuer")]
        out.append("")
        out += [f"**{p.text}**  " for p in _by_style(hdr, "motto", "motto-sub")]
        out.append("")
        out += [p.text for p in _by_style(hdr, "number")]
        out += [p.text for p in _by_style(hdr, "vv")]
        out.append("")
        out += [f"*{p.text}*" for p in _by_style(hdr, "date")]
        out.append("")
        out += [f"# {p.text}" for p in _by_style(hdr, "doctype")]
        out += [f"## {p.text}" for p in _by_style(hdr, "title")]
        out.append("")
    for sec in draft.sections:
        if sec.key == "header":
            continue
        if sec.key == "recipients":
            out.append(f"**{sec.heading}**")
            out += [p.text for p in sec.paragraphs]
            out.append("")
            continue
        if sec.key == "signature":
            out += [f"**{p.text}**" for p in sec.paragraphs]
            out.append("")
            continue
        if sec.heading:
            out.append(f"## {sec.heading}")
            out.append("")
        for p in sec.paragraphs:
            if p.style == "subheading":
                out.append(f"### {p.text}")
            elif p.style == "item" and not p.text.startswith("("):
                out.append(f"- {p.text}")
            else:
                out.append(p.text)
            out.append("")
    if draft.warnings:
        out.append("---")
        out += [f"> ⚠ {w}" for w in draft.warnings]
    if draft.questions:
        out += [f"> ? {q}" for q in draft.questions]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------------------------------------ docx
def _font(run: Any, st: dict[str, Any], size: float, bold: bool = False, italic: bool = False,
          underline: bool = False) -> None:
    run.font.name = st["font"]["name"]
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    if underline:
        run.underline = True
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(a), st["font"]["name"])


def _para(container: Any, text: str, st: dict[str, Any], size: float, *, bold: bool = False, italic: bool = False,
          align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False) -> Any:
    p = container.add_paragraph()
    p.alignment = align
    pf = p.paragraph_format
    pf.space_after = Pt(st["paragraph"]["space_after_pt"])
    pf.line_spacing = st["paragraph"]["line_spacing"]
    if indent:
        pf.first_line_indent = Cm(st["paragraph"]["first_line_indent_cm"])
    _font(p.add_run(text), st, size, bold, italic)
    return p


def _no_borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = tbl_pr.makeelement(qn("w:tblBorders"), {})
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(borders.makeelement(qn(f"w:{edge}"), {qn("w:val"): "nil"}))
    tbl_pr.append(borders)


def _twips(cm: float) -> str:
    return str(round(cm * 567))


def _fixed_table(doc: Any, rows: int, widths_cm: tuple[float, float]) -> Any:
    """Borderless table of fixed layout whose grid (w:tblGrid) has exactly the cells' widths."""
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        old = tbl_pr.find(qn(tag))
        if old is not None:
            tbl_pr.remove(old)
    tbl_pr.append(tbl_pr.makeelement(qn("w:tblW"), {qn("w:w"): _twips(sum(widths_cm)), qn("w:type"): "dxa"}))
    tbl_pr.append(tbl_pr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"}))
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), _twips(w))
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Twips(int(_twips(widths_cm[i])))
    return table


_LINE_XML = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<w:rPr><w:b/></w:rPr><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{id}" '
    'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="column"><wp:posOffset>{x}</wp:posOffset></wp:positionH>'
    '<wp:positionV relativeFrom="line"><wp:posOffset>{y}</wp:posOffset></wp:positionV>'
    '<wp:extent cx="{cx}" cy="0"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
    '<wp:docPr id="{id}" name="Line {id}"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp><wps:cNvCnPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="0"/></a:xfrm>'
    '<a:prstGeom prst="line"><a:avLst/></a:prstGeom><a:ln w="{w}"><a:solidFill><a:srgbClr val="000000"/>'
    '</a:solidFill></a:ln></wps:spPr><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
    '</w:r>')
EMU_PER_CM, EMU_PER_PT = 360000, 12700
SHAPE_IDS = (9001, 9002)  # drawing ids high enough not to collide with an office template's own drawings


def _line_under(par: Any, length_cm: float, avail_cm: float, size_pt: float, st: dict[str, Any], shape_id: int) -> None:
    """A short horizontal line drawn centred under the paragraph's (last) line, as in official documents: an anchored
    line shape, so the paragraph's text and the number of paragraphs do not change (its run is bold like the
    issuer's lines around it)."""
    gap = float(st["rules"].get("gap_pt", 2))
    xml = _LINE_XML.format(id=shape_id, cx=round(length_cm * EMU_PER_CM),
                           x=round(max(0.0, (avail_cm - length_cm) / 2) * EMU_PER_CM),
                           y=round((size_pt * 1.15 + gap) * EMU_PER_PT),
                           w=round(float(st["rules"]["line_pt"]) * EMU_PER_PT))
    par._p.append(etree.fromstring(xml))


def _page_numbers(doc: Any, st: dict[str, Any]) -> None:
    """PAGE field centred in the header (or footer, per docx_style.yaml) of every page but the first; the first page
    gets its own empty header/footer."""
    sec = doc.sections[0]
    sec.different_first_page_header_footer = True
    footer = (st.get("page_number") or {}).get("position") == "footer"
    first_part = sec.first_page_footer if footer else sec.first_page_header
    first_part.is_linked_to_previous = False
    for r in list(first_part.paragraphs[0].runs):
        r._element.getparent().remove(r._element)
    par = (sec.footer if footer else sec.header).paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    size = st["font"].get("page_number_pt", st["font"]["header_pt"])
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2"), ("end", None)):
        run = par.add_run()
        _font(run, st, size)
        if kind == "instr":
            el = run._element.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
            run._element.append(el)
        elif kind == "text":
            run.text = text
        else:
            run._element.append(run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))


def _header_block(doc: Any, hdr: DraftSection, st: dict[str, Any]) -> None:
    """Issuer | Quốc hiệu, Tiêu ngữ; number (V/v) | place and date; then the type and title, with their lines."""
    f, ht, rules = st["font"], st["header_table"], st["rules"]
    widths = (float(ht["left_width_cm"]), float(ht["right_width_cm"]))
    table = _fixed_table(doc, 2, widths)
    left, right = table.cell(0, 0), table.cell(0, 1)
    issuers = _by_style(hdr, "issuer-parent", "issuer")
    _fill_cell(left, issuers, st, lambda p: f["header_pt"], bold=lambda p: p.style == "issuer")
    if issuers:
        _line_under(left.paragraphs[-1], float(rules["issuer_rule_cm"]), widths[0] - 2 * CELL_PADDING_CM,
                    f["header_pt"], st, SHAPE_IDS[0])
    _fill_cell(right, _by_style(hdr, "motto", "motto-sub"), st,
               lambda p: f.get("motto_pt", f["header_pt"]) if p.style == "motto" else f["body_pt"],
               bold=lambda p: True,
               underline=lambda p: p.style == "motto-sub" and rules.get("motto") == "underline")
    nl, dr = table.cell(1, 0), table.cell(1, 1)
    _fill_cell(nl, _by_style(hdr, "number", "vv"), st, lambda p: f["number_pt"] if p.style == "number" else 12)
    for p in _by_style(hdr, "date"):
        par = dr.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(par.add_run(p.text), st, f["body_pt"], italic=True)
    last = None
    for p in _by_style(hdr, "doctype", "title"):
        last = _para(doc, p.text, st, f["title_pt"], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        last.paragraph_format.space_after = Pt(0)
    if last is not None:
        pg = st["page"]
        text_w = float(pg["width_cm"]) - float(pg["margin_left_cm"]) - float(pg["margin_right_cm"])
        last.paragraph_format.space_after = Pt(12)
        _line_under(last, float(rules["title_rule_cm"]), text_w, f["title_pt"], st, SHAPE_IDS[1])


def _recipients_signature(doc: Any, rec: DraftSection | None, sig: DraftSection | None, st: dict[str, Any]) -> None:
    """Nơi nhận (bold italic label, small items) on the left; the signer's capacity, room to sign, name on the right."""
    f, stab = st["font"], st["signature_table"]
    table = _fixed_table(doc, 1, (float(stab["left_width_cm"]), float(stab["right_width_cm"])))
    left, right = table.cell(0, 0), table.cell(0, 1)
    if rec:
        par = left.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _font(par.add_run(rec.heading), st, f["recipients_label_pt"], bold=True, italic=True)
        for p in rec.paragraphs:
            q = left.add_paragraph()
            q.paragraph_format.space_after = Pt(0)
            _font(q.add_run(p.text), st, f["recipients_pt"])
    if sig:
        lines = sig.paragraphs
        for i, p in enumerate(lines):
            if i == len(lines) - 1 and i > 0:
                for _ in range(int(stab.get("blank_lines_before_name", 3))):
                    right.add_paragraph()
            par = right.paragraphs[0] if i == 0 else right.add_paragraph()
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            par.paragraph_format.space_after = Pt(0)
            _font(par.add_run(p.text), st, f["signature_pt"], bold=True)


def to_docx(draft: Draft, path: Path, template: str | Path | None = None, knowledge_dir: Path | None = None) -> Path:
    """Write the draft as .docx; with `template`, the office's own document is opened and the content appended so
    its styles, headers and footers apply (its page setup is kept)."""
    st = load_style(knowledge_dir)
    f = st["font"]
    doc = DocxDocument(str(template)) if template else DocxDocument()
    if not template:
        s = doc.sections[0]
        pg = st["page"]
        s.page_width, s.page_height = Cm(pg["width_cm"]), Cm(pg["height_cm"])
        s.top_margin, s.bottom_margin = Cm(pg["margin_top_cm"]), Cm(pg["margin_bottom_cm"])
        s.left_margin, s.right_margin = Cm(pg["margin_left_cm"]), Cm(pg["margin_right_cm"])
        normal = doc.styles["Normal"]
        normal.font.name = f["name"]
        normal.font.size = Pt(f["body_pt"])
        _page_numbers(doc, st)
    L = WD_ALIGN_PARAGRAPH.LEFT
    hdr = _sec(draft, "header")
    if hdr:
        _header_block(doc, hdr, st)
    for sec in draft.sections:
        if sec.key in ("header", "recipients", "signature"):
            continue
        if sec.heading:
            _para(doc, sec.heading, st, f["body_pt"], bold=True, align=L)
        for p in sec.paragraphs:
            if p.style == "subheading":
                _para(doc, p.text, st, f["body_pt"], bold=True, align=L)
            elif p.style == "recipient":
                _para(doc, p.text, st, f["body_pt"], align=WD_ALIGN_PARAGRAPH.CENTER)
            else:
                text = p.text if (p.style != "item" or p.text.startswith("(")) else f"- {p.text}"
                _para(doc, text, st, f["body_pt"], indent=True)
    rec, sig = _sec(draft, "recipients"), _sec(draft, "signature")
    if rec or sig:
        _recipients_signature(doc, rec, sig, st)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
