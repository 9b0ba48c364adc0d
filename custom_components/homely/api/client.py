"""Async client of the Homely SDK REST API (tokens, locations, homes)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
import logging
import time
from typing import Any

import aiohttp

from .exceptions import (
    HomelyAccessError,
    HomelyAuthError,
    HomelyConnectionError,
    HomelyRateLimitError,
    HomelyRequestError,
    HomelyResponseError,
)
from .models import Home, Location
from .retryafter import retry_after

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://sdk.iotiliti.cloud"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=20)
# The cloud's real 429 window is longer than the `retryAfter` it announces: hold back at least
# a minute, doubling on every 429 in a row. But never more than a minute past what the cloud
# asked for: an alarm panel must see data again within a minute of the retry-after, however long
# the outage; one request a minute at most is still far from hammering.
RATE_LIMIT_MIN_BACKOFF = 60.0
RATE_LIMIT_RECOVERY_MARGIN = 60.0
# How the sign-in refuses a username and password ("Invalid user credentials" comes with 401).
CREDENTIALS_REJECTED = (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN)
# How the refresh endpoint refuses a refresh token ("Refresh token expired" comes with 400).
REFRESH_REJECTED = (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN)
# The live service's token responses can lack `refresh_expires_in`; its refresh tokens last the
# documented 30 minutes. Should they last less, the refusal leads to a new sign-in.
ASSUMED_REFRESH_LIFETIME = 1800.0


class RateLimitGate:
    """Holds every request back after a 429; clients of one account share one gate."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.blocked_until = 0.0
        self.strikes = 0

    def remaining(self) -> float:
        return max(0.0, self.blocked_until - self._clock())

    def check(self) -> None:
        if (wait := self.remaining()) > 0:
            raise HomelyRateLimitError(wait)

    def hit(self, retry_after: float | None) -> float:
        """A 429 arrived; returns how long every request now waits."""
        self.strikes += 1
        asked = max(RATE_LIMIT_MIN_BACKOFF, retry_after or 0.0)
        base = max(RATE_LIMIT_MIN_BACKOFF, 2.0 * (retry_after or 0.0))
        doubled = base * 2.0 ** min(self.strikes - 1, 16)  # bounded: outages can be long
        wait = min(asked + RATE_LIMIT_RECOVERY_MARGIN, doubled)
        self.blocked_until = max(self.blocked_until, self._clock() + wait)
        return wait

    def passed(self) -> None:
        self.strikes = 0


@dataclass(slots=True)
class _Token:
    value: str
    expires_at: float  # monotonic
    lifetime: float

    def fresh(self, now: float) -> bool:
        """Valid for a while yet: refresh before expiry, not after a rejected request."""
        return now < self.expires_at - max(5.0, self.lifetime * 0.1)


def _error_message(body: Any) -> str:
    message = body.get("message") if isinstance(body, dict) else body
    if isinstance(message, list):
        return "; ".join(str(m) for m in message)
    return str(message)


def _rejects_credentials(status: int, body: Any) -> bool:
    """A 400 that names the credentials as wrong (validation messages come as a list)."""
    message = body.get("message") if isinstance(body, dict) else None
    return (
        status == HTTPStatus.BAD_REQUEST
        and isinstance(message, str)
        and "credentials" in message.lower()
    )


