"""The pure merge of polls and MQTT pushes (custom_components/cayenne/data.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.cayenne.api import DataMessage, Position, Reading, Rule, Thing
from custom_components.cayenne.data import CayenneData, PollPlan, flatten

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def thing(thing_id: str = "pi", last_online: datetime | None = NOW, **extra: object) -> Thing:
    return Thing.from_json(
        {
            "id": thing_id,
            "name": thing_id.upper(),
            "last_online": last_online.timestamp() if last_online else None,
            "children": [
                {"id": f"{thing_id}-1", "properties": {"channel": "1"}, "data_type": "temp"},
                {"id": f"{thing_id}-2", "properties": {"channel": "2"}, "data_type": "relay"},
            ],
            **extra,
        }
    )


def polled(things: dict[str, Thing], value: float = 20.0, at: datetime = NOW) -> CayenneData:
    data = CayenneData()
    plan = data.plan_poll(things, at, HOUR)
    readings = {key: Reading(value, at) for key in plan.channels}
    return data.merge_poll(things, plan, readings, set(), [], started=1.0, now=at)


def test_flatten_lists_a_child_thing_once() -> None:
    node = {"id": "node", "parent_id": "gw", "children": []}
    gateway = Thing.from_json({"id": "gw", "children": [node]})
    assert list(flatten([gateway, Thing.from_json(node)])) == ["gw", "node"]


def test_first_poll_reads_every_channel_then_only_what_the_thing_reported_since() -> None:
    things = {"pi": thing()}
    data = polled(things)
    assert data.value("pi", "1") is not None
    assert data.plan_poll(things, NOW + timedelta(minutes=1), HOUR) == PollPlan([], set())
    later = {"pi": thing(last_online=NOW + timedelta(minutes=1))}
    plan = data.plan_poll(later, NOW + timedelta(minutes=1), HOUR)
    assert plan == PollPlan([("pi", "1"), ("pi", "2")], set())
    assert data.plan_poll(things, NOW + HOUR, HOUR).full == {"pi"}


def test_a_push_newer_than_the_last_report_spares_the_read() -> None:
    things = {"pi": thing()}
    data = polled(things)
    soon = NOW + timedelta(seconds=30)
    changed, unknown = data.apply_messages(
        [DataMessage("pi", "1", 21.0), DataMessage("pi", "2", 1.0)], received=2.0, now=soon
    )
    assert (changed, unknown) == ({"pi"}, False)
    reported = {"pi": thing(last_online=soon)}
    assert data.plan_poll(reported, soon, HOUR).channels == []


def test_a_push_during_the_poll_wins_over_the_poll() -> None:
    things = {"pi": thing()}
    data = polled(things)
    plan = data.plan_poll(things, NOW + HOUR, HOUR)
    data.apply_messages([DataMessage("pi", "1", 25.0)], received=5.0, now=NOW)
    merged = data.merge_poll(
        things,
        plan,
        {key: Reading(19.0, NOW) for key in plan.channels},
        set(),
        None,
        started=4.0,
        now=NOW + HOUR,
    )
    assert merged.value("pi", "1").value == 25.0
    assert merged.value("pi", "2").value == 19.0


def test_unknown_things_and_channels_ask_for_a_poll() -> None:
    data = polled({"pi": thing()})
    assert data.apply_messages([DataMessage("new", "1", 1.0)], received=2.0, now=NOW) == (
        set(),
        True,
    )
    assert data.apply_messages([DataMessage("pi", "9", 1.0)], received=2.0, now=NOW) == (
        set(),
        True,
    )


def test_unreadable_things_keep_their_values_and_are_read_in_full_next_time() -> None:
    things = {"pi": thing(), "lora": thing("lora")}
    data = polled(things)
    later = NOW + timedelta(minutes=1)
    moved = {k: thing(k, last_online=later) for k in things}
    plan = data.plan_poll(moved, later, HOUR)
    readings = {key: Reading(30.0, later) for key in plan.channels if key[0] == "lora"}
    merged = data.merge_poll(moved, plan, readings, {"pi"}, None, started=3.0, now=later)
    assert not merged.things["pi"].readable
    assert merged.value("pi", "1").value == 20.0
    assert merged.value("lora", "1").value == 30.0
    assert merged.plan_poll(moved, later, HOUR).full == {"pi"}


def test_a_channel_without_a_value_becomes_unknown_and_removed_channels_go() -> None:
    things = {"pi": thing()}
    data = polled(things)
    plan = data.plan_poll(things, NOW + HOUR, HOUR)
    one_channel = Thing.from_json(
        {"id": "pi", "children": [{"id": "c", "properties": {"channel": "1"}}]}
    )
    merged = data.merge_poll(
        {"pi": one_channel}, plan, {("pi", "1"): None}, set(), None, started=2.0, now=NOW
    )
    assert merged.value("pi", "1").value is None
    assert merged.value("pi", "2") is None


def test_positions_and_rules() -> None:
    things = {"pi": thing()}
    data = polled(things)
    spot = Position(59.9, 10.7, 12.0)
    data.apply_messages([DataMessage("pi", "1", None, position=spot)], received=2.0, now=NOW)
    assert data.value("pi", "1").position == spot
    rules = [Rule("r1", "Fan", True)]
    merged = data.merge_poll(things, PollPlan([], set()), {}, set(), rules, started=3, now=NOW)
    assert merged.rules == {"r1": rules[0]}
    kept = merged.merge_poll(things, PollPlan([], set()), {}, set(), None, started=4, now=NOW)
    assert kept.rules == merged.rules
