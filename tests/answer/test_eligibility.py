"""Eligibility with the asker's facts: the facts reader, verdicts per condition (met / not met / unknown), and the
same checker through the ask service, the CLI (`tdkt check`, subprocess) and the API (`POST /api/check`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from helpers import ROOT

from assistant.answer.eligibility import RuleTable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from apilive import USER_KEY, LiveServer, api_settings  # noqa: E402

from assistant.api import create_app  # noqa: E402

TABLE = RuleTable.load(ROOT / "knowledge" / "rules.yaml")
Q_MET_A = "em được CSTĐCS 2019, 2021, 2022, 2023 thì có đủ điều kiện CSTĐ cấp tỉnh không?"
Q_NOT_MET = "em được CSTĐCS 2019, 2021, 2023 thì có đủ điều kiện CSTĐ cấp tỉnh không?"


def _checker():  # noqa: ANN202
    from assistant.answer.eligibility import EligibilityChecker

    return EligibilityChecker(TABLE)


def _status(res) -> dict[str, str]:  # noqa: ANN001
    return {c.id: c.status for c in res.conditions}


# ------------------------------------------------------------------------------------------------ facts
@pytest.mark.parametrize("q, title, years", [
    (Q_MET_A, "cstd-co-so", [2019, 2021, 2022, 2023]),
    ("Tôi đạt LĐTT 2023–2025 thì được xét CSTĐ cơ sở không?", "lao-dong-tien-tien", [2023, 2024, 2025]),
    ("chị được lao động tiên tiến từ năm 2020 đến năm 2022, có đủ tiêu chuẩn CSTĐCS không", "lao-dong-tien-tien",
     [2020, 2021, 2022]),
    ("cstdcs 2022 2023 2024 thi len chien si thi dua tinh duoc khong", "cstd-co-so", [2022, 2023, 2024]),
])
def test_title_years_are_read_and_the_asked_title_is_not_a_fact(q: str, title: str, years: list[int]) -> None:
    f = TABLE.reader.read(q)
    assert sorted(f.titles[title]) == years
    assert f.target is not None and f.target not in f.titles


def test_initiatives_ratings_and_discipline_are_read() -> None:
    f = TABLE.reader.read("Em có 2 sáng kiến cấp cơ sở, năm 2024 hoàn thành xuất sắc nhiệm vụ, nhưng năm 2022 bị "
                          "kỷ luật khiển trách. Em có được Bằng khen của Chủ tịch UBND tỉnh không?")
    assert [(w.level, w.count) for w in f.works] == [("co-so", 2)]
    assert f.ratings == {2024: "xuat-sac"}
    assert [(d.years, d.pending) for d in f.disciplines] == [([2022], False)]
    assert f.target == "bang-khen-chu-tich-tinh"
    neg = TABLE.reader.read("em không có sáng kiến, chưa bị kỷ luật, đủ điều kiện CSTĐ cơ sở không?")
    assert neg.no_works and neg.no_discipline and not neg.works and not neg.disciplines


def test_a_collective_s_member_figures_are_read() -> None:
    f = TABLE.reader.read("Phòng tôi có 65% cá nhân đạt LĐTT, hoàn thành tốt nhiệm vụ, không có cá nhân bị kỷ luật. "
                          "Phòng có đủ tiêu chuẩn Tập thể lao động tiên tiến không?")
    assert f.member_share == {"lao-dong-tien-tien": 65.0}
    assert f.no_member_discipline is True and f.ratings == {None: "tot"}
    assert f.target == "tap-the-lao-dong-tien-tien"


# ------------------------------------------------------------------------------------------------ verdicts
def test_three_consecutive_cstdcs_meet_point_a_and_the_initiative_stays_unknown() -> None:
    res = _checker().check(Q_MET_A)
    assert res.title == "cstd-tinh" and _status(res) == {"a": "met", "b": "unknown"}
    assert res.status == "unknown" and res.conclusion.startswith("Chưa xác định được")
    assert "2021, 2022, 2023" in res.conditions[0].reason
    assert "03 lần liên tục" in res.conditions[0].quote  # each condition carries its verbatim quote


def test_a_gap_in_the_years_is_not_met() -> None:
    res = _checker().check(Q_NOT_MET)
    assert _status(res)["a"] == "not_met" and res.status == "not_met"
    assert res.conclusion.startswith("Chưa đủ điều kiện") and "Điểm a Khoản 1 Điều 22" in res.conclusion


def test_all_conditions_met_with_a_provincial_initiative() -> None:
    res = _checker().check("Em được CSTĐCS các năm 2022, 2023, 2024, có sáng kiến được công nhận cấp tỉnh, không bị "
                           "kỷ luật. Em có đủ điều kiện chiến sĩ thi đua cấp tỉnh không?")
    assert res.status == "met" and res.conclusion.startswith("Đủ các điều kiện có trong kho")
    assert set(_status(res).values()) == {"met"}


def test_a_lower_level_initiative_does_not_meet_the_provincial_scope() -> None:
    res = _checker().check("Em được CSTĐCS 2022, 2023, 2024 và có sáng kiến cấp cơ sở, có đủ điều kiện CSTĐ cấp "
                           "tỉnh không?")
    b = next(c for c in res.conditions if c.id == "b")
    assert b.status == "unknown" and "chưa đạt phạm vi" in b.reason  # other cases of point b remain possible


def test_discipline_makes_the_count_uncertain_and_pending_discipline_blocks() -> None:
    res = _checker().check("Em được CSTĐCS 2021, 2022, 2023, 2024 và năm 2022 bị kỷ luật khiển trách, có sáng kiến "
                           "cấp tỉnh, em có đủ điều kiện CSTĐ tỉnh không?")
    assert _status(res)["a"] == "unknown"  # 2023–2024 after it, 2022–2024 only if 2022 counts
    assert any("trích dẫn lại" in n for n in res.notes)
    res2 = _checker().check("Em đang bị xem xét kỷ luật thì có được đề nghị Lao động tiên tiến không?")
    assert res2.status == "not_met" and _status(res2)["dang-xem-xet-ky-luat"] == "not_met"
    assert any(c.secondary for c in res2.conditions)


def test_a_collective_below_the_share_is_not_met_and_labelled_provincial() -> None:
    res = _checker().check("Phòng tôi có 65% cá nhân đạt LĐTT, hoàn thành tốt nhiệm vụ, không có cá nhân bị kỷ luật. "
                           "Phòng có đủ tiêu chuẩn Tập thể lao động tiên tiến không?")
    assert _status(res)["3"] == "not_met" and res.status == "not_met"
    assert any("Quy định riêng của tỉnh Bắc Ninh" in n for n in res.notes)


def test_a_question_without_a_known_title_gives_no_verdict() -> None:
    assert _checker().check("Em được khen 2021, 2022 thì có được Huân chương Lao động không?") is None


# ------------------------------------------------------------------------------------------------ channels
def test_the_ask_pipeline_answers_eligibility_questions_with_the_checker(ask_service, knowledge) -> None:  # noqa: ANN001
    a = ask_service.ask(Q_NOT_MET)
    # a yes/no question the checker decides opens with the verdict (assistant/answer/verdict.py)
    assert not a.refused and a.answer.startswith("Không.") and "Chưa đủ điều kiện" in a.conclusion
    c1 = a.citations[0]
    raw = knowledge.raw_text(c1.source_file)
    assert c1.source_file == "luat-06-2022-qh15.md" and " ".join(raw[c1.start:c1.end].split()) == c1.quote
    assert any("06/2026/QH16" in w for w in a.warnings)  # the law it relies on may have been amended (registry)
    plain = ask_service.ask("Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?")  # no facts: the usual answer
    assert not plain.answer.startswith(("Chưa", "Đủ"))


def _cli_env(settings) -> dict[str, str]:  # noqa: ANN001
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(settings.data_dir),
                "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in settings.extra_corpus), "TDKT_LLM": "none"})
    return env


def test_cli_check_json_and_text(settings) -> None:  # noqa: ANN001
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "check", Q_MET_A, "--json"], cwd=ROOT,
                         env=_cli_env(settings), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["title"] == "cstd-tinh" and [c["status"] for c in data["conditions"]] == ["met", "unknown"]
    txt = subprocess.run([sys.executable, "-m", "assistant.cli", "check", Q_NOT_MET], cwd=ROOT,
                         env=_cli_env(settings), capture_output=True, text=True, timeout=300)
    assert txt.returncode == 0 and txt.stdout.startswith("Chưa đủ điều kiện") and "luat-06-2022-qh15.md" in txt.stdout
    bad = subprocess.run([sys.executable, "-m", "assistant.cli", "check", "Giá vé tàu hỏa là bao nhiêu?"], cwd=ROOT,
                         env=_cli_env(settings), capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "Không nhận ra danh hiệu" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture(scope="module")
def check_server(settings, knowledge, ask_service, draft_service):  # noqa: ANN001, ANN201
    server = LiveServer(create_app(api_settings(settings), knowledge, ask_service, draft_service)).start()
    yield server
    server.stop()


def test_api_check(check_server) -> None:  # noqa: ANN001
    with httpx.Client(base_url=check_server.url, timeout=120) as c:
        assert c.post("/api/check", json={"question": Q_MET_A}).status_code == 401  # same auth as /api/ask
        c.headers["X-API-Key"] = USER_KEY
        r = c.post("/api/check", json={"question": Q_NOT_MET})
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "not_met" and body["citations"][0]["source_file"] == "luat-06-2022-qh15.md"
        r = c.post("/api/check", json={"question": "Giá vé tàu hỏa là bao nhiêu?"})
        assert r.status_code == 422 and "danh hiệu" in r.json()["error"]["message"]
        r = c.post("/api/check", json={"question": Q_MET_A, "title": "khong-co"})
        assert r.status_code == 422
        r = c.post("/api/check", content="x", headers={"Content-Type": "text/plain"})
        assert r.status_code == 415


@pytest.mark.parametrize("q", [
    "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?",
    "Một sáng kiến có được dùng để đề nghị cả Chiến sĩ thi đua cơ sở và Bằng khen không?",
    "Ai công nhận sáng kiến có phạm vi ảnh hưởng toàn quốc khi xét CSTĐ toàn quốc?",
    "Quy định về kỷ luật trong tập thể khi xét Tập thể lao động tiên tiến thế nào?",
    "Mức thưởng Lao động tiên tiến năm 2025 là bao nhiêu?",
    # the cue is in what the asker heard; the marked question asks whether a rule still applies
    "Năm 2025 trường em có 40 GV đạt LĐTT, nghe nói CSTĐCS chỉ được xét tối đa 15% số người đạt LĐTT. "
    "Quy định tỷ lệ này hiện còn áp dụng theo Nghị định 152 không ạ?",
    # whether someone may confer the title: who decides, not whether the asker qualifies
    "Năm 2025 xã có 3 công chức có sáng kiến. Chủ tịch UBND xã có được ký quyết định tặng CSTĐCS cho các đồng chí "
    "này không?",
    # a quantity asked after the cue: the value, not whether someone qualifies
    "Năm 2024 em đạt LĐTT, có 1 sáng kiến. Người được đề nghị Chiến sĩ thi đua cơ sở phải được bao nhiêu phần trăm "
    "phiếu đồng ý?",
    "Em được LĐTT 2023, 2024, có 1 sáng kiến. Em được đề nghị Chiến sĩ thi đua cơ sở mấy lần rồi mới lên tỉnh?",
])
def test_general_questions_are_not_taken_for_eligibility_questions(q: str) -> None:
    assert not _checker().is_eligibility_question(q)


@pytest.mark.parametrize("q", [
    Q_MET_A,
    "nếu năm nay em không có sáng kiến thì còn được đề nghị CSTĐCS không ạ",
    "Phòng tôi có 80% cá nhân đạt LĐTT thì có đủ điều kiện Tập thể lao động tiên tiến không?",
    "Em bị kỷ luật khiển trách năm 2024, năm 2025 có được xét Lao động tiên tiến không?",
    # a short question sentence points back to the cue before it
    "Em muốn đề nghị xét CSTĐCS năm nay. Em có LĐTT 2023, 2024 và 1 sáng kiến. Vậy em có đủ không ạ?",
])
def test_questions_with_the_asker_s_facts_are_eligibility_questions(q: str) -> None:
    assert _checker().is_eligibility_question(q)


def test_consecutive_times_of_a_non_yearly_title_are_not_read_as_adjacent_years() -> None:
    q = "Anh ấy được CSTĐ tỉnh năm 2019 và 2022, có sáng kiến toàn quốc, có đủ điều kiện CSTĐ toàn quốc không?"
    res = _checker().check(q)
    assert _status(res)["a"] == "unknown" and "lần liên tục" in res.conditions[0].reason
    one = _checker().check("Anh ấy được CSTĐ tỉnh năm 2022, có đủ điều kiện CSTĐ toàn quốc không?")
    assert _status(one)["a"] == "not_met"


def test_yes_no_eligibility_without_the_askers_facts_lists_each_condition(ask_service) -> None:  # noqa: ANN001
    """'Tôi muốn được xét X năm nay thì có đủ điều kiện không?' with nothing of the asker's record: every condition
    of the rule table for X is quoted as unknown (never a verdict), from the rule's own provision."""
    asked = 0
    for rule in ask_service.eligibility.table.rules.values():
        name = re.search(r"“([^”]+)”", rule["lead"])
        if not name:
            continue
        a = ask_service.ask(f"Tôi muốn được xét {name.group(1)} năm nay thì có đủ điều kiện không?")
        asked += 1
        assert not a.refused and a.answer.startswith("Chưa xác định"), (name.group(1), a.answer[:120])
        assert a.citations and all(c.source_file == rule["source_file"] for c in a.citations[:1])
        assert "Không." not in a.answer[:10] and not a.answer.startswith(("Có.", "Đủ"))
    assert asked >= 4


def test_yes_no_of_another_group_is_not_read_as_the_askers_case(ask_service) -> None:  # noqa: ANN001
    n = ask_service.knowledge.searcher.normaliser
    assert n.speaks_of_self("Đơn vị mình có đủ điều kiện Tập thể lao động tiên tiến không?")
    assert not n.speaks_of_self("Cho em hỏi công nhân có được xét Lao động tiên tiến không ạ?")  # "em" of the opener
    a = ask_service.ask("Cho em hỏi công nhân có được xét Lao động tiên tiến không ạ?")
    assert not a.answer.startswith("Chưa xác định được việc đủ điều kiện")
