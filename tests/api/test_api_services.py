"""The API over the real services: ask (JSON and SSE), search, sources, documents, drafts."""

from __future__ import annotations

import io
import json

import docx
import httpx
import pytest
from apilive import ADMIN_KEY, USER_KEY

QUESTION = "Tiêu chuẩn danh hiệu Chiến sĩ thi đua cơ sở là gì?"


def read_sse(resp: httpx.Response) -> list[tuple[str, dict]]:
    events, name, data = [], "message", []
    for line in resp.iter_lines():
        if not line:
            if data:
                events.append((name, json.loads("\n".join(data))))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
    return events


def test_ask_json(client, knowledge):
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["answer"].strip()
    assert body["conversation_id"]
    files = {m.source_file for m in knowledge.documents()}
    assert body["citations"], body
    for c in body["citations"]:
        assert c["source_file"] in files and 0 <= c["start"] < c["end"]
    again = client.post("/api/ask", json={"question": "Còn danh hiệu Lao động tiên tiến?",
                                          "conversation_id": body["conversation_id"]})
    assert again.status_code == 200 and again.json()["conversation_id"] == body["conversation_id"]


def test_ask_stream_tokens_then_final(client):
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = read_sse(r)
    kinds = [k for k, _ in events]
    assert "token" in kinds and kinds[-1] == "final", kinds
    assert kinds.index("token") < kinds.index("final")
    final = events[-1][1]
    assert final["answer"].strip() and final["citations"] and final["conversation_id"]
    streamed = "".join(d["text"] for k, d in events if k == "token")
    assert streamed.strip()


def test_ask_stream_errors_before_streaming_are_json(client):
    r = client.post("/api/ask/stream", json={"question": "   "})
    assert r.status_code == 422 and r.json()["error"]["code"] == "empty_input"


def test_search_ranked_passages(client, knowledge):
    r = client.get("/api/search", params={"q": "chiến sĩ thi đua cơ sở", "k": 3})
    assert r.status_code == 200
    results = r.json()["results"]
    assert 1 <= len(results) <= 3
    assert [p["rank"] for p in results] == sorted(p["rank"] for p in results)
    for p in results:
        assert set(p) >= {"citation", "source_file", "start", "end", "score", "snippet"}
    assert client.get("/api/search", params={"q": "x", "k": 0}).status_code == 422


def test_sources_highlight_offsets(client, knowledge):
    hit = client.get("/api/search", params={"q": "chiến sĩ thi đua cơ sở", "k": 1}).json()["results"][0]
    r = client.get(f"/api/sources/{hit['source_file']}",
                   params={"start": hit["start"], "end": hit["end"], "context": 200})
    assert r.status_code == 200, r.text
    body = r.json()
    raw = knowledge.raw_text(hit["source_file"])
    assert body["highlight"] == raw[hit["start"]:hit["end"]]
    assert body["text_before"] == raw[max(0, hit["start"] - 200):hit["start"]]
    assert body["text_after"] == raw[hit["end"]:hit["end"] + 200]
    doc = body["document"]
    assert doc["source_file"] == hit["source_file"] and isinstance(doc["in_force"], bool) and doc["validity"]
    bad = client.get(f"/api/sources/{hit['source_file']}", params={"start": 5, "end": len(raw) + 10})
    assert bad.status_code == 422
    assert client.get("/api/sources/khong-co.md", params={"start": 0, "end": 1}).status_code == 404


def test_documents_list_has_validity(client):
    docs = client.get("/api/documents").json()["documents"]
    assert docs and all("in_force" in d and d["validity"] for d in docs)
    expired = [d for d in docs if not d["in_force"] and d.get("kind") != "plan"]
    for d in expired:
        assert d["validity"].startswith("Hết hiệu lực")
    plans = [d for d in docs if d.get("kind") == "plan"]
    assert plans and all(d["validity"] == "Kế hoạch — không xét hiệu lực" for d in plans)  # not "Còn hiệu lực"


