"""The simulated MIC installations: stacks built from the scenario, things reporting on the
simulated clock, desired states from MQTT, and the life-cycle events of things coming and going.

What the cloud sends on MQTT leaves through `publish` (the simulator wires it to the stack's
broker); what clients publish comes in through `desired_published`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import json
import logging
from typing import Any

from simulators.core import SimContext

from .model import Dialect, Domain, Resource, Stack, ThingType, User, stable_uuid
from .scenario import ROOT_DOMAIN, expand_fleet
from .signals import Signal, Value, default_value, format_position
from .things import Thing
from .topics import event_topic, parse_thing_update_topic, thing_update_topic

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    """Something the cloud publishes on a stack's broker."""

    stack: Stack
    topic: str
    document: dict[str, Any]
    thing_update: bool  # a thing's report (push faults may break it); else a life-cycle event


class MicCloud:
    def __init__(self, ctx: SimContext, data: dict[str, Any]) -> None:
        self.ctx = ctx
        self.data = data
        self.publish: Callable[[Message], None] = lambda _message: None
        self.stacks: dict[str, Stack] = {}
        now = ctx.clock.now()
        history_from = now - data["history_hours"] * 3600
        for spec in data["stacks"]:
            stack = _build_stack(spec)
            self.stacks[stack.name] = stack
            for thing_spec in [*spec["things"], *expand_fleet(spec.get("fleet"))]:
                thing = self._build_thing(stack, thing_spec, history_from)
                stack.things[thing.name] = thing
                self._first_report(thing, now)

    # --- look-ups ---------------------------------------------------------------------------------
    def stack_for_host(self, hostname: str) -> Stack | None:
        wanted = hostname.strip().rstrip(".").lower()
        return next(
            (s for s in self.stacks.values() if wanted in (h.lower() for h in s.hostnames)), None
        )

    def user(self, username: str) -> User | None:
        for stack in self.stacks.values():
            user = stack.users.get(username.lower())
            if user is not None:
                return user
        return None

    def users(self) -> list[User]:
        return [u for s in self.stacks.values() for u in s.users.values()]

    def identity(self, identity_id: str) -> User | None:
        return next((u for u in self.users() if u.identity_id == identity_id), None)

    def find_thing(self, name: str) -> tuple[Stack, Thing] | None:
        for stack in self.stacks.values():
            thing = stack.things.get(name)
            if thing is not None:
                return stack, thing
        return None

    # --- things -----------------------------------------------------------------------------------
    def _build_thing(self, stack: Stack, spec: dict[str, Any], history_from: float) -> Thing:
        thing_type = stack.thing_types[spec["thing_type"]]
        name = spec["name"]
        signals = {
            res.name: _signal(res, f"{name}/{res.name}", spec["resources"].get(res.name, {}))
            for res in thing_type.resources.values()
        }
        for signal in signals.values():
            signal.started = history_from
        silent_after = spec.get("silent_after_s")
        now = self.ctx.clock.now()
        return Thing(
            name=name,
            label=spec.get("label", name),
            domain=stack.domains[spec["domain"]],
            thing_type=thing_type,
            report_every_s=spec["report_every_s"],
            phase_s=spec["phase_s"] % spec["report_every_s"],
            signals=signals,
            history_from=history_from,
            silent_since=None if silent_after is None else now + silent_after,
        )

    def _first_report(self, thing: Thing, now: float) -> None:
        """A scenario thing has been reporting all along: its shadow's version counts the
        reports of its history, and its settable values were set when that history began."""
        thing.last_cycle = thing.cycle(now)
        at = thing.cycle_time(thing.last_cycle)
        earlier = thing.cycle(thing.history_from)
        thing.report(thing.values_at(at), at)
        thing.shadow.version = max(1, thing.last_cycle - earlier)
        for name, signal in thing.signals.items():
            if signal.resource.settable:
                thing.shadow.reported_at[name] = int(thing.history_from)

    def add_thing(self, stack: Stack, spec: dict[str, Any]) -> Thing:
        """A thing joins the domain now; it reports from its next cycle on."""
        now = self.ctx.clock.now()
        thing = self._build_thing(stack, spec, now)
        thing.last_cycle = thing.cycle(now)
        stack.things[thing.name] = thing
        self._event(stack, thing, "THING.CREATE", "created")
        return thing

    def remove_thing(self, stack: Stack, thing: Thing) -> None:
        stack.things.pop(thing.name, None)
        self._event(stack, thing, "THING.DELETE", "deleted")

    def relabel(self, stack: Stack, thing: Thing, label: str) -> None:
        thing.label = label
        self._event(stack, thing, "THING.UPDATE", "updated")

    def override(self, stack: Stack, thing: Thing, values: dict[str, Value]) -> None:
        """The thing reports these values now (admin)."""
        self._publish_report(stack, thing, thing.override(values, self.ctx.clock.now()))

    # --- time -------------------------------------------------------------------------------------
    def step(self, now: float) -> None:
        for stack in self.stacks.values():
            for thing in list(stack.things.values()):
                reported = thing.report_cycle(now)
                if reported:
                    self._publish_report(stack, thing, reported)
                applied = thing.apply_desired(now)
                if applied:
                    self._publish_report(stack, thing, applied)

    # --- MQTT -------------------------------------------------------------------------------------
    def desired_published(self, stack: Stack, topic: str, payload: bytes) -> None:
        """A client published on a thing-update topic: a desired state goes to the shadow;
        anything else (a reported state, not JSON) the shadow service ignores."""
        parsed = parse_thing_update_topic(topic)
        thing = stack.things.get(parsed[1]) if parsed else None
        if parsed is None or thing is None or thing.domain.topic != parsed[0]:
            return
        try:
            document = json.loads(payload)
        except ValueError:
            return
        state = document.get("state") if isinstance(document, dict) else None
        if not isinstance(state, dict) or "desired" not in state:
            return
        desired = state["desired"]
        if desired is not None and not isinstance(desired, dict):
            return
        thing.shadow.desire(desired, self.ctx.clock.now())
        thing.pending = True

    def _publish_report(self, stack: Stack, thing: Thing, values: dict[str, Value]) -> None:
        shadow = thing.shadow
        at = thing.last_heard or self.ctx.clock.now()
        document: dict[str, Any] = {"state": {"reported": values}}
        if stack.dialect.thing_update == "full":
            document["metadata"] = {"reported": {k: {"timestamp": int(at)} for k in values}}
            document["version"] = shadow.version
        document["timestamp"] = int(at)
        topic = thing_update_topic(thing.domain.topic, thing.name)
        self.publish(Message(stack, topic, document, thing_update=True))

    def _event(self, stack: Stack, thing: Thing, kind: str, verb: str) -> None:
        document = {
            "timestamp": round(self.ctx.clock.now() * 1000),
            "message": f"Thing with name: {thing.name} and label: {thing.label} {verb}",
            "classification": "INTERNAL",
            "type": kind,
            "source": {
                "thingName": thing.name,
                "thingType": thing.thing_type.type_id,
                "domain": thing.domain.name,
            },
        }
        self.publish(Message(stack, event_topic(thing.domain), document, thing_update=False))


