"""API-key authentication (X-API-Key or Authorization: Bearer) with admin|user|widget roles, rate limiting
per key (per visitor for public widget keys) and throttling of failed authentications per client."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.errors import ApiError

WIDGET_ROLE = "widget"
VISITOR_HEADER = "X-TDKT-Visitor"
_VISITOR_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

# Declared for the OpenAPI document (Swagger "Authorize"); the key itself is read by extract_key.
api_key_scheme = APIKeyHeader(name="X-API-Key", scheme_name="ApiKey", auto_error=False,
                              description="Khóa API (API key) trong header X-API-Key.")
bearer_scheme = HTTPBearer(scheme_name="Bearer", auto_error=False,
                           description="Hoặc: Authorization: Bearer <khóa API>.")
ApiKeyDoc = Annotated[str | None, Security(api_key_scheme)]
BearerDoc = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]


@dataclass(frozen=True)
class Principal:
    """The caller identified by its API key (and, for a public widget key, by its visitor id)."""

    key: str
    role: str
    visitor: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def owner_id(self) -> str:
        """A stable id that does not reveal the key (conversation ownership); per visitor for widget keys."""
        return hashlib.sha256(f"{self.key}\x00{self.visitor}".encode()).hexdigest()[:16]

    @property
    def actor(self) -> str:
        """Who did it, for the audit log: the role and a short key fingerprint."""
        return f"{self.role}:{hashlib.sha256(self.key.encode()).hexdigest()[:8]}"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


def extract_key(request: Request) -> str | None:
    """The key from X-API-Key, else `Authorization: Bearer …` (never from the URL)."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def lookup_role(roles: dict[str, str], key: str) -> str | None:
    """Constant-time comparison against every configured key."""
    found = None
    for known, role in roles.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            found = role
    return found


def _too_many(wait: float, limit: int, message: str) -> ApiError:
    seconds = max(1, int(wait + 0.999))
    return ApiError(
        429,
        message=message.format(seconds=seconds),
        detail={"retry_after": seconds, "limit_per_minute": limit},
        headers={"Retry-After": str(seconds)},
    )


def _visitor(request: Request) -> str:
    """A public widget's visitor: its random browser-session id when well-formed, else its IP."""
    session = request.headers.get(VISITOR_HEADER, "")
    return session if _VISITOR_RE.match(session) else f"ip:{client_ip(request)}"


def _reject(request: Request) -> ApiError:
    state = request.app.state
    ip = client_ip(request)
    state.auth_failures.hit(ip)
    return ApiError(401, headers={"WWW-Authenticate": "Bearer"})


def authenticate(request: Request) -> Principal:
    """The caller, or 401 (missing/unknown key), 429 (too many failures from this client, or rate limited)."""
    state = request.app.state
    ip = client_ip(request)
    blocked = state.auth_failures.peek(ip)
    if blocked:
        raise _too_many(blocked, state.auth_failures.limit,
                        "Sai khóa API quá nhiều lần, vui lòng thử lại sau {seconds} giây (too many failed attempts).")
    key = extract_key(request)
    if not key:
        raise _reject(request)
    role = lookup_role(state.key_roles, key)
    if role is None:
        raise _reject(request)
    visitor = _visitor(request) if role == WIDGET_ROLE else ""
    if role == WIDGET_ROLE:  # per visitor, and a wider ceiling per IP so new session ids do not lift the limit
        checks = [(state.widget_limiter, f"{key}\x00{ip}\x00{visitor}"), (state.widget_ip_limiter, f"{key}\x00{ip}")]
    else:
        checks = [(state.limiter, key)]
    for limiter, bucket in checks:
        wait = limiter.hit(bucket)
        if wait:
            raise _too_many(wait, limiter.limit,
                            "Quá nhiều yêu cầu, vui lòng thử lại sau {seconds} giây (rate limited).")
    return Principal(key=key, role=role, visitor=visitor)


def require_user(request: Request, _k: ApiKeyDoc = None, _b: BearerDoc = None) -> Principal:
    return authenticate(request)


def require_admin(request: Request, _k: ApiKeyDoc = None, _b: BearerDoc = None) -> Principal:
    principal = authenticate(request)
    if not principal.is_admin:
        raise ApiError(403, message="Thao tác này cần khóa API quản trị (admin role required).")
    return principal


User = Annotated[Principal, Depends(require_user)]
Admin = Annotated[Principal, Depends(require_admin)]
