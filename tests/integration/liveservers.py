"""Real PostgreSQL and Chroma server processes on 127.0.0.1 for the multi-worker tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from helpers import stop_process

PG_BIN = Path("/usr/local/bin")
CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_missing() -> str | None:
    """Why a real PostgreSQL cannot be started here, or None."""
    for name in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / name).exists():
            return f"PostgreSQL binaries absent ({PG_BIN / name})"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser (initdb refuses root)"
    return None


def _as_pg_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """initdb + pg_ctl start in a fresh temporary directory; yields a postgresql:// URL; stopped (fast) and
    removed afterwards. (Its own directory under /tmp: the `postgres` user cannot enter pytest's 0700 dirs.)"""
    tmp = Path(tempfile.mkdtemp(prefix="tdkt-pg-"))
    data = tmp / "pgdata"
    sock = tmp / "pgsock"
    data.mkdir(parents=True)
    sock.mkdir()
    if os.geteuid() == 0:
        for p in (tmp, data, sock):
            shutil.chown(p, "postgres")
    port = free_port()
    subprocess.run(_as_pg_user([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "tdkt",
                                "-E", "UTF8", "--locale=C"]), check=True, capture_output=True, timeout=120)
    subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(tmp / "pg.log"), "-w", "-t", "60",
                                "-o", f"-k {sock} -p {port} -h 127.0.0.1", "start"]),
                   check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql://tdkt@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)


def wait_http_ok(proc: subprocess.Popen, url: str, log: Path, timeout: float, what: str,
                 request_timeout: float = 5, poll: float = 0.5) -> None:
    """Until `url` answers 200; RuntimeError with the tail of `log` if `proc` exits or `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=request_timeout).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(poll)
    raise RuntimeError(f"{what} did not answer within {timeout:.0f} s: {log.read_text(errors='replace')[-3000:]}")


@contextlib.contextmanager
def chroma_server(tmp: Path) -> Iterator[str]:
    """`chroma run --path tmp` on a free loopback port; yields its http:// URL; terminated afterwards."""
    port = free_port()
    log = open(tmp / "chroma.log", "wb")  # noqa: SIM115 - closed below
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp / "chroma"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http_ok(proc, f"{url}/api/v2/heartbeat", tmp / "chroma.log", timeout=60, what="chroma run",
                     request_timeout=2, poll=0.3)
        yield url
    finally:
        stop_process(proc, timeout=15)
        log.close()


def knowledge_dir(tmp: Path, docs: list[str] | tuple[str, ...]) -> Path:
    """A knowledge folder of the bundled files (registry, vocabularies) with only `docs` of the raw corpus as its
    texts (keeps a test's embedding cost small)."""
    from helpers import RAW, ROOT

    kd = tmp / "knowledge"
    kd.mkdir()
    for p in (ROOT / "knowledge").iterdir():
        if p.is_file():
            shutil.copy(p, kd / p.name)
    for name in docs:
        shutil.copy(RAW / name, kd / name)
    return kd