class HomelyClient:
    """One Homely account. Tokens use the lifetimes the cloud returns and are renewed on demand."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        username: str,
        password: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        gate: RateLimitGate | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._username = username
        self._password = password
        self.base_url = base_url.rstrip("/")
        self.gate = gate or RateLimitGate(clock)
        self._clock = clock
        self._access: _Token | None = None
        self._refresh: _Token | None = None
        self._token_lock = asyncio.Lock()
        self.logins = 0
        self.refreshes = 0
        self.credentials_rejected = False

    # --- tokens ---------------------------------------------------------------------------------
    async def async_login(self) -> None:
        """Sign in with username and password; HomelyAuthError when they are rejected.

        Once rejected, this client never sends them again (the socket, the polls and their
        retries all ask it for tokens): a vendor locks or throttles accounts that keep trying a
        changed password. Reauth builds a new client with the new password.
        """
        if self.credentials_rejected:
            raise HomelyAuthError("Homely rejected this password; waiting for a new one")
        body = {"username": self._username, "password": self._password}
        status, data = await self._call("POST", "/homely/oauth/token", json=body)
        if status in CREDENTIALS_REJECTED or _rejects_credentials(status, data):
            self.credentials_rejected = True
            raise HomelyAuthError(_error_message(data))
        if status == HTTPStatus.BAD_REQUEST:
            # The request's fields failed validation (["password must be a string"]): the
            # password was never checked, so this says nothing about the credentials.
            raise HomelyRequestError(_error_message(data))
        self._store_tokens(status, data)
        self.logins += 1

    async def _async_refresh(self) -> bool:
        """Renew with the refresh token; False when the cloud refuses it (expired, revoked)."""
        assert self._refresh is not None
        body = {"refresh_token": self._refresh.value}
        status, data = await self._call("POST", "/homely/oauth/refresh-token", json=body)
        if status in REFRESH_REJECTED:
            _LOGGER.debug("Homely refused the refresh token (%s); signing in again", status)
            self._refresh = None
            return False
        self._store_tokens(status, data)
        self.refreshes += 1
        return True

    def _store_tokens(self, status: int, data: Any) -> None:
        if status not in (HTTPStatus.OK, HTTPStatus.CREATED):
            raise HomelyConnectionError(f"token request failed: HTTP {status}")
        try:
            now = self._clock()
            lifetime = float(data["expires_in"])
            self._access = _Token(str(data["access_token"]), now + lifetime, lifetime)
            if data.get("refresh_token"):
                announced = float(data.get("refresh_expires_in") or 0)
                refresh_lifetime = announced if announced > 0 else ASSUMED_REFRESH_LIFETIME
                self._refresh = _Token(
                    str(data["refresh_token"]), now + refresh_lifetime, refresh_lifetime
                )
        except (KeyError, TypeError, ValueError) as err:
            raise HomelyResponseError("unreadable token response") from err

    async def async_access_token(self) -> str:
        """A valid access token: the current one, a refreshed one or one from a new sign-in."""
        async with self._token_lock:
            now = self._clock()
            if self._access is None or not self._access.fresh(now):
                refreshed = (
                    self._refresh is not None
                    and self._refresh.fresh(now)
                    and await self._async_refresh()
                )
                if not refreshed:
                    await self.async_login()
            assert self._access is not None
            return self._access.value

    def _drop_access_token(self, token: str) -> None:
        if self._access is not None and self._access.value == token:
            self._access = None

    # --- data -----------------------------------------------------------------------------------
    async def async_get_locations(self) -> list[Location]:
        data = await self._get("/homely/locations")
        if not isinstance(data, list):
            raise HomelyResponseError("locations is not a list")
        return [Location.from_json(item) for item in data]

    async def async_get_home(self, location_id: str) -> Home:
        return Home.from_json(await self._get(f"/homely/home/{location_id}"))

    async def _get(self, path: str) -> Any:
        token = await self.async_access_token()
        status, data = await self._call("GET", path, headers=_bearer(token))
        if status == HTTPStatus.UNAUTHORIZED:  # revoked or expired early: renew once
            self._drop_access_token(token)
            token = await self.async_access_token()
            status, data = await self._call("GET", path, headers=_bearer(token))
        if status == HTTPStatus.FORBIDDEN:
            raise HomelyAccessError(_error_message(data))
        if status != HTTPStatus.OK:
            raise HomelyConnectionError(f"HTTP {status}: {_error_message(data)}")
        return data

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One HTTP exchange; 429 and 5xx raise, other statuses are returned with the body."""
        self.gate.check()
        try:
            async with self._session.request(
                method, self.base_url + path, json=json, headers=headers, timeout=REQUEST_TIMEOUT
            ) as response:
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
                retry_header = response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise HomelyConnectionError(f"cannot reach Homely: {err!r}") from err
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            wait = self.gate.hit(_retry_after(data, retry_header))
            _LOGGER.warning("Homely rate limit reached; pausing requests for %.0f s", wait)
            raise HomelyRateLimitError(wait)
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise HomelyConnectionError(f"HTTP {status} from Homely")
        self.gate.passed()
        return status, data


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _retry_after(body: Any, header: str | None) -> float | None:
    """The delay Homely asks for: its body's `retryAfter` (seconds), else the header."""
    now = datetime.now(UTC)
    announced: Any = body.get("retryAfter") if isinstance(body, dict) else None
    if isinstance(announced, int | float | str) and not isinstance(announced, bool):
        delay = retry_after(str(announced), now)
        if delay is not None:
            return delay
    return retry_after(header, now)
