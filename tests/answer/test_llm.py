"""LLM factory and error mapping, against a real OpenAI-compatible HTTP server on 127.0.0.1 (scripted)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import httpx
import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from assistant.config import Settings
from assistant.llm import (
    LLMError,
    LLMUnavailable,
    LocalGGUFChat,
    chat,
    chat_stream,
    local_model_path,
    make_chat_model,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ on the path for the shared fakes
from fakes.openai_server import Reply, ScriptedOpenAI  # noqa: E402

MESSAGES = [SystemMessage("Bạn là trợ lý thi đua, khen thưởng."), HumanMessage("Chỉ tiêu thi đua năm 2025 là gì?")]
ANSWER = "Tổng giá trị sản xuất khoảng 28.603,61 tỷ đồng [1]."


@pytest.fixture()
def srv():
    with ScriptedOpenAI() as server:
        yield server


def _settings(tmp_path, base_url: str | None, **kw) -> Settings:
    return Settings(data_dir=tmp_path, llm="openai", llm_base_url=base_url, llm_model="qwen-test", **kw)


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_none_provider_gives_no_model(tmp_path):
    assert make_chat_model(Settings(data_dir=tmp_path)) is None
    assert make_chat_model(_settings(tmp_path, "http://127.0.0.1:1/v1"), provider="none") is None


def test_openai_without_base_url_is_unavailable(tmp_path):
    with pytest.raises(LLMUnavailable, match="TDKT_LLM_BASE_URL"):
        make_chat_model(_settings(tmp_path, None))
    with pytest.raises(LLMUnavailable):
        make_chat_model(Settings(data_dir=tmp_path), provider="bogus")


def test_openai_invoke_sends_settings_and_returns_text(tmp_path, srv):
    srv.script(ANSWER)
    model = make_chat_model(_settings(tmp_path, srv.base_url, llm_max_tokens=77, llm_temperature=0.05))
    assert isinstance(model, ChatOpenAI)
    assert chat(model, MESSAGES) == ANSWER
    body = srv.requests[-1]
    assert body["model"] == "qwen-test"
    assert body["max_tokens"] == 77 and "max_completion_tokens" not in body
    assert body["temperature"] == 0.05
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][1]["content"] == "Chỉ tiêu thi đua năm 2025 là gì?"


def test_openai_stream_yields_pieces_in_order(tmp_path, srv):
    srv.script(responder=lambda msgs: "Trả lời cho: " + msgs[-1]["content"])
    model = make_chat_model(_settings(tmp_path, srv.base_url))
    pieces = list(chat_stream(model, MESSAGES))
    assert len(pieces) > 3
    assert "".join(pieces) == "Trả lời cho: Chỉ tiêu thi đua năm 2025 là gì?"
    assert srv.requests[-1]["stream"] is True


def test_tuple_messages_are_accepted(tmp_path, srv):
    srv.script("Được.")
    model = make_chat_model(_settings(tmp_path, srv.base_url))
    assert chat(model, [("system", "s"), ("human", "h")]) == "Được."


def test_models_endpoint_lists_model(srv):
    data = httpx.get(srv.base_url + "/models").json()
    assert data["object"] == "list" and data["data"][0]["id"] == srv.model


def test_endpoint_down_is_llm_error(tmp_path):
    model = make_chat_model(_settings(tmp_path, f"http://127.0.0.1:{_closed_port()}/v1"))
    with pytest.raises(LLMError, match="kết nối"):
        chat(model, MESSAGES)
    with pytest.raises(LLMError, match="kết nối"):
        list(chat_stream(model, MESSAGES))


def test_timeout_is_llm_error(tmp_path, srv):
    srv.script(ANSWER, delay=3.0)
    model = make_chat_model(_settings(tmp_path, srv.base_url, llm_timeout=0.3))
    with pytest.raises(LLMError, match="thời gian"):
        chat(model, MESSAGES)
    with pytest.raises(LLMError, match="thời gian"):
        list(chat_stream(model, MESSAGES))


def test_http_500_is_llm_error(tmp_path, srv):
    srv.script(status=500)
    model = make_chat_model(_settings(tmp_path, srv.base_url))
    with pytest.raises(LLMError, match="500"):
        chat(model, MESSAGES)
    with pytest.raises(LLMError, match="500"):
        list(chat_stream(model, MESSAGES))
    assert len(srv.requests) == 2  # max_retries=0: no silent retries


def test_malformed_json_is_llm_error(tmp_path, srv):
    srv.script(malformed=True)
    model = make_chat_model(_settings(tmp_path, srv.base_url))
    with pytest.raises(LLMError):
        chat(model, MESSAGES)


def test_truncated_stream_is_llm_error(tmp_path, srv):
    srv.script(ANSWER, malformed=True)
    model = make_chat_model(_settings(tmp_path, srv.base_url))
    with pytest.raises(LLMError):
        list(chat_stream(model, MESSAGES))


def test_per_reply_modes_then_recovery(tmp_path, srv):
    srv.script(Reply(status=503), Reply(text="Lần hai thì được."))
    model = make_chat_model(_settings(tmp_path, srv.base_url))
    with pytest.raises(LLMError):
        chat(model, MESSAGES)
    assert chat(model, MESSAGES) == "Lần hai thì được."


def test_empty_answer_is_llm_error(tmp_path, srv):
    srv.script("", "")
    model = make_chat_model(_settings(tmp_path, srv.base_url))
    with pytest.raises(LLMError, match="rỗng"):
        chat(model, MESSAGES)
    with pytest.raises(LLMError, match="rỗng"):
        list(chat_stream(model, MESSAGES))


def test_local_without_xllamacpp_is_unavailable(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # makes `import xllamacpp` raise ImportError
    with pytest.raises(LLMUnavailable, match="local-llm"):
        make_chat_model(Settings(data_dir=tmp_path), provider="local")


def test_local_without_model_file_is_unavailable(tmp_path):
    pytest.importorskip("xllamacpp")
    with pytest.raises(LLMUnavailable, match="tdkt model install"):
        make_chat_model(Settings(data_dir=tmp_path), provider="local")
    assert local_model_path(Settings(data_dir=tmp_path)).parent == tmp_path / "models"


@pytest.mark.slow
def test_local_gguf_generates(tmp_path):
    """Needs `tdkt model install` (real GGUF in the repo data dir) and xllamacpp."""
    pytest.importorskip("xllamacpp")
    settings = Settings(llm_max_tokens=48, llm_temperature=0.5, llm_timeout=600)
    if not local_model_path(settings).is_file():
        pytest.skip("local GGUF not installed")
    model = make_chat_model(settings, provider="local")
    assert isinstance(model, LocalGGUFChat) and model.temperature <= 0.2
    msgs = [SystemMessage("Trả lời ngắn gọn bằng tiếng Việt, chỉ dựa vào đoạn trích."),
            HumanMessage("Đoạn trích [1]: Tổng giá trị sản xuất khoảng 28.603,61 tỷ đồng.\n"
                         "Câu hỏi: Tổng giá trị sản xuất là bao nhiêu?")]
    pieces = list(chat_stream(model, msgs))
    assert len(pieces) > 1
    assert "28.603,61" in "".join(pieces)
    assert chat(model, msgs).strip()


@pytest.mark.slow
def test_local_call_is_killed_at_its_deadline_and_the_engine_restarts():
    """Needs the installed GGUF: a call past its total deadline kills the engine process; the next call reloads."""
    pytest.importorskip("xllamacpp")
    from assistant.llm import engine_process

    settings = Settings(llm_max_tokens=24, llm_timeout=600)
    if not local_model_path(settings).is_file():
        pytest.skip("local GGUF not installed")
    model = make_chat_model(settings, provider="local")
    engine = engine_process(model.model_path, model.n_threads, model.n_ctx)
    with pytest.raises(LLMError, match="thời gian"):
        list(chat_stream(model, [("human", "Viết một bài văn dài về mùa thu. " * 60)], timeout=1.0))
    assert not engine.alive()
    starts = engine.starts
    msgs = [("human", "Đoạn trích [1]: Danh hiệu Lao động tiên tiến được thưởng 0,3 lần mức lương cơ sở.\n"
                      "Câu hỏi: được thưởng bao nhiêu?")]
    assert "".join(chat_stream(model, msgs)).strip()
    assert engine.starts == starts + 1 and engine.alive()  # loaded again, and kept for the next request
