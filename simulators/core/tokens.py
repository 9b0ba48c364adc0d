"""Tokens with lifetimes on the simulated clock, revocation, and optional JWT form."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import secrets
from typing import Any

import jwt

from .clock import SimClock


class TokenStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(slots=True)
class IssuedToken:
    value: str
    kind: str  # "access", "refresh", "id", ... as the vendor names them
    subject: str  # the account it belongs to
    issued_at: float
    expires_at: float | None
    revoked: bool = False
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TokenCheck:
    status: TokenStatus
    token: IssuedToken | None = None

    @property
    def valid(self) -> bool:
        return self.status is TokenStatus.VALID

    @property
    def subject(self) -> str | None:
        return self.token.subject if self.token else None


class TokenStore:
    """Issues and checks the tokens of one simulated cloud."""

    def __init__(self, clock: SimClock, signing_key: str | None = None) -> None:
        self._clock = clock
        self._key = signing_key or secrets.token_hex(32)
        self._tokens: dict[str, IssuedToken] = {}

    def issue(
        self,
        kind: str,
        subject: str,
        lifetime: float | None,
        *,
        as_jwt: bool = False,
        claims: dict[str, Any] | None = None,
    ) -> IssuedToken:
        """A new token; `lifetime=None` never expires, `as_jwt` signs `claims` with exp/iat."""
        now = self._clock.now()
        expires_at = None if lifetime is None else now + lifetime
        extra = dict(claims or {})
        if as_jwt:
            payload: dict[str, Any] = {
                "sub": subject,
                "iat": int(now),
                "jti": secrets.token_hex(8),
                "token_use": kind,
                **extra,
            }
            if expires_at is not None:
                payload["exp"] = int(expires_at)
            value = jwt.encode(payload, self._key, algorithm="HS256")
        else:
            value = f"{kind[:3]}.{secrets.token_urlsafe(24)}"
        token = IssuedToken(value, kind, subject, now, expires_at, claims=extra)
        self._tokens[value] = token
        return token

    def check(self, value: str | None, kind: str | None = None) -> TokenCheck:
        token = self._tokens.get(value or "")
        if token is None or (kind is not None and token.kind != kind):
            return TokenCheck(TokenStatus.UNKNOWN)
        if token.revoked:
            return TokenCheck(TokenStatus.REVOKED, token)
        if token.expires_at is not None and self._clock.now() >= token.expires_at:
            return TokenCheck(TokenStatus.EXPIRED, token)
        return TokenCheck(TokenStatus.VALID, token)

    def revoke(self, value: str) -> bool:
        token = self._tokens.get(value)
        if token is None:
            return False
        token.revoked = True
        return True

    def revoke_subject(self, subject: str | None = None) -> int:
        """Revoke every token of `subject`, or of everyone when it is None. Returns how many."""
        count = 0
        for token in self._tokens.values():
            if not token.revoked and (subject is None or token.subject == subject):
                token.revoked = True
                count += 1
        return count

    def active(self, kind: str | None = None) -> list[IssuedToken]:
        return [t for t in self._tokens.values() if self.check(t.value, kind).valid]
