"""Token issue, expiry and revocation on the simulated clock."""

from __future__ import annotations

import jwt

from simulators.core import SimClock, TokenStatus, TokenStore


def test_token_life_cycle(clock: SimClock) -> None:
    store = TokenStore(clock)
    token = store.issue("access", "alice", 60)
    assert store.check(token.value).valid
    assert store.check(token.value, "access").subject == "alice"
    assert store.check(token.value, "refresh").status is TokenStatus.UNKNOWN
    assert store.check("nonsense").status is TokenStatus.UNKNOWN
    assert store.check(None).status is TokenStatus.UNKNOWN
    clock.advance(59)
    assert store.check(token.value).valid
    clock.advance(1)
    assert store.check(token.value).status is TokenStatus.EXPIRED


def test_revocation(clock: SimClock) -> None:
    store = TokenStore(clock)
    a1 = store.issue("access", "alice", None)
    a2 = store.issue("refresh", "alice", None)
    b1 = store.issue("access", "bob", None)
    assert store.revoke(a1.value)
    assert not store.revoke("unknown")
    assert store.check(a1.value).status is TokenStatus.REVOKED
    assert store.revoke_subject("alice") == 1  # a1 already revoked
    assert not store.check(a2.value).valid
    assert store.active() == [b1]
    assert store.revoke_subject() == 1
    assert store.active("access") == []


def test_jwt_carries_claims_and_expiry(clock: SimClock) -> None:
    store = TokenStore(clock, signing_key="k" * 32)
    token = store.issue("id", "alice", 3600, as_jwt=True, claims={"cognito:username": "u-1"})
    claims = jwt.decode(token.value, options={"verify_signature": False})
    assert claims["cognito:username"] == "u-1"
    assert claims["sub"] == "alice"
    assert claims["token_use"] == "id"
    assert claims["exp"] - claims["iat"] == 3600
    forever = store.issue("id", "alice", None, as_jwt=True)
    assert "exp" not in jwt.decode(forever.value, options={"verify_signature": False})
