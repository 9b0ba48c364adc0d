"""The account's things and their values: polls merged with MQTT pushes. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .api import DataMessage, Position, Reading, Rule, Thing

# The cloud stamps `last_online` with its clock and pushes arrive stamped with ours: a value
# counts as older than the thing's last report only beyond this much skew.
CLOCK_SKEW = timedelta(seconds=5)

# Polls land a second or so off their interval: an hourly full read must not slip to the next.
FULL_READ_SLACK = timedelta(minutes=1)

type ChannelKey = tuple[str, str]  # (thing id, channel)


@dataclass(frozen=True, slots=True)
class ChannelValue:
    """A channel's latest value (a position for GPS), and when the thing reported it."""

    value: float | None
    position: Position | None = None
    at: datetime | None = None  # the cloud's time stamp; a push's arrival time
    received: float = 0.0  # monotonic time we learned it, to tell a poll from a later push


@dataclass(slots=True)
class ThingState:
    thing: Thing
    values: dict[str, ChannelValue] = field(default_factory=dict)
    readable: bool = True  # its values could be read at the last poll
    read_in_full: datetime | None = None  # when every channel was last read


@dataclass(frozen=True, slots=True)
class PollPlan:
    """Which channels a poll reads, and which things it reads in full."""

    channels: list[ChannelKey]
    full: set[str]


def flatten(things: Iterable[Thing]) -> dict[str, Thing]:
    """Every active thing and child thing by id; a child listed on its own and under its
    parent once. A removed (DEACTIVATED) child may still be nested under its parent."""
    found: dict[str, Thing] = {}
    for thing in things:
        for each in thing.all_things():
            if each.is_active:
                found.setdefault(each.thing_id, each)
    return found


@dataclass(slots=True)
class CayenneData:
    things: dict[str, ThingState] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)

    def value(self, thing_id: str, channel: str) -> ChannelValue | None:
        state = self.things.get(thing_id)
        return None if state is None else state.values.get(channel)

    # --- polling -----------------------------------------------------------------------------
    def plan_poll(
        self, things: Mapping[str, Thing], now: datetime, full_every: timedelta
    ) -> PollPlan:
        """The channels whose latest value a poll must read: all of a new, unreadable or long
        unread thing; otherwise those the thing reported after the value we have (`last_online`
        is newer), which a healthy MQTT feed leaves none of."""
        channels: list[ChannelKey] = []
        full: set[str] = set()
        for thing_id, thing in things.items():
            state = self.things.get(thing_id)
            if (
                state is None
                or not state.readable
                or state.read_in_full is None
                or now - state.read_in_full >= full_every - FULL_READ_SLACK
            ):
                full.add(thing_id)
                channels += [(thing_id, channel) for channel in thing.channels]
                continue
            for channel in thing.channels:
                known = state.values.get(channel)
                if (
                    known is None
                    or known.at is None
                    or (thing.last_online is not None and thing.last_online > known.at + CLOCK_SKEW)
                ):
                    channels.append((thing_id, channel))
        return PollPlan(channels, full)

    def merge_poll(
        self,
        things: Mapping[str, Thing],
        plan: PollPlan,
        readings: Mapping[ChannelKey, Reading | None],
        unreadable: set[str],
        rules: list[Rule] | None,
        *,
        started: float,
        now: datetime,
        keep_missing: bool = False,
    ) -> CayenneData:
        """The poll's picture; a value pushed while the poll ran is newer and stays. With
        `keep_missing` (the list skipped a thing it could not read) the things the poll lacks
        stay, unreadable, rather than leave."""
        states: dict[str, ThingState] = {}
        if keep_missing:
            states = {
                thing_id: ThingState(old.thing, old.values, False, old.read_in_full)
                for thing_id, old in self.things.items()
                if thing_id not in things
            }
        for thing_id, thing in things.items():
            old = self.things.get(thing_id)
            values = {
                channel: value
                for channel, value in (old.values.items() if old else ())
                if channel in thing.channels
            }
            for channel in thing.channels:
                key = (thing_id, channel)
                if key not in readings:
                    continue
                known = values.get(channel)
                if known is not None and known.received > started:
                    continue
                reading = readings[key]
                values[channel] = (
                    ChannelValue(reading.value, reading.position, reading.timestamp, started)
                    if reading is not None
                    else ChannelValue(None, received=started)
                )
            read_in_full = old.read_in_full if old else None
            if thing_id in plan.full and thing_id not in unreadable:
                read_in_full = now
            states[thing_id] = ThingState(
                thing, values, readable=thing_id not in unreadable, read_in_full=read_in_full
            )
        new_rules = self.rules if rules is None else {rule.rule_id: rule for rule in rules}
        return CayenneData(states, new_rules)

    def apply_reading(
        self, thing_id: str, channel: str, reading: Reading, *, received: float
    ) -> bool:
        """A channel's value read on its own (a command's read-back); whether it applied."""
        state = self.things.get(thing_id)
        if state is None or channel not in state.thing.channels:
            return False
        state.values[channel] = ChannelValue(
            reading.value, reading.position, reading.timestamp, received
        )
        return True

    # --- push ----------------------------------------------------------------------------------
    def apply_messages(
        self, messages: Iterable[DataMessage], *, received: float, now: datetime
    ) -> tuple[set[str], bool]:
        """Apply a thing's MQTT data in place. Returns the things changed and whether a message
        named a thing or channel the last poll did not know (a poll tells what it is)."""
        changed: set[str] = set()
        unknown = False
        for message in messages:
            state = self.things.get(message.client_id)
            if state is None or message.channel not in state.thing.channels:
                unknown = True
                continue
            state.values[message.channel] = ChannelValue(
                message.value, message.position, now, received
            )
            changed.add(message.client_id)
        return changed, unknown
