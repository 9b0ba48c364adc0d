"""The user's things and their resource values: polls merged with MQTT shadow updates.

Pure, no I/O, so that the rules (a fresher push wins over an older poll, an out-of-order
shadow version is ignored, a thing left out of a poll goes unless the poll skipped rows) are
unit-tested without Home Assistant's loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .api import Shadow, Thing, ThingDetails, ThingType

type PushKey = tuple[str, str | None]  # (thing name, resource name or None: the thing itself)


def resource_key(thing_name: str, resource: str | None) -> PushKey:
    """What a shadow update announces, so that only the entities it concerns write their
    state: one resource of a thing, or (None) the thing's last report."""
    return (thing_name, resource)


@dataclass(frozen=True, slots=True)
class ResourceValue:
    """A resource's latest reported value (raw JSON; the resource's kind reads it)."""

    value: object
    at: datetime | None  # when the thing reported it (the cloud's time stamp)
    received: float  # monotonic time we learned it, to tell a poll from a later push


@dataclass(slots=True)
class ThingState:
    thing: Thing
    domain_topic: str | None = None
    values: dict[str, ResourceValue] = field(default_factory=dict)
    desired: dict[str, object] = field(default_factory=dict)  # written, not yet reported
    version: int | None = None  # the shadow's version we hold
    last_heard: datetime | None = None
    readable: bool = True  # the last poll could read it (or a push has since)

    def heard(self, at: datetime | None) -> None:
        if at is not None and (self.last_heard is None or at > self.last_heard):
            self.last_heard = at


@dataclass(frozen=True, slots=True)
class Applied:
    """What one shadow update changed: the resources whose value (or pending write) changed,
    and whether the thing's last report moved on."""

    resources: frozenset[str]
    heard: bool


NOTHING = Applied(frozenset(), heard=False)
_ABSENT = object()


@dataclass(slots=True)
class MicData:
    things: dict[str, ThingState] = field(default_factory=dict)
    thing_types: dict[str, ThingType] = field(default_factory=dict)

    def value(self, thing_name: str, resource: str) -> ResourceValue | None:
        state = self.things.get(thing_name)
        return None if state is None else state.values.get(resource)

    def thing_type(self, thing_name: str) -> ThingType | None:
        state = self.things.get(thing_name)
        if state is None or state.thing.thing_type is None:
            return None
        return self.thing_types.get(state.thing.thing_type)

    def push_keys(self, thing_name: str) -> set[PushKey]:
        """Every key of a thing's entities: all of them write their state."""
        thing_type = self.thing_type(thing_name)
        resources = [resource.name for resource in thing_type.resources] if thing_type else []
        return {resource_key(thing_name, name) for name in [*resources, None]}

    def domain_topics(self) -> set[str]:
        return {state.domain_topic for state in self.things.values() if state.domain_topic}

    def missing_details(self, things: Iterable[Thing]) -> list[str]:
        """The listed things whose full shadow (and MQTT topic) we do not hold yet."""
        return [
            thing.name
            for thing in things
            if (state := self.things.get(thing.name)) is None or state.domain_topic is None
        ]

    # --- polling -----------------------------------------------------------------------------
    def merge_poll(
        self,
        things: Iterable[Thing],
        details: Mapping[str, ThingDetails],
        *,
        started: float,
        received: float,
        keep_missing: bool = False,
    ) -> None:
        """Take a poll's things (and the full shadows of `details`) that began at `started`
        (monotonic): a value a push brought after that stays. Things the poll did not list go,
        unless it skipped unreadable rows (`keep_missing`), which may have been them: those stay,
        unreadable, until a poll or a push reads them again."""
        listed: set[str] = set()
        for thing in things:
            listed.add(thing.name)
            self._take(thing, details.get(thing.name), started=started, received=received)
        for gone in self.things.keys() - listed:
            if keep_missing:
                self.things[gone].readable = False
            else:
                del self.things[gone]

    def apply_details(self, detail: ThingDetails, *, started: float, received: float) -> None:
        """One known thing's full shadow, read back on its own (the others stay as they are)."""
        if detail.thing.name in self.things:
            self._take(detail.thing, detail, started=started, received=received)

    def _take(
        self, thing: Thing, detail: ThingDetails | None, *, started: float, received: float
    ) -> None:
        state = self.things.get(thing.name)
        if state is None:
            state = self.things[thing.name] = ThingState(thing)
        state.thing = thing
        state.readable = True
        state.heard(thing.last_heard_from)
        if detail is not None:
            state.domain_topic = detail.domain_topic or state.domain_topic
            if detail.shadow is not None:
                _merge_shadow(state, detail.shadow, started=started, received=received, full=True)
                return
        for name, value in thing.reported.items():
            _merge_value(state, name, ResourceValue(value, None, received), started)

    # --- push --------------------------------------------------------------------------------
    def apply_shadow(
        self, thing_name: str, domain_topic: str, shadow: Shadow, *, received: float, now: datetime
    ) -> Applied | None:
        """Apply one thing-update message; returns what changed, or None when the thing is not
        known yet (a poll must list it first)."""
        state = self.things.get(thing_name)
        if state is None:
            return None
        state.domain_topic = state.domain_topic or domain_topic
        if not shadow.reported:
            return NOTHING  # a desired write (ours or another client's) echoed back
        if (
            shadow.version is not None
            and state.version is not None
            and shadow.version <= state.version
        ):
            return NOTHING  # delivered out of order: we hold a newer state
        values = {name: value.value for name, value in state.values.items()}
        pending, heard, was_readable = set(state.desired), state.last_heard, state.readable
        _merge_shadow(state, shadow, started=received, received=received, default_at=now)
        state.readable = True
        if not was_readable:  # back: every entity of the thing
            return Applied(frozenset(state.values) | pending, heard=True)
        changed = {
            name for name, value in state.values.items() if values.get(name, _ABSENT) != value.value
        }
        return Applied(
            frozenset(changed | (pending - set(state.desired))), state.last_heard != heard
        )


def _merge_shadow(
    state: ThingState,
    shadow: Shadow,
    *,
    started: float,
    received: float,
    default_at: datetime | None = None,
    full: bool = False,
) -> None:
    """`full`: the whole shadow (its delta is all that is pending), not one update."""
    for name, value in shadow.reported.items():
        # Only the cloud's own time stamps order values: ours (`default_at`, the arrival of a
        # message without one) may be ahead of the cloud's clock and would hold back its next.
        at = shadow.reported_at.get(name) or shadow.timestamp
        _merge_value(state, name, ResourceValue(value, at, received), started)
        state.heard(at or default_at)
    if shadow.version is not None and (state.version is None or shadow.version > state.version):
        state.version = shadow.version
    if full:
        state.desired = dict(shadow.delta)
    for name, value in shadow.reported.items():
        if name in state.desired and state.desired[name] == value:
            del state.desired[name]


def _merge_value(state: ThingState, name: str, value: ResourceValue, started: float) -> None:
    known = state.values.get(name)
    if known is not None and known.received > started:
        return  # a push after the poll began is fresher than the poll's value
    if known is not None and known.at is not None and value.at is not None and value.at < known.at:
        return  # an older report than the one we hold
    state.values[name] = value