def _docx_bytes(lines: list[str]) -> bytes:
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf_bytes(lines: list[str]) -> bytes:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 is not installed: no PDF can be made for the upload test")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _upload_and_remove(admin: httpx.Client, client: httpx.Client, settings, name: str, data: bytes,
                       mime: str, probe: str) -> None:
    r = admin.post("/api/documents", files={"file": (name, data, mime)})
    try:
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["source_file"] == name
        assert name in body["report"]["added"] + body["report"]["updated"]
        assert (settings.data_dir / "uploads" / name).is_file()
        listed = {d["source_file"] for d in client.get("/api/documents").json()["documents"]}
        assert name in listed
        found = client.get("/api/search", params={"q": probe, "k": 5}).json()["results"]
        assert name in {p["source_file"] for p in found}
    finally:
        d = admin.delete(f"/api/documents/{name}")
    assert d.status_code == 200, d.text
    found = client.get("/api/search", params={"q": probe, "k": 10}).json()["results"]
    assert name not in {p["source_file"] for p in found}
    assert not (settings.data_dir / "uploads" / name).exists()
    assert admin.delete(f"/api/documents/{name}").status_code == 404


def test_upload_docx_then_delete(admin, client, settings):
    lines = ["KẾ HOẠCH THỬ NGHIỆM TẢI LÊN", "Phong trào thi đua Hoa Sen Xanh Bốn Mùa của đơn vị thử nghiệm.",
             "1. Mục đích: kiểm tra chức năng tải văn bản lên kho tri thức."]
    _upload_and_remove(admin, client, settings, "kh-thu-nghiem-hoa-sen-xanh.docx", _docx_bytes(lines),
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       "Hoa Sen Xanh Bốn Mùa")


def test_upload_pdf_then_delete(admin, client, settings):
    lines = ["KE HOACH THU NGHIEM PDF", "Phong trao thi dua Cay Tre Vang Kiem Thu cua don vi thu nghiem.",
             "1. Muc dich: kiem tra tai van ban PDF len kho tri thuc."]
    _upload_and_remove(admin, client, settings, "kh-thu-nghiem-cay-tre-vang.pdf", _pdf_bytes(lines),
                       "application/pdf", "Cay Tre Vang Kiem Thu")


def test_upload_exe_renamed_pdf_is_400_and_not_stored(admin, client, settings):
    name = "may-tinh-gia-mao.pdf"
    fake = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 8
    before = {d["source_file"] for d in client.get("/api/documents").json()["documents"]}
    r = admin.post("/api/documents", files={"file": (name, fake, "application/pdf")})
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert name in err["message"] and err["code"] == "unreadable_file"
    assert not (settings.data_dir / "uploads" / name).exists()
    incoming = settings.data_dir / "uploads" / ".incoming"
    assert not incoming.exists() or not any(incoming.iterdir())
    after = {d["source_file"] for d in client.get("/api/documents").json()["documents"]}
    assert after == before


def test_upload_needs_multipart_and_known_type(admin):
    r = admin.post("/api/documents", json={"file": "x"})
    assert r.status_code == 415
    r = admin.post("/api/documents", files={"file": ("virus.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_file_type"


def test_draft_and_downloads(client, api_server):
    r = client.post("/api/draft", json={
        "prompt": "Soạn kế hoạch phát động phong trào thi đua năm 2026 của UBND xã Quang Trung"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["draft_id"] and d["markdown"].strip()
    for ext in ("docx", "md"):
        path, _, query = d["links"][ext].partition("?")
        assert path == f"/api/drafts/{d['draft_id']}.{ext}" and "sig=" in query and "exp=" in query
        assert "key" not in query
    got = client.get(d["links"]["docx"])
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(got.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.strip()
    md = client.get(d["links"]["md"])
    assert md.status_code == 200 and md.text.strip() == d["markdown"].strip()
    plain = f"/api/drafts/{d['draft_id']}.md"
    with httpx.Client(base_url=api_server.url) as anon:
        assert anon.get(d["links"]["md"]).status_code == 200  # the signed link needs no key
        assert anon.get(plain).status_code == 401
        assert anon.get(plain, params={"key": USER_KEY}).status_code == 401  # no key in URLs
        tampered = d["links"]["md"].replace("sig=", "sig=0")
        assert anon.get(tampered).status_code == 403
        other = d["links"]["md"].replace(".md?", ".docx?")  # a signature is bound to its path
        assert anon.get(other).status_code == 403
    assert client.get(plain).status_code == 200  # the API key in a header still works
    assert client.get("/api/drafts/khong-co.docx").status_code == 404
    assert client.get("/api/drafts/khong-co.md").status_code == 404


def test_admin_key_is_also_a_user(admin):
    assert admin.get("/api/documents").status_code == 200
    assert ADMIN_KEY != USER_KEY
