"""Short-lived signed download links (HMAC over path and expiry), so no API key ever goes into a URL."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlencode


class LinkSigner:
    """Sign a path for `lifetime` seconds; verify a (path, exp, sig) triple."""

    def __init__(self, secret: str | None, lifetime: float, clock: Callable[[], float] = time.time) -> None:
        self._secret = (secret or secrets.token_hex(32)).encode()
        self.lifetime = lifetime
        self._clock = clock

    def _sig(self, path: str, exp: int) -> str:
        return hmac.new(self._secret, f"{path}\n{exp}".encode(), hashlib.sha256).hexdigest()[:32]

    def sign(self, path: str) -> str:
        """`path?exp=…&sig=…`, valid for the configured lifetime."""
        exp = int(self._clock() + self.lifetime)
        return f"{path}?{urlencode({'exp': exp, 'sig': self._sig(path, exp)})}"

    def verify(self, path: str, exp: str | None, sig: str | None) -> bool:
        if not exp or not sig or not exp.isdigit():
            return False
        if int(exp) < self._clock():
            return False
        return hmac.compare_digest(self._sig(path, int(exp)), sig)


def draft_links(signer: LinkSigner, draft_id: str) -> dict[str, str]:
    """Short-lived signed .docx/.md download links of a draft."""
    return {ext: signer.sign(f"/api/drafts/{draft_id}.{ext}") for ext in ("docx", "md")}
