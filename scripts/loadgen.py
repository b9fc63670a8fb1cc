"""Bounded load generator for the bench: N concurrent clients POST /api/ask for T seconds (loopback only).

Usage: python scripts/loadgen.py --url http://127.0.0.1:8000 --key dev-user --clients 4 --seconds 20 [--json OUT]
Prints (and optionally writes) {"requests", "errors", "error_rate", "p50_ms", "p95_ms", "rps", ...}.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

MAX_CLIENTS = 64
MAX_SECONDS = 600.0
DEFAULT_QUESTIONS = [
    "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?",
    "Danh hiệu Lao động tiên tiến xét tặng cho ai?",
    "tieu chuan tap the lao dong xuat sac",
    "Kế hoạch thi đua năm 2025 có những chỉ tiêu nào?",
]


def ensure_loopback(url: str) -> None:
    """Refuse any target that is not this machine."""
    host = urlparse(url).hostname or ""
    try:
        addrs = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        raise SystemExit(f"Không phân giải được máy chủ {host!r} (cannot resolve host)") from exc
    if not addrs or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addrs):
        raise SystemExit(f"Chỉ được chạy với máy chủ cục bộ (loopback only): {host!r}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def run(url: str, key: str, clients: int, seconds: float, questions: list[str], timeout: float) -> dict:
    ensure_loopback(url)
    clients = max(1, min(clients, MAX_CLIENTS))
    seconds = max(0.1, min(seconds, MAX_SECONDS))
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(i: int) -> None:
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=timeout) as c:
            n = i
            while time.monotonic() < deadline:
                q = questions[n % len(questions)]
                n += clients
                t0 = time.perf_counter()
                try:
                    r = c.post("/api/ask", json={"question": q})
                    kind = None if r.status_code == 200 else f"http_{r.status_code}"
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                dt = (time.perf_counter() - t0) * 1000
                with lock:
                    if kind is None:
                        latencies.append(dt)
                    else:
                        errors[kind] = errors.get(kind, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + timeout + 5)
    elapsed = time.monotonic() - started
    n_err = sum(errors.values())
    total = len(latencies) + n_err
    return {
        "url": url, "clients": clients, "seconds": round(elapsed, 2), "requests": total, "ok": len(latencies),
        "errors": n_err, "error_kinds": errors, "error_rate": round(n_err / total, 4) if total else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1), "p95_ms": round(percentile(latencies, 0.95), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else float("nan"),
        "rps": round(total / elapsed, 2) if elapsed else 0.0,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:8000")
    p.add_argument("--key", default="dev-user", help="API key (role user is enough)")
    p.add_argument("--clients", type=int, default=4, help=f"concurrent clients (max {MAX_CLIENTS})")
    p.add_argument("--seconds", type=float, default=20.0, help=f"duration (max {MAX_SECONDS:g})")
    p.add_argument("--timeout", type=float, default=120.0, help="per-request timeout in seconds")
    p.add_argument("--questions", type=Path, help="JSONL file with a 'question' field per line")
    p.add_argument("--json", type=Path, help="write the result here")
    a = p.parse_args(argv)
    questions = DEFAULT_QUESTIONS
    if a.questions:
        rows = [json.loads(line) for line in a.questions.read_text("utf-8").splitlines() if line.strip()]
        questions = [r["question"] for r in rows if r.get("question")] or DEFAULT_QUESTIONS
    result = run(a.url, a.key, a.clients, a.seconds, questions, a.timeout)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if a.json:
        a.json.write_text(text + "\n", encoding="utf-8")
    return 0 if result["requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
