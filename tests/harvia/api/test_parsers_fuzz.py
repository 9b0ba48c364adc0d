"""Any JSON value in any field of a real MyHarvia payload: a result or HarviaResponseError.

Shapes from what the live cloud sends (../shared/notes/cloud-facts.md); every parsed model's
properties are read too, since entities read them while Home Assistant writes states.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given

from custom_components.harvia.api import CabinState, Device, Endpoints, Telemetry
from custom_components.harvia.api.exceptions import HarviaResponseError
from custom_components.harvia.api.models import parse_json_object, parse_timestamp
from custom_components.harvia.api.push import parse_measurement_notice, parse_state_notice
from tests.fuzzing import (
    FUZZ_SETTINGS,
    as_json_text,
    deeply_nested,
    json_values,
    mutated,
    parses_or_raises,
    read_every_property,
)

ENDPOINTS = {
    "endpoints": {
        "RestApi": {
            "generics": {"https": "https://api.example/generics"},
            "device": {"https": "https://api.example/device"},
            "data": {"https": "https://api.example/data"},
        },
        "GraphQL": {
            "device": {"https": "https://x.appsync-api.example/graphql"},
            "data": {"https": "https://y.appsync-api.example/graphql", "wss": "wss://y/graphql"},
        },
        "Config": {"PartnerOrganizationId": "org-1"},
    }
}
DEVICE_ROW = {
    "name": "fenix-1",
    "type": "Fenix",
    "displayName": "Home sauna",
    "attr": [
        {"key": "serialNumber", "value": "2513005304"},
        {"key": "connected", "value": "true"},
        {"key": "stats.totalSessions.C1", "value": 212},
    ],
}
SHADOW = {
    "displayName": "Sauna",
    "activeProfile": "1",
    "profiles": {
        "0": {"name": "Classic", "targetTemp": 80, "duration": 180, "heater": {"on": 1}},
        "1": {"name": "Steam", "targetTemp": 60, "targetHum": 40, "steamer": {"on": 0}},
    },
    "targetTemp": 80,
    "targetHum": 30,
    "heater": {"on": 1, "state": 0},
    "steamer": {"on": 0},
    "light": {"on": True},
    "fan": {"on": False},
    "settings": {"maxOnTime": 360, "maxTemp": 110},
    "remoteAllowed": 1,
    "saunaStatus": 1,
    "timer": {"startTime": 1790000000000, "readyTime": "2026-09-21T16:00:00Z"},
    "remainingTime": 170,
    "timeToTarget": 35,
    "errors": [],
}
LATEST = {
    "data": as_json_text(
        {"temp": 71.5, "hum": 12, "targetTemp": 80, "heaterPower": 10500, "onTime": 20,
         "autoOffTime": 160, "timeToTarget": 9, "doorSafetyState": 1}
    ),
    "timestamp": 1790000000000,
    "type": "SENSOR",
    "subId": "C1",
    "shadowName": "C1",
}  # fmt: skip


def read_cabin_state(reported: Any) -> None:
    state = CabinState.from_shadow("C1", reported, connected=True)
    read_every_property(state)
    for profile in state.profiles:
        read_every_property(profile)


@FUZZ_SETTINGS
@given(mutated(ENDPOINTS))
def test_endpoints_document(document: Any) -> None:
    endpoints = parses_or_raises(lambda: Endpoints.from_document(document), HarviaResponseError)
    if endpoints is not None:
        read_every_property(endpoints)


@FUZZ_SETTINGS
@given(mutated(DEVICE_ROW))
def test_device_rows(row: Any) -> None:
    device = parses_or_raises(lambda: Device.from_api(row), HarviaResponseError)
    if device is not None:
        read_every_property(device)
        device.cabin_ids_from_stats()


@FUZZ_SETTINGS
@given(mutated(SHADOW))
def test_shadows_as_objects_and_as_json_text(shadow: Any) -> None:
    read_cabin_state(shadow)
    read_cabin_state(as_json_text(shadow))


@FUZZ_SETTINGS
@given(mutated(LATEST), mutated({"temp": 71.5, "doorSafetyState": 1, "onTime": 20}))
def test_telemetry_items(item: Any, data: Any) -> None:
    for raw in (item, {**LATEST, "data": as_json_text(data)}):
        telemetry = Telemetry.from_api(raw, "C1")
        if telemetry is not None:
            read_every_property(telemetry)


@FUZZ_SETTINGS
@given(mutated({"devicesStatesUpdateFeed": {"receiver": "fenix-1", "item": {
    "deviceId": "fenix-1", "shadowName": "C1", "desired": None, "reported": as_json_text(SHADOW),
    "timestamp": 1790000000000, "version": 7, "connectionState": {"connected": True}}}}))  # fmt: skip
def test_state_notices(notice: Any) -> None:
    update = parse_state_notice(notice)
    if update is not None:
        read_every_property(update.cabin)


@FUZZ_SETTINGS
@given(mutated({"devicesMeasurementsUpdateFeed": {"receiver": "fenix-1", "item": {
    "deviceId": "fenix-1", "subId": "C1", "timestamp": 1790000000000, "sessionId": "s",
    "type": "SENSOR", "data": LATEST["data"]}}}))  # fmt: skip
def test_measurement_notices(notice: Any) -> None:
    update = parse_measurement_notice(notice)
    if update is not None:
        read_every_property(update.telemetry)


@FUZZ_SETTINGS
@given(json_values)
def test_timestamps_and_json_text(value: Any) -> None:
    stamp = parse_timestamp(value)
    assert stamp is None or stamp.tzinfo is not None  # never a naive time
    parse_json_object(value)
    parse_json_object(as_json_text(value))


def test_json_text_nested_deeper_than_the_recursion_limit() -> None:
    assert parse_json_object(deeply_nested()) is None
    read_cabin_state(deeply_nested())
    assert parse_state_notice({"devicesStatesUpdateFeed": {"item": {
        "deviceId": "d", "reported": '{"a": ' + deeply_nested() + "}"}}}) is None  # fmt: skip
