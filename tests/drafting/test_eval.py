"""Leave-one-out draft evaluation over every corpus plan: the target figures hold."""

from __future__ import annotations

from evals.drafts import build_prompt, evaluate_drafts, theme_from_title


def test_theme_from_title():
    t = theme_from_title("Kế hoạch 0124/KH-UBND ngày 18/11/2025 của UBND tỉnh Đắk Lắk phát động đợt thi đua lập "
                         "thành tích chào mừng Đại hội", "UBND tỉnh Đắk Lắk")
    assert t == "đợt thi đua lập thành tích chào mừng Đại hội"


def test_leave_one_out(svc, draft_knowledge, draft_settings):
    res = evaluate_drafts(draft_knowledge, draft_settings, service=svc)
    assert res["n"] == len(svc.plans()) >= 5
    assert res["section_coverage"] >= 0.9
    assert res["invented_figures"] == 0
    assert res["foreign_locality_leaks"] == 0
    assert res["expired_bases"] == 0
    for row in res["by_plan"]:
        assert not row["errors"] or "huyện" in row["errors"][0], row
        assert row["source_file"] not in " ".join(str(x) for x in row["similarity"])
    assert build_prompt(svc.plans()[0].meta, svc.plans()[0].plan_type).startswith("Soạn")
