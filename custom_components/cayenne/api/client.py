"""Cayenne (myDevices) REST client: tokens, things, telemetry, commands, MQTT credentials, rules.

Two sign-ins: the OpenID Connect token endpoint the current service uses (form-encoded, App Key
and App Secret as client id and secret, Keycloak's answers and errors) and the 2017 document's
`/oauth/token` (JSON, `email`). Which one is a setting, as are both URLs.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
import json
import logging
import math
import time
from typing import Any

import aiohttp

from .exceptions import (
    CayenneAuthError,
    CayenneCommandError,
    CayenneConnectionError,
    CayenneRateLimitError,
    CayenneResponseError,
)
from .models import (
    MAX_JSON_DEPTH,
    MqttCredentials,
    Reading,
    Rule,
    Thing,
    as_float,
    nested_within,
    parse_history,
    parse_latest,
    parse_rules,
)
from .retryafter import retry_after

_LOGGER = logging.getLogger(__name__)


class AuthFlow(StrEnum):
    OPENID = "openid"  # accounts.mydevices.com, Keycloak
    LEGACY = "legacy"  # auth.mydevices.com/oauth/token, the 2017 document


DEFAULT_AUTH_URLS = {
    AuthFlow.OPENID: "https://accounts.mydevices.com",
    AuthFlow.LEGACY: "https://auth.mydevices.com",
}
TOKEN_PATHS = {
    AuthFlow.OPENID: "/auth/realms/cayenne/protocol/openid-connect/token",
    AuthFlow.LEGACY: "/oauth/token",
}
DEFAULT_API_URL = "https://platform.mydevices.com"
API_VERSION = "1.0"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=20)
ASSUMED_TOKEN_LIFETIME = 3600.0  # the legacy flow may announce none
ASSUMED_REFRESH_LIFETIME = 1800.0  # Keycloak's default SSO idle time
MAX_TOKEN_MARGIN = 60.0  # renew this long before expiry (less for short-lived tokens)
DEFAULT_RETRY_AFTER = 60.0  # a 429 that names no delay
# Keycloak's OAuth errors that are a verdict on the credentials (password, App Key/Secret).
REJECTING_ERRORS = frozenset({"invalid_grant", "invalid_client", "unauthorized_client"})
# What reading an odd JSON value can raise: wrong types, deep nesting, numbers out of range.
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError)


def auth_token_url(auth_url: str, flow: AuthFlow) -> str:
    """The token endpoint: the setting when it names one, else the flow's path under it."""
    base = auth_url.rstrip("/")
    return base if base.endswith("/token") else base + TOKEN_PATHS[flow]


