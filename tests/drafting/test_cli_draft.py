"""`tdkt draft`: --explain prints each paragraph's role and sources; --base/--section/--instruction refine the stored
draft (real CLI, real index, real SQLite store)."""

from __future__ import annotations

import re
import shutil

from typer.testing import CliRunner

from assistant.cli import app


def _env(draft_settings, tmp_path) -> dict[str, str]:
    data = tmp_path / "data"
    shutil.copytree(draft_settings.data_dir, data)
    return {"TDKT_DATA_DIR": str(data), "TDKT_KNOWLEDGE_DIR": str(draft_settings.knowledge_dir),
            "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in draft_settings.extra_corpus), "TDKT_LLM": "none"}


def test_explain_and_refine_from_the_command_line(draft_settings, draft_knowledge, tmp_path):
    env = _env(draft_settings, tmp_path)
    run = CliRunner().invoke
    prompt = "Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung, chủ đề đoàn kết, sáng tạo"
    r = run(app, ["draft", prompt, "--explain"], env=env)
    assert r.exit_code == 0, r.output
    assert "[mục đích]" in r.output and "[giao nhiệm vụ cho cơ quan]" in r.output and "nguồn:" in r.output
    md1 = tmp_path / "a.md"
    r = run(app, ["draft", prompt, "--md", str(md1)], env=env)
    draft_id = re.search(r"Mã bản dự thảo: (\w+)", r.output).group(1)
    md2 = tmp_path / "b.md"
    r = run(app, ["draft", "", "--base", draft_id, "--section", "II", "--instruction", "thêm nội dung về chuyển đổi số",
                  "--md", str(md2)], env=env)
    assert r.exit_code == 0, r.output
    a, b = md1.read_text("utf-8"), md2.read_text("utf-8")
    assert len(b) > len(a) and b.split("## II.")[0] == a.split("## II.")[0]
    assert b.split("## III.")[1] == a.split("## III.")[1]
    r = run(app, ["draft", "", "--base", "khong-co", "--section", "II"], env=env)
    assert r.exit_code == 2 and "Không tìm thấy bản dự thảo" in r.output
