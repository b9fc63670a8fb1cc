"""The web channel end to end over real uvicorn: the configured LLM and memory reach /api/ask, conversations,
feedback, drafting in chat, signed links, safe defaults, widget keys, admin jobs and the OpenAPI 3.0 document."""

from __future__ import annotations

import csv as csvlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from apilive import ADMIN_KEY, USER_KEY

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fakes.openai_server import ScriptedOpenAI  # noqa: E402
from test_api_services import read_sse  # noqa: E402

from assistant.api import create_app  # noqa: E402
from assistant.api.safety import UnsafeConfig  # noqa: E402
from assistant.api.signing import LinkSigner  # noqa: E402
from assistant.services import build_services  # noqa: E402

QUESTION = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?"
FOLLOW_UP = "Thế còn mức tiền thưởng thì sao?"
DRAFT_PROMPT = "Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung"


def _h(key: str = USER_KEY, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


# ------------------------------------------------------------------------------------------ LLM + memory
def test_configured_llm_and_memory_reach_the_web_path(settings, knowledge, store, start_server):
    with ScriptedOpenAI(default="Xin chào.") as llm:
        s = settings.model_copy(update={"llm": "openai", "llm_base_url": llm.base_url, "llm_timeout": 10.0})
        services = build_services(s, knowledge=knowledge, store=store)
        server = start_server(services=services, llm="openai", llm_base_url=llm.base_url, llm_timeout=10.0)
        with httpx.Client(base_url=server.url, headers=_h(), timeout=120) as c:
            r = c.post("/api/ask", json={"question": QUESTION})
            assert r.status_code == 200, r.text
            after_ask = len(llm.requests)
            assert after_ask >= 1, "the configured LLM was not called by /api/ask"
            cid = r.json()["conversation_id"]
            assert [t.role for t in store.history(cid)] == ["user", "assistant"]

            with c.stream("POST", "/api/ask/stream", json={"question": FOLLOW_UP, "conversation_id": cid}) as resp:
                assert resp.status_code == 200
                events = read_sse(resp)
            assert events[-1][0] == "final" and events[-1][1]["conversation_id"] == cid
            new = llm.requests[after_ask:]
            assert new, "the configured LLM was not called by /api/ask/stream"
            sent = json.dumps([m for req in new for m in req.get("messages", [])], ensure_ascii=False)
            assert "Chiến sĩ thi đua cơ sở" in sent, "the follow-up did not carry the conversation's history"
            assert [t.role for t in store.history(cid)] == ["user", "assistant", "user", "assistant"]


# ------------------------------------------------------------------------------------------ conversations
def test_conversation_list_and_history_restored(client, api_server):
    r = client.post("/api/ask", json={"question": QUESTION})
    cid = r.json()["conversation_id"]
    listed = client.get("/api/conversations").json()["conversations"]
    mine = next(c for c in listed if c["id"] == cid)
    assert mine["title"] == QUESTION
    hist = client.get(f"/api/conversations/{cid}").json()
    assert [t["role"] for t in hist["turns"]][-2:] == ["user", "assistant"]
    assert hist["turns"][-2]["text"] == QUESTION
    assert hist["turns"][-1]["text"] == r.json()["answer"]
    assert hist["turns"][-1]["citations"], "the last answer's sources are restored"
    with httpx.Client(base_url=api_server.url, headers=_h(ADMIN_KEY)) as other:
        assert cid not in {c["id"] for c in other.get("/api/conversations").json()["conversations"]}
        assert other.get(f"/api/conversations/{cid}").status_code == 404
    assert client.delete(f"/api/conversations/{cid}").status_code == 200
    assert cid not in {c["id"] for c in client.get("/api/conversations").json()["conversations"]}


def test_feedback_stored_and_exported_as_csv(client, admin):
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    sources = [{"citation": c["citation"], "source_file": c["source_file"], "start": c["start"], "end": c["end"]}
               for c in answer["citations"]]
    comment = "Thiếu mức tiền thưởng kèm theo — góp ý thử nghiệm 7731"
    r = client.post("/api/feedback", json={"rating": "down", "comment": comment, "question": QUESTION,
                                           "answer": answer["answer"], "sources": sources,
                                           "conversation_id": answer["conversation_id"]})
    assert r.status_code == 201, r.text
    assert client.post("/api/feedback", json={"rating": "meh", "question": "q", "answer": "a"}).status_code == 422
    assert client.get("/api/admin/feedback.csv").status_code == 403
    csv = admin.get("/api/admin/feedback.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = list(csvlib.DictReader(io.StringIO(csv.text.lstrip("\ufeff"))))
    row = next(r for r in rows if "7731" in r["comment"])
    assert row["rating"] == "down" and row["question"] == QUESTION and row["answer"] == answer["answer"]
    assert sources[0]["source_file"] in row["sources"]


# ------------------------------------------------------------------------------------------ drafting in chat
def test_intent_recognises_drafting_without_command(client):
    d = client.post("/api/intent", json={"text": DRAFT_PROMPT}).json()
    assert d["action"] == "draft" and d["label"]
    q = client.post("/api/intent", json={"text": QUESTION}).json()
    assert q == {"action": "ask", "offer_draft": False, "doc_type": None, "label": None}
    offer = client.post("/api/intent", json={"text": "Kế hoạch thi đua năm 2026 của xã gồm những nội dung gì?"})
    assert offer.json()["action"] == "ask" and offer.json()["offer_draft"] is True


def test_section_regenerated_with_instruction_keeps_the_rest(client, api_server):
    first = client.post("/api/draft", json={"prompt": DRAFT_PROMPT}).json()
    keys = [s["key"] for s in first["sections"]]
    target = next(k for k in keys if k in ("I", "II", "III"))
    r = client.post("/api/draft", json={"base_draft_id": first["draft_id"], "section": target,
                                        "instruction": "ngắn gọn hơn",
                                        "conversation_id": first["conversation_id"]})
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["draft_id"] == first["draft_id"]
    assert [s["key"] for s in again["sections"]] == keys
    for old, new in zip(first["sections"], again["sections"], strict=True):
        if old["key"] != target:
            assert old == new
    assert client.get(again["links"]["md"]).text.strip() == again["markdown"].strip()
    restored = client.get(f"/api/conversations/{first['conversation_id']}").json()["last_draft"]
    assert restored["draft_id"] == first["draft_id"] and restored["markdown"] == again["markdown"]
    assert httpx.get(api_server.url + restored["links"]["docx"]).status_code == 200  # fresh signed link
    stale = again["links"]["md"].replace("sig=", "sig=0")
    assert client.get(stale).status_code == 200  # a stale link still works with the key in a header
    with httpx.Client(base_url=api_server.url, headers=_h(ADMIN_KEY)) as other:  # someone else's draft
        r = other.post("/api/draft", json={"base_draft_id": first["draft_id"], "section": target})
        assert r.status_code == 404


def test_signed_link_expires():
    now = [1000.0]
    signer = LinkSigner("secret", 60, clock=lambda: now[0])
    link = signer.sign("/api/drafts/abc.md")
    q = dict(p.split("=") for p in link.split("?")[1].split("&"))
    assert signer.verify("/api/drafts/abc.md", q["exp"], q["sig"])
    now[0] += 61
    assert not signer.verify("/api/drafts/abc.md", q["exp"], q["sig"])


# ------------------------------------------------------------------------------------------ bad input
def test_lone_surrogate_is_a_clear_422(client):
    for path, field in (("/api/ask", "question"), ("/api/ask/stream", "question"), ("/api/draft", "prompt")):
        raw = ('{"' + field + '": "Khen thưởng \\ud800 là gì"}').encode()
        r = client.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 422, (path, r.text)
        err = r.json()["error"]
        assert err["code"] == "invalid_text" and "không hợp lệ" in err["message"]
    for path, body in (("/api/ask", '{"question": "Khen thưởng là gì", "conversation_id": "a\\udc80"}'),
                       ("/api/draft", '{"prompt": "Soạn kế hoạch thi đua", "section": "II\\ud800"}'),
                       ("/api/feedback", '{"rating": "up", "question": "q", "answer": "a\\ud800"}')):
        r = client.post(path, content=body.encode(), headers={"Content-Type": "application/json"})
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["code"] in ("invalid_text", "validation_error")


BODIES = {
    "/api/ask": {"question": "Khen thưởng là gì", "conversation_id": "abc"},
    "/api/ask/stream": {"question": "Khen thưởng là gì", "conversation_id": "abc"},
    "/api/draft": {"prompt": "Soạn kế hoạch thi đua năm 2026 của UBND xã Quang Trung", "section": "II",
                   "instruction": "ngắn gọn"},
    "/api/intent": {"text": "Soạn kế hoạch thi đua"},
    "/api/feedback": {"rating": "up", "question": "q", "answer": "a", "comment": "c",
                      "sources": [{"citation": "Điều 1", "source_file": "x.md", "start": 0, "end": 1}]},
}


def _with_surrogate(body: dict, path: list) -> str:
    """The JSON body with a lone surrogate escape appended to the string at `path`."""
    marker = "\x00MARK\x00"
    node = body = json.loads(json.dumps(body))
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = str(node[path[-1]]) + marker
    return json.dumps(body, ensure_ascii=False).replace(json.dumps(marker)[1:-1], "\\ud800")


def _string_paths(node, prefix=()):  # noqa: ANN001, ANN202
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _string_paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _string_paths(v, (*prefix, i))
    elif isinstance(node, str):
        yield list(prefix)


def test_a_lone_surrogate_in_any_string_field_is_never_a_500(client):
    tried = 0
    for path, body in BODIES.items():
        for field in _string_paths(body):
            raw = _with_surrogate(body, field)
            assert "\\ud800" in raw
            r = client.post(path, content=raw.encode(), headers={"Content-Type": "application/json"})
            assert 400 <= r.status_code < 500, (path, field, r.status_code, r.text[:200])
            tried += 1
    assert tried >= 14


# ------------------------------------------------------------------------------------------ safe defaults
def test_public_address_with_dev_keys_refuses_to_start(settings):
    unsafe = settings.model_copy(update={"host": "0.0.0.0", "api_keys": ["dev-admin:admin", "dev-user:user"]})
    with pytest.raises(UnsafeConfig, match="dev-admin"):
        create_app(unsafe, warm=False)
    safe = unsafe.model_copy(update={"api_keys": ["k-9f2c7d1e4b:admin", "k-3a8e6b0c5d:user"]})
    assert create_app(safe, warm=False) is not None


def test_cli_serve_on_public_address_with_dev_keys_exits_with_a_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TDKT_")}
    env.update({"TDKT_DATA_DIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Không khởi động" in proc.stderr and "dev-admin" in proc.stderr
    assert "Traceback" not in proc.stderr


def _page_key(url: str) -> str | None:
    html = httpx.get(url + "/").text
    cfg = json.loads(html.split("window.TDKT_CONFIG = ", 1)[1].split(";</script>", 1)[0])
    return cfg["apiKey"]


def test_page_embeds_a_key_only_on_loopback_or_a_widget_key(start_server):
    dev = start_server(api_keys=["dev-admin:admin", "dev-user:user"])
    assert _page_key(dev.url) == "dev-user"
    public = start_server(host="0.0.0.0", api_keys=[f"{ADMIN_KEY}:admin", f"{USER_KEY}:user"])
    assert _page_key(public.url) is None
    widget = start_server(host="0.0.0.0", api_keys=[f"{ADMIN_KEY}:admin", "w-public-77:widget"])
    assert _page_key(widget.url) == "w-public-77"


def test_failed_authentication_is_throttled_per_client(start_server):
    server = start_server(auth_failures_per_minute=3)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for _ in range(3):
            assert c.get("/api/documents", headers=_h("wrong")).status_code == 401
        r = c.get("/api/documents", headers=_h("wrong"))
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert "Sai khóa API" in r.json()["error"]["message"]
        assert c.get("/api/documents", headers=_h()).status_code == 429  # the client is blocked, not the key


def test_widget_key_is_limited_per_visitor_not_per_key(start_server):
    server = start_server(api_keys=[f"{ADMIN_KEY}:admin", "w-public-77:widget"], widget_rate_limit_per_minute=3)
    with httpx.Client(base_url=server.url, timeout=120) as c:
        a = _h("w-public-77", **{"X-TDKT-Visitor": "visitor-aaaaaaaa"})
        b = _h("w-public-77", **{"X-TDKT-Visitor": "visitor-bbbbbbbb"})
        cid = c.post("/api/ask", headers=b, json={"question": QUESTION}).json()["conversation_id"]
        assert c.get(f"/api/conversations/{cid}", headers=a).status_code == 404  # visitors do not share
        assert [c.get("/api/documents", headers=a).status_code for _ in range(3)] == [200, 200, 429]
        listed = c.get("/api/conversations", headers=b)
        assert listed.status_code == 200 and cid in {x["id"] for x in listed.json()["conversations"]}
        # new session ids from one IP do not lift the limit for ever: the IP has a wider ceiling (10 visitors)
        codes = [c.get("/api/documents", headers=_h("w-public-77", **{"X-TDKT-Visitor": f"rotating-{i:08d}"}))
                 .status_code for i in range(30)]
        assert 429 in codes and codes.index(429) >= 20, codes


def test_widget_config_reports_the_origin_to_any_page(anon):
    ok = anon.get("/widget/config", headers={"Origin": "http://allowed.example"})
    assert ok.json()["origin_allowed"] is True
    bad = anon.get("/widget/config", headers={"Origin": "http://portal.other.example"})
    assert bad.json()["origin_allowed"] is False
    assert bad.headers["access-control-allow-origin"] == "*"


# ------------------------------------------------------------------------------------------ admin
def _wait_job(admin: httpx.Client, job: dict) -> dict:
    for _ in range(600):
        job = admin.get(f"/api/admin/jobs/{job['id']}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_upload_named_like_a_corpus_document_is_refused(admin, client, settings, knowledge):
    official = next(m.source_file for m in knowledge.documents()
                    if any((Path(r) / m.source_file).exists() or list(Path(r).rglob(m.source_file))
                           for r in settings.corpus_roots()))
    before = knowledge.raw_text(official)
    r = admin.post("/api/documents", files={"file": (official, b"# Van ban gia mao\n\nDieu 1. Noi dung gia.\n",
                                                     "text/markdown")})
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "name_conflict" and r.json()["error"]["detail"]["official"] is True
    assert knowledge.raw_text(official) == before
    assert not (settings.data_dir / "uploads" / official).exists()


def test_admin_upload_job_replace_remove_and_audit(admin, client, settings):
    name = "kh-thu-nghiem-audit-hoa-mai.md"
    text = "# KẾ HOẠCH THỬ NGHIỆM\n\nPhong trào thi đua Hoa Mai Kiểm Thử Bảy Sắc của đơn vị thử nghiệm.\n"
    job = admin.post("/api/admin/uploads", files={"file": (name, text.encode(), "text/markdown")})
    assert job.status_code == 202, job.text
    done = _wait_job(admin, job.json())
    assert done["state"] == "done" and done["total"] == 1 and done["done"] == 1, done
    try:
        assert name in {d["source_file"] for d in client.get("/api/documents").json()["documents"]}
        again = admin.post("/api/admin/uploads", files={"file": (name, text.encode(), "text/markdown")})
        assert again.status_code == 409
        replaced = admin.post("/api/documents", files={"file": (name, (text + "Bổ sung.\n").encode(), "text/markdown")},
                              data={"replace": "true"})
        assert replaced.status_code == 201, replaced.text
    finally:
        assert admin.delete(f"/api/documents/{name}").status_code == 200
    entries = admin.get("/api/admin/audit").json()["entries"]
    actions = [(e["action"], e["target"]) for e in entries]
    assert ("remove", name) in actions and ("upload", name) in actions
    assert all(e["actor"].startswith("admin:") and e["created"] for e in entries)
    assert ADMIN_KEY not in json.dumps(entries)
    assert client.get("/api/admin/audit").status_code == 403
    health = admin.get("/api/admin/health").json()
    assert health["stats"]["documents"] > 0 and health["stats"]["chunks"] > 0


def test_admin_reindex_job_reports_progress(admin, client, knowledge):
    before = knowledge.stats()
    job = admin.post("/api/admin/reindex")
    assert job.status_code == 202 and job.json()["state"] == "running"
    assert client.post("/api/admin/reindex").status_code == 403
    done = _wait_job(admin, job.json())
    assert done["state"] == "done", done
    assert done["total"] >= before["documents"] and done["done"] == done["total"] and done["current"]
    assert done["result"]["report"]["files_seen"] == done["total"]
    assert knowledge.stats() == before  # nothing changed on disk: nothing re-embedded, nothing lost
    assert ("reindex", "*") in [(e["action"], e["target"]) for e in admin.get("/api/admin/audit").json()["entries"]]


# ------------------------------------------------------------------------------------------ /docs
def test_openapi_is_30_with_api_key_security(anon):
    spec = anon.get("/openapi.json").json()
    assert spec["openapi"] == "3.0.3"
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                 "description": schemes["ApiKey"]["description"]}
    assert {"ApiKey": []} in spec["paths"]["/api/ask"]["post"]["security"]
    text = json.dumps(spec)
    assert '"type": "null"' not in text and '"const"' not in text
