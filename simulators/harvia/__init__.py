"""The MyHarvia cloud: endpoint discovery, REST services, AppSync GraphQL and realtime feeds."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web
import voluptuous as vol

from simulators.core import (
    CloudSimulator,
    MalformedFault,
    Scenario,
    SimContext,
    admin_body,
    json_error,
)

from . import malformed
from .appsync import GRAPHQL_PATH, REALTIME_PATH, AppSyncServer, AppSyncService
from .cloud import HarviaCloud
from .graphql_api import (
    DATA_SDL,
    DEVICE_SDL,
    EVENTS_SDL,
    DataRoot,
    DeviceRoot,
    EventsRoot,
    can_receive,
)
from .rest import DATA_SERVICE, DEVICE_SERVICE, GENERICS_SERVICE, HarviaRest
from .scenario import SCENARIO_SCHEMA

SCENARIOS = Path(__file__).parent / "scenarios"
ADMIN = "/_sim/harvia"


class HarviaSimulator(CloudSimulator):
    vendor = "harvia"
    scenario_schema = SCENARIO_SCHEMA
    default_scenario = SCENARIOS / "demo.yaml"

    def __init__(self, ctx: SimContext, scenario: Scenario) -> None:
        super().__init__(ctx, scenario)
        self.cloud = HarviaCloud(ctx, scenario.data)
        self.rest = HarviaRest(self.cloud)
        self.appsync = AppSyncServer(ctx.push, self._authorize, scenario.data["keepalive_s"])
        self.push_malformation = "truncated"  # how the frames PushHub marks malformed break
        self.appsync.corrupt = lambda data: malformed.frame(self.push_malformation, data)
        roots: tuple[tuple[str, str, type[DeviceRoot | DataRoot | EventsRoot]], ...] = (
            ("device", DEVICE_SDL, DeviceRoot),
            ("data", DATA_SDL, DataRoot),
            ("events", EVENTS_SDL, EventsRoot),
        )
        for name, sdl, root in roots:
            self.appsync.add(
                AppSyncService.from_sdl(
                    name, sdl, partial(root, self.cloud), partial(can_receive, self.cloud)
                )
            )
        self.cloud.publish = self._publish
        self._expiring: set[asyncio.Task[int]] = set()

    def _authorize(self, authorization: str | None) -> str | None:
        account = self.cloud.account_for(authorization)
        return account.email if account else None

    def _publish(self, field: str, receiver: str, notice: dict[str, Any]) -> None:
        service = {
            "devicesStatesUpdateFeed": "device",
            "devicesMeasurementsUpdateFeed": "data",
        }.get(field, "events")
        self.appsync.services[service].publish(field, receiver, notice)

    # --- CloudSimulator -------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/endpoints", self._endpoints)  # the address clients in the wild use
        app.router.add_get("/prod/endpoints", self._endpoints)  # prod.api.harvia.io in the document
        self.rest.add_routes(app)
        self.appsync.add_routes(app)
        app.router.add_post(f"{ADMIN}/devices/{{device_id}}/connection", self._admin_connection)
        app.router.add_post(f"{ADMIN}/devices/{{device_id}}/door", self._admin_door)
        app.router.add_post(f"{ADMIN}/devices/{{device_id}}/schedule", self._admin_schedule)
        app.router.add_delete(f"{ADMIN}/devices/{{device_id}}", self._admin_remove)
        app.router.add_post(f"{ADMIN}/devices", self._admin_add)
        app.router.add_post(f"{ADMIN}/accounts/{{email}}/password", self._admin_password)
        app.router.add_post(f"{ADMIN}/devices/{{device_id}}/malformed", self._admin_malformed)
        app.router.add_delete(f"{ADMIN}/devices/{{device_id}}/malformed", self._admin_wellformed)
        app.router.add_post(f"{ADMIN}/push/malformed", self._admin_push_malformed)

    def step(self, now: float) -> None:
        self.cloud.step(now)
        if any(self.appsync.authorize(s.authorization) is None for s in self.appsync.sessions):
            task = asyncio.get_running_loop().create_task(self.appsync.expire_sessions())
            self._expiring.add(task)
            task.add_done_callback(self._expiring.discard)

    async def async_stop(self) -> None:
        for task in list(self._expiring):
            with suppress(asyncio.CancelledError):
                await task

    def clear_faults(self) -> None:
        self.rest.malformed.clear()
        self.push_malformation = "truncated"

    def error_response(self, status: int, body: Any = None) -> web.Response:
        if body is not None:
            return super().error_response(status, body)
        message = {
            401: "Unauthorized",
            429: "Too Many Requests",
            504: "Endpoint request timed out",
        }.get(status, "Internal server error")
        return json_error(status, {"message": message})

    def state_json(self) -> dict[str, Any]:
        now = self.ctx.clock.now()
        return {
            device_id: {
                "type": s.device_type,
                "connected": s.connected,
                "cabins": {
                    c.cabin_id: {
                        "temperature": round(c.temperature, 2),
                        "humidity": round(c.humidity, 2),
                        "target_temp": c.target_temp,
                        "target_hum": c.target_hum,
                        "on": c.on,
                        "status": c.status,
                        "remaining_min": round(c.remaining_s(now) / 60, 1),
                        "light": c.light,
                        "fan": c.fan,
                        "steamer": c.steamer,
                        "door_closed": c.door_closed,
                        "active_profile": c.active_profile,
                    }
                    for c in s.cabins
                },
            }
            for device_id, s in self.cloud.saunas.items()
        }

    def endpoints_document(self) -> dict[str, Any]:
        base = self.ctx.base_url
        ws_base = base.replace("http://", "ws://", 1)
        graphql = {
            name: {
                "https": base + GRAPHQL_PATH.format(service=name),
                "wss": ws_base + REALTIME_PATH.format(service=name),
                "schemaUrl": f"{base}/appsync-api/{name}/schema",
            }
            for name in ("device", "data", "events")
            if self.scenario.data["graphql"]  # a document without them: clients must poll
        }
        return {
            "endpoints": {
                "RestApi": {
                    "generics": {"https": base + GENERICS_SERVICE},
                    "device": {"https": base + DEVICE_SERVICE},
                    "data": {"https": base + DATA_SERVICE},
                    "users": {"https": base + "/rest/users"},
                },
                "version": "6.41.0",
                "Config": {
                    "Region": "eu-central-1",
                    "UserPoolId": "eu-central-1_SIMULATED",
                    "AuthType": "AMAZON_COGNITO_USER_POOLS",
                    "PartnerOrganizationId": self.scenario.data["partner_organization_id"],
                },
                **({"GraphQL": graphql} if graphql else {}),
                "LoggingConfig": {"LoggingMode": 0},
            }
        }

    def urls(self) -> dict[str, str]:
        return {"base": self.ctx.base_url, "endpoints": f"{self.ctx.base_url}/endpoints"}

    def demo_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=True)

    def try_it_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=False)

    def _entries(self, *, demo_entry: bool) -> list[dict[str, Any]]:
        """Config entries of the accounts a user can sign in with, by their `demo_entry` flag."""
        chosen = {
            spec["email"].lower()
            for spec in self.scenario.data["accounts"]
            if spec["demo_entry"] is demo_entry
        }
        return [
            {
                "domain": "harvia",
                "title": account.email,
                "steps": [
                    {
                        "email": account.email,
                        "password": account.password,
                        "discovery_url": f"{self.ctx.base_url}/endpoints",
                    }
                ],
            }
            for key, account in self.cloud.accounts.items()
            if key in chosen and account.password and not account.partner_guest
        ]

    # --- routes -----------------------------------------------------------------------------
    async def _endpoints(self, _: web.Request) -> web.Response:
        return web.json_response(self.endpoints_document())

    async def _admin_body(self, request: web.Request, schema: vol.Schema) -> dict[str, Any]:
        body = await admin_body(request, schema)
        if request.match_info.get("device_id", "") not in ("", *self.cloud.saunas):
            raise web.HTTPNotFound(text="no such device")
        return body

    async def _admin_connection(self, request: web.Request) -> web.Response:
        body = await self._admin_body(request, vol.Schema({vol.Required("connected"): bool}))
        self.cloud.set_connected(request.match_info["device_id"], body["connected"])
        return web.json_response(self.state_json()[request.match_info["device_id"]])

    async def _admin_door(self, request: web.Request) -> web.Response:
        schema = vol.Schema(
            {vol.Optional("cabin", default="C1"): str, vol.Required("closed"): bool}
        )
        body = await self._admin_body(request, schema)
        self.cloud.set_door(request.match_info["device_id"], body["cabin"], body["closed"])
        return web.json_response(self.state_json()[request.match_info["device_id"]])

    async def _admin_schedule(self, request: web.Request) -> web.Response:
        schema = vol.Schema(
            {
                vol.Optional("cabin", default="C1"): str,
                vol.Required("in_minutes"): vol.Coerce(float),
            }
        )
        body = await self._admin_body(request, schema)
        self.cloud.schedule(request.match_info["device_id"], body["cabin"], body["in_minutes"])
        return web.json_response(self.state_json()[request.match_info["device_id"]])

    async def _admin_remove(self, request: web.Request) -> web.Response:
        if request.match_info["device_id"] not in self.cloud.saunas:
            raise web.HTTPNotFound(text="no such device")
        self.cloud.remove_device(request.match_info["device_id"])
        return web.json_response({"removed": request.match_info["device_id"]})

    async def _admin_add(self, request: web.Request) -> web.Response:
        schema = vol.Schema({vol.Required("device"): dict, vol.Required("owners"): [str]})
        body = await self._admin_body(request, schema)
        try:
            spec = SCENARIO_SCHEMA({"accounts": [], "devices": [body["device"]]})["devices"][0]
            added = self.cloud.add_device(spec, body["owners"])
        except (vol.Invalid, KeyError) as err:
            raise web.HTTPBadRequest(text=str(err)) from err
        return web.json_response({"added": added}, status=201)

    async def _admin_password(self, request: web.Request) -> web.Response:
        body = await self._admin_body(
            request, vol.Schema({vol.Required("password"): vol.Any(None, str)})
        )
        try:
            self.cloud.change_password(request.match_info["email"], body["password"])
        except KeyError:
            raise web.HTTPNotFound(text="no such account") from None
        return web.json_response({"changed": True})

    async def _admin_malformed(self, request: web.Request) -> web.Response:
        """Serve this sauna's answers (`row`, `state`, `latest`) malformed in `shape`."""
        schema = vol.Schema(
            {
                vol.Required("shape"): vol.In(malformed.REST_SHAPES),
                vol.Optional("answers", default=list(malformed.REST_ANSWERS)): [
                    vol.In(malformed.REST_ANSWERS)
                ],
                vol.Optional("count"): vol.Any(None, vol.All(int, vol.Range(min=1))),
            }
        )
        body = await self._admin_body(request, schema)
        device_id = request.match_info["device_id"]
        if not device_id:
            raise web.HTTPNotFound(text="no such device")
        self.rest.malformed.by_item[device_id] = MalformedFault(
            body["shape"], body.get("count"), tuple(body["answers"])
        )
        return web.json_response({"device": device_id, **body})

    async def _admin_wellformed(self, request: web.Request) -> web.Response:
        removed = self.rest.malformed.by_item.pop(request.match_info["device_id"], None)
        return web.json_response({"cleared": removed is not None})

    async def _admin_push_malformed(self, request: web.Request) -> web.Response:
        """The next `frames` push frames are malformed in `shape`."""
        schema = vol.Schema(
            {
                vol.Required("frames"): vol.All(int, vol.Range(min=0)),
                vol.Optional("shape", default="truncated"): vol.In(malformed.PUSH_SHAPES),
            }
        )
        body = await admin_body(request, schema)
        self.push_malformation = body["shape"]
        whole_frame = body["shape"] == "envelope"
        self.appsync.corrupt_envelope = malformed.envelope if whole_frame else None
        self.ctx.push.corrupt_next(body["frames"])
        return web.json_response(body)
