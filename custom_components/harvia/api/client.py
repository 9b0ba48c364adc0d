"""MyHarvia REST client: endpoint discovery, tokens, devices, state, data and commands."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
import json
import logging
import reprlib
import time
from typing import Any

import aiohttp

from .exceptions import (
    HarviaAuthError,
    HarviaCommandError,
    HarviaConnectionError,
    HarviaDeviceUnavailableError,
    HarviaInvalidValueError,
    HarviaNoPasswordError,
    HarviaRateLimitError,
    HarviaRemoteNotAllowedError,
    HarviaResponseError,
    HarviaUnsupportedError,
)
from .models import (
    DEFAULT_CABIN,
    CabinState,
    Device,
    Endpoints,
    Telemetry,
)
from .retryafter import retry_after

_LOGGER = logging.getLogger(__name__)

DEFAULT_DISCOVERY_URL = "https://prod.api.harvia.io/endpoints"
TOKEN_MARGIN_S = 300  # refresh this long before the id token expires
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=20)
DEVICE_PAGE_SIZE = 50
RETRY_AFTER_STATUSES = (429, 503)
NO_PASSWORD_HINTS = ("apple", "google", "federat", "external", "no password")


def _jwt_claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT; the cloud verifies it, we only read expiry and user."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _message(body: Any) -> str:
    if isinstance(body, dict):
        for key in ("message", "failureReason", "error"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    return "no message"


# What reading an odd JSON value can raise: wrong types, deep nesting, numbers out of range.
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError)


@contextmanager
def _reading(what: str) -> Iterator[None]:
    """Turn any failure to read an answer into HarviaResponseError, the one error a caller
    contains to the device it asked about."""
    try:
        yield
    except UNREADABLE as err:
        raise HarviaResponseError(f"unreadable {what}: {err!r:.200}") from None


class HarviaClient:
    """One MyHarvia account. Safe to share between tasks; token refreshes are serialised."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        email: str,
        password: str,
        *,
        discovery_url: str = DEFAULT_DISCOVERY_URL,
        refresh_token: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self.email = email
        self._password = password
        self.discovery_url = discovery_url
        self._refresh_token = refresh_token
        self._clock = clock
        self._id_token: str | None = None
        self._expires_at = 0.0
        self._endpoints: Endpoints | None = None
        self._token_lock = asyncio.Lock()
        # The cloud refused this password: never send it again (a vendor locks or throttles
        # accounts that retry a rejected password); only reauth, with a new client, lifts it.
        self._password_rejected: HarviaAuthError | None = None
        self.command_retry_delays: tuple[float, ...] = (2.0, 4.0)

    # --- tokens --------------------------------------------------------------------------
    @property
    def refresh_token(self) -> str | None:
        return self._refresh_token

    @property
    def password_rejected(self) -> bool:
        return self._password_rejected is not None

    @property
    def token_expires_at(self) -> float:
        return self._expires_at

    @property
    def username(self) -> str | None:
        """The cognito:username claim of the id token (what the document calls the user id)."""
        claim = _jwt_claims(self._id_token or "").get("cognito:username")
        return claim if isinstance(claim, str) else None

    async def async_get_endpoints(self) -> Endpoints:
        if self._endpoints is None:
            status, body = await self._send("GET", self.discovery_url)
            if status != 200:
                raise HarviaConnectionError(f"endpoint discovery answered HTTP {status}")
            self._endpoints = Endpoints.from_document(body)
        return self._endpoints

    async def async_login(self) -> None:
        """Make sure there is a valid id token (refresh, or sign in with the password)."""
        await self._ensure_token()

    async def async_id_token(self, *, force_refresh: bool = False) -> str:
        """A valid id token, for the push channel. `force_refresh` after the cloud refused one
        that our clock still thought valid (clock skew, early revocation)."""
        await self._ensure_token(force=force_refresh)
        assert self._id_token is not None
        return self._id_token

    async def _ensure_token(self, force: bool = False) -> None:
        async with self._token_lock:
            if self._password_rejected is not None:
                # A fresh error each time: re-raising one instance would grow its traceback.
                raise type(self._password_rejected)(str(self._password_rejected))
            if not force and self._id_token and self._expires_at - self._clock() > TOKEN_MARGIN_S:
                return
            if self._refresh_token:
                try:
                    await self._refresh()
                except HarviaAuthError:
                    _LOGGER.debug("refresh token rejected; signing in with the password again")
                else:
                    return
            await self._sign_in()

    async def _sign_in(self) -> None:
        endpoints = await self.async_get_endpoints()
        status, body = await self._send(
            "POST",
            f"{endpoints.generics}/auth/token",
            json={"username": self.email, "password": self._password},
        )
        if status in (400, 401, 403):
            message = _message(body)
            rejected = (
                HarviaNoPasswordError(message)
                if any(hint in message.lower() for hint in NO_PASSWORD_HINTS)
                else HarviaAuthError(message)
            )
            self._password_rejected = rejected
            self._id_token = None
            raise rejected
        self._store_tokens(status, body, expect_refresh=True)

    async def _refresh(self) -> None:
        endpoints = await self.async_get_endpoints()
        status, body = await self._send(
            "POST",
            f"{endpoints.generics}/auth/refresh",
            json={"refreshToken": self._refresh_token, "email": self.email},
        )
        if status in (400, 401, 403):
            raise HarviaAuthError(_message(body))
        self._store_tokens(status, body, expect_refresh=False)

    def _store_tokens(self, status: int, body: Any, *, expect_refresh: bool) -> None:
        if status != 200:
            raise HarviaConnectionError(f"token service answered HTTP {status}: {_message(body)}")
        if not isinstance(body, dict) or not isinstance(body.get("idToken"), str):
            raise HarviaResponseError("token response without idToken")
        self._id_token = body["idToken"]
        lifetime = body.get("expiresIn")
        expiry = _jwt_claims(self._id_token).get("exp")
        if isinstance(lifetime, int | float):
            self._expires_at = self._clock() + float(lifetime)
        elif isinstance(expiry, int | float):
            self._expires_at = float(expiry)
        else:
            self._expires_at = self._clock() + 3600
        # /auth/refresh returns no new refresh token: keep the one we have.
        if isinstance(body.get("refreshToken"), str):
            self._refresh_token = body["refreshToken"]
        elif expect_refresh:
            _LOGGER.debug("sign-in returned no refresh token")

    async def async_revoke(self) -> None:
        """Revoke the refresh token (when the integration is removed)."""
        if not self._refresh_token:
            return
        endpoints = await self.async_get_endpoints()
        status, body = await self._send(
            "POST",
            f"{endpoints.generics}/auth/revoke",
            json={"refreshToken": self._refresh_token, "email": self.email},
        )
        if status != 200:
            raise HarviaConnectionError(f"revoke answered HTTP {status}: {_message(body)}")
        self._refresh_token = None

    # --- transport -------------------------------------------------------------------------
    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One HTTP exchange; transport failures become HarviaConnectionError, an answer that
        asks to come back later (429/503 with Retry-After) HarviaRateLimitError."""
        try:
            async with self._session.request(
                method, url, params=params, json=json, headers=headers, timeout=REQUEST_TIMEOUT
            ) as response:
                try:
                    body = await response.json(content_type=None)
                except (ValueError, RecursionError):  # not JSON, or nested beyond reading
                    body = None
                status = response.status
                header = response.headers.get("Retry-After")
        except (aiohttp.ClientError, TimeoutError) as err:
            raise HarviaConnectionError(f"{method} {url.split('?')[0]} failed: {err!r}") from err
        if status in RETRY_AFTER_STATUSES:
            delay = retry_after(header, datetime.now(UTC))
            if delay is not None:
                raise HarviaRateLimitError(
                    f"{method} {url.split('?')[0]} answered HTTP {status}", delay
                )
        return status, body

    async def _api(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> tuple[int, Any]:
        """An authenticated call. A 401 gets one fresh token and a retry; 429/5xx (but 504,
        which commands handle) are transient."""
        for attempt in (1, 2):
            await self._ensure_token(force=attempt == 2)
            endpoints = await self.async_get_endpoints()
            headers = {"Authorization": f"Bearer {self._id_token}"}
            if endpoints.partner_organization_id:
                headers["x-harvia-partner-id"] = endpoints.partner_organization_id
            status, body = await self._send(method, url, params=params, json=json, headers=headers)
            if status != 401:
                break
        if status == 401:
            # A fresh token was refused too: a cloud-side problem, not the user's password.
            raise HarviaConnectionError("the cloud refused a freshly issued token")
        if status == 429 or (status >= 500 and status != 504):
            raise HarviaConnectionError(f"{method} {url} answered HTTP {status}: {_message(body)}")
        return status, body

    async def _get_ok(self, url: str, params: dict[str, str]) -> Any:
        status, body = await self._api("GET", url, params=params)
        if status != 200 or not isinstance(body, dict):
            raise HarviaResponseError(f"GET {url} answered HTTP {status}: {_message(body)}")
        return body

    # --- devices and data ------------------------------------------------------------------
    async def async_get_devices(self) -> list[Device]:
        endpoints = await self.async_get_endpoints()
        devices: list[Device] = []
        next_token: str | None = None
        while True:
            params = {"maxResults": str(DEVICE_PAGE_SIZE)}
            if next_token:
                params["nextToken"] = next_token
            body = await self._get_ok(f"{endpoints.device}/devices", params)
            entries = body.get("devices")
            if not isinstance(entries, list):
                raise HarviaResponseError("device list without a devices array")
            for raw in entries:
                try:
                    device = Device.from_api(raw)
                except (HarviaResponseError, *UNREADABLE) as err:
                    # One unreadable row must not hide the other saunas.
                    _LOGGER.warning("Skipping an unreadable device entry (%s)", err)
                    continue
                if device is None:
                    _LOGGER.warning("Skipping a device entry without an id: %s", reprlib.repr(raw))
                else:
                    devices.append(device)
            token = body.get("nextToken")
            if not isinstance(token, str) or not token or token == next_token:
                return devices
            next_token = token

    async def async_get_state(self, device_id: str, cabin_id: str | None = None) -> CabinState:
        """A cabin's shadow (`cabin_id` None: the device's default, classic for a sensor)."""
        endpoints = await self.async_get_endpoints()
        params = {"deviceId": device_id}
        if cabin_id:
            params["subId"] = cabin_id
        body = await self._get_ok(f"{endpoints.device}/devices/state", params)
        with _reading(f"state of {device_id}"):
            shadow_name = body.get("shadowName")
            return CabinState.from_shadow_item(
                body,
                cabin_id=shadow_name
                if isinstance(shadow_name, str) and shadow_name
                else cabin_id or DEFAULT_CABIN,
                reported=body.get("state", body.get("reported")),
            )

    async def async_get_latest(
        self, device_id: str, cabin_id: str | None = None
    ) -> Telemetry | None:
        endpoints = await self.async_get_endpoints()
        params = {"deviceId": device_id}
        if cabin_id:
            params["cabinId"] = cabin_id
        body = await self._get_ok(f"{endpoints.data}/data/latest-data", params)
        with _reading(f"latest data of {device_id}"):
            return Telemetry.from_api(body, cabin_id)

    async def async_get_history(
        self, device_id: str, cabin_id: str | None, start: datetime, end: datetime
    ) -> list[Telemetry]:
        endpoints = await self.async_get_endpoints()
        params = {
            "deviceId": device_id,
            "startTimestamp": str(int(start.timestamp() * 1000)),
            "endTimestamp": str(int(end.timestamp() * 1000)),
        }
        if cabin_id:
            params["cabinId"] = cabin_id
        samples: list[Telemetry] = []
        while True:
            body = await self._get_ok(f"{endpoints.data}/data/telemetry-history", params)
            measurements = body.get("measurements")
            with _reading(f"history of {device_id}"):
                for raw in measurements if isinstance(measurements, list) else []:
                    sample = Telemetry.from_api(raw, cabin_id)
                    if sample is not None and sample.timestamp is not None:
                        samples.append(sample)
            token = body.get("nextToken")
            if not isinstance(token, str) or not token or token == params.get("nextToken"):
                return samples
            params["nextToken"] = token

    # --- control ---------------------------------------------------------------------------------
    async def async_command(
        self, device_id: str, cabin_id: str | None, command: str, state: bool | int
    ) -> None:
        """A `Command`: on/off as a bool, ADJUST_DURATION in minutes."""
        endpoints = await self.async_get_endpoints()
        value: str | int = ("on" if state else "off") if isinstance(state, bool) else state
        body: dict[str, Any] = {"deviceId": device_id, "command": {"type": command, "state": value}}
        if cabin_id:
            body["cabin"] = {"id": cabin_id}
        await self._control("POST", f"{endpoints.device}/devices/command", body)

    async def async_set_target(
        self,
        device_id: str,
        cabin_id: str | None,
        *,
        temperature: float | None = None,
        humidity: float | None = None,
    ) -> None:
        endpoints = await self.async_get_endpoints()
        body: dict[str, Any] = {"deviceId": device_id}
        if temperature is not None:
            body["temperature"] = temperature
        if humidity is not None:
            body["humidity"] = humidity
        if cabin_id:
            body["cabin"] = {"id": cabin_id}
        await self._control("PATCH", f"{endpoints.device}/devices/target", body)

    async def async_set_profile(
        self, device_id: str, cabin_id: str | None, index: int, name: str | None = None
    ) -> None:
        """Select a profile. The document sends {profile: name or index}; some panels only take
        {activeProfile: int}, so that shape is tried when the first is refused."""
        endpoints = await self.async_get_endpoints()
        url = f"{endpoints.device}/devices/profile"
        base: dict[str, Any] = {"deviceId": device_id}
        if cabin_id:
            base["cabin"] = {"id": cabin_id}
        try:
            await self._control("PATCH", url, {**base, "profile": name or str(index)})
        except HarviaInvalidValueError:
            await self._control("PATCH", url, {**base, "activeProfile": index})

    async def _control(self, method: str, url: str, body: dict[str, Any]) -> None:
        """Send a control request, retrying briefly while the device does not acknowledge."""
        delays = iter(self.command_retry_delays)
        while True:
            status, answer = await self._api(method, url, json=body)
            message = _message(answer)
            handled = answer.get("handled") if isinstance(answer, dict) else None
            if status == 200 and handled is not False:
                return
            unavailable = status == 504 or "unavailable" in message.lower()
            if not unavailable:
                break
            delay = next(delays, None)
            if delay is None:
                raise HarviaDeviceUnavailableError(message)
            _LOGGER.debug("%s: device unavailable, retrying in %s s", url, delay)
            await asyncio.sleep(delay)
        lowered = message.lower()
        if "not supported" in lowered:
            raise HarviaUnsupportedError(message)
        if "remote" in lowered:
            raise HarviaRemoteNotAllowedError(message)
        if status == 400:
            raise HarviaInvalidValueError(message)
        raise HarviaCommandError(f"HTTP {status}: {message}")
