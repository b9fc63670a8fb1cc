"""Follow-ups carry the subject (title, locality, year, base salary) and replace what changed: service, CLI, API."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
from helpers import ROOT

from assistant.answer.followup import Subject, carry_subject, merge

BASE_Q = "Mức thưởng CSTĐ cơ sở là bao nhiêu, lương cơ sở 2.340.000 đồng?"
FOLLOW = "còn lao động tiên tiến thì sao?"


def test_carry_subject_replaces_only_what_changed() -> None:
    prev = Subject(titles=["Chiến sĩ thi đua cơ sở"], base="2.340.000 đồng")
    new = Subject(titles=["lao động tiên tiến"])
    out = carry_subject(FOLLOW, "Mức thưởng Chiến sĩ thi đua cơ sở là bao nhiêu, lương cơ sở 2.340.000 đồng?",
                        prev, new)
    assert out == "Mức thưởng lao động tiên tiến là bao nhiêu, lương cơ sở 2.340.000 đồng?"
    assert merge(prev, new) == Subject(titles=["lao động tiên tiến"], base="2.340.000 đồng")
    assert carry_subject("còn hồ sơ thì sao?", "Tiêu chuẩn Chiến sĩ thi đua cơ sở?", prev, Subject()) is None


def test_base_salary_follow_up_uses_the_new_titles_multiplier(ask_service, store) -> None:  # noqa: ANN001
    cid = store.new_conversation("test", "u-base")
    a1 = ask_service.ask(BASE_Q, conversation_id=cid)
    assert "1,0 × 2.340.000 đồng = 2.340.000 đồng" in a1.conclusion
    a2 = ask_service.ask(FOLLOW, conversation_id=cid)
    assert a2.rewritten_question and "lao động tiên tiến" in a2.rewritten_question.lower()
    assert "0,3 × 2.340.000 đồng = 702.000 đồng" in a2.conclusion and "1,0 ×" not in a2.answer
    assert store.get_meta(cid, "subject")["base"] == "2.340.000 đồng"


def test_other_aspect_keeps_the_title(ask_service, store) -> None:  # noqa: ANN001
    cid = store.new_conversation("test", "u-aspect")
    ask_service.ask("Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?", conversation_id=cid)
    a = ask_service.ask("thế còn tiêu chuẩn?", conversation_id=cid)
    assert "lao động tiên tiến" in (a.rewritten_question or "").lower()
    assert any("Điều 24" in c.citation for c in a.citations)


def _cli(*args: str, settings) -> dict:  # noqa: ANN001
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(settings.data_dir), "TDKT_LLM": "none",
           "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in settings.extra_corpus)}
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", *args, "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout)


def test_follow_up_through_the_cli(settings) -> None:  # noqa: ANN001
    a1 = _cli(BASE_Q, "--conversation", "cli-follow-1", settings=settings)
    assert "1,0 ×" in a1["conclusion"]
    a2 = _cli(FOLLOW, "--conversation", "cli-follow-1", settings=settings)
    assert "0,3 × 2.340.000 đồng = 702.000 đồng" in a2["conclusion"]


def test_follow_up_through_the_api(settings, knowledge, ask_service, draft_service) -> None:  # noqa: ANN001
    from api.apilive import USER_KEY, LiveServer, api_settings

    from assistant.api import create_app

    server = LiveServer(create_app(api_settings(settings), knowledge, ask_service, draft_service)).start()
    try:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": USER_KEY}, timeout=120) as c:
            r1 = c.post("/api/ask", json={"question": BASE_Q}).json()
            r2 = c.post("/api/ask", json={"question": FOLLOW, "conversation_id": r1["conversation_id"]}).json()
        assert r2["conclusion"] and "0,3 × 2.340.000 đồng = 702.000 đồng" in r2["conclusion"]
        assert r2["answer"].startswith(r2["conclusion"])
    finally:
        server.stop()


def test_follow_up_names_a_title_by_another_wording(ask_service, store) -> None:  # noqa: ANN001
    """issue 10: "còn chiến sĩ thi đua cấp tỉnh thì sao?" after the CSTĐ cơ sở criteria asks for the provincial title."""
    cid = store.new_conversation("test", "u-wording")
    ask_service.ask("Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?", conversation_id=cid)
    a = ask_service.ask("còn chiến sĩ thi đua cấp tỉnh thì sao?", conversation_id=cid)
    rewritten = (a.rewritten_question or "").lower()
    # the law's wording of the title (rule table name), so the rewritten question is answered, not refused
    assert "chiến sĩ thi đua bộ, ban, ngành, tỉnh" in rewritten and "cơ sở" not in rewritten
    assert "tiêu chuẩn" in rewritten and not a.refused
    assert "Điều 22" in a.citations[0].citation


ALIAS_Q1 = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?"
ALIAS_FOLLOW = "còn chiến sỹ thi đua cấp tỉnh thì sao?"  # another wording, the other i/y spelling


def test_follow_up_with_another_title_wording_through_the_cli(settings) -> None:  # noqa: ANN001
    _cli(ALIAS_Q1, "--conversation", "cli-follow-alias", settings=settings)
    a2 = _cli(ALIAS_FOLLOW, "--conversation", "cli-follow-alias", settings=settings)
    assert not a2["refused"] and "Điều 22" in a2["citations"][0]["citation"]
    assert "Chiến sĩ thi đua Bộ, ban, ngành, tỉnh" in a2["answer"]


def test_follow_up_with_another_title_wording_through_the_api(settings, knowledge, ask_service,  # noqa: ANN001
                                                              draft_service) -> None:  # noqa: ANN001
    from api.apilive import USER_KEY, LiveServer, api_settings

    from assistant.api import create_app

    server = LiveServer(create_app(api_settings(settings), knowledge, ask_service, draft_service)).start()
    try:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": USER_KEY}, timeout=120) as c:
            r1 = c.post("/api/ask", json={"question": ALIAS_Q1}).json()
            r2 = c.post("/api/ask", json={"question": ALIAS_FOLLOW, "conversation_id": r1["conversation_id"]}).json()
        assert not r2["refused"] and "Điều 22" in r2["citations"][0]["citation"]
    finally:
        server.stop()
