"""API-key authentication (X-API-Key or Authorization: Bearer) with admin|user roles, plus rate limiting."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from assistant.api.errors import ApiError


@dataclass(frozen=True)
class Principal:
    """The caller identified by its API key."""

    key: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def owner_id(self) -> str:
        """A stable id for the key that does not reveal it (conversation ownership)."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:16]


def extract_key(request: Request, allow_query: bool = False) -> str | None:
    """The key from X-API-Key, else `Authorization: Bearer …`, else (downloads only) `?key=`."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if allow_query:
        return request.query_params.get("key") or None
    return None


def lookup_role(roles: dict[str, str], key: str) -> str | None:
    """Constant-time comparison against every configured key."""
    found = None
    for known, role in roles.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            found = role
    return found


def _authenticate(request: Request, allow_query: bool) -> Principal:
    state = request.app.state
    key = extract_key(request, allow_query=allow_query)
    if not key:
        raise ApiError(401, headers={"WWW-Authenticate": "Bearer"})
    role = lookup_role(state.key_roles, key)
    if role is None:
        raise ApiError(401, headers={"WWW-Authenticate": "Bearer"})
    wait = state.limiter.hit(key)
    if wait:
        seconds = max(1, int(wait + 0.999))
        raise ApiError(
            429,
            message=f"Quá nhiều yêu cầu, vui lòng thử lại sau {seconds} giây (rate limited).",
            detail={"retry_after": seconds, "limit_per_minute": state.limiter.limit},
            headers={"Retry-After": str(seconds)},
        )
    return Principal(key=key, role=role)


def require_user(request: Request) -> Principal:
    return _authenticate(request, allow_query=False)


def require_user_or_query_key(request: Request) -> Principal:
    """For plain download links: also accepts `?key=`."""
    return _authenticate(request, allow_query=True)


def require_admin(request: Request) -> Principal:
    principal = _authenticate(request, allow_query=False)
    if not principal.is_admin:
        raise ApiError(403, message="Thao tác này cần khóa API quản trị (admin role required).")
    return principal


User = Annotated[Principal, Depends(require_user)]
DownloadUser = Annotated[Principal, Depends(require_user_or_query_key)]
Admin = Annotated[Principal, Depends(require_admin)]
