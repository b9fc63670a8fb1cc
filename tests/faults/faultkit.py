"""Helpers of the fault-injection suite: CLI runs in real processes, the small corpus, free ports."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from helpers import ROOT, stop_process

PLANS = ROOT / "knowledge" / "plans"
FIRST = ["002_464e77930257098f.txt", "000_89e1df001228f3ec.txt"]
LATER = ["003_6d2c2d446d8b7b2d.txt"]
QUERY = "tổng đàn lợn cả năm xã Quang Trung"
LATER_QUERY = "Kế hoạch thi đua"


@dataclass
class Run:
    code: int
    out: str
    err: str


def env_for(data: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "TDKT_DATA_DIR": str(data), "TDKT_EXTRA_CORPUS": "", "TDKT_LLM": "none",
           "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.pop("TDKT_TELEGRAM_BOT_TOKEN", None)
    env.update(extra)
    return env


def cli(data: Path, *args: str, timeout: float = 600, **env: str) -> Run:
    """Run `tdkt ARGS` in its own process against `data`."""
    p = subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=env_for(data, **env),
                       capture_output=True, text=True, timeout=timeout)
    return Run(p.returncode, p.stdout, p.stderr)


def cli_popen(data: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=env_for(data, **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def flat(text: str) -> str:
    """Console output with line wrapping undone (Rich wraps at the terminal width)."""
    return " ".join(text.split())


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err[-2000:]


def corpus(dest: Path, names: list[str]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copy(PLANS / n, dest / n)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(data: Path, wait_ready: bool = True) -> Iterator[tuple[str, subprocess.Popen]]:
    """`tdkt serve` in its own process on 127.0.0.1 over `data`; yields (url, process) once /healthz answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port), "--no-bot"], cwd=ROOT, env=env_for(data), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while wait_ready:
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tdkt serve did not start: " + (proc.stderr.read() if proc.stderr else ""))
            time.sleep(0.5)
        yield url, proc
    finally:
        stop_process(proc)