def jwt_claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT; the cloud verifies it, we only read who and when."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, RecursionError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _message(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("error_description", "message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:200]
    return "no message"


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Any failure to read an answer becomes CayenneResponseError."""
    try:
        yield
    except UNREADABLE as err:
        raise CayenneResponseError(f"unreadable {what}: {err!r:.200}") from None


class _Token:
    __slots__ = ("expires_at", "lifetime", "value")

    def __init__(self, value: str, lifetime: float, now: float) -> None:
        self.value = value
        self.lifetime = lifetime
        self.expires_at = now + lifetime

    def fresh(self, now: float) -> bool:
        """Valid for a while yet: renewed before expiry, not after a rejected request."""
        return now < self.expires_at - min(MAX_TOKEN_MARGIN, self.lifetime * 0.2)


def _lifetime(value: Any, default: float) -> float:
    number = as_float(value)
    if number is None and value is not None:
        raise CayenneResponseError(f"unreadable token lifetime: {value!r:.40}")
    return number if number is not None and number > 0 else default


class CayenneClient:
    """One Cayenne account. Safe to share between tasks; token renewals are serialised."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        email: str,
        password: str,
        app_key: str,
        app_secret: str,
        *,
        auth_flow: AuthFlow | str = AuthFlow.OPENID,
        auth_url: str | None = None,
        api_url: str = DEFAULT_API_URL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self.email = email
        self._password = password
        self._app_key = app_key
        self._app_secret = app_secret
        self.auth_flow = AuthFlow(auth_flow)
        self.token_url = auth_token_url(
            auth_url or DEFAULT_AUTH_URLS[self.auth_flow], self.auth_flow
        )
        self.api_url = api_url.rstrip("/")
        self._clock = clock
        self._access: _Token | None = None
        self._refresh: _Token | None = None
        self._token_lock = asyncio.Lock()
        # The cloud refused these credentials: never send them again (a vendor locks accounts
        # that keep trying a changed password); only reauth, with a new client, lifts it.
        self._rejected: CayenneAuthError | None = None
        self._blocked_until = 0.0  # a server's Retry-After, honoured for every request
        self.sign_ins = 0
        self.refreshes = 0
        self.skipped_things = 0  # unreadable things in the last things list

    # --- tokens ----------------------------------------------------------------------------
    @property
    def credentials_rejected(self) -> bool:
        return self._rejected is not None

    @property
    def account_id(self) -> str | None:
        """The account's id (the token's `sub`), for a unique id; None before sign-in."""
        claims = jwt_claims(self._access.value) if self._access else {}
        for key in ("sub", "user_id", "account_id"):
            if isinstance(claims.get(key), str) and claims[key]:
                return str(claims[key])
        return None

    async def async_login(self) -> None:
        """Make sure there is a valid access token (refresh, or sign in with the password)."""
        await self._ensure_token()

    async def async_access_token(self) -> str:
        await self._ensure_token()
        assert self._access is not None
        return self._access.value

    async def _ensure_token(self, *, renew: bool = False) -> None:
        async with self._token_lock:
            if self._rejected is not None:
                # A fresh error each time: re-raising one instance would grow its traceback.
                raise CayenneAuthError(str(self._rejected))
            now = self._clock()
            if not renew and self._access is not None and self._access.fresh(now):
                return
            if self._refresh is not None and self._refresh.fresh(now) and await self._renew():
                return
            await self._sign_in()

    def _token_request(self, fields: dict[str, str]) -> dict[str, Any]:
        """Request keyword arguments for the token endpoint, in the flow's encoding."""
        if self.auth_flow is AuthFlow.OPENID:
            form = {**fields, "client_id": self._app_key, "client_secret": self._app_secret}
            return {"data": form}
        body = {**fields, "client_id": self._app_key}
        if self._app_secret:
            body["client_secret"] = self._app_secret
        return {"json": body}

    async def _sign_in(self) -> None:
        if self.auth_flow is AuthFlow.OPENID:
            fields = {"grant_type": "password", "username": self.email, "password": self._password}
        else:
            fields = {"grant_type": "password", "email": self.email, "password": self._password}
        status, body = await self._send("POST", self.token_url, **self._token_request(fields))
        if self._rejects_credentials(status, body):
            self._access = self._refresh = None
            self._rejected = CayenneAuthError(f"Cayenne rejected the sign-in: {_message(body)}")
            raise CayenneAuthError(str(self._rejected))
        self._store_tokens(status, body)
        self.sign_ins += 1

    async def _renew(self) -> bool:
        """Renew with the refresh token; False when the cloud refuses it (expired, revoked)."""
        assert self._refresh is not None
        fields = {"grant_type": "refresh_token", "refresh_token": self._refresh.value}
        status, body = await self._send("POST", self.token_url, **self._token_request(fields))
        if status in (400, 401, 403):
            error = body.get("error") if isinstance(body, dict) else None
            if error == "invalid_client":  # the App Key or Secret: no password makes it right
                self._rejected = CayenneAuthError(f"Cayenne rejected the app: {_message(body)}")
                raise CayenneAuthError(str(self._rejected))
            _LOGGER.debug("Cayenne refused the refresh token (%s); signing in again", status)
            self._refresh = None
            return False
        self._store_tokens(status, body)
        self.refreshes += 1
        return True

    @staticmethod
    def _rejects_credentials(status: int, body: Any) -> bool:
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, str) and error in REJECTING_ERRORS:
            return True
        if status in (401, 403):
            return True
        # The legacy service answers 400 for a wrong password, with a message that says so.
        return status == 400 and any(
            word in _message(body).lower() for word in ("credential", "password", "invalid user")
        )

    def _store_tokens(self, status: int, body: Any) -> None:
        if status != 200:
            raise CayenneConnectionError(f"token endpoint answered HTTP {status}: {_message(body)}")
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise CayenneResponseError("token response without access_token")
        now = self._clock()
        access = body["access_token"]
        expires_in = body.get("expires_in")
        if expires_in is None:  # the legacy flow: the JWT says, or assume an hour
            exp = as_float(jwt_claims(access).get("exp"))
            expires_in = exp - time.time() if exp is not None else None
        self._access = _Token(access, _lifetime(expires_in, ASSUMED_TOKEN_LIFETIME), now)
        refresh = body.get("refresh_token")
        if isinstance(refresh, str) and refresh:
            lifetime = _lifetime(body.get("refresh_expires_in"), ASSUMED_REFRESH_LIFETIME)
            self._refresh = _Token(refresh, lifetime, now)

    # --- transport ---------------------------------------------------------------------------
    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One HTTP exchange; transport failures become CayenneConnectionError, an answer that
        asks to come back later CayenneRateLimitError (and holds every request until then)."""
        path = url.split("?")[0]
        if (wait := self._blocked_until - self._clock()) > 0:
            raise CayenneRateLimitError(f"{method} {path} held back", wait)
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers=headers,
                timeout=REQUEST_TIMEOUT,
            ) as response:
                status = response.status
                header = response.headers.get("Retry-After")
                text = await response.text(errors="replace")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise CayenneConnectionError(f"{method} {path} failed: {err!r}") from err
        try:
            # The standard library's reader, not the session's: it reads NaN and Infinity, which
            # a thing's value may be, and the models then drop that value alone (a stricter
            # reader would lose the whole answer, every other thing with it).
            body = _parse_json(text) if text.strip() else None
        except (ValueError, RecursionError):
            body = _UNREADABLE
        delay = retry_after(header, datetime.now(UTC))
        if status == 429 or (status == 503 and delay is not None):
            delay = delay or DEFAULT_RETRY_AFTER
            self._blocked_until = self._clock() + delay
            _LOGGER.warning("Cayenne asks to wait %.0f s (HTTP %s)", delay, status)
            raise CayenneRateLimitError(f"{method} {path} answered HTTP {status}", delay)
        if status >= 500:
            raise CayenneConnectionError(f"{method} {path} answered HTTP {status}")
        if body is not _UNREADABLE and body is not None and not nested_within(body, MAX_JSON_DEPTH):
            body = _UNREADABLE
        if body is _UNREADABLE and status < 300:
            raise CayenneResponseError(f"{method} {path} answered unreadable JSON")
        return status, None if body is _UNREADABLE else body

    async def _api(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> tuple[int, Any]:
        """An authenticated call. A 401 renews the token once; if the renewal is rejected that
        is an auth error, if the renewed token is refused too a transient one."""
        url = self.api_url + path
        for attempt in (1, 2):
            await self._ensure_token(renew=attempt == 2)
            assert self._access is not None
            headers = {
                "Authorization": f"Bearer {self._access.value}",
                "X-API-Version": API_VERSION,
            }
            status, body = await self._send(method, url, params=params, json=json, headers=headers)
            if status != 401:
                return status, body
            _LOGGER.debug("%s %s answered 401; renewing the token once", method, path)
        raise CayenneConnectionError(f"{method} {path}: the cloud refused a freshly issued token")

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        status, body = await self._api("GET", path, params=params)
        if status != 200:
            raise CayenneResponseError(f"GET {path} answered HTTP {status}: {_message(body)}")
        return body

    # --- things and telemetry ----------------------------------------------------------------
    async def async_get_things(self) -> list[Thing]:
        """The account's ACTIVE things. An unreadable thing is skipped, not fatal."""
        body = await self._get("/v1.1/things")
        if isinstance(body, dict):
            body = body.get("things", body.get("data"))
        if not isinstance(body, list):
            raise CayenneResponseError("things list is not a list")
        things: list[Thing] = []
        skipped = 0
        for raw in body:
            try:
                thing = Thing.from_json(raw)
            except (CayenneResponseError, *UNREADABLE):
                skipped += 1
                continue
            if thing.is_active:
                things.append(thing)
        if skipped and skipped != self.skipped_things:
            _LOGGER.warning("Skipped %d unreadable thing(s) in the Cayenne things list", skipped)
        self.skipped_things = skipped
        return things

    async def async_get_thing(self, thing_id: str) -> Thing:
        """One thing with its children (channels and child things)."""
        body = await self._get(f"/v1.1/things/{thing_id}")
        with _reading(f"thing {thing_id}"):
            thing = Thing.from_json(body)
        if thing.skipped_children:
            _LOGGER.debug(
                "Skipped %d unreadable child(ren) of thing %s", thing.skipped_children, thing_id
            )
        return thing

    async def async_get_latest(self, thing_id: str, child_id: str) -> Reading | None:
        """A channel's latest value (`summaries?type=latest`); None when it has none."""
        body = await self._get(
            f"/v1.1/telemetry/{thing_id}/sensors/{child_id}/summaries", {"type": "latest"}
        )
        with _reading(f"latest value of {thing_id}/{child_id}"):
            return parse_latest(body)

    async def async_get_history(
        self,
        thing_id: str,
        child_id: str,
        *,
        summary: str = "day",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[Reading]:
        """A channel's history: summaries of `summary` (minute, hour, day, ...) or, with
        `start` and `end`, a custom range (epoch milliseconds)."""
        params = {"type": summary}
        if start is not None and end is not None:
            params = {
                "type": "custom",
                "startDate": str(int(start.timestamp() * 1000)),
                "endDate": str(int(end.timestamp() * 1000)),
            }
        body = await self._get(f"/v1.1/telemetry/{thing_id}/sensors/{child_id}/summaries", params)
        with _reading(f"history of {thing_id}/{child_id}"):
            return parse_history(body)

    # --- control -------------------------------------------------------------------------------
    async def async_send_command(self, thing_id: str, channel: str, value: float | int) -> None:
        """Set a channel through the REST command endpoint; CayenneCommandError if refused."""
        if isinstance(value, float) and not math.isfinite(value):
            raise CayenneCommandError(f"not a finite value: {value}")
        body = {"channel": str(channel), "value": value}
        await self._control("POST", f"/v1.1/things/{thing_id}/cmd", body)

    async def async_get_mqtt_credentials(self) -> MqttCredentials:
        """The broker's username and password for this account (`POST /v1.1/clients`)."""
        status, body = await self._api("POST", "/v1.1/clients")
        if status not in (200, 201):
            raise CayenneResponseError(f"POST /v1.1/clients answered HTTP {status}")
        return MqttCredentials.from_json(body)

    async def async_get_rules(self) -> list[Rule]:
        body = await self._get("/v1.1/rules")
        with _reading("rules list"):
            return parse_rules(body)

    async def async_set_rule_enabled(self, rule_id: str, enabled: bool) -> None:
        await self._control("PUT", f"/v1.1/rules/{rule_id}", {"enabled": enabled})

    async def _control(self, method: str, path: str, body: dict[str, Any]) -> None:
        status, answer = await self._api(method, path, json=body)
        success = answer.get("success") if isinstance(answer, dict) else None
        if status in (200, 201, 204) and success is not False:
            return
        raise CayenneCommandError(f"HTTP {status}: {_message(answer)}")


_UNREADABLE: Any = object()
_parse_json = json.loads  # `json` is also a request parameter's name
