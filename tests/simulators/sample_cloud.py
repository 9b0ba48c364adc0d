"""A small cloud used only to test the simulator framework through real sockets.

It has what every vendor simulator has: a login issuing expiring tokens, a paginated device
list, a device that follows the simulated clock, and a websocket push channel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
import voluptuous as vol

from simulators.core import CloudSimulator, Scenario, SimContext

SCENARIO_DIR = Path(__file__).parent / "scenarios"

SCHEMA = vol.Schema(
    {
        vol.Optional("name"): str,
        vol.Optional("token_lifetime", default=3600): vol.All(int, vol.Range(min=1)),
        vol.Required("accounts"): [
            {
                vol.Required("username"): str,
                vol.Required("password"): str,
                vol.Optional("devices", default=list): [
                    {
                        vol.Required("id"): str,
                        vol.Optional("temperature", default=20.0): vol.Coerce(float),
                        vol.Optional("target", default=20.0): vol.Coerce(float),
                    }
                ],
            }
        ],
    }
)


class SampleCloud(CloudSimulator):
    vendor = "sample"
    scenario_schema = SCHEMA
    default_scenario = SCENARIO_DIR / "sample.yaml"
    heating_rate = 0.1  # degrees per simulated second

    def __init__(self, ctx: SimContext, scenario: Scenario) -> None:
        super().__init__(ctx, scenario)
        self.accounts = {a["username"]: a for a in scenario.data["accounts"]}
        self.devices = {
            d["id"]: {**d, "owner": a["username"]}
            for a in scenario.data["accounts"]
            for d in a["devices"]
        }
        self._last_step = ctx.clock.now()
        self._sockets: set[web.WebSocketResponse] = set()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/login", self._login)
        app.router.add_get("/devices", self._devices)
        app.router.add_get("/devices/{device_id}", self._device)
        app.router.add_get("/push", self._push)

    def step(self, now: float) -> None:
        elapsed, self._last_step = now - self._last_step, now
        for device in self.devices.values():
            gap = device["target"] - device["temperature"]
            change = min(abs(gap), self.heating_rate * elapsed)
            device["temperature"] += change if gap > 0 else -change

    def state_json(self) -> dict[str, Any]:
        return {"devices": self.devices}

    def _account(self, request: web.Request) -> str:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        check = self.ctx.tokens.check(token, "access")
        if not check.valid or check.subject is None:
            raise web.HTTPUnauthorized(
                text=json.dumps({"message": f"token {check.status}"}),
                content_type="application/json",
            )
        return check.subject

    async def _login(self, request: web.Request) -> web.Response:
        body = await request.json()
        account = self.accounts.get(body.get("username"))
        if account is None or account["password"] != body.get("password"):
            return web.json_response({"message": "bad credentials"}, status=401)
        token = self.ctx.tokens.issue(
            "access", account["username"], self.scenario.data["token_lifetime"], as_jwt=True
        )
        return web.json_response({"token": token.value})

    async def _devices(self, request: web.Request) -> web.Response:
        owner = self._account(request)
        mine = [d for d in self.devices.values() if d["owner"] == owner]
        start = int(request.query.get("next", "0"))
        page = mine[start : start + 2]
        more = start + 2 < len(mine)
        return web.json_response(
            {"devices": [d["id"] for d in page], "next": str(start + 2) if more else None}
        )

    async def _device(self, request: web.Request) -> web.Response:
        owner = self._account(request)
        device = self.devices.get(request.match_info["device_id"])
        if device is None or device["owner"] != owner:
            raise web.HTTPNotFound
        return web.json_response(device)

    async def _push(self, request: web.Request) -> web.WebSocketResponse:
        account = self._account(request)
        if not self.ctx.push.accepting():
            raise web.HTTPServiceUnavailable
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = self.ctx.push.register(ws.close, account)
        self._sockets.add(ws)
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT and msg.data == "state":
                    await self.send(ws, {"devices": self.devices})
        finally:
            self._sockets.discard(ws)
            self.ctx.push.unregister(connection)
        return ws

    async def send(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        text = json.dumps(payload)
        if self.ctx.push.frame_sent():
            text = text[: len(text) // 2]  # a truncated frame
        await ws.send_str(text)
