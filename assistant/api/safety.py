"""Safe defaults for serving: no dev keys on a public address, no key embedded in a public page."""

from __future__ import annotations

import ipaddress

from assistant.api.auth import WIDGET_ROLE
from assistant.config import Settings

DEV_KEY_PREFIX = "dev-"
DEV_WEB_KEY = "dev-user"


class UnsafeConfig(RuntimeError):
    """The server would start with an unsafe configuration (message in Vietnamese + English)."""


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings) -> None:
    """Refuse a non-loopback address while any `dev-*` key is configured."""
    if is_loopback(settings.host):
        return
    dev = [k for k in settings.api_key_roles() if k.startswith(DEV_KEY_PREFIX)]
    if dev:
        raise UnsafeConfig(
            f"Không khởi động: máy chủ mở ra địa chỉ {settings.host} nhưng vẫn dùng khóa mặc định "
            f"({', '.join(dev)}). Hãy đặt khóa riêng, ví dụ TDKT_API_KEYS=\"<khóa-dài>:admin,<khóa-khác>:user\" "
            "(refusing to serve on a non-loopback address with dev-* API keys)."
        )


def resolve_web_key(settings: Settings, roles: dict[str, str], web_key: str | None = None) -> str | None:
    """The key the full page at / embeds: explicit > settings.web_key > a widget-role key > (loopback only)
    the dev user key. On a public address without a widget key the page embeds none."""
    key = web_key or settings.web_key
    if key:
        return key
    widget = next((k for k, r in roles.items() if r == WIDGET_ROLE), None)
    if widget:
        return widget
    if is_loopback(settings.host):
        return DEV_WEB_KEY if roles.get(DEV_WEB_KEY) == "user" else None
    return None