def _build_stack(spec: dict[str, Any]) -> Stack:
    stack = Stack(
        name=spec["name"],
        hostnames=tuple(spec["hostnames"]),
        region=spec["region"],
        api_key=spec["api_key"],
        user_pool=spec["user_pool"],
        identity_pool=spec["identity_pool"],
        iot_endpoint=spec["iot_endpoint"],
        dialect=Dialect(**spec["dialect"]),
    )
    stack.domains[ROOT_DOMAIN] = stack.root
    for domain in spec["domains"]:
        parent = stack.domains[domain.get("parent", ROOT_DOMAIN)]
        stack.domains[domain["name"]] = Domain(domain["name"], parent)
    for type_spec in spec["thing_types"]:
        resources = {
            r["name"]: Resource(
                name=r["name"],
                kind=r["type"],
                label=r.get("label"),
                unit=r.get("unit"),
                settable=r["settable"],
                minimum=r.get("min"),
                maximum=r.get("max"),
                step=r.get("step"),
                values=tuple(r.get("values", ())),
            )
            for r in type_spec["resources"]
        }
        stack.thing_types[type_spec["id"]] = ThingType(
            type_id=type_spec["id"],
            label=type_spec["label"],
            description=type_spec["description"],
            domain=stack.domains[type_spec["domain"]],
            resources=resources,
        )
    for user_spec in spec["users"]:
        username = user_spec["username"]
        stack.users[username.lower()] = User(
            username=username,
            password=user_spec["password"],
            role=user_spec["role"],
            domain=stack.domains[user_spec["domain"]],
            first_name=user_spec["first_name"],
            last_name=user_spec["last_name"],
            email=user_spec["email"],
            demo_entry=user_spec["demo_entry"],
            stack=stack,
            identity_id=f"{stack.region}:{stable_uuid(stack.identity_pool, username)}",
            sub=stable_uuid(stack.user_pool, username),
        )
    return stack


def _signal(resource: Resource, key: str, spec: dict[str, Any]) -> Signal:
    behaviour = spec.get("behaviour", "constant")
    base: Value = spec["value"] if "value" in spec else default_value(resource)
    if resource.kind == "position" and "value" not in spec:
        base = format_position(spec.get("lat", 0.0), spec.get("lng", 0.0), spec.get("format", ""))
    if resource.settable:
        behaviour = "constant"  # it holds what it was last set to
    return Signal(
        resource=resource,
        key=key,
        behaviour=behaviour,
        base=base,
        started=0.0,
        amplitude=spec.get("amplitude", 0.0),
        period_s=spec.get("period_s", 86400.0),
        drain_per_day=spec.get("drain_per_day", 0.0),
        decimals=spec.get("decimals", 1),
        lat=spec.get("lat", 0.0),
        lng=spec.get("lng", 0.0),
        radius_m=spec.get("radius_m", 300.0),
        position_format=spec.get("format", "string"),
    )
