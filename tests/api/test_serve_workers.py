"""`tdkt serve --workers 2`: two real uvicorn worker processes on 127.0.0.1 answer over one data dir and share
one rate limit (the state database)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import ROOT

WIDGET_LIMIT = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_workers_serve_asks(built_index_dir: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TDKT_DATA_DIR": str(built_index_dir), "TELEGRAM_BOT_TOKEN": "",
           "TDKT_TELEGRAM_BOT_TOKEN": "", "TDKT_LLM": "none", "PYTHONPATH": str(ROOT),
           "TDKT_API_KEYS": "sw-user:user,sw-widget:widget", "TDKT_WIDGET_RATE_LIMIT_PER_MINUTE": str(WIDGET_LIMIT)}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--no-bot", "--workers", "2",
                             "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(900):
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len(children) >= 2  # uvicorn's worker processes
        for q in ("Tiêu chuẩn danh hiệu Lao động tiên tiến", "tieu chuan chien si thi dua co so"):
            r = httpx.post(url + "/api/ask", json={"question": q}, headers={"X-API-Key": "sw-user"}, timeout=120)
            assert r.status_code == 200
            assert r.json()["citations"]
        # one visitor's requests, spread by the OS over both processes on fresh connections, share one limit
        visitor = {"X-API-Key": "sw-widget", "X-TDKT-Visitor": f"visitor{time.time_ns()}"}
        codes = [httpx.get(url + "/api/documents", headers=visitor, timeout=60).status_code
                 for _ in range(2 * WIDGET_LIMIT)]
        assert codes == [200] * WIDGET_LIMIT + [429] * WIDGET_LIMIT, codes
    finally:
        proc.terminate()
        proc.wait(timeout=60)
