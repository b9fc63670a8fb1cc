"""`tdkt serve` as a real process: a busy port gets a Vietnamese message; on a first run the page is served from
the keyword index at once and the dense vectors are built in the background (/healthz says so)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from helpers import ROOT, stop_process

from assistant.serving import EmbeddingJob, PortBusy, bind_socket, document_title, supports_two_phase


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data: Path, knowledge: Path, port: int) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(data), "TDKT_KNOWLEDGE_DIR": str(knowledge),
            "TDKT_EXTRA_CORPUS": "", "TDKT_PORT": str(port), "TDKT_LLM": "none", "TELEGRAM_BOT_TOKEN": "",
            "COLUMNS": "200"}


def _get(url: str, key: str | None = None, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json",
                                                          **({"X-API-Key": key} if key else {})})
    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 - loopback only
        return json.loads(r.read())


def test_busy_port_gets_a_vietnamese_message_with_the_command_to_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "assistant.cli", "serve"], cwd=ROOT, capture_output=True,
                             text=True, timeout=60, env=_env(tmp_path / "d", ROOT / "knowledge", port))
        try:
            bind_socket("127.0.0.1", port)
            raise AssertionError("bind_socket must refuse a busy port")
        except PortBusy as exc:
            assert f"TDKT_PORT={port + 1} make run" in str(exc)
    assert out.returncode == 2
    assert f"Cổng {port}" in out.stderr and f"TDKT_PORT={port + 1} make run" in out.stderr
    assert "Traceback" not in out.stderr and "Sẵn sàng" not in out.stderr
    assert not (tmp_path / "d" / "index").exists(), "nothing is built when the port is busy"


def test_first_run_serves_from_keywords_and_builds_vectors_in_background(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    (knowledge / "plans").mkdir(parents=True)
    for f in (ROOT / "knowledge").glob("*.yaml"):
        shutil.copy(f, knowledge / f.name)
    plan = sorted((ROOT / "knowledge" / "plans").iterdir())[2]
    shutil.copy(plan, knowledge / "plans" / plan.name)
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--no-bot"], cwd=ROOT,
                                env=_env(tmp_path / "data", knowledge, port), stdout=log, stderr=subprocess.STDOUT,
                                text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while "Sẵn sàng" not in log_path.read_text("utf-8"):
            assert proc.poll() is None, log_path.read_text("utf-8")
            assert time.monotonic() < deadline, log_path.read_text("utf-8")
            time.sleep(0.1)
        health = _get(f"{base}/healthz")  # the URL is printed only once the server answers
        assert health["documents"] == 1
        assert health["embedding"]["state"] in ("building", "ready")
        answer = _get(f"{base}/api/ask", "dev-user", {"question": "Mục đích, yêu cầu của kế hoạch là gì?"})
        assert answer["answer"]
        while _get(f"{base}/healthz")["embedding"]["state"] == "building":
            assert time.monotonic() < deadline, log_path.read_text("utf-8")
            time.sleep(0.5)
        final = _get(f"{base}/healthz")
        assert final["embedding"]["state"] == "ready", final
    finally:
        stop_process(proc, timeout=30, sig=signal.SIGINT)
    out = log_path.read_text("utf-8")
    order = [out.index(s) for s in ("[khởi động 1/3]", "[khởi động 2/3]", "Sẵn sàng", "[khởi động 3/3] Đang tạo chỉ mục ngữ nghĩa")]
    assert order == sorted(order), out
    title = document_title(_Registryless(), plan.name)
    assert title == plan.name or title in out
    assert "Chỉ mục đầy đủ" in out and "Traceback" not in out


class _Registryless:
    registry = None

    def doc_meta(self, name: str) -> None:
        return None


class _Fake:
    """A Knowledge stand-in recording the two-phase calls (for the job's state machine only)."""

    def __init__(self, missing: int) -> None:
        self.missing = missing

    def ingest(self, paths: Any = None, rebuild: bool = False, progress: Any = None, embed: bool = True) -> None:
        return None

    def stats(self) -> dict[str, int]:
        return {"vectors_missing": self.missing}

    def embed_missing(self, progress: Any = None) -> int:
        for i in range(1, self.missing + 1):
            progress(f"vector {i}/{self.missing}", i, self.missing)
        n, self.missing = self.missing, 0
        return n


def test_embedding_job_reports_progress_eta_and_the_end() -> None:
    seen: list[dict[str, Any]] = []
    kn = _Fake(4)
    assert supports_two_phase(kn)
    job = EmbeddingJob(kn, on_progress=seen.append).start()
    job.join(10)
    assert [s["done"] for s in seen[:4]] == [1, 2, 3, 4]
    assert all(s["state"] == "building" and "từ khóa" in s["message"] for s in seen[:4])
    assert seen[1]["eta_seconds"] is not None
    assert seen[-1]["state"] == "ready" and job.snapshot()["state"] == "ready"
    assert EmbeddingJob(_Fake(0)).start().state == "ready"  # nothing missing: no thread


def test_child_embedding_reports_progress_and_stops_with_the_server() -> None:
    child = [sys.executable, "-c", "import time; print('TDKT-EMBED 64 631', flush=True); time.sleep(120)"]
    job = EmbeddingJob(_Fake(631), command=child).start()
    deadline = time.monotonic() + 30
    while job.snapshot()["done"] < 64:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    snap = job.snapshot()
    assert snap["state"] == "building" and snap["total"] == 631 and "64/631" in snap["message"]
    job.stop()
    job.join(20)
    assert job.snapshot()["state"] == "stopped"
