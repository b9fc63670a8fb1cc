"""LLM mode: the conclusion line is verified claim by claim against the passage each claim cites; a refusal is
respected; a trickling server hits the total deadline and the grounded answer is given with a notice; a good line
is shown above the grounded answer. Against the scripted OpenAI-compatible server on 127.0.0.1 and the real index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from fakes.openai_server import Reply, ScriptedOpenAI
from helpers import RAW, ROOT, llm_ask_service

from assistant.answer.llm_answer import NOTE_MODEL, llm_outcome
from assistant.answer.service import AskService
from assistant.answer.verify import attach_citations, is_refusal, verify_line
from assistant.llm import LLMError, chat_stream, make_chat_model

Q = "Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở?"
GOOD = "Danh hiệu “Lao động tiên tiến” được thưởng 0,3 lần mức lương cơ sở [1]."


def _article(text: str, head: str) -> str:
    start = text.index(head)
    end = text.index("\n### ", start + 1)
    return text[start:end]


ND152 = (RAW / "nd-152-2025.md").read_text(encoding="utf-8")
LUAT = (RAW / "luat-06-2022-qh15.md").read_text(encoding="utf-8")
P1 = "Điểm d Khoản 1 Điều 50 Nghị định 152/2025/NĐ-CP:\n" + _article(ND152, "### Điều 50.")
P2 = "Khoản 1 Điều 24 Luật Thi đua, khen thưởng 2022:\n" + _article(LUAT, "### Điều 24.") + \
    "\nMột văn bản khác nêu mức 100 triệu đồng."


# ------------------------------------------------------------------------------------------------ verify_line
def test_a_good_line_passes_and_an_unmarked_line_gets_its_citation_attached() -> None:
    assert verify_line(GOOD, {1: P1, 2: P2}, Q).ok
    bare = "Danh hiệu Lao động tiên tiến được thưởng 0,3 lần mức lương cơ sở."
    r = verify_line(bare, {1: P1, 2: P2}, Q)
    assert r.ok and r.cited == [1]
    assert attach_citations(bare, {1: P1, 2: P2}, Q).endswith("cơ sở [1].")


def test_a_figure_is_checked_against_the_passage_it_cites() -> None:
    # "100 triệu đồng" occurs in passage [2] but the line cites [1] = NĐ 152: it must fail
    r = verify_line("Danh hiệu Lao động tiên tiến được thưởng 100 triệu đồng [1].", {1: P1, 2: P2}, Q)
    assert not r.ok and r.unsupported_numbers == ["100 triệu"]
    assert any("[1]" in p for p in r.problems)
    assert verify_line("Một văn bản nêu mức 100 triệu đồng [2].", {1: P1, 2: P2}, Q).ok


@pytest.mark.parametrize("line, needle", [
    ("Tôi không đủ điều kiện Lao động tiên tiến [1].", "ngôi thứ nhất"),
    ("Theo Điều 24, Lao động tiên tiến được thưởng 0,3 lần mức lương cơ sở [1].", "Điều 24"),
    ("Điều 50 quy định “được thưởng 3 lần lương” cho Lao động tiên tiến [1].", "không nguyên văn"),
    ("Danh hiệu Lao động tiên tiến được thưởng 0,3 lần mức lương", "cắt cụt"),
    ("Lao động tiên tiến được thưởng [1]. " * 4, "lặp"),
    ("Danh hiệu Lao động tiên tiến được thưởng bao nhiêu lần mức lương cơ sở? [1]", "lặp lại câu hỏi"),
    ("Câu hỏi: Danh hiệu này được thưởng thế nào [1].", "chỉ dẫn"),
    ("Được thưởng 0,3 lần mức lương cơ sở [7].", "[7]"),
])
def test_claims_that_are_not_supported_fail(line: str, needle: str) -> None:
    r = verify_line(line, {1: P1, 2: P2}, Q)
    assert not r.ok and any(needle in p for p in r.problems), r.problems


def test_a_line_cut_by_the_token_limit_fails_and_the_refusal_sentence_is_recognised() -> None:
    assert not verify_line(GOOD, {1: P1}, Q, finish_reason="length").ok
    assert is_refusal("Không tìm thấy căn cứ trong kho văn bản.") and not is_refusal(GOOD)


# ------------------------------------------------------------------------------------------------ total deadline
def test_trickling_server_hits_the_total_deadline(tmp_path) -> None:
    from assistant.config import Settings

    with ScriptedOpenAI() as srv:
        srv.script(Reply(text=GOOD, trickle=0.5))  # per-read timeouts never fire: a byte comes every 0.5 s
        s = Settings(data_dir=tmp_path, llm="openai", llm_base_url=srv.base_url, llm_timeout=2.0)
        with pytest.raises(LLMError, match="thời gian"):
            list(chat_stream(make_chat_model(s), [("human", "x")]))


# ------------------------------------------------------------------------------------------------ ask pipeline
def _svc(ask_service, url: str, **kw) -> AskService:  # noqa: ANN001
    return llm_ask_service(ask_service, url, kw.pop("llm_timeout", 5.0), **kw)


def test_good_line_is_shown_above_the_grounded_answer(ask_service, llm_srv) -> None:  # noqa: ANN001
    grounded = ask_service.ask(Q)
    llm_srv.script(GOOD)
    events = list(_svc(ask_service, llm_srv.base_url).ask_stream(Q))
    streamed = "".join(e.text for e in events if e.type == "token")
    assert streamed == grounded.answer  # the grounded answer comes at once, before the model's line
    final = events[-1].answer
    assert final.mode == "llm" and final.answer == f"{GOOD}\n\n{grounded.answer}"
    assert NOTE_MODEL in final.notes and llm_outcome(final) == "model"
    assert [c.source_file for c in final.citations] == [c.source_file for c in grounded.citations]
    sent = llm_srv.last_messages
    assert len(re.findall(r"^\[\d\] ", sent[1]["content"], re.M)) <= 2  # one or two trimmed passages
    assert llm_srv.requests[-1]["max_tokens"] == ask_service.settings.llm_line_tokens


def test_figure_from_another_passage_is_rejected_per_cited_passage(ask_service, llm_srv) -> None:  # noqa: ANN001
    def respond(messages) -> str:  # noqa: ANN001
        body = messages[-1]["content"]
        parts = re.split(r"^\[(\d)\] ", body, flags=re.M)
        passages = {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
        p1 = set(re.findall(r"\d+,\d+", passages[1]))
        other = [x for n, p in passages.items() if n != 1 for x in re.findall(r"\d+,\d+", p) if x not in p1]
        figure = other[0] if other else "100 triệu đồng"
        return f"Danh hiệu Lao động tiên tiến được thưởng {figure} lần mức lương cơ sở [1]."

    llm_srv.script(responder=respond)
    a = _svc(ask_service, llm_srv.base_url).ask(Q)
    assert a.mode != "llm" and llm_outcome(a) == "fallback"
    assert any("không kiểm chứng" in n and "[1]" in n for n in a.notes)
    llm_srv.script("Danh hiệu Lao động tiên tiến được thưởng 100 triệu đồng [1].")
    b = _svc(ask_service, llm_srv.base_url).ask(Q)
    assert b.mode != "llm" and "100 triệu" not in b.answer.split("\n")[0]


def test_model_refusal_is_respected_unless_the_evidence_is_confident(ask_service, llm_srv, monkeypatch) -> None:  # noqa: ANN001
    import assistant.answer.evidence as evidence

    llm_srv.script("Không tìm thấy căn cứ trong kho văn bản.", "Không tìm thấy căn cứ trong kho văn bản.")
    monkeypatch.setattr(evidence, "CONFIDENT", 1.01)  # no score reaches it: the model's refusal stands
    a = _svc(ask_service, llm_srv.base_url).ask(Q)
    assert a.refused and a.mode == "refusal" and llm_outcome(a) == "refused"
    monkeypatch.setattr(evidence, "CONFIDENT", 0.0)  # every supported assessment is confident: overridden
    b = _svc(ask_service, llm_srv.base_url).ask(Q)
    assert not b.refused and b.mode == "grounded" and "0,3 lần" in b.answer and llm_outcome(b) == "fallback"


def test_a_yes_no_decided_by_code_keeps_its_verdict_and_the_model_is_not_asked(ask_service, llm_srv) -> None:  # noqa: ANN001
    q = "Nghị định 28/2024/NĐ-CP còn hiệu lực không?"
    plain = ask_service.ask(q)  # the same question without a model: code decides the verdict
    assert plain.conclusion and plain.conclusion.startswith(("Có.", "Không."))
    llm_srv.script(GOOD)
    before = len(llm_srv.requests)
    a = _svc(ask_service, llm_srv.base_url).ask(q)
    assert len(llm_srv.requests) == before  # no line requested: nothing for it to add that code could check
    assert a.conclusion == plain.conclusion and a.answer.startswith(plain.conclusion)
    assert llm_outcome(a) == "verdict" and a.mode == plain.mode


def test_trickling_server_falls_back_with_a_notice(ask_service, llm_srv) -> None:  # noqa: ANN001
    llm_srv.script(Reply(text=GOOD, trickle=0.5))
    a = _svc(ask_service, llm_srv.base_url, llm_timeout=2.0).ask(Q)
    assert a.mode == "grounded" and "0,3 lần" in a.answer and llm_outcome(a) == "timeout"
    assert any("không trả lời kịp" in n for n in a.notes)


def test_cli_ask_is_not_held_by_a_server_trickling_every_5_seconds(settings, llm_srv) -> None:  # noqa: ANN001
    llm_srv.script(Reply(text=GOOD, trickle=5.0))
    env = dict(os.environ)
    env.update({"PYTHONPATH": str(ROOT), "TDKT_DATA_DIR": str(settings.data_dir),
                "TDKT_EXTRA_CORPUS": ",".join(str(p) for p in settings.extra_corpus),
                "TDKT_LLM_BASE_URL": llm_srv.base_url, "TDKT_LLM_TIMEOUT": "3"})
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", Q, "--llm", "openai", "--json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["mode"] == "grounded" and "0,3 lần" in data["answer"]
    assert any("không trả lời kịp" in n for n in data["notes"])


def test_figures_stitched_from_two_sentences_fail() -> None:
    p = ("Điều 59 Nghị định 152/2025/NĐ-CP:\n1. Nghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2025.\n"
         "2. Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ … hết hiệu lực kể từ ngày Nghị định "
         "này có hiệu lực thi hành.")
    q = "Nghị định 98/2023/NĐ-CP còn hiệu lực không?"
    bad = verify_line("Nghị định 98/2023/NĐ-CP có hiệu lực kể từ ngày 01 tháng 7 năm 2025 [1].", {1: p}, q)
    assert not bad.ok and any("không cùng một câu" in x for x in bad.problems)
    good = verify_line("Nghị định 98/2023/NĐ-CP hết hiệu lực kể từ ngày Nghị định 152/2025/NĐ-CP có hiệu lực thi "
                       "hành [1].", {1: p}, q)
    assert good.ok, good.problems


def test_eval_answers_counts_model_fallback_timeout_and_refused(ask_service, llm_srv, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import assistant.answer.evidence as evidence
    from evals.answers import evaluate_answers

    monkeypatch.setattr(evidence, "CONFIDENT", 1.01)  # the model's refusal is counted as a refusal

    qs = tmp_path / "q.jsonl"
    gold = [{"file": "nd-152-2025.md", "anchor": "d) Danh hiệu “Lao động tiên tiến”", "citation": "Điều 50"}]
    qs.write_text("\n".join(json.dumps({"id": f"t{i}", "type": "amount", "question": Q, "key_facts": ["0,3 lần"],
                                        "gold": gold}, ensure_ascii=False) for i in range(4)) + "\n", encoding="utf-8")
    llm_srv.script(GOOD, "Lao động tiên tiến được thưởng 9,9 lần mức lương cơ sở [1].",
                   Reply(text=GOOD, trickle=0.5), "Không tìm thấy căn cứ trong kho văn bản.")
    svc = _svc(ask_service, llm_srv.base_url, llm_timeout=2.0)
    res = evaluate_answers(svc, qs, llm=svc.llm)
    assert res["llm_outcomes"] == {"model": 1, "fallback": 1, "timeout": 1, "refused": 1, "verdict": 0}


def test_the_verified_line_streams_as_its_own_event_after_the_grounded_answer(ask_service, llm_srv) -> None:  # noqa: ANN001
    llm_srv.script(GOOD)
    events = list(_svc(ask_service, llm_srv.base_url).ask_stream(Q))
    kinds = [e.type for e in events]
    assert kinds.index("grounded") < kinds.index("line") < kinds.index("final")
    assert max(i for i, k in enumerate(kinds) if k == "token") < kinds.index("line"), "the answer is on screen first"
    grounded = events[kinds.index("grounded")].answer
    line = events[kinds.index("line")].text
    assert grounded.mode != "llm" and events[-1].answer.answer == f"{line}\n\n{grounded.answer}"


def test_an_unverified_line_never_streams(ask_service, llm_srv) -> None:  # noqa: ANN001
    llm_srv.script("Tôi nghĩ mức thưởng là 100 triệu đồng [1].")
    events = list(_svc(ask_service, llm_srv.base_url).ask_stream(Q))
    assert "line" not in [e.type for e in events] and events[-1].answer.mode != "llm"


def test_api_stream_sends_the_line_event_after_the_tokens(ask_service, llm_srv) -> None:  # noqa: ANN001
    import httpx
    from api.apilive import USER_KEY, LiveServer, api_settings

    from assistant.api import create_app

    svc = _svc(ask_service, llm_srv.base_url)
    llm_srv.script(GOOD)
    server = LiveServer(create_app(api_settings(svc.settings), svc.knowledge, svc)).start()
    try:
        with httpx.Client(base_url=server.url, headers={"X-API-Key": USER_KEY}, timeout=120) as c:
            body = c.post("/api/ask/stream", json={"question": Q}).text
    finally:
        server.stop()
    kinds = re.findall(r"^event: (\w+)", body, re.M)
    assert "line" in kinds and kinds.index("token") < kinds.index("line") < kinds.index("final")
    data = json.loads(re.search(r"^event: line\ndata: (.*)$", body, re.M).group(1))
    assert data["text"].startswith(GOOD.rstrip(".")[:40])
