"""`tdkt ask --batch Q.jsonl --out A.jsonl` in a real subprocess: one answer JSON per input line, errors per line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import ROOT


def _run(settings, *args: str) -> subprocess.CompletedProcess:  # noqa: ANN001
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(settings.data_dir), "TDKT_LLM": "none",
           "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in settings.extra_corpus)}
    return subprocess.run([sys.executable, "-m", "assistant.cli", "ask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_batch_answers_every_line(settings, tmp_path: Path) -> None:  # noqa: ANN001
    q = tmp_path / "q.jsonl"
    q.write_text("\n".join([
        json.dumps({"id": "a1", "question": "Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?"},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a3"}),
        "",
        json.dumps({"id": "a4", "question": "Giá vé tàu hỏa Hà Nội - Sài Gòn tháng này là bao nhiêu?"},
                   ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "out" / "a.jsonl"
    r = _run(settings, "--batch", str(q), "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [x["id"] for x in rows] == ["a1", "line-2", "a3", "a4"]
    a1 = rows[0]
    assert set(a1) >= {"id", "answer", "conclusion", "refused", "citations", "warnings", "mode"}
    assert "0,3 lần mức lương cơ sở" in a1["conclusion"] and a1["answer"].startswith(a1["conclusion"])
    assert a1["citations"][0]["source_file"] and "start" in a1["citations"][0]
    assert rows[1]["mode"] == "error" and "JSON" in rows[1]["answer"]
    assert rows[2]["mode"] == "error" and "question" in rows[2]["answer"]
    assert rows[3]["refused"] and rows[3]["mode"] == "refusal"


def test_batch_needs_out_and_an_existing_file(settings, tmp_path: Path) -> None:  # noqa: ANN001
    r = _run(settings, "--batch", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "a.jsonl"))
    assert r.returncode == 2 and "Không tìm thấy tệp" in r.stderr and not (tmp_path / "a.jsonl").exists()
    q = tmp_path / "q.jsonl"
    q.write_text('{"id": "x", "question": "Thi đua là gì?"}\n', encoding="utf-8")
    r = _run(settings, "--batch", str(q))
    assert r.returncode == 2 and "--out" in r.stderr
