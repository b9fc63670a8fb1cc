"""Logging for the bot: the token never reaches a log line (quiet HTTP client loggers + a redacting filter)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "<TOKEN>"
# any Bot API token in a URL path (".../bot123456:AA…/getUpdates"), even one we were not told about
_TOKEN_IN_URL = re.compile(r"(?<=/bot)\d{3,}:[A-Za-z0-9_-]{8,}")
QUIET_LOGGERS = ("httpx", "httpcore")


class RedactToken(logging.Filter):
    """Replace the bot token (and any token-shaped URL part) in the message and the traceback of a record."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_IN_URL.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def protect_token(token: str | None, root: logging.Logger | None = None) -> RedactToken:
    """Quiet httpx/httpcore (they log every request URL, token included) and redact on every root handler.

    Call after the handlers are configured (e.g. after logging.basicConfig); calling it again adds nothing twice.
    """
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = root or logging.getLogger()
    filt = RedactToken([token])
    for handler in root.handlers:
        if not any(isinstance(f, RedactToken) and f.secrets == filt.secrets for f in handler.filters):
            handler.addFilter(filt)
    return filt
