"""Parsing the shapes the live cloud sends, and refusing what cannot be read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.homely.api import (
    AlarmEvent,
    AlarmMode,
    Device,
    DeviceEvent,
    DeviceKind,
    Home,
    HomelyResponseError,
    Location,
    Reading,
    State,
    alarm_mode,
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
    assert (event.device_id, event.home_id) == ("d", "home")  # the home, not the room
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
    assert (location.location_id, location.name) == ("h", "Hjem")


def device(model: str, **states: dict[str, Any]) -> Device:
    features = {
        feature: {"states": {name: {"value": value} for name, value in values.items()}}
        for feature, values in states.items()
    }
    return Device.from_json({"id": "d", "modelName": model, "features": features})


@pytest.mark.parametrize(
    ("model", "kind", "brand"),
    [
        ("Motion Sensor Mini", DeviceKind.MOTION, None),
        ("Alarm Motion Sensor 2", DeviceKind.MOTION, None),
        ("Alarm Entry Sensor 2", DeviceKind.DOOR, None),
        ("Window Sensor", DeviceKind.WINDOW, None),
        ("Heat Alarm", DeviceKind.HEAT, None),
        ("Intelligent Smoke Alarm", DeviceKind.OTHER, None),
        ("ELKO Super TR", DeviceKind.OTHER, "ELKO"),
        ("Yale Doorman V2N", DeviceKind.DOOR, "Yale"),
        ("", DeviceKind.OTHER, None),
    ],
)
def test_kind_and_brand_from_the_model_name(
    model: str, kind: DeviceKind, brand: str | None
) -> None:
    assert (device(model).kind, device(model).brand) == (kind, brand)


def test_typed_states_in_natural_units() -> None:
    han = device(
        "EMI Norwegian HAN",
        metering={"summationdelivered": 769670, "summationreceived": 0, "demand": 1500},
    )
    assert (han.energy_imported, han.energy_exported, han.power) == (769.67, 0.0, 1500)
    thermostat = device(
        "ELKO Super TR",
        thermostat={"LocalTemperature": 2150, "OccupiedHeatingSetpoint": 2200},
    )
    assert (thermostat.thermostat_temperature, thermostat.heating_setpoint) == (21.5, 22.0)
    assert thermostat.cooling_setpoint is None
    assert not thermostat.reports(Reading.COOLING_SETPOINT)
    odd = device("x", temperature={"temperature": True}, battery={"voltage": "3.0", "low": 0})
    assert (odd.temperature, odd.battery_voltage, odd.battery_low) == (None, None, False)
    assert device("x", temperature={"temperature": float("nan")}).temperature is None
    assert device("x", metering={"summationdelivered": 10**400}).energy_imported is None


@pytest.mark.parametrize(
    ("value", "unlocked"),
    [
        ("locked", False),
        ("Unlocked", True),
        ("not_fully_locked", True),
        (True, False),
        (False, True),
        (3, None),
    ],
)
def test_lock_state_as_a_word_or_a_boolean(value: object, unlocked: bool | None) -> None:
    assert device("Yale Doorman V2N", lock={"state": value}).unlocked is unlocked


def test_state_names_in_the_units_own_spelling() -> None:
    lock = device("Yale Doorman V2N", report={"Broken": True})
    assert lock.reports(Reading.LOCK_BROKEN)
    assert lock.lock_broken is True


@pytest.mark.parametrize(
    ("state", "mode"),
    [
        ("ARMED_STAY", AlarmMode.ARMED_HOME),
        ("ARM_NIGHT_PENDING", AlarmMode.ARMING),
        ("BREACH_PENDING", AlarmMode.PENDING),
        ("armed_night_partial", AlarmMode.ARMED_NIGHT),  # unknown: by its words
        ("SOMETHING", None),
        (None, None),
    ],
)
def test_alarm_modes(state: str | None, mode: AlarmMode | None) -> None:
    assert alarm_mode(state) is mode
