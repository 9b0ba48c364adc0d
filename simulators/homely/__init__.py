"""The Homely SDK cloud: its REST endpoints, the Socket.IO live feed and the admin endpoints."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from pathlib import Path
from typing import Any

from aiohttp import web
import voluptuous as vol

from simulators.core import CloudSimulator, Scenario, SimContext, admin_body

from .cloud import Home, HomelyCloud
from .devices import Device
from .rest import HomelyRest, error, too_many_requests
from .scenario import DEVICE_SCHEMA, SCENARIO_SCHEMA
from .socket import HomelySocketServer

SCENARIOS = Path(__file__).parent / "scenarios"
ADMIN = "/_sim/homely"
FIELDS_SCHEMA = vol.Schema({vol.Required("fields"): {str: object}})

__all__ = ["SCENARIOS", "HomelySimulator"]


class HomelySimulator(CloudSimulator):
    vendor = "homely"
    scenario_schema = SCENARIO_SCHEMA
    default_scenario = SCENARIOS / "typical_home.yaml"

    def __init__(self, ctx: SimContext, scenario: Scenario) -> None:
        super().__init__(ctx, scenario)
        self.cloud = HomelyCloud(ctx, scenario.data)
        self.rest = HomelyRest(self.cloud)
        self.socket = HomelySocketServer(
            ctx.push, self._authorize_socket, scenario.data["event_payload_key"]
        )
        self.cloud.emit = self._queue_event
        self._events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None

    # --- CloudSimulator -------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        self.rest.add_routes(app)
        self.socket.attach(app)
        app.router.add_post(f"{ADMIN}/homes/{{home}}/alarm", self._admin_alarm)
        app.router.add_post(f"{ADMIN}/homes/{{home}}/devices", self._admin_add_device)
        app.router.add_post(f"{ADMIN}/homes/{{home}}/events", self._admin_raw_event)
        app.router.add_post(f"{ADMIN}/homes/{{home}}/frames", self._admin_raw_frame)
        app.router.add_post(f"{ADMIN}/homes/{{home}}/fields", self._admin_home_fields)
        app.router.add_post(f"{ADMIN}/devices/{{device_id}}/fields", self._admin_device_fields)
        app.router.add_delete(f"{ADMIN}/fields", self._admin_clear_fields)
        app.router.add_post(f"{ADMIN}/devices/{{device_id}}/state", self._admin_state)
        app.router.add_post(f"{ADMIN}/devices/{{device_id}}/online", self._admin_online)
        app.router.add_delete(f"{ADMIN}/devices/{{device_id}}", self._admin_remove_device)
        app.router.add_post(f"{ADMIN}/sockets/disconnect", self._admin_server_disconnect)

    async def async_start(self) -> None:
        self._sender = asyncio.get_running_loop().create_task(self._send_events())

    async def async_stop(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with suppress(asyncio.CancelledError):
                await self._sender
        await self.socket.stop()

    def step(self, now: float) -> None:
        self.cloud.step(now)

    def error_response(self, status: int, body: Any = None) -> web.Response:
        if body is not None:
            return super().error_response(status, body)
        if status == 429:
            return too_many_requests(30)
        message = {401: "Unauthorized", 404: "Not Found"}.get(status, "Internal server error")
        return error(status, message)

    def state_json(self) -> dict[str, Any]:
        return {
            home.location_id: {
                "name": home.name,
                "alarm": home.alarm_state,
                "pending": home.pending.final if home.pending else None,
                "listeners": self.socket.listeners(home.location_id),
                "devices": {
                    d.device_id: {
                        "name": d.name,
                        "model": d.model_name,
                        "online": d.online,
                        "states": {
                            f"{feature}.{state}": value
                            for feature, states in d.states.items()
                            for state, (value, _) in states.items()
                        },
                    }
                    for d in home.devices.values()
                },
            }
            for home in self.cloud.homes.values()
        }

    def demo_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=True)

    def try_it_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=False)

    def _entries(self, *, demo_entry: bool) -> list[dict[str, Any]]:
        """One entry per home, by the first user who has it among those with `demo_entry`."""
        chosen = {
            spec["username"].lower()
            for spec in self.scenario.data["users"]
            if spec["demo_entry"] is demo_entry
        }
        entries: dict[str, dict[str, Any]] = {}
        for key, user in self.cloud.users.items():
            if key not in chosen:
                continue
            homes = self.cloud.homes_of(user)
            for home in homes:
                if home.location_id in entries:
                    continue
                credentials = {
                    "username": user.username,
                    "password": user.password,
                    "base_url": self.ctx.base_url,
                }
                steps = [credentials, {"location_id": home.location_id}]
                entries[home.location_id] = {"domain": "homely", "title": home.name, "steps": steps}
        return list(entries.values())

    # --- push ---------------------------------------------------------------------------------
    def _authorize_socket(self, token: str, location_id: str) -> tuple[str | None, str]:
        check = self.ctx.tokens.check(token, "access")
        user = self.cloud.user(check.subject or "") if check.valid else None
        if user is None:
            return None, "Unauthorized"
        if location_id not in user.homes:
            return None, f"User {user.user_id} has no access to location {location_id}"
        return user.username, ""

    def _queue_event(self, location_id: str, event: dict[str, Any]) -> None:
        self._events.put_nowait((location_id, event))

    async def _send_events(self) -> None:
        """One sender keeps events in the order they happened."""
        while True:
            location_id, event = await self._events.get()
            await self.socket.publish(location_id, event)

    # --- admin ------------------------------------------------------------------------------------
    def _find_home(self, request: web.Request) -> Home:
        try:
            return self.cloud.home_by_ref(request.match_info["home"])
        except KeyError:
            raise web.HTTPNotFound(text="no such home") from None

    def _find_device(self, request: web.Request) -> tuple[Home, Device]:
        device_id = request.match_info["device_id"]
        for home in self.cloud.homes.values():
            if device_id in home.devices:
                return home, home.devices[device_id]
        raise web.HTTPNotFound(text="no such device")

    async def _admin_alarm(self, request: web.Request) -> web.Response:
        """Arm or disarm as a user of the home would from the app (the SDK cannot)."""
        home = self._find_home(request)
        schema = vol.Schema({vol.Required("state"): str, vol.Optional("user"): str})
        body = await admin_body(request, schema)
        user = self.cloud.user(body["user"]) if "user" in body else None
        self.cloud.arm(home, body["state"], user, self.ctx.clock.now())
        return web.json_response({"alarm": home.alarm_state})

    async def _admin_add_device(self, request: web.Request) -> web.Response:
        home = self._find_home(request)
        body = await admin_body(request, DEVICE_SCHEMA)
        added = self.cloud.add_devices(home, body, self.ctx.clock.now())
        return web.json_response({"added": [d.device_id for d in added]}, status=201)

    async def _admin_raw_event(self, request: web.Request) -> web.Response:
        """Send an event exactly as given (duplicates, out-of-order alarms, foreign homes)."""
        home = self._find_home(request)
        schema = vol.Schema({vol.Required("type"): str, vol.Required("data"): object})
        body = await admin_body(request, schema)
        self.cloud.emit(home.location_id, body)
        return web.json_response({"queued": True})

    async def _admin_raw_frame(self, request: web.Request) -> web.Response:
        """Send any JSON value as an `event` frame, unwrapped (malformed frames on demand)."""
        home = self._find_home(request)
        body = await admin_body(request, vol.Schema({vol.Required("frame"): object}))
        await self.socket.publish_frame(home.location_id, body["frame"])
        return web.json_response({"sent": True})

    async def _admin_home_fields(self, request: web.Request) -> web.Response:
        """Serve these fields in the home's REST body from now on (`alarmState: 5`)."""
        home = self._find_home(request)
        body = await admin_body(request, FIELDS_SCHEMA)
        self.cloud.overrides.homes[home.location_id] = body["fields"]
        return web.json_response(self.cloud.overrides.apply(home.as_json("ADMIN")))

    async def _admin_device_fields(self, request: web.Request) -> web.Response:
        """Serve these fields in the device's REST body from now on (`modelName: 7`, odd
        `features`); objects merge into what the device reports."""
        _home, device = self._find_device(request)
        body = await admin_body(request, FIELDS_SCHEMA)
        self.cloud.overrides.devices[device.device_id] = body["fields"]
        return web.json_response({"fields": body["fields"]})

    async def _admin_clear_fields(self, _request: web.Request) -> web.Response:
        self.cloud.overrides.clear()
        return web.json_response({"cleared": True})

    async def _admin_state(self, request: web.Request) -> web.Response:
        home, device = self._find_device(request)
        schema = vol.Schema(
            {
                vol.Required("feature"): str,
                vol.Required("state"): str,
                vol.Required("value"): object,
            }
        )
        body = await admin_body(request, schema)
        self.cloud.set_state(home, device, body["feature"], body["state"], body["value"])
        return web.json_response(device.as_json())

    async def _admin_online(self, request: web.Request) -> web.Response:
        _home, device = self._find_device(request)
        body = await admin_body(request, vol.Schema({vol.Required("online"): bool}))
        device.online = body["online"]
        return web.json_response(device.as_json())

    async def _admin_remove_device(self, request: web.Request) -> web.Response:
        home, device = self._find_device(request)
        self.cloud.remove_device(home, device.device_id)
        return web.json_response({"removed": device.device_id})

    async def _admin_server_disconnect(self, request: web.Request) -> web.Response:
        body = await admin_body(request, vol.Schema({vol.Optional("message"): str}))
        count = await self.socket.server_disconnect(body.get("message", "Unauthorized"))
        return web.json_response({"disconnected": count})
