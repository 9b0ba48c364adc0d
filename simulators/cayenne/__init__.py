"""The Cayenne (myDevices) cloud: Keycloak and legacy tokens, the v1.1 platform API, things."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
import voluptuous as vol

from simulators.core import CloudSimulator, Scenario, SimContext, admin_body

from .cloud import CayenneCloud
from .rest import CayenneRest, platform_error
from .scenario import SCENARIO_SCHEMA, STATUSES
from .things import Thing

SCENARIOS = Path(__file__).parent / "scenarios"
ADMIN = "/_sim/cayenne"

__all__ = ["SCENARIOS", "CayenneSimulator"]


class CayenneSimulator(CloudSimulator):
    vendor = "cayenne"
    scenario_schema = SCENARIO_SCHEMA
    default_scenario = SCENARIOS / "demo.yaml"

    def __init__(self, ctx: SimContext, scenario: Scenario) -> None:
        super().__init__(ctx, scenario)
        self.cloud = CayenneCloud(ctx, scenario.data)
        self.rest = CayenneRest(self.cloud)

    def add_routes(self, app: web.Application) -> None:
        self.rest.add_routes(app)
        app.router.add_post(f"{ADMIN}/things/{{thing_id}}/status", self._admin_status)
        app.router.add_post(f"{ADMIN}/things/{{thing_id}}/online", self._admin_online)
        app.router.add_post(
            f"{ADMIN}/things/{{thing_id}}/channels/{{channel}}", self._admin_channel
        )

    def step(self, now: float) -> None:
        self.cloud.step(now)

    def error_response(self, status: int, body: Any = None) -> web.Response:
        """Injected faults answer in the platform's shape (the token endpoints in OAuth's)."""
        if body is not None:
            return super().error_response(status, body)
        if status == 429:
            return platform_error(429, "Rate limit exceeded", headers={"Retry-After": "30"})
        return platform_error(status, "An internal server error occurred" if status >= 500 else "")

    def urls(self) -> dict[str, str]:
        base = self.ctx.base_url
        return {"base": base, "auth": base, "api": base}

    def state_json(self) -> dict[str, Any]:
        now = self.ctx.clock.now()
        return {
            account.email: {
                "account_id": account.account_id,
                "things": {
                    thing.thing_id: {
                        "name": thing.name,
                        "status": thing.status,
                        "online": thing.online,
                        "channels": {
                            ch.channel: thing.value(ch, now) for ch in thing.channels.values()
                        },
                    }
                    for thing in account.things.values()
                },
                "rules": {r["id"]: r["enabled"] for r in account.rules.values()},
            }
            for account in self.cloud.accounts.values()
        }

    def demo_entries(self) -> list[dict[str, Any]]:
        """None yet: there is no Cayenne integration to configure."""
        return []

    # --- admin ----------------------------------------------------------------------------------
    def _find(self, request: web.Request) -> Thing:
        thing_id = request.match_info["thing_id"]
        for account in self.cloud.accounts.values():
            for thing in account.things.values():
                if thing_id in (thing.thing_id, thing.name):
                    return thing
        raise web.HTTPNotFound(text="no such thing")

    async def _admin_status(self, request: web.Request) -> web.Response:
        """ACTIVE, DEACTIVATED (a removed thing) or BLOCKED."""
        thing = self._find(request)
        body = await admin_body(request, vol.Schema({vol.Required("status"): vol.In(STATUSES)}))
        thing.status = body["status"]
        return web.json_response({"id": thing.thing_id, "status": thing.status})

    async def _admin_online(self, request: web.Request) -> web.Response:
        thing = self._find(request)
        body = await admin_body(request, vol.Schema({vol.Required("online"): bool}))
        if thing.online and not body["online"]:
            thing.went_offline = self.ctx.clock.now()
        thing.online = body["online"]
        return web.json_response({"id": thing.thing_id, "online": thing.online})

    async def _admin_channel(self, request: web.Request) -> web.Response:
        """Set a channel's value from now on, as the thing itself would report it."""
        thing = self._find(request)
        channel = thing.channels.get(request.match_info["channel"])
        if channel is None:
            raise web.HTTPNotFound(text="no such channel")
        schema = vol.Schema({vol.Required("value"): vol.Coerce(float)})
        body = await admin_body(request, schema)
        channel.behaviour = "actuator" if channel.is_actuator else "constant"
        channel.base = body["value"]
        if channel.is_actuator:
            channel.changes.append((self.ctx.clock.now(), body["value"]))
        return web.json_response({"value": thing.value(channel, self.ctx.clock.now())})
