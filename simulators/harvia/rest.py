"""The MyHarvia REST services (generics, device, data) with the live cloud's answers and errors."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from http import HTTPStatus
import json
from typing import Any

from aiohttp import web

from simulators.core import (
    InvalidBodyError,
    MalformedItems,
    json_body,
    json_error,
    json_http_error,
)

from . import malformed, shapes
from .cloud import Account, AuthRejectedError, HarviaCloud
from .sauna import Cabin, CommandRejectedError, Sauna

HISTORY_PAGE = 500
DEVICE_SERVICE = "/rest/device"
DATA_SERVICE = "/rest/data"
GENERICS_SERVICE = "/rest/generics"


def _error(status: int, error: str, message: str, **extra: Any) -> web.Response:
    return json_error(status, {"error": error, "message": message, **extra})


def _http_error(cls: type[web.HTTPError], message: str, *, named: bool = True) -> web.HTTPError:
    """An aiohttp HTTP error with the cloud's JSON body; `named=False` leaves out the error
    name, as API Gateway's authorizer does."""
    body = {"message": message}
    if named:
        body = {"error": HTTPStatus(cls.status_code).phrase, **body}
    return json_http_error(cls, body)


def _bad_request(message: str) -> web.Response:
    return _error(400, "Bad Request", message)


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: str | None) -> float | None:
    """ISO 8601 or epoch milliseconds, as the data service accepts."""
    if not value:
        return None
    if value.isdigit():
        return int(value) / 1000
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(token: str | None) -> int | None:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token))["offset"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    return offset if isinstance(offset, int) and offset >= 0 else None


class HarviaRest:
    """Route handlers; every one but the auth routes needs a valid id token."""

    def __init__(self, cloud: HarviaCloud) -> None:
        self.cloud = cloud
        self.malformed = MalformedItems()

    def _answer(self, device_id: str, answer: str, body: dict[str, Any]) -> web.Response:
        """`body`, or the malformed shape a fault asks for this device's `answer`."""
        shape = self.malformed.take(device_id, answer)
        if shape is None:
            return web.json_response(body)
        return malformed.json_answer(malformed.corrupt(shape, body))

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_post(f"{GENERICS_SERVICE}/auth/token", self.token)
        r.add_post(f"{GENERICS_SERVICE}/auth/refresh", self.refresh)
        r.add_post(f"{GENERICS_SERVICE}/auth/revoke", self.revoke)
        r.add_get(f"{DEVICE_SERVICE}/devices", self.devices)
        r.add_get(f"{DEVICE_SERVICE}/devices/state", self.state)
        r.add_post(f"{DEVICE_SERVICE}/devices/command", self.command)
        r.add_patch(f"{DEVICE_SERVICE}/devices/target", self.target)
        r.add_patch(f"{DEVICE_SERVICE}/devices/profile", self.profile)
        r.add_get(f"{DATA_SERVICE}/data/latest-data", self.latest_data)
        r.add_get(f"{DATA_SERVICE}/data/telemetry-history", self.telemetry_history)

    # --- helpers ---------------------------------------------------------------------------
    async def _json(self, request: web.Request) -> dict[str, Any]:
        try:
            return await json_body(request)
        except InvalidBodyError as err:
            raise _http_error(web.HTTPBadRequest, str(err)) from None

    def _account(self, request: web.Request) -> Account:
        account = self.cloud.account_for(request.headers.get("Authorization"))
        if account is None:  # API Gateway's authorizer answers before the service does
            raise _http_error(web.HTTPUnauthorized, "Unauthorized", named=False)
        return account

    def _sauna(self, account: Account, device_id: Any) -> Sauna:
        sauna = self.cloud.sauna_for(account, device_id if isinstance(device_id, str) else None)
        if sauna is None:
            raise _http_error(web.HTTPNotFound, "Device not found")
        return sauna

    def _cabin(self, sauna: Sauna, cabin_id: Any, cabin_name: Any) -> Cabin:
        if cabin_id and cabin_name:
            raise _http_error(web.HTTPBadRequest, "cabin id and cabin name are mutually exclusive")
        try:
            return sauna.cabin(cabin_id, cabin_name)
        except KeyError:
            raise _http_error(web.HTTPNotFound, "Cabin not found") from None

    @staticmethod
    def _rejected(err: CommandRejectedError) -> web.Response:
        if err.status == 504:
            return _error(
                504, "Gateway Timeout", err.message, handled=False, failureReason=err.failure_reason
            )
        extra = (
            {"handled": False, "failureReason": err.failure_reason} if err.failure_reason else {}
        )
        return _error(err.status, "Bad Request", err.message, **extra)

    # --- generics: auth ----------------------------------------------------------------------
    async def token(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        try:
            return web.json_response(self.cloud.sign_in(body.get("username"), body.get("password")))
        except AuthRejectedError as err:
            return json_error(err.status, err.body)

    async def refresh(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        try:
            return web.json_response(
                self.cloud.refresh(body.get("refreshToken"), body.get("email"))
            )
        except AuthRejectedError as err:
            return json_error(err.status, err.body)

    async def revoke(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        try:
            return web.json_response(self.cloud.revoke(body.get("refreshToken")))
        except AuthRejectedError as err:
            return json_error(err.status, err.body)

    # --- device service ------------------------------------------------------------------------
    async def devices(self, request: web.Request) -> web.Response:
        account = self._account(request)
        saunas = self.cloud.visible(account, request.headers.get("x-harvia-partner-id"))
        offset = _offset(request.query.get("nextToken"))
        if offset is None:
            return _bad_request("Invalid nextToken")
        try:
            size = int(request.query.get("maxResults", self.cloud.data["page_size"]))
        except ValueError:
            return _bad_request("maxResults must be a number")
        page = saunas[offset : offset + max(1, size)]
        id_key = "name" if account.device_list_shape == "live" else "deviceId"
        devices = [self._row(s, id_key) for s in page]
        more = offset + len(page) < len(saunas)
        return web.json_response(
            {"devices": devices, "nextToken": _token(offset + len(page)) if more else None}
        )

    def _row(self, sauna: Sauna, id_key: str) -> dict[str, Any]:
        row = self.cloud.device_row(sauna, id_key)
        shape = self.malformed.take(sauna.device_id, "row")
        if shape is None:
            return row
        # The id stays readable: a row without one is another fault (the sauna leaves).
        ids = {key: value for key, value in row.items() if value == sauna.device_id}
        return {**malformed.corrupt(shape, row), **ids}

    async def state(self, request: web.Request) -> web.Response:
        account = self._account(request)
        sauna = self._sauna(account, request.query.get("deviceId"))
        sub_id, name = request.query.get("subId"), request.query.get("cabinName")
        now = self.cloud.ctx.clock.now()
        sauna.step(now)
        if sauna.is_sensor:
            if sub_id not in (None, "classic") or name:
                return _error(404, "Not Found", "Shadow not found")
            cabin, shadow = None, "classic"
        else:
            cabin = self._cabin(sauna, sub_id, name)
            shadow = cabin.cabin_id
        return self._answer(
            sauna.device_id,
            "state",
            {
                "deviceId": sauna.device_id,
                "shadowName": shadow,
                "state": self.cloud.shadow(sauna, cabin, now),
                "desired": sauna.desired(cabin),
                "version": sauna.version,
                "timestamp": int(sauna.updated_at * 1000),
                "metadata": {"state": {}},
                "connectionState": {
                    "connected": sauna.connected,
                    "updatedTimestamp": int(sauna.updated_at * 1000),
                },
            },
        )

    async def command(self, request: web.Request) -> web.Response:
        account = self._account(request)
        body = await self._json(request)
        sauna = self._sauna(account, body.get("deviceId"))
        command = body.get("command")
        if not isinstance(command, dict) or "type" not in command or "state" not in command:
            return _bad_request("command.type and command.state are required")
        selector = body.get("cabin") or {}
        if sauna.is_sensor:
            return self._rejected(
                CommandRejectedError(
                    400,
                    f"Command '{command['type']}' is not supported "
                    f"for device type '{sauna.device_type}'.",
                )
            )
        cabin = self._cabin(sauna, selector.get("id"), selector.get("name"))
        try:
            self.cloud.command(sauna, cabin, str(command["type"]), command["state"])
        except CommandRejectedError as err:
            return self._rejected(err)
        return web.json_response({"handled": True})

    async def target(self, request: web.Request) -> web.Response:
        account = self._account(request)
        body = await self._json(request)
        sauna = self._sauna(account, body.get("deviceId"))
        temperature, humidity = body.get("temperature"), body.get("humidity")
        if temperature is None and humidity is None:
            return _bad_request("Supply at least one of temperature or humidity")
        if any(v is not None and not isinstance(v, int | float) for v in (temperature, humidity)):
            return _bad_request("temperature and humidity must be numbers")
        if sauna.is_sensor:
            return _bad_request(f"Targets are not supported for device type '{sauna.device_type}'.")
        selector = body.get("cabin") or {}
        cabin = self._cabin(sauna, selector.get("id"), selector.get("name"))
        try:
            self.cloud.set_target(sauna, cabin, temperature, humidity)
        except CommandRejectedError as err:
            return self._rejected(err)
        updated = {
            k: v for k, v in (("temperature", temperature), ("humidity", humidity)) if v is not None
        }
        return web.json_response(
            {"deviceId": sauna.device_id, "shadowName": cabin.cabin_id, "updated": updated}
        )

    async def profile(self, request: web.Request) -> web.Response:
        account = self._account(request)
        body = await self._json(request)
        sauna = self._sauna(account, body.get("deviceId"))
        # The document says {profile: name or index}; other clients send {activeProfile: int}.
        wanted = body.get("profile", body.get("activeProfile"))
        if wanted is None or isinstance(wanted, bool):
            return _bad_request("profile is required")
        if sauna.is_sensor:
            return _bad_request(
                f"Profiles are not supported for device type '{sauna.device_type}'."
            )
        selector = body.get("cabin") or {}
        cabin = self._cabin(sauna, selector.get("id"), selector.get("name"))
        try:
            index = self.cloud.set_profile(sauna, cabin, wanted)
        except CommandRejectedError as err:
            return self._rejected(err)
        return web.json_response(
            {
                "deviceId": sauna.device_id,
                "shadowName": cabin.cabin_id,
                "activeProfile": index,
                "profile": cabin.profiles[index].name,
            }
        )

    # --- data service ---------------------------------------------------------------------------
    def _data_cabin(self, request: web.Request, sauna: Sauna) -> Cabin | None:
        if sauna.is_sensor:
            return None
        return self._cabin(sauna, request.query.get("cabinId"), request.query.get("cabinName"))

    async def latest_data(self, request: web.Request) -> web.Response:
        account = self._account(request)
        sauna = self._sauna(account, request.query.get("deviceId"))
        cabin = self._data_cabin(request, sauna)
        now = self.cloud.ctx.clock.now()
        sauna.step(now)
        if cabin is not None and cabin.history:
            at, data = cabin.history[-1]
        else:
            at, data = sauna.updated_at, sauna.telemetry(cabin, now)
        item = self.cloud.measurement(sauna, cabin, at, data)
        latest = (
            item
            | {"shadowName": item["subId"], "timestamp": _iso(at), "organization": "org-consumers"}
            | {"data": data}
        )
        return self._answer(
            sauna.device_id, "latest", shapes.measurement(self.cloud.shapes, latest)
        )

    async def telemetry_history(self, request: web.Request) -> web.Response:
        account = self._account(request)
        sauna = self._sauna(account, request.query.get("deviceId"))
        cabin = self._data_cabin(request, sauna)
        start = _parse_time(request.query.get("startTimestamp"))
        end = _parse_time(request.query.get("endTimestamp"))
        if start is None or end is None:
            return _bad_request(
                "startTimestamp and endTimestamp are required (ISO 8601 or epoch millis)"
            )
        if end < start:
            return _bad_request("endTimestamp must be greater than or equal to startTimestamp")
        offset = _offset(request.query.get("nextToken"))
        if offset is None:
            return _bad_request("Invalid nextToken")
        samples = [(at, d) for at, d in (cabin.history if cabin else []) if start <= at <= end]
        page = samples[offset : offset + HISTORY_PAGE]
        measurements = [
            shapes.measurement(
                self.cloud.shapes,
                {
                    **self.cloud.measurement(sauna, cabin, at, data),
                    "organizationId": "org-consumers",
                    "deviceCanSee": ["org-consumers"],
                    "data": data,
                },
            )
            for at, data in page
        ]
        more = offset + len(page) < len(samples)
        return web.json_response(
            {
                "deviceId": sauna.device_id,
                "shadowName": cabin.cabin_id if cabin else "classic",
                "measurements": measurements,
                "nextToken": _token(offset + len(page)) if more else None,
            }
        )
