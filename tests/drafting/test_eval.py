"""Draft evaluation: leave-one-out over every corpus plan plus the project's own cases, each through every detector;
a draft with a cut sentence, a subjectless bullet, a wrong-level body or a wrong award form FAILS."""

from __future__ import annotations

import pytest

from assistant.drafting.models import DraftParagraph
from evals.drafts import (
    ADVISORY,
    CASES,
    DETECTORS,
    Case,
    Checker,
    build_prompt,
    evaluate_drafts,
    theme_from_title,
)

QT = ("Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND phường Ba Đình, thành phố Hà Nội, "
      "chủ đề chuyển đổi số")


def test_theme_from_title():
    t = theme_from_title("Kế hoạch 0124/KH-UBND ngày 18/11/2025 của UBND tỉnh Đắk Lắk phát động đợt thi đua lập "
                         "thành tích chào mừng Đại hội", "UBND tỉnh Đắk Lắk")
    assert t == "đợt thi đua lập thành tích chào mừng Đại hội"


@pytest.fixture(scope="module")
def result(svc, draft_knowledge, draft_settings):
    return evaluate_drafts(draft_knowledge, draft_settings, service=svc)


def test_leave_one_out(result, svc):
    res = result
    assert res["n"] == len(svc.plans()) >= 5
    assert res["section_coverage"] >= 0.9
    assert res["invented_figures"] == 0
    assert res["foreign_locality_leaks"] == 0
    assert res["expired_bases"] == 0
    for row in res["by_plan"]:
        if row["kind"] == "loo":
            assert not row["errors"] or "huyện" in row["errors"][0], row
            assert row["source_file"] not in " ".join(str(x) for x in row["similarity"])
    assert build_prompt(svc.plans()[0].meta, svc.plans()[0].plan_type).startswith("Soạn")


def test_cases_and_totals_are_reported(result):
    cases = [r for r in result["by_plan"] if r["kind"] == "case"]
    assert [r["source_file"] for r in cases] == [f"case:{c.id}" for c in CASES]
    for r in result["by_plan"]:
        assert r["status"] == ("FAIL" if set(r["counts"]) - set(ADVISORY) else "PASS")
        assert set(r["counts"]) <= set(DETECTORS)
    tot = result["all"]
    assert tot["passed"] + tot["failed"] == len(result["by_plan"])
    assert all(tot[d] == sum(r["counts"].get(d, 0) for r in result["by_plan"]) for d in DETECTORS)
    assert 0 <= result["section_role_accuracy"] <= 1


def test_a_broken_real_draft_fails(svc, draft_knowledge, draft_settings):
    checker = Checker.build(svc, draft_knowledge, draft_settings.knowledge_dir)
    draft = svc.draft(QT)
    clean = checker.run(draft, QT, draft.request.plan_date, {"ba dinh", "ha noi"})["found"]
    sec = next(s for s in draft.sections if s.kind == "to-chuc")
    sec.paragraphs += [
        DraftParagraph(text="Tạo không khí thi đua sôi nổi để.", style="item"),
        DraftParagraph(text="Chủ trì, phối hợp với các cơ quan liên quan tổ chức triển khai thực hiện Kế hoạch này.",
                       style="item"),
        DraftParagraph(text="Sở Tài chính bố trí kinh phí khen thưởng; Trưởng các thôn tổ chức phát động thi đua.",
                       style="item"),
        DraftParagraph(text="Chủ tịch UBND phường quyết định tặng Bằng khen cho cá nhân có thành tích xuất sắc.",
                       style="item"),
    ]
    found = checker.run(draft, QT, draft.request.plan_date, {"ba dinh", "ha noi"})["found"]
    for det in ("cut_sentences", "subjectless", "wrong_level", "award_forms"):
        assert len(found[det]) > len(clean[det]), det


def test_a_case_expectation_fails_a_draft_that_misses_it(svc, draft_knowledge, draft_settings):
    from evals.drafts import run_cases

    checker = Checker.build(svc, draft_knowledge, draft_settings.knowledge_dir)
    case = Case("x", QT, CASES[0].today, {"header_has": ["PHƯỜNG KHÔNG CÓ"], "text_has": ["cụm từ không có"]})
    row = run_cases(svc, checker, [case])[0]
    assert row["status"] == "FAIL" and row["counts"]["header"] >= 2
