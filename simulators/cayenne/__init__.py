"""The Cayenne (myDevices) cloud: Keycloak and legacy tokens, the v1.1 platform API, things,
and the MQTT broker things and clients meet on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
import voluptuous as vol

from simulators.core import CloudSimulator, MalformedFault, Scenario, SimContext, admin_body

from .cloud import Account, CayenneCloud
from .malformed import MQTT_SHAPES, REST_SHAPES
from .mqtt import CayenneMqtt
from .rest import CayenneRest, platform_error
from .scenario import SCENARIO_SCHEMA, STATUSES, THING_SCHEMA
from .things import Thing

SCENARIOS = Path(__file__).parent / "scenarios"
ADMIN = "/_sim/cayenne"
_POSITION = vol.Schema(
    {
        vol.Required("lat"): vol.All(vol.Coerce(float), vol.Range(min=-90, max=90)),
        vol.Required("lng"): vol.All(vol.Coerce(float), vol.Range(min=-180, max=180)),
        vol.Optional("alt"): vol.Coerce(float),
    }
)

__all__ = ["SCENARIOS", "CayenneSimulator"]


class CayenneSimulator(CloudSimulator):
    vendor = "cayenne"
    scenario_schema = SCENARIO_SCHEMA
    default_scenario = SCENARIOS / "demo.yaml"

    def __init__(
        self, ctx: SimContext, scenario: Scenario, *, mqtt_port: int | None = None
    ) -> None:
        """`mqtt_port` (else the scenario's, else 0: a free port) is the broker's port."""
        super().__init__(ctx, scenario)
        self.cloud = CayenneCloud(ctx, scenario.data)
        port = scenario.data.get("mqtt_port", 0) if mqtt_port is None else mqtt_port
        self.mqtt = CayenneMqtt(ctx, self.cloud, port)
        self.rest = CayenneRest(self.cloud, self.mqtt.send_command)

    @property
    def mqtt_host(self) -> str:
        return self.mqtt.host

    @property
    def mqtt_port(self) -> int:
        return self.mqtt.port

    # --- CloudSimulator ---------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        self.rest.add_routes(app)
        r = app.router
        r.add_post(f"{ADMIN}/accounts/{{email}}/things", self._admin_add_thing)
        r.add_delete(f"{ADMIN}/things/{{thing_id}}", self._admin_remove_thing)
        r.add_post(f"{ADMIN}/things/{{thing_id}}/status", self._admin_status)
        r.add_post(f"{ADMIN}/things/{{thing_id}}/online", self._admin_online)
        r.add_post(f"{ADMIN}/things/{{thing_id}}/channels/{{channel}}", self._admin_channel)
        r.add_post(f"{ADMIN}/things/{{thing_id}}/malformed", self._admin_malformed)
        r.add_delete(f"{ADMIN}/things/{{thing_id}}/malformed", self._admin_wellformed)
        r.add_get(f"{ADMIN}/mqtt", self._admin_mqtt)
        r.add_post(f"{ADMIN}/mqtt/subscriptions", self._admin_subscriptions)
        r.add_post(f"{ADMIN}/mqtt/credentials/rotate", self._admin_rotate)
        r.add_post(f"{ADMIN}/mqtt/malformed", self._admin_mqtt_malformed)

    async def async_start(self) -> None:
        await self.mqtt.start()

    async def async_stop(self) -> None:
        await self.mqtt.stop()

    def step(self, now: float) -> None:
        self.cloud.step(now)
        self.mqtt.step(now)

    def clear_faults(self) -> None:
        self.rest.malformed.clear()
        self.mqtt.clear_faults()

    def error_response(self, status: int, body: Any = None) -> web.Response:
        """Injected faults answer in the platform's shape (the token endpoints in OAuth's)."""
        if body is not None:
            return super().error_response(status, body)
        if status == 429:
            return platform_error(429, "Rate limit exceeded", headers={"Retry-After": "30"})
        return platform_error(status, "An internal server error occurred" if status >= 500 else "")

    def urls(self) -> dict[str, str]:
        base = self.ctx.base_url
        return {
            "base": base,
            "auth": base,
            "api": base,
            "mqtt_host": self.mqtt.host,
            "mqtt_port": str(self.mqtt.port),
        }

    def state_json(self) -> dict[str, Any]:
        now = self.ctx.clock.now()
        return {
            account.email: {
                "account_id": account.account_id,
                "mqtt_username": account.mqtt_username,
                "things": {
                    thing.thing_id: {
                        "name": thing.name,
                        "status": thing.status_at(now),
                        "present": thing.present(now),
                        "online": thing.online,
                        "mqtt_format": thing.mqtt_format,
                        "channels": {
                            ch.channel: thing.value(ch, now) for ch in thing.channels.values()
                        },
                    }
                    for thing in account.things.values()
                },
                "rules": {r["id"]: r["enabled"] for r in account.rules.values()},
                "jobs": {j["_id"]: j["active"] for j in account.jobs.values()},
            }
            for account in self.cloud.accounts.values()
        }

    def demo_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=True)

    def try_it_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=False)

    def _entries(self, *, demo_entry: bool) -> list[dict[str, Any]]:
        """One entry per account: its credentials and this server's URLs and broker."""
        base = self.ctx.base_url
        return [
            {
                "domain": "cayenne",
                "title": account.email,
                "steps": [
                    {
                        "email": account.email,
                        "password": account.password,
                        "app_key": account.app_key,
                        "app_secret": account.app_secret,
                        "auth_flow": "openid",
                        "auth_url": base,
                        "api_url": base,
                        "mqtt_host": self.mqtt.host,
                        "mqtt_port": self.mqtt.port,
                        "mqtt_tls": False,
                    }
                ],
            }
            for account in self.cloud.accounts.values()
            if account.demo_entry is demo_entry
        ]

    # --- admin: things ----------------------------------------------------------------------------
    def _find(self, request: web.Request) -> tuple[Account, Thing]:
        found = self.cloud.find_thing(request.match_info["thing_id"])
        if found is None:
            raise web.HTTPNotFound(text="no such thing")
        return found

    async def _admin_add_thing(self, request: web.Request) -> web.Response:
        """A thing joins the account (a thing spec as in the scenario); returns its id."""
        account = self.cloud.account(request.match_info["email"])
        if account is None:
            raise web.HTTPNotFound(text="no such account")
        spec = await admin_body(request, THING_SCHEMA)
        if spec.get("id") in account.things:
            raise web.HTTPConflict(text="a thing with that id exists")
        try:
            (thing,) = self.cloud.add_things(account, [spec], self.ctx.clock.now())
        except KeyError as err:
            raise web.HTTPBadRequest(text=str(err.args[0])) from None
        return web.json_response({"id": thing.thing_id}, status=201)

    async def _admin_remove_thing(self, request: web.Request) -> web.Response:
        """The user removes the thing: the platform marks it DEACTIVATED."""
        _account, thing = self._find(request)
        thing.status = "DEACTIVATED"
        return web.json_response({"id": thing.thing_id, "status": thing.status})

    async def _admin_status(self, request: web.Request) -> web.Response:
        """ACTIVE, DEACTIVATED (a removed thing) or BLOCKED."""
        _account, thing = self._find(request)
        body = await admin_body(request, vol.Schema({vol.Required("status"): vol.In(STATUSES)}))
        thing.status = body["status"]
        thing.removed_at = None  # an explicit status overrides the scenario's removal time
        return web.json_response({"id": thing.thing_id, "status": thing.status})

    async def _admin_online(self, request: web.Request) -> web.Response:
        _account, thing = self._find(request)
        body = await admin_body(request, vol.Schema({vol.Required("online"): bool}))
        if thing.online and not body["online"]:
            thing.went_offline = self.ctx.clock.now()
        thing.online = body["online"]
        return web.json_response({"id": thing.thing_id, "online": thing.online})

    async def _admin_channel(self, request: web.Request) -> web.Response:
        """Set a channel's value from now on, as the thing itself would report it (it publishes
        it at once). A GPS channel takes a position {lat, lng, alt?}."""
        account, thing = self._find(request)
        channel = thing.channels.get(request.match_info["channel"])
        if channel is None:
            raise web.HTTPNotFound(text="no such channel")
        value = _POSITION if channel.is_position else vol.Coerce(float)
        body = await admin_body(request, vol.Schema({vol.Required("value"): value}))
        now = self.ctx.clock.now()
        channel.set_value(body["value"], now)
        self.mqtt.publish_value(account, thing, channel)
        return web.json_response({"value": thing.value(channel, now)})

    async def _admin_malformed(self, request: web.Request) -> web.Response:
        """Serve this thing's REST answers (its things-list row, GET /things/{id}, its
        summaries) broken in `shape`, `count` times or until cleared."""
        schema = vol.Schema(
            {
                vol.Required("shape"): vol.In(REST_SHAPES),
                vol.Optional("count"): vol.Any(None, vol.All(int, vol.Range(min=1))),
            }
        )
        _account, thing = self._find(request)
        body = await admin_body(request, schema)
        self.rest.malformed.by_item[thing.thing_id] = MalformedFault(
            body["shape"], body.get("count")
        )
        return web.json_response({"thing": thing.thing_id, **body})

    async def _admin_wellformed(self, request: web.Request) -> web.Response:
        _account, thing = self._find(request)
        removed = self.rest.malformed.by_item.pop(thing.thing_id, None)
        return web.json_response({"cleared": removed is not None})

    # --- admin: MQTT ------------------------------------------------------------------------------
    async def _admin_mqtt(self, _request: web.Request) -> web.Response:
        return web.json_response(self.mqtt.as_json())

    async def _admin_subscriptions(self, request: web.Request) -> web.Response:
        """Refuse every subscription (SUBACK 0x80) from now on, or accept them again."""
        body = await admin_body(request, vol.Schema({vol.Required("refuse"): bool}))
        self.mqtt.refuse_subscriptions = body["refuse"]
        return web.json_response({"refuse": self.mqtt.refuse_subscriptions})

    async def _admin_rotate(self, request: web.Request) -> web.Response:
        """New `clear_secret`s (for one account, or all); their connections are dropped."""
        body = await admin_body(request, vol.Schema({vol.Optional("account"): str}))
        if "account" in body:
            account = self.cloud.account(body["account"])
            if account is None:
                raise web.HTTPNotFound(text="no such account")
            accounts = [account]
        else:
            accounts = list(self.cloud.accounts.values())
        dropped = 0
        for account in accounts:
            dropped += await self.mqtt.rotate(account)
        return web.json_response(
            {"rotated": [account.email for account in accounts], "dropped": dropped}
        )

    async def _admin_mqtt_malformed(self, request: web.Request) -> web.Response:
        """The next `frames` messages things send to clients are malformed in `shape`."""
        schema = vol.Schema(
            {
                vol.Required("frames"): vol.All(int, vol.Range(min=0)),
                vol.Optional("shape", default="garbage"): vol.In(MQTT_SHAPES),
            }
        )
        body = await admin_body(request, schema)
        self.mqtt.shape = body["shape"]
        self.ctx.push.corrupt_next(body["frames"])
        return web.json_response(body)
