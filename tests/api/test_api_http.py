"""HTTP behaviour of the API over a real uvicorn server: auth, CORS, limits and JSON errors."""

from __future__ import annotations

import httpx
from apilive import ADMIN_KEY, ALLOWED_ORIGIN, USER_KEY


def _error(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    err = resp.json()["error"]
    assert err["code"] and err["message"]
    return err


def test_healthz_is_public(anon, knowledge):
    r = anon.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["documents"] == len(knowledge.documents()) > 0
    assert body["chunks"] and body["chunks"] > 0


def test_static_pages_are_public(anon):
    page = anon.get("/")
    assert page.status_code == 200 and "tdkt-app" in page.text and "__TDKT_CONFIG__" not in page.text
    for path, kind in (("/widget.js", "javascript"), ("/chat.js", "javascript"), ("/chat.css", "css")):
        r = anon.get(path)
        assert r.status_code == 200 and kind in r.headers["content-type"], path


def test_docs_served_offline(anon):
    docs = anon.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()
    spec = anon.get("/openapi.json").json()
    assert "/api/ask" in spec["paths"] and "/api/documents" in spec["paths"]
    if "/static/swagger/swagger-ui-bundle.js" in docs.text:
        assert anon.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_auth_missing_and_wrong_key(anon):
    err = _error(anon.get("/api/documents"), 401)
    assert err["code"] == "unauthorized"
    _error(anon.get("/api/documents", headers={"X-API-Key": "wrong"}), 401)
    ok = anon.get("/api/documents", headers={"Authorization": f"Bearer {USER_KEY}"})
    assert ok.status_code == 200


def test_user_key_on_admin_routes_is_403(client):
    _error(client.delete("/api/documents/luat-06-2022-qh15.md"), 403)
    files = {"file": ("x.md", b"# x\n", "text/markdown")}
    _error(client.post("/api/documents", files=files), 403)


def test_unknown_route_and_method(client, anon):
    assert _error(client.get("/api/khong-co"), 404)["code"] == "not_found"
    _error(anon.get("/khong-co"), 404)
    assert _error(client.get("/api/ask"), 405)["code"] == "method_not_allowed"


def test_wrong_content_type_is_415(client):
    r = client.post("/api/ask", content="câu hỏi".encode(), headers={"Content-Type": "text/plain"})
    assert _error(r, 415)["code"] == "unsupported_media_type"


def test_malformed_json_is_422(client):
    r = client.post("/api/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert _error(r, 422)["code"] == "invalid_json"
    assert _error(client.post("/api/ask", json={}), 422)["code"] == "validation_error"


def test_question_too_long_is_clear_422(client):
    r = client.post("/api/ask", json={"question": "Khen thưởng " * 834})  # ~10,000 characters
    err = _error(r, 422)
    assert err["code"] == "input_too_long" and "quá dài" in err["message"]
    assert err["detail"]["max"] < err["detail"]["length"]


def test_cors_allowed_and_denied(anon):
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-api-key"}
    ok = anon.options("/api/ask", headers={"Origin": ALLOWED_ORIGIN, **pre})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "x-api-key" in ok.headers["access-control-allow-headers"].lower()
    bad = anon.options("/api/ask", headers={"Origin": "http://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers
    simple = anon.get("/api/documents", headers={"Origin": ALLOWED_ORIGIN, "X-API-Key": USER_KEY})
    assert simple.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    denied = anon.get("/api/documents", headers={"Origin": "http://evil.example", "X-API-Key": USER_KEY})
    assert "access-control-allow-origin" not in denied.headers
    # errors carry CORS headers too, so a browser page can read the Vietnamese message
    err = anon.get("/api/documents", headers={"Origin": ALLOWED_ORIGIN})
    assert err.status_code == 401 and err.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_rate_limit_per_key(limited_server):
    with httpx.Client(base_url=limited_server.url, timeout=60) as c:
        for _ in range(3):
            assert c.get("/api/documents", headers={"X-API-Key": USER_KEY}).status_code == 200
        r = c.get("/api/documents", headers={"X-API-Key": USER_KEY})
        err = _error(r, 429)
        assert err["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
        # another key has its own window
        assert c.get("/api/documents", headers={"X-API-Key": ADMIN_KEY}).status_code == 200


def test_oversized_body_is_413(limited_server):
    big = {"question": "x" * 20_000}
    with httpx.Client(base_url=limited_server.url, timeout=60) as c:
        err = _error(c.post("/api/ask", json=big, headers={"X-API-Key": USER_KEY}), 413)
        assert err["code"] == "payload_too_large" and "MB" in err["message"]

        def chunks():  # no Content-Length: the streamed size is checked
            for _ in range(40):
                yield b"x" * 1024

        r = c.post("/api/ask", content=chunks(), headers={"X-API-Key": USER_KEY, "Content-Type": "application/json"})
        _error(r, 413)
