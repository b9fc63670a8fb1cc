"""scripts/loadgen.py against the live API server: bounded, loopback-only, reports latency percentiles."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from apilive import USER_KEY

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "loadgen.py"


def _loadgen():
    spec = importlib.util.spec_from_file_location("tdkt_loadgen", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_loadgen_reports_percentiles(api_server):
    lg = _loadgen()
    result = lg.run(api_server.url, USER_KEY, clients=2, seconds=1.0, questions=["Chiến sĩ thi đua cơ sở"],
                    timeout=60)
    assert result["requests"] >= 1 and result["ok"] >= 1
    assert result["error_rate"] == 0.0
    assert result["p50_ms"] <= result["p95_ms"]


def test_loadgen_refuses_remote_targets():
    lg = _loadgen()
    with pytest.raises(SystemExit):
        lg.ensure_loopback("http://192.0.2.10:8000")
