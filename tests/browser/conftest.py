"""Browser-test fixtures: the API app on one port and a separate static host page on another (real CORS)."""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "api"))
from apilive import ADMIN_KEY, USER_KEY, LiveServer, api_settings, free_port  # noqa: E402

from assistant.api import create_app  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]

HOST_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">{head}<title>Cổng thông tin xã (trang thử)</title>
<style>
  body {{ font-family: Georgia, serif; font-size: 22px; color: #123; background: #eef; }}
  button {{ background: lime !important; font-size: 30px; border: 5px dashed red; }}
  mark, div, textarea {{ color: purple; }}
</style></head>
<body>
  <h1>Trang của cơ quan (host page)</h1>
  <p>Nội dung trang chủ của đơn vị. Widget được nhúng bằng một thẻ script.</p>
  <button id="host-button">Nút của trang</button>
  <script src="{api}/widget.js" data-api-key="{key}" data-title="Trợ lý Thi đua"></script>
</body></html>
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def host_port() -> int:
    return free_port()


WIDGET_KEY = "test-widget-key"
SCREENS = Path(__file__).resolve().parent.parent.parent / "screens"


@pytest.fixture(scope="session")
def web_server(settings, knowledge, ask_service, draft_service, host_port) -> Iterator[LiveServer]:
    origin = f"http://127.0.0.1:{host_port}"
    keys = [f"{ADMIN_KEY}:admin", f"{USER_KEY}:user", f"{WIDGET_KEY}:widget"]
    app = create_app(api_settings(settings, cors_origins=[origin], api_keys=keys), knowledge, ask_service,
                     draft_service)
    server = LiveServer(app).start()
    yield server
    server.stop()


def _serve_site(root: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="session")
def host_site(web_server, host_port, tmp_path_factory) -> Iterator[str]:
    """A portal on another origin (another port of 127.0.0.1) that is listed in TDKT_CORS_ORIGINS."""
    root = tmp_path_factory.mktemp("host-site")
    viewport = '<meta name="viewport" content="width=device-width, initial-scale=1">'
    (root / "index.html").write_text(HOST_PAGE.format(api=web_server.url, key=WIDGET_KEY, head=viewport),
                                     encoding="utf-8")
    # an older portal without <meta name="viewport"> (phones lay it out 980px wide)
    (root / "legacy.html").write_text(HOST_PAGE.format(api=web_server.url, key=WIDGET_KEY, head=""),
                                      encoding="utf-8")
    httpd = _serve_site(root, host_port)
    yield f"http://127.0.0.1:{host_port}/index.html"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def unlisted_site(web_server, tmp_path_factory) -> Iterator[str]:
    """A portal whose origin the server does not allow."""
    root = tmp_path_factory.mktemp("unlisted-site")
    (root / "index.html").write_text(HOST_PAGE.format(api=web_server.url, key=WIDGET_KEY, head=""),
                                     encoding="utf-8")
    port = free_port()
    httpd = _serve_site(root, port)
    yield f"http://127.0.0.1:{port}/index.html"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def screens() -> Path:
    """Where screenshots for the report go (not committed)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
