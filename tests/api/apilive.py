"""A real uvicorn server on 127.0.0.1 in a background thread (shared by API and browser tests)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

ADMIN_KEY = "test-admin-key"
USER_KEY = "test-user-key"
ALLOWED_ORIGIN = "http://allowed.example"


def api_settings(settings, **update):
    """The shared test settings with our keys/origins (and any limits the test needs)."""
    base = {
        "api_keys": [f"{ADMIN_KEY}:admin", f"{USER_KEY}:user"],
        "cors_origins": [ALLOWED_ORIGIN],
        "rate_limit_per_minute": 100_000,
        "widget_rate_limit_per_minute": 100_000,
        "auth_failures_per_minute": 100_000,
    }
    base.update(update)
    return settings.model_copy(update=base)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """Serve an ASGI app with uvicorn until stop(); `url` is its base address."""

    def __init__(self, app: FastAPI, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on",
                                timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def start(self, timeout: float = 60.0) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
