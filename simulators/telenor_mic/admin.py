"""The simulator's own endpoints under /_sim/telenor_mic (listed in the package docstring)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
import voluptuous as vol

from simulators.core import MalformedFault, admin_body

from .malformed import MQTT_SHAPES, REST_SHAPES
from .model import Stack
from .scenario import THING_SCHEMA, VALUE
from .things import Thing

if TYPE_CHECKING:
    from . import TelenorMicSimulator

PREFIX = "/_sim/telenor_mic"
_COUNT = vol.Any(None, vol.All(int, vol.Range(min=1)))


class Admin:
    def __init__(self, sim: TelenorMicSimulator) -> None:
        self.sim = sim
        self.cloud = sim.cloud

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_post(f"{PREFIX}/things/{{name}}/reported", self.reported)
        r.add_post(f"{PREFIX}/things/{{name}}/silent", self.silent)
        r.add_post(f"{PREFIX}/domains/{{domain}}/things", self.add_thing)
        r.add_delete(f"{PREFIX}/things/{{name}}", self.remove_thing)
        r.add_post(f"{PREFIX}/things/{{name}}/malformed", self.malformed)
        r.add_delete(f"{PREFIX}/things/{{name}}/malformed", self.wellformed)
        r.add_get(f"{PREFIX}/mqtt", self.mqtt)
        r.add_post(f"{PREFIX}/mqtt/malformed", self.mqtt_malformed)
        r.add_post(f"{PREFIX}/credentials/expire", self.expire_credentials)

    def _thing(self, request: web.Request) -> tuple[Stack, Thing]:
        found = self.cloud.find_thing(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound(text="no such thing")
        return found

    async def reported(self, request: web.Request) -> web.Response:
        """The thing reports these values now (and holds them)."""
        stack, thing = self._thing(request)
        values = vol.Schema({str: vol.Any(VALUE, {str: vol.Coerce(float)})})
        body = await admin_body(request, vol.Schema({vol.Required("values"): values}))
        unknown = set(body["values"]) - set(thing.signals)
        if unknown:
            raise web.HTTPBadRequest(text=f"{thing.name} has no resource {sorted(unknown)}")
        if thing.silent(self.sim.ctx.clock.now()):
            raise web.HTTPConflict(text=f"{thing.name} is silent")
        self.cloud.override(stack, thing, body["values"])
        return web.json_response({"thing": thing.name, "reported": thing.shadow.reported})

    async def silent(self, request: web.Request) -> web.Response:
        """A silent thing stops reporting (and applying desired states) until it speaks again."""
        _stack, thing = self._thing(request)
        body = await admin_body(request, vol.Schema({vol.Required("silent"): bool}))
        thing.set_silent(body["silent"], self.sim.ctx.clock.now())
        return web.json_response({"thing": thing.name, "silent": body["silent"]})

    async def add_thing(self, request: web.Request) -> web.Response:
        """A thing joins a domain (the scenario's thing schema; `stack` picks the stack when
        two have the domain); a THING.CREATE event goes out."""
        raw = await admin_body(request)
        domain = request.match_info["domain"]
        stacks = [
            s
            for s in self.cloud.stacks.values()
            if domain in s.domains and raw.get("stack", s.name) == s.name
        ]
        if len(stacks) != 1 or stacks[0].domains[domain].parent is None:
            raise web.HTTPNotFound(text="no such domain (below root), or name its stack")
        stack = stacks[0]
        try:
            spec = THING_SCHEMA({k: v for k, v in raw.items() if k != "stack"} | {"domain": domain})
        except vol.Invalid as err:
            raise web.HTTPBadRequest(text=f"invalid thing: {err}") from None
        if self.cloud.find_thing(spec["name"]) is not None:
            raise web.HTTPConflict(text="a thing with that name exists")
        thing_type = stack.thing_types.get(spec["thing_type"])
        if thing_type is None or set(spec["resources"]) - set(thing_type.resources):
            raise web.HTTPBadRequest(text="no such thing type, or a resource it does not have")
        thing = self.cloud.add_thing(stack, spec)
        return web.json_response({"thingName": thing.name, "stack": stack.name}, status=201)

    async def remove_thing(self, request: web.Request) -> web.Response:
        """The thing is deleted; a THING.DELETE event goes out."""
        stack, thing = self._thing(request)
        self.cloud.remove_thing(stack, thing)
        return web.json_response({"thingName": thing.name, "removed": True})

    async def malformed(self, request: web.Request) -> web.Response:
        """Serve this thing's rows (allThings, thing detail, things/find, GET) broken in
        `shape`, `count` times or until cleared."""
        schema = vol.Schema(
            {vol.Required("shape"): vol.In(REST_SHAPES), vol.Optional("count"): _COUNT}
        )
        _stack, thing = self._thing(request)
        body = await admin_body(request, schema)
        self.sim.faults.by_item[thing.name] = MalformedFault(body["shape"], body.get("count"))
        return web.json_response({"thing": thing.name, **body})

    async def wellformed(self, request: web.Request) -> web.Response:
        _stack, thing = self._thing(request)
        removed = self.sim.faults.by_item.pop(thing.name, None)
        return web.json_response({"cleared": removed is not None})

    async def mqtt(self, _request: web.Request) -> web.Response:
        return web.json_response(self.sim.mqtt_json())

    async def mqtt_malformed(self, request: web.Request) -> web.Response:
        """The next `frames` thing-update messages are malformed in `shape`."""
        schema = vol.Schema(
            {
                vol.Required("frames"): vol.All(int, vol.Range(min=0)),
                vol.Optional("shape", default="garbage"): vol.In(MQTT_SHAPES),
            }
        )
        body = await admin_body(request, schema)
        self.sim.mqtt_faults.shape = body["shape"]
        self.sim.ctx.push.corrupt_next(body["frames"])
        return web.json_response(body)

    async def expire_credentials(self, request: web.Request) -> web.Response:
        """AWS credentials (of one account, or all) expire now; their connections close."""
        body = await admin_body(request, vol.Schema({vol.Optional("account"): str}))
        account = body.get("account")
        if account is not None and self.cloud.user(account) is None:
            raise web.HTTPNotFound(text="no such account")
        expired, closed = await self.sim.gateway.expire(
            None if account is None else account.lower()
        )
        answer: dict[str, Any] = {"expired": expired, "closed": closed}
        return web.json_response(answer)
