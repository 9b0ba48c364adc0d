"""Parsing the shapes the live cloud sends, and refusing what cannot be read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.homely.api import (
    AlarmEvent,
    Device,
    DeviceEvent,
    Home,
    HomelyResponseError,
    Location,
    State,
    parse_event,
)
from custom_components.homely.api.models import parse_time

STAMP = "2022-03-07T10:17:06.109Z"


def test_state_shapes() -> None:
    assert State.from_json({}) == State()
    assert State.from_json({"value": None, "lastUpdated": None}) == State()
    assert State.from_json({"value": 3}) == State(3, None)
    assert State.from_json({"value": True, "lastUpdated": STAMP}).last_updated == datetime(
        2022, 3, 7, 10, 17, 6, 109000, tzinfo=UTC
    )
    with pytest.raises(HomelyResponseError):
        State.from_json([1])
    with pytest.raises(HomelyResponseError):
        parse_time(12)
    with pytest.raises(HomelyResponseError):
        parse_time("yesterday")


def test_newer_than() -> None:
    old = State(1, parse_time(STAMP))
    new = State(2, parse_time("2022-03-07T10:17:07.000Z"))
    assert new.newer_than(old)
    assert not old.newer_than(new)
    assert not old.newer_than(old)
    assert State(3).newer_than(old)  # no time: take it
    assert old.newer_than(None)


def test_home_skips_unreadable_devices_and_empty_features() -> None:
    home = Home.from_json(
        {
            "locationId": "home",
            "name": "Hjem",
            "alarmState": "DISARMED",
            "devices": [
                {
                    "id": "ok",
                    "name": "A",
                    "features": {"setup": None, "alarm": {"states": {"alarm": {}}}},
                },
                {"name": "no id"},
                "junk",
            ],
        }
    )
    assert list(home.devices) == ["ok"]
    assert home.devices["ok"].has("alarm", "alarm")
    assert "setup" not in home.devices["ok"].features
    assert len(home.skipped) == 2
    with pytest.raises(HomelyResponseError):
        Home.from_json({"locationId": "x", "devices": {}})
    with pytest.raises(HomelyResponseError):
        Device.from_json({"id": "x", "features": "x"})


@pytest.mark.parametrize("key", ["data", "payload"])
def test_device_event_full_and_documented_key(key: str) -> None:
    change = {"feature": "alarm", "stateName": "alarm", "value": True, "lastUpdated": STAMP}
    event = parse_event(
        {
            "type": "device-state-changed",
            key: {
                "deviceId": "d",
                "gatewayId": "g",
                "locationId": "room",
                "rootLocationId": "home",
                "partnerCode": 1,
                "change": change,
                "changes": [change],
            },
        }
    )
    assert isinstance(event, DeviceEvent)
    assert (event.device_id, event.home_id, event.room_id) == ("d", "home", "room")
    assert event.changes[0].state.value is True


def test_minimal_device_event_and_singular_change() -> None:
    change = {"feature": "metering", "stateName": "demand", "value": 5}
    event = parse_event(
        {"type": "device-state-changed", "data": {"deviceId": "d", "change": change}}
    )
    assert isinstance(event, DeviceEvent)
    assert event.home_id is None
    assert event.changes[0].state == State(5, None)


def test_alarm_event() -> None:
    event = parse_event(
        {
            "type": "alarm-state-changed",
            "data": {
                "locationId": "home",
                "state": "ARMED_AWAY",
                "timestamp": STAMP,
                "userName": "Kari",
                "userId": "u",
            },
        }
    )
    assert event == AlarmEvent("home", "ARMED_AWAY", parse_time(STAMP), "Kari", "u")


@pytest.mark.parametrize(
    "raw",
    [
        "text",
        {"type": "device-state-changed"},
        {"type": "device-state-changed", "data": {"deviceId": "d", "changes": "broken"}},
        {"type": "device-state-changed", "data": {"deviceId": None, "changes": []}},
        {"type": "device-state-changed", "data": {"deviceId": "d", "changes": ["x"]}},
        {"type": "device-state-changed", "data": {"deviceId": "d", "changes": [{"feature": "a"}]}},
        {"type": "alarm-state-changed", "data": {"state": 7, "timestamp": "yesterday"}},
        {
            "type": "alarm-state-changed",
            "data": {"locationId": "h", "state": "X", "timestamp": "bad"},
        },
    ],
)
def test_malformed_events_raise(raw: Any) -> None:
    with pytest.raises(HomelyResponseError):
        parse_event(raw)


def test_unknown_event_type() -> None:
    assert parse_event({"type": "something-new", "data": {}}) is None


@pytest.mark.parametrize("event_id", ["5f0c6a36-4a3b-4d7e-9a51-0c2f7d3b1e11", 48214])
def test_alarm_event_ids_as_text_or_integer(event_id: str | int) -> None:
    event = parse_event(
        {
            "type": "alarm-state-changed",
            "data": {
                "locationId": "home",
                "state": "ARMED_NIGHT",
                "timestamp": STAMP,
                "userId": "u",
                "userName": "Kari",
                "eventId": event_id,
            },
        }
    )
    assert isinstance(event, AlarmEvent)
    assert event.event_id == str(event_id)
    assert event.by_user
    assert not event.pending


@pytest.mark.parametrize(
    ("data", "pending", "by_user"),
    [
        ({"state": "ARM_NIGHT_PENDING"}, True, False),
        ({"state": "ARMED_AWAY_PENDING"}, True, False),
        ({"state": "BREACH_PENDING"}, True, False),
        ({"state": "BREACHED"}, False, False),
        ({"state": "DISARMED", "eventId": 7}, False, True),
        ({"state": "DISARMED", "userName": {"odd": 1}, "eventId": True}, False, False),
    ],
)
def test_pending_and_final_alarm_states(data: dict[str, Any], pending: bool, by_user: bool) -> None:
    event = parse_event({"type": "alarm-state-changed", "data": {"locationId": "h", **data}})
    assert isinstance(event, AlarmEvent)
    assert (event.pending, event.by_user) == (pending, by_user)


def test_home_alarm_pending_and_locations_with_partner_code() -> None:
    assert Home.from_json({"locationId": "h", "alarmState": "ARM_STAY_PENDING"}).alarm_pending
    assert not Home.from_json({"locationId": "h", "alarmState": "ARMED_STAY"}).alarm_pending
    assert not Home.from_json({"locationId": "h"}).alarm_pending
    location = Location.from_json(
        {"name": "Hjem", "role": "OWNER", "locationId": "h", "userId": "u", "partnerCode": 1}
    )
    assert (location.location_id, location.role) == ("h", "OWNER")
