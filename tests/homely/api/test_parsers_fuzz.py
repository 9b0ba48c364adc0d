"""Any JSON value in any field of a real Homely payload: a result or HomelyResponseError.

Shapes from the SDK document and the live socket (../shared/notes/cloud-facts.md); every parsed
model's properties are read too, since entities read them while Home Assistant writes states.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given

from custom_components.homely.api import AlarmEvent, DeviceEvent, Home, Location, parse_event
from custom_components.homely.api.exceptions import HomelyResponseError
from custom_components.homely.api.models import parse_time
from tests.fuzzing import FUZZ_SETTINGS, json_values, mutated, parses_or_raises, read_every_property

HOME = {
    "locationId": "182bb447-8fa3-4fab-aa1a-5f01d15d6b59",
    "gatewayserial": "02000001000109FD",
    "name": "Solbakken 12",
    "alarmState": "DISARMED",
    "userRoleAtLocation": "ADMIN",
    "devices": [
        {
            "id": "60566ab4-114b-44f9-b355-b08eae8e2bb8",
            "name": "Gang",
            "serialNumber": "0015BC001A016A18",
            "location": "Floor 1 - Entrance",
            "online": True,
            "modelId": "e806ca73-4be0-4bd2-98cb-71f273b09812",
            "modelName": "Motion Sensor Mini",
            "features": {
                "alarm": {"states": {
                    "alarm": {"value": False, "lastUpdated": "2022-03-07T10:17:06.109Z"},
                    "tamper": {"value": False, "lastUpdated": "2022-03-07T10:17:12.031Z"}}},
                "temperature": {"states": {"temperature": {"value": 20.3, "lastUpdated": None}}},
                "battery": {"states": {"low": {}, "voltage": {"value": 2.9}}},
                "diagnostic": {"states": {"networklinkstrength": {"value": 63}}},
                "lock": {"states": {"state": {"value": True}}},
                "metering": {"states": {"summationdelivered": {"value": 769670}}},
            },
        }
    ],
}  # fmt: skip
LOCATION = {
    "name": "Solbakken 12",
    "role": "ADMIN",
    "userId": "u-1",
    "locationId": "182bb447-8fa3-4fab-aa1a-5f01d15d6b59",
    "gatewayserial": "02000001000109FD",
    "partnerCode": 1,
}
DEVICE_EVENT = {
    "type": "device-state-changed",
    "data": {
        "deviceId": "60566ab4-114b-44f9-b355-b08eae8e2bb8",
        "gatewayId": "g",
        "locationId": "room",
        "rootLocationId": "182bb447-8fa3-4fab-aa1a-5f01d15d6b59",
        "partnerCode": 1,
        "changes": [{"feature": "alarm", "stateName": "alarm", "value": True,
                     "lastUpdated": "2026-03-01T12:00:00.000Z"}],
        "change": {"feature": "alarm", "stateName": "alarm", "value": True,
                   "lastUpdated": "2026-03-01T12:00:00.000Z"},
    },
}  # fmt: skip
ALARM_EVENT = {
    "type": "alarm-state-changed",
    "payload": {
        "locationId": "182bb447-8fa3-4fab-aa1a-5f01d15d6b59",
        "state": "ARMED_NIGHT",
        "timestamp": "2026-03-01T23:00:23.605Z",
        "userId": "u-1",
        "userName": "Kari Nordmann",
        "eventId": 4711,
    },
}


@FUZZ_SETTINGS
@given(mutated(HOME))
def test_homes(raw: Any) -> None:
    home = parses_or_raises(lambda: Home.from_json(raw), HomelyResponseError)
    if home is None:
        return
    read_every_property(home)
    for device in home.devices.values():
        read_every_property(device)
        for feature, states in device.features.items():
            for name in states:
                device.value(feature, name)


@FUZZ_SETTINGS
@given(mutated(LOCATION))
def test_locations(raw: Any) -> None:
    location = parses_or_raises(lambda: Location.from_json(raw), HomelyResponseError)
    if location is not None:
        read_every_property(location)


@FUZZ_SETTINGS
@given(mutated(DEVICE_EVENT) | mutated(ALARM_EVENT))
def test_events(raw: Any) -> None:
    event = parses_or_raises(lambda: parse_event(raw), HomelyResponseError)
    if isinstance(event, AlarmEvent | DeviceEvent):
        read_every_property(event)
    if isinstance(event, AlarmEvent) and event.timestamp is not None:
        assert event.timestamp.tzinfo is not None  # a zone-less stamp is read as UTC


@FUZZ_SETTINGS
@given(json_values)
def test_timestamps(value: Any) -> None:
    stamp = parses_or_raises(lambda: parse_time(value), HomelyResponseError)
    assert stamp is None or stamp.tzinfo is not None  # never a naive time
