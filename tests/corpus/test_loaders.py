"""Tests for assistant.corpus.loaders: real files of every format, and every kind of bad input."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import unicodedata
from pathlib import Path

import pytest

from assistant.corpus.loaders import (
    SUPPORTED_EXTENSIONS,
    LoadedText,
    LoadError,
    doc_converter,
    iter_corpus_files,
    load_file,
)

MB = 1024 * 1024
LIMIT = 20 * MB
REPO = Path(__file__).resolve().parents[2]
REAL_DIRS = [
    REPO.parent / "shared" / "corpus" / "raw",
    REPO.parent / "shared" / "seeds",
    REPO / "knowledge" / "plans",
]
VI = "Kế hoạch phát động phong trào thi đua năm 2025 của Ủy ban nhân dân huyện Bình Sơn"
VI2 = "Danh hiệu “Chiến sĩ thi đua cơ sở” được xét tặng hằng năm cho cá nhân đạt tiêu chuẩn; Đảng ủy, Người ưu tú."
FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"),
]


def encode_cp1258(s: str) -> bytes:
    """Encode like Windows does for code page 1258: base letter (ă â ê ô ơ ư đ) + separate tone mark byte."""
    out = bytearray()
    for ch in s:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
        out += base.encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        p.write_bytes(data.encode("utf-8"))
    else:
        p.write_bytes(data)
    return p


def load_error(path: Path, max_bytes: int = LIMIT) -> LoadError:
    with pytest.raises(LoadError) as ei:
        load_file(path, max_bytes)
    err = ei.value
    assert err.source_file == path.name
    assert str(err) == f"{path.name}: {err.reason_vi} ({err.reason_en})"
    return err


# ---------------------------------------------------------------------------------------------- text files


def test_utf8_markdown_roundtrip_equals_read_text(tmp_path: Path) -> None:
    body = f"---\ntitle: Kế hoạch\n---\n\n# {VI}\n\nI. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n{VI2}\n| a | b |\n"
    p = write(tmp_path, "kh.md", body)
    lt = load_file(p, LIMIT)
    assert isinstance(lt, LoadedText)
    assert lt.text == p.read_text("utf-8")
    assert (lt.source_file, lt.fmt, lt.encoding, lt.notes) == ("kh.md", "md", "utf-8", [])
    assert lt.text.find("1. Mục đích") == p.read_text("utf-8").find("1. Mục đích")


def test_crlf_and_cr_newlines_match_read_text(tmp_path: Path) -> None:
    # Path.read_text() uses universal newlines; the loader gives the same text so offsets agree.
    p = write(tmp_path, "win.txt", f"{VI}\r\n\r\nI. MỤC ĐÍCH\r2. Yêu cầu\n")
    lt = load_file(p, LIMIT)
    assert lt.text == p.read_text("utf-8") == f"{VI}\n\nI. MỤC ĐÍCH\n2. Yêu cầu\n"
    assert any("CRLF" in n for n in lt.notes)


def test_utf8_bom_is_dropped_and_noted(tmp_path: Path) -> None:
    p = write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + VI.encode())
    lt = load_file(p, LIMIT)
    assert lt.text == VI
    assert lt.encoding == "utf-8-sig" and lt.notes


def test_utf8_decomposed_text_is_nfc(tmp_path: Path) -> None:
    p = write(tmp_path, "nfd.txt", unicodedata.normalize("NFD", VI))
    lt = load_file(p, LIMIT)
    assert lt.text == VI and unicodedata.is_normalized("NFC", lt.text)
    assert any("NFC" in n for n in lt.notes)


def test_utf16_with_bom(tmp_path: Path) -> None:
    p = write(tmp_path, "notepad.txt", VI2.encode("utf-16"))
    lt = load_file(p, LIMIT)
    assert lt.text == VI2 and lt.encoding == "utf-16"


def test_cp1258_vietnamese_is_decoded_and_nfc(tmp_path: Path) -> None:
    text = f"{VI}\n{VI2}\nĐIỀU 1. Phạm vi điều chỉnh, diện tích 25 m²\n"
    data = encode_cp1258(text.replace("\n", "\r\n"))  # a Notepad file from Windows
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    p = write(tmp_path, "cu.txt", data)
    lt = load_file(p, LIMIT)
    assert lt.text == text
    assert unicodedata.is_normalized("NFC", lt.text)
    assert lt.encoding == "cp1258"
    assert any("CP1258" in n for n in lt.notes)


def test_cp1252_western_text_is_decoded(tmp_path: Path) -> None:
    text = "Le café est déjà prêt – «voilà» une façade naïve, 5 € — “quoted”.\n"
    p = write(tmp_path, "fr.md", text.encode("cp1252"))
    lt = load_file(p, LIMIT)
    assert lt.text == text and lt.encoding == "cp1252"


def test_undecodable_legacy_font_encoding_is_rejected(tmp_path: Path) -> None:
    # Vietnamese typed with a TCVN3 (ABC, .VnTime) font: bytes that read as symbols in every code page.
    data = b"Thi \xaeua khen th\xad\xebng: K\xd5 ho\xb9ch n\xa8m 2025 c\xf1a \xf1y ban nh\xa9n d\xa9n, ph\xb8t \xaei\xd6u"
    err = load_error(write(tmp_path, "tcvn3.txt", data))
    assert "không nhận dạng được bảng mã" in err.reason_vi and "UTF-8" in err.reason_vi


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t\r\n  ", "\ufeff \u00a0\n".encode()],
    ids=["zero-bytes", "whitespace", "bom-nbsp"],
)
@pytest.mark.parametrize("ext", [".md", ".txt", ".html", ".docx", ".pdf"])
def test_empty_files(tmp_path: Path, data: bytes, ext: str) -> None:
    p = write(tmp_path, f"rong{ext}", data)
    err = load_error(p)
    if not data or ext in (".md", ".txt", ".html"):
        assert "tệp rỗng" in err.reason_vi
    else:  # whitespace is not a .docx / .pdf at all
        assert "không phải" in err.reason_vi


def test_binary_in_text_file(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "nul.txt", b"Ke hoach\x00\x00\x01\x02 thi dua" * 10))
    assert "nhị phân" in err.reason_vi
    ctrl = bytes([1, 2, 3, 4, 5, 6, 14, 15, 16, 17]) * 5 + b"abc" * 20
    err = load_error(write(tmp_path, "ctrl.md", ctrl))
    assert "nhị phân" in err.reason_vi
    err = load_error(write(tmp_path, "bom-rac.txt", b"\xff\xfe" + bytes(range(32)) * 20))
    assert "nhị phân" in err.reason_vi
    err = load_error(write(tmp_path, "anh.md", b"\x89PNG\r\n\x1a\n" + os.urandom(200)))
    assert "PNG" in err.reason_vi


def test_oversized_sparse_file_is_rejected_without_reading(tmp_path: Path) -> None:
    p = tmp_path / "lon.txt"
    with p.open("wb") as f:
        f.write(b"Ke hoach")
        f.truncate(200 * MB)
    assert p.stat().st_blocks * 512 < MB  # really sparse: we never wrote 200 MB
    err = load_error(p, LIMIT)
    assert "quá lớn" in err.reason_vi
    assert "200.0 MB" in err.reason_vi and "20.0 MB" in err.reason_vi
    assert str(200 * MB) in err.reason_en and str(LIMIT) in err.reason_en


def test_size_limit_applies_to_every_format(tmp_path: Path) -> None:
    p = write(tmp_path, "a.pdf", b"%PDF-1.4\n" + b"x" * 2000)
    assert "quá lớn" in load_error(p, 1000).reason_vi


@pytest.mark.parametrize("name", ["bang.xlsx", "anh.png", "khong_duoi", "ghi.rtf"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    err = load_error(write(tmp_path, name, "nội dung"))
    assert "định dạng không hỗ trợ" in err.reason_vi
    for ext in (".md", ".txt", ".docx", ".pdf", ".html"):
        assert ext in err.reason_vi


def test_missing_file(tmp_path: Path) -> None:
    err = load_error(tmp_path / "khong-co.md")
    assert "không tìm thấy" in err.reason_vi


def test_upper_case_extension(tmp_path: Path) -> None:
    p = write(tmp_path, "KH.TXT", VI)
    assert load_file(p, LIMIT).fmt == "txt"


def test_load_error_pickles() -> None:
    err = pickle.loads(pickle.dumps(LoadError("a.pdf", "lỗi", "error")))
    assert str(err) == "a.pdf: lỗi (error)" and err.reason_en == "error"


# ---------------------------------------------------------------------------------------------- docx


def make_docx(path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_heading("KẾ HOẠCH Phát động phong trào thi đua năm 2025", level=1)
    doc.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    doc.add_paragraph("")  # empty paragraph: skipped
    doc.add_paragraph(VI2)
    table = doc.add_table(rows=3, cols=3)
    data = [
        ["TT", "Chỉ tiêu", "Giá trị"],
        ["1", "Tổng giá trị sản xuất", "28.603,61 tỷ đồng"],
        ["2", "Hộ nghèo", "giảm 1%"],
    ]
    for r, row in enumerate(data):
        for c, val in enumerate(row):
            table.cell(r, c).text = val
    doc.add_paragraph("III. TỔ CHỨC THỰC HIỆN")
    doc.save(str(path))


def test_docx_paragraphs_headings_and_table_in_order(tmp_path: Path) -> None:
    p = tmp_path / "kh.docx"
    make_docx(p)
    lt = load_file(p, LIMIT)
    assert lt.fmt == "docx"
    expected = "\n\n".join(
        [
            "KẾ HOẠCH Phát động phong trào thi đua năm 2025",
            "I. MỤC ĐÍCH, YÊU CẦU",
            VI2,
            "TT | Chỉ tiêu | Giá trị\n1 | Tổng giá trị sản xuất | 28.603,61 tỷ đồng\n2 | Hộ nghèo | giảm 1%",
            "III. TỔ CHỨC THỰC HIỆN",
        ]
    )
    assert lt.text == expected


def test_docx_merged_cells_are_not_repeated(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    t = doc.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "Tiêu đề gộp"
    t.cell(1, 0).text, t.cell(1, 1).text, t.cell(1, 2).text = "a", "b", "c"
    p = tmp_path / "gop.docx"
    doc.save(str(p))
    assert load_file(p, LIMIT).text == "Tiêu đề gộp\na | b | c"


def test_docx_without_text_is_empty(tmp_path: Path) -> None:
    from docx import Document

    p = tmp_path / "trang.docx"
    Document().save(str(p))
    assert "tệp rỗng" in load_error(p).reason_vi


def test_random_bytes_renamed_docx(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "ngau-nhien.docx", os.urandom(4096)))
    assert "tệp .docx bị hỏng hoặc không phải .docx" in err.reason_vi


def test_zip_that_is_not_docx_and_truncated_docx(tmp_path: Path) -> None:
    import zipfile

    z = tmp_path / "nen.docx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "xin chào")
    assert "bị hỏng" in load_error(z).reason_vi
    good = tmp_path / "tot.docx"
    make_docx(good)
    cut = write(tmp_path, "cut.docx", good.read_bytes()[:1500])
    assert "bị hỏng" in load_error(cut).reason_vi


def test_exe_and_ole_renamed_docx(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "virus.docx", b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(500)))
    assert "Windows" in err.reason_vi
    err = load_error(write(tmp_path, "matkhau.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)))
    assert "mật khẩu" in err.reason_vi


# ---------------------------------------------------------------------------------------------- pdf


def vietnamese_font() -> Path | None:
    for f in FONT_CANDIDATES:
        if f.exists():
            return f
    return None


def make_pdf(path: Path, pages: list[str], **enc: str) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    font = vietnamese_font()
    if font:
        pdf.add_font("VN", fname=str(font))
    for text in pages:
        pdf.add_page()
        pdf.set_font("VN" if font else "helvetica", size=12)
        pdf.multi_cell(0, 8, text)
    if enc:
        pdf.set_encryption(**enc)
    pdf.output(str(path))


@pytest.fixture
def fpdf_available() -> None:
    pytest.importorskip("fpdf", reason="fpdf2 is a dev dependency for generating test PDFs")


def test_pdf_text_extraction(tmp_path: Path, fpdf_available: None) -> None:
    p = tmp_path / "kh.pdf"
    if vietnamese_font():
        pages = ["KẾ HOẠCH thi đua năm 2025\nChiến sĩ thi đua cơ sở", "Trang hai: Lao động tiên tiến"]
    else:
        pages = ["KE HOACH thi dua nam 2025\nChien si thi dua co so", "Trang hai: Lao dong tien tien"]
    make_pdf(p, pages)
    lt = load_file(p, LIMIT)
    assert lt.fmt == "pdf"
    assert lt.text == "\n\n".join(pages)
    assert unicodedata.is_normalized("NFC", lt.text)


def test_scanned_pdf_without_text_layer(tmp_path: Path, fpdf_available: None) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 140, style="F")  # an image-like page: drawing only, no text
    p = tmp_path / "scan.pdf"
    pdf.output(str(p))
    err = load_error(p)
    assert err.reason_vi == "PDF là ảnh quét, không có lớp chữ; cần OCR"


def test_encrypted_pdf(tmp_path: Path, fpdf_available: None) -> None:
    locked = tmp_path / "khoa.pdf"
    make_pdf(locked, ["Mat"], owner_password="chu", user_password="nguoidung")
    assert "mật khẩu" in load_error(locked).reason_vi
    # Only an owner password (restrictions, opens without a password): loads.
    open_ = tmp_path / "mo.pdf"
    make_pdf(open_, ["Ke hoach mo"], owner_password="chu")
    lt = load_file(open_, LIMIT)
    assert lt.text == "Ke hoach mo" and lt.notes


def test_exe_renamed_pdf(tmp_path: Path) -> None:
    exe = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + bytes(48)
        + b"This program cannot be run in DOS mode"
    )
    err = load_error(write(tmp_path, "setup.pdf", exe + os.urandom(1000)))
    assert "không phải PDF" in err.reason_vi and "%PDF" in err.reason_vi
    assert "Windows" in err.reason_vi
    elf = load_error(write(tmp_path, "elf.pdf", b"\x7fELF\x02\x01\x01" + bytes(100)))
    assert "ELF" in elf.reason_vi


def test_corrupt_pdf_with_header(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, "hong.pdf", b"%PDF-1.7\n" + os.urandom(3000)))
    assert "PDF" in err.reason_vi


# ---------------------------------------------------------------------------------------------- html


def test_html_drops_script_style_nav_and_keeps_blocks_and_tables(tmp_path: Path) -> None:
    html = f"""<!doctype html><html><head><meta charset="utf-8"><title>Kế hoạch</title>
    <style>p {{ color: red }}</style><script>var x = "không được lấy";</script></head>
    <body><nav><a href="/">Trang chủ</a> | <a href="/tin">Tin tức</a></nav>
    <h1>KẾ HOẠCH
      thi đua</h1>
    <p>{VI2}</p>
    <ul><li>Mục một</li><li>Mục <b>hai</b></li></ul>
    <table><tr><th>TT</th><th>Chỉ tiêu</th></tr><tr><td>1</td><td>Tổng giá trị <i>sản xuất</i></td></tr></table>
    <p>Dòng 1<br>Dòng 2</p><!-- ghi chú --></body></html>"""
    p = write(tmp_path, "trang.html", html)
    lt = load_file(p, LIMIT)
    assert lt.fmt == "html"
    for bad in ("không được lấy", "color", "Trang chủ", "Tin tức", "ghi chú"):
        assert bad not in lt.text
    lines = lt.text.split("\n")
    assert "KẾ HOẠCH thi đua" in lines
    assert VI2 in lines
    assert "Mục một" in lines and "Mục hai" in lines
    assert "TT | Chỉ tiêu" in lines and "1 | Tổng giá trị sản xuất" in lines
    assert "Dòng 1" in lines and "Dòng 2" in lines
    assert lt.text.index("KẾ HOẠCH") < lt.text.index("Mục một") < lt.text.index("TT | Chỉ tiêu")


def test_html_meta_charset_windows_1258(tmp_path: Path) -> None:
    body = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head><body><p>{VI}</p></body></html>'
    p = write(tmp_path, "cu.htm", encode_cp1258(body))
    lt = load_file(p, LIMIT)
    assert lt.text == VI and lt.encoding == "cp1258"


def test_html_utf8_wins_over_wrong_meta(tmp_path: Path) -> None:
    body = f'<html><head><meta charset="iso-8859-1"></head><body><p>{VI}</p></body></html>'
    lt = load_file(write(tmp_path, "sai.html", body), LIMIT)
    assert lt.text == VI


def test_html_without_text(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "rong.html",
        "<html><head><script>alert(1)</script></head><body><nav>menu</nav></body></html>",
    )
    assert "tệp rỗng" in load_error(p).reason_vi


# ---------------------------------------------------------------------------------------------- doc


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_legacy_doc_without_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))
    assert doc_converter() is None
    err = load_error(write(tmp_path, "cu.doc", OLE + bytes(1000)))
    assert err.reason_vi == "định dạng .doc cũ chưa hỗ trợ trên máy này, hãy mở bằng Word và lưu thành .docx"


def test_legacy_doc_through_converter_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # antiword cannot be installed by the tests; a stand-in script speaks its command line (-m UTF-8.txt FILE).
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "antiword"
    script.write_text(
        '#!/bin/sh\n[ "$1" = "-m" ] && [ "$2" = "UTF-8.txt" ] || exit 2\n'
        'tail -c +9 "$3"\n'  # the "document" after the 8-byte OLE magic is UTF-8 text
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    assert doc_converter() == "antiword"
    lt = load_file(write(tmp_path, "cu.doc", OLE + VI.encode()), LIMIT)
    assert (lt.text, lt.fmt) == (VI, "doc")


def test_doc_that_is_really_docx_or_garbage(tmp_path: Path) -> None:
    d = tmp_path / "that.docx"
    make_docx(d)
    renamed = tmp_path / "that.doc"
    shutil.copy(d, renamed)
    lt = load_file(renamed, LIMIT)
    assert lt.fmt == "docx" and "III. TỔ CHỨC THỰC HIỆN" in lt.text
    err = load_error(write(tmp_path, "rac.doc", os.urandom(2000)))
    assert "không phải tài liệu Word" in err.reason_vi


# ---------------------------------------------------------------------------------------------- iter_corpus_files


def test_iter_corpus_files(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    files = [
        "a.md",
        "b.TXT",
        "README.md",
        "readme.md",
        ".hidden.md",
        "~$khoa.docx",
        "x.xlsx",
        "sub/README.md",
        "sub/c.pdf",
        "sub/deep/d.docx",
        "sub/deep/e.html",
        "sub/deep/f.htm",
        "sub/deep/g.doc",
        ".git/h.md",
    ]
    for f in files:
        write(root, f, "x")
    other = tmp_path / "other"
    write(other, "z.md", "x")
    got = iter_corpus_files([root, other, tmp_path / "missing", root / "a.md"])
    rel = [str(p.relative_to(tmp_path)) for p in got]
    assert rel == sorted(rel)
    assert set(rel) == {
        "corpus/a.md",
        "corpus/b.TXT",
        "corpus/sub/c.pdf",
        "corpus/sub/deep/d.docx",
        "corpus/sub/deep/e.html",
        "corpus/sub/deep/f.htm",
        "corpus/sub/deep/g.doc",
        "other/z.md",
    }
    assert len(rel) == len(set(rel))
    assert {".md", ".txt", ".docx", ".pdf", ".html", ".htm", ".doc"} == SUPPORTED_EXTENSIONS


# ---------------------------------------------------------------------------------------------- fuzz


def test_damaged_files_raise_only_load_error(tmp_path: Path, fpdf_available: None) -> None:
    import random

    pdf, docx_ = tmp_path / "ok.pdf", tmp_path / "ok.docx"
    make_pdf(pdf, ["Ke hoach thi dua " * 30])
    make_docx(docx_)
    seeds = {
        ".pdf": pdf.read_bytes(),
        ".docx": docx_.read_bytes(),
        ".html": f"<html><body><table><tr><td>a<table><tr><td>x</td></tr></table></td></tr></table><p>{VI}</p>".encode(),
        ".md": VI.encode() * 5,
    }
    rng = random.Random(20251121)
    for ext, base in seeds.items():
        for i in range(40):
            b = bytearray(base)
            for _ in range(rng.randint(1, 30)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            if rng.random() < 0.3:
                b = b[: rng.randrange(len(b))]
            p = write(tmp_path, f"hong{i}{ext}", bytes(b))
            try:
                lt = load_file(p, LIMIT)
            except LoadError as e:
                assert e.source_file == p.name and e.reason_vi
            else:
                assert lt.text.strip() and unicodedata.is_normalized("NFC", lt.text)


# ---------------------------------------------------------------------------------------------- real corpus


def real_files() -> list[Path]:
    return iter_corpus_files([d for d in REAL_DIRS if d.is_dir()])


@pytest.mark.skipif(not real_files(), reason="no real corpus folder on this machine")
def test_every_real_corpus_file_loads_as_its_own_text() -> None:
    for p in real_files():
        lt = load_file(p, LIMIT)
        assert lt.text == p.read_text("utf-8"), p
        assert lt.encoding == "utf-8" and lt.notes == [], p
