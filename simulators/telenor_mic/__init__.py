"""The Telenor Managed IoT Cloud (MIC): the manifest service, each stack's Cloud REST API
(auth, GraphQL, thing types, things and observations search), Cognito's
GetCredentialsForIdentity, and AWS IoT's SigV4-presigned MQTT-over-websocket endpoint in front
of an embedded broker per stack. Things report on the simulated clock and apply desired states.

Admin endpoints under `/_sim/telenor_mic`:
- `POST things/{name}/reported {values}`: the thing reports these values now (a position as
  `"lat,lng"` or an object) and holds them from then on; it publishes them at once.
- `POST things/{name}/silent {silent}`: the thing stops reporting (its `lastHeardFrom` freezes,
  desired states stay in the delta), or speaks again (and applies what is pending).
- `POST domains/{domain}/things {thing spec, stack?}`: a thing joins the domain (the scenario's
  thing schema; answers its `thingName`); a `THING.CREATE` event goes out on `event/<domain>`.
- `DELETE things/{name}`: the thing is deleted; a `THING.DELETE` event goes out.
- `POST things/{name}/malformed {shape, count?}`, `DELETE` the same: the thing's allThings row,
  thing detail, things/find hit and `GET /things/{name}` served broken (`nan`, `huge`, `types`,
  `deep`, `missing`).
- `POST mqtt/malformed {frames, shape}`: the next thing-update messages are broken: `garbage`
  (not UTF-8), `truncated` (JSON cut short), `types` (reported not an object; values, version,
  timestamp of the wrong type), `deep` (nested too deep); `/push/malformed` sends the last shape
  chosen, `garbage` at first.
- `POST credentials/expire {account?}`: the AWS credentials (of one user, or all) expire now;
  their websocket connections close.
- `GET mqtt`: the brokers (stack, host, port), the bridged websocket connections, MQTT faults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from simulators.core import CloudSimulator, MalformedItems, Scenario, SimContext

from .admin import Admin
from .broker import MqttFaults, StackBroker
from .cloud import Message, MicCloud
from .cognito import CognitoIdentity, CredentialStore
from .errors import INTERNAL
from .rest import MicRest
from .scenario import SCENARIO_SCHEMA
from .views import last_heard
from .websocket import PATH as MQTT_PATH, MqttGateway

SCENARIOS = Path(__file__).parent / "scenarios"
MANIFEST_PATH = "/prod/manifest/"

__all__ = ["SCENARIOS", "TelenorMicSimulator"]


class TelenorMicSimulator(CloudSimulator):
    vendor = "telenor_mic"
    scenario_schema = SCENARIO_SCHEMA
    default_scenario = SCENARIOS / "demo.yaml"

    def __init__(self, ctx: SimContext, scenario: Scenario) -> None:
        super().__init__(ctx, scenario)
        self.cloud = MicCloud(ctx, scenario.data)
        self.faults = MalformedItems()
        self.mqtt_faults = MqttFaults()
        self.credentials = CredentialStore(ctx, scenario.data["aws_credentials_lifetime"])
        self.brokers = {
            name: StackBroker(ctx, stack, self.mqtt_faults, self.cloud.desired_published)
            for name, stack in self.cloud.stacks.items()
        }
        self.cloud.publish = self._publish
        self.rest = MicRest(self.cloud, self.faults)
        self.cognito = CognitoIdentity(self.cloud, self.credentials)
        self.gateway = MqttGateway(ctx, self.credentials, self.brokers)
        self.admin = Admin(self)

    def _publish(self, message: Message) -> None:
        self.brokers[message.stack.name].publish(message)

    # --- CloudSimulator ---------------------------------------------------------------------------
    def add_routes(self, app: web.Application) -> None:
        self.admin.add_routes(app)
        self.cognito.add_routes(app)
        self.gateway.add_routes(app)
        self.rest.add_routes(app)  # last: each stack's catch-all answers unknown paths

    async def async_start(self) -> None:
        started: list[StackBroker] = []
        try:
            for broker in self.brokers.values():
                await broker.start()
                started.append(broker)
        except BaseException:
            for broker in started:
                await broker.stop()
            raise

    async def async_stop(self) -> None:
        await self.gateway.stop()
        for broker in self.brokers.values():
            await broker.stop()

    def step(self, now: float) -> None:
        self.cloud.step(now)
        self.gateway.step(now)

    def clear_faults(self) -> None:
        self.faults.clear()
        self.mqtt_faults.shape = "garbage"

    def error_response(self, status: int, body: Any = None) -> web.Response:
        """Injected faults answer as API Gateway does."""
        if body is not None:
            return super().error_response(status, body)
        if status == 429:
            return web.json_response(
                {"message": "Too Many Requests"}, status=429, headers={"Retry-After": "30"}
            )
        if status >= 500:
            return web.json_response({"message": INTERNAL}, status=status)
        return super().error_response(status)

    @property
    def idle(self) -> bool:
        """Every message the cloud sent so far is with its broker (tests wait for this)."""
        return all(broker.idle for broker in self.brokers.values())

    def urls(self) -> dict[str, str]:
        base = self.ctx.base_url
        return {
            "base": base,
            "manifest_url": base + MANIFEST_PATH,
            "aws_endpoint": base,
            "mqtt": base.replace("http", "ws", 1) + MQTT_PATH,
        }

    def state_json(self) -> dict[str, Any]:
        now = self.ctx.clock.now()
        return {
            stack.name: {
                "hostnames": list(stack.hostnames),
                "users": {u.username: u.domain.path for u in stack.users.values()},
                "things": {
                    thing.name: {
                        "domain": thing.domain.path,
                        "thing_type": thing.thing_type.type_id,
                        "silent": thing.silent(now),
                        "last_heard": last_heard(thing, stack.dialect),
                        "shadow": thing.shadow.document(now),
                    }
                    for thing in stack.things.values()
                },
            }
            for stack in self.cloud.stacks.values()
        }

    def mqtt_json(self) -> dict[str, Any]:
        return {
            "brokers": [broker.as_json() for broker in self.brokers.values()],
            "connections": [socket.as_json() for socket in self.gateway.sockets],
            "malformed_shape": self.mqtt_faults.shape,
            "malformed_sent": self.mqtt_faults.sent,
        }

    def demo_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=True)

    def try_it_entries(self) -> list[dict[str, Any]]:
        return self._entries(demo_entry=False)

    def _entries(self, *, demo_entry: bool) -> list[dict[str, Any]]:
        """One entry per user: the App Board host of its stack, its credentials, and this
        server as both the manifest service and the AWS endpoint."""
        base = self.ctx.base_url
        return [
            {
                "domain": self.vendor,
                "title": f"{user.username} @ {user.stack.hostnames[0]}",
                "steps": [
                    {
                        "host": user.stack.hostnames[0],
                        "username": user.username,
                        "password": user.password,
                        "manifest_url": base + MANIFEST_PATH,
                        "aws_endpoint": base,
                    }
                ],
            }
            for user in self.cloud.users()
            if user.demo_entry is demo_entry
        ]
