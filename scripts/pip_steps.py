"""Filter pip's output into short Vietnamese progress lines (stdlib only: it runs before anything is installed).

Usage: pip install … 2>&1 | python3 scripts/pip_steps.py
Errors and warnings are passed through unchanged, so a failed install still shows pip's reason.
"""

from __future__ import annotations

import re
import sys
import threading
import time

HEARTBEAT = 20.0  # seconds of silence before a "still working" line

_COLLECT = re.compile(r"^\s*Collecting (\S+)")
_DOWNLOAD = re.compile(r"^\s*Downloading (\S+?)(?:-\d[^\s]*)? \(([^)]+)\)")
_CACHED = re.compile(r"^\s*Using cached (\S+?)(?:-\d[^\s]*)? \(([^)]+)\)")
_INSTALLING = re.compile(r"^Installing collected packages: (.*)")
_DONE = re.compile(r"^Successfully installed (.*)")
_SATISFIED = re.compile(r"^Requirement already satisfied")
_BUILD = re.compile(r"^\s*(Building|Preparing|Getting requirements|Installing build dependencies)")
_NOISE = re.compile(r"^WARNING: Location '.*' is ignored")  # a machine's extra index that is absent: harmless
_PASS = re.compile(r"(?i)^\s*(error|warning|ERROR|WARNING|×|╰─>|note:|hint:)")


def _heartbeat(start: float, last: list[float], stop: threading.Event) -> None:
    """pip says nothing while it unpacks large wheels: show that it is still working."""
    while not stop.wait(2.0):
        if time.monotonic() - last[0] >= HEARTBEAT:
            print(f"    … vẫn đang làm ({time.monotonic() - start:.0f} giây)", flush=True)
            last[0] = time.monotonic()


def main() -> int:
    start = time.monotonic()
    collected = satisfied = 0
    last = [start]
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(start, last, stop), daemon=True).start()
    for raw in sys.stdin:
        last[0] = time.monotonic()
        line = raw.rstrip("\n")
        if m := _COLLECT.match(line):
            collected += 1
            name = re.split(r"[<>=!~\[;]", m.group(1))[0]
            print(f"  • [{collected:3d}] chuẩn bị gói {name}", flush=True)
        elif m := _DOWNLOAD.match(line):
            print(f"        tải {m.group(2)}", flush=True)
        elif _CACHED.match(line):
            continue
        elif _SATISFIED.match(line):
            satisfied += 1
        elif m := _INSTALLING.match(line):
            n = len([p for p in m.group(1).split(",") if p.strip()])
            print(f"  • Đang cài đặt {n} gói vào .venv (có thể mất vài phút, không cần mạng ở bước này)…", flush=True)
        elif m := _DONE.match(line):
            n = len(m.group(1).split())
            print(f"  ✓ Đã cài xong {n} gói sau {time.monotonic() - start:.0f} giây.", flush=True)
        elif _BUILD.match(line) or _NOISE.match(line):
            continue
        elif _PASS.match(line):
            print(line, flush=True)
    stop.set()
    if satisfied and not collected:
        print(f"  ✓ Các gói đã có sẵn ({satisfied} yêu cầu đã thỏa).", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
