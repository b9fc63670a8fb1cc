"""Structure parsing, metadata and citations on the real corpus files (skipped without ../shared)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import RAW, ROOT

from assistant.corpus.loaders import iter_corpus_files, load_file
from assistant.corpus.metadata import build_meta
from assistant.corpus.registry import Registry
from assistant.corpus.structure import chunk_document

REG = Registry.load(ROOT / "knowledge" / "registry.yaml")


def _chunks(path: Path):  # noqa: ANN202
    text = load_file(path, 50_000_000).text
    meta = build_meta(text, path.name, REG, path.name)
    return text, meta, chunk_document(meta, text)


def _all_files() -> list[Path]:
    return iter_corpus_files([ROOT / "knowledge" / "plans", RAW])


def test_seed_plans_are_bundled_with_unchanged_names() -> None:
    names = sorted(p.name for p in (ROOT / "knowledge" / "plans").glob("*.txt"))
    assert names == ["000_89e1df001228f3ec.txt", "001_53c0be273c9cb1a6.txt", "002_464e77930257098f.txt",
                     "003_6d2c2d446d8b7b2d.txt", "004_c0df25c7958726b6.txt"]


@pytest.mark.skipif(not RAW.is_dir(), reason="../shared/corpus/raw not present")
def test_every_file_chunks_with_full_coverage_and_valid_offsets() -> None:
    for path in _all_files():
        text, meta, chunks = _chunks(path)
        assert chunks, path.name
        for c in chunks:
            assert 0 <= c.start < c.end <= len(text)
            assert c.source_file == path.name
        covered = sum(c.end - c.start for c in chunks)
        assert covered > 0.5 * len(text.strip()), path.name
        starts = [c.start for c in chunks]
        assert starts == sorted(starts)


@pytest.mark.skipif(not RAW.is_dir(), reason="../shared/corpus/raw not present")
def test_legal_citations_name_khoan_dieu_and_document() -> None:
    text, meta, chunks = _chunks(RAW / "luat-06-2022-qh15.md")
    assert meta.number == "06/2022/QH15" and meta.kind == "legal"
    cites = [c.citation for c in chunks]
    assert "Điều 23 Luật Thi đua, khen thưởng 2022 (06/2022/QH15)" in cites
    anchor = "3. Danh hiệu “Lao động tiên tiến” để tặng cho công nhân, nông dân"
    s = text.find(anchor)
    hit = [c for c in chunks if c.start <= s < c.end]
    assert hit and "Điều 24" in hit[0].citation


@pytest.mark.skipif(not RAW.is_dir(), reason="../shared/corpus/raw not present")
def test_hard_wrapped_bac_ninh_regulation_parses_dieu_across_broken_bold() -> None:
    text, meta, chunks = _chunks(RAW / "qd-86-2025-qd-ubnd-bac-ninh-quy-dinh-tdkt.md")
    assert meta.number == "86/2025/QĐ-UBND" and meta.locality == "Bắc Ninh"
    assert any("Điều 3" in c.citation and "Khoản 1" in c.citation for c in chunks)
    for c in chunks:
        assert "**" not in c.text and "|" not in c.text


def test_plan_chunks_carry_plan_label_and_section_path() -> None:
    text, meta, chunks = _chunks(ROOT / "knowledge" / "plans" / "001_53c0be273c9cb1a6.txt")
    assert (meta.number, meta.issuer, meta.year, meta.kind) == ("21/KH-UBND", "UBND huyện Bình Sơn", 2025, "plan")
    assert any(c.citation == "KH 21/KH-UBND UBND huyện Bình Sơn 2025 › II.2 Chỉ tiêu thi đua" for c in chunks)
    s = text.find("(15) Tỷ lệ gia đình văn hóa: 85%;")
    assert any(c.start <= s < c.end and "Chỉ tiêu" in c.citation for c in chunks)


def test_a_section_headed_by_a_code_takes_its_name_field_into_every_chunk_path() -> None:
    raw = ("ỦY BAN NHÂN DÂN\nXÃ HÒA AN\n\nSố: 12 /KH-UBND\n\nHòa An, ngày 05 tháng 01 năm 2026\n\nKẾ HOẠCH\n\n"
           "I. Quy trình: QT.01\n\n1. Tên quy trình: Xét công nhận gia đình văn hóa\n\n"
           "2. Thời gian xử lý\n\n- Tổng thời gian: 15 ngày làm việc.\n\n"
           "II. Tổ chức thực hiện\n\n1. Tên gọi: không phải tiêu đề mã vì tiêu đề mục đã dài hơn một mã số\n\n- Nội dung.\n")
    meta = build_meta(raw, "z.txt", Registry([], {}, []), "z")
    chunks = chunk_document(meta, raw)
    timing = next(c for c in chunks if "15 ngày" in c.text)
    assert "I. Quy trình: QT.01 — Xét công nhận gia đình văn hóa" in timing.breadcrumb
    assert timing.citation.endswith("I.2 Thời gian xử lý")  # the citation keeps the section's own number/heading
    assert all("—" not in crumb for c in chunks if c.label.get("section", "").startswith("II") for crumb in c.breadcrumb)


def test_metadata_detection_from_text_without_registry() -> None:
    raw = ("ỦY BAN NHÂN DÂN\nXÃ HÒA AN\n\nSố: 12 /KH-UBND\n\nHòa An, ngày 05 tháng 01 năm 2026\n\n"
           "KẾ HOẠCH\n\nPhát động phong trào thi đua năm 2026\n\nI. MỤC ĐÍCH, YÊU CẦU\n\n1. Mục đích\n\n- Nội dung.\n")
    meta = build_meta(raw, "x.txt", Registry([], {}, []), "x")
    assert meta.number == "12/KH-UBND" and meta.doc_type == "ke-hoach" and meta.kind == "plan"
    assert meta.year == 2026 and meta.level == "xa" and meta.locality == "Hòa An"
    assert str(meta.signed) == "2026-01-05"


def test_front_matter_overrides_registry_and_detection() -> None:
    raw = "---\nnumber: 99/KH-UBND\nlocality: Test\nyear: 2030\ndoc_type: ke-hoach\n---\nSố: 1/KH-UBND\n"
    meta = build_meta(raw, "y.md", REG, "y")
    assert (meta.number, meta.locality, meta.year) == ("99/KH-UBND", "Test", 2030)


def test_registry_records_replacements_from_domain() -> None:
    nd98 = REG.by_number("98/2023/NĐ-CP")
    assert nd98 and nd98.replaced_by == "152/2025/NĐ-CP" and str(nd98.in_force_to) == "2025-07-01"
    tt01 = REG.by_number("01/2024/TT-BNV")
    assert tt01 and tt01.replaced_by == "15/2025/TT-BNV"
    assert [d.number for d in REG.find_in_text("NĐ 98 còn hiệu lực không?")] == ["98/2023/NĐ-CP"]


@pytest.mark.skipif(not RAW.is_dir(), reason="../shared/corpus/raw not present")
def test_one_citation_names_one_article() -> None:
    """A decision's own articles and those of the text issued with it ("QUY CHẾ …", "QUY ĐỊNH …") share numbers:
    the latter are cited with that text ("Điều 4 Quy chế kèm theo QĐ 71/…"), so an article citation names one
    article (one heading)."""
    attached = 0
    for path in _all_files():
        _, meta, chunks = _chunks(path)
        if meta.kind != "legal":
            continue
        heads: dict[str, set[str]] = {}
        for c in chunks:
            m = re.match(r"^(?:Điểm .+? )?(?:Khoản \d+ )?(Điều \d+[a-z]? .+?)(?: › .*)?$", c.citation)
            head = next((b for b in c.breadcrumb if re.match(r"^Điều \d+", b)), None)
            if m and head and not c.secondary:
                heads.setdefault(m.group(1), set()).add(head)
            attached += "kèm theo" in c.citation
        twice = {k: v for k, v in heads.items() if len(v) > 1}
        assert not twice, (path.name, twice)
    assert attached
