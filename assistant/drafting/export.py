"""Export a Draft to Markdown and to .docx (python-docx; A4, Times New Roman, NĐ 30/2020 layout from docx_style.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from assistant.drafting.models import Draft, DraftParagraph, DraftSection
from assistant.drafting.words import style as load_style


def _sec(draft: Draft, key: str) -> DraftSection | None:
    return next((s for s in draft.sections if s.key == key), None)


def _fill_cell(cell: Any, paras: list[Any], st: dict[str, Any], size: Callable[[Any], float],
               bold: Callable[[Any], bool] = lambda p: False) -> None:
    """Centred lines in a header-table cell, the first in the cell's existing paragraph."""
    for i, p in enumerate(paras):
        par = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(par.add_run(p.text), st, size(p), bold=bold(p))


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
def _font(run: Any, st: dict[str, Any], size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = st["font"]["name"]
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
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
    C, L, _R = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
    hdr = _sec(draft, "header")
    if hdr:
        table = doc.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _no_borders(table)
        widths = (Cm(st["header_table"]["left_width_cm"]), Cm(st["header_table"]["right_width_cm"]))
        for row in table.rows:
            for i, cell in enumerate(row.cells):
                cell.width = widths[i]
        left, right = table.cell(0, 0), table.cell(0, 1)
        _fill_cell(left, _by_style(hdr, "issuer-parent", "issuer"), st, lambda p: f["header_pt"],
                   bold=lambda p: p.style == "issuer")
        _fill_cell(right, _by_style(hdr, "motto", "motto-sub"), st,
                   lambda p: f["header_pt"] if p.style == "motto" else f["body_pt"], bold=lambda p: True)
        nl, dr = table.cell(1, 0), table.cell(1, 1)
        _fill_cell(nl, _by_style(hdr, "number", "vv"), st, lambda p: f["number_pt"] if p.style == "number" else 12)
        for p in _by_style(hdr, "date"):
            par = dr.paragraphs[0]
            par.alignment = C
            _font(par.add_run(p.text), st, f["body_pt"], italic=True)
        for p in _by_style(hdr, "doctype"):
            _para(doc, p.text, st, f["title_pt"], bold=True, align=C)
        for p in _by_style(hdr, "title"):
            _para(doc, p.text, st, f["title_pt"], bold=True, align=C)
    for sec in draft.sections:
        if sec.key in ("header", "recipients", "signature"):
            continue
        if sec.heading:
            _para(doc, sec.heading, st, f["body_pt"], bold=True, align=L)
        for p in sec.paragraphs:
            if p.style == "subheading":
                _para(doc, p.text, st, f["body_pt"], bold=True, align=L)
            elif p.style == "recipient":
                _para(doc, p.text, st, f["body_pt"], align=C)
            else:
                text = p.text if (p.style != "item" or p.text.startswith("(")) else f"- {p.text}"
                _para(doc, text, st, f["body_pt"], indent=True)
    rec, sig = _sec(draft, "recipients"), _sec(draft, "signature")
    if rec or sig:
        table = doc.add_table(rows=1, cols=2)
        _no_borders(table)
        left, right = table.cell(0, 0), table.cell(0, 1)
        if rec:
            par = left.paragraphs[0]
            par.alignment = L
            _font(par.add_run(rec.heading), st, f["recipients_label_pt"], bold=True, italic=True)
            for p in rec.paragraphs:
                q = left.add_paragraph()
                q.paragraph_format.space_after = Pt(0)
                _font(q.add_run(p.text), st, f["recipients_pt"])
        if sig:
            first = True
            lines = sig.paragraphs
            for i, p in enumerate(lines):
                par = right.paragraphs[0] if first else right.add_paragraph()
                first = False
                par.alignment = C
                if i == len(lines) - 1:
                    for _ in range(3):
                        par = right.add_paragraph()
                    par.alignment = C
                _font(par.add_run(p.text), st, f["signature_pt"], bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
