"""Any JSON value in any field of a real Cayenne payload: a result, None, or the client's error.

Shapes from what the live service sends (../shared/notes/cloud-facts.md); every parsed model's
properties are read too, since entities read them while Home Assistant writes states.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, strategies as st

from custom_components.cayenne.api import MqttCredentials, Thing
from custom_components.cayenne.api.exceptions import CayenneResponseError
from custom_components.cayenne.api.models import parse_history, parse_latest, parse_rules
from custom_components.cayenne.api.mqtt import parse_message
from tests.fuzzing import (
    FUZZ_SETTINGS,
    as_json_text,
    json_values,
    mutated,
    parses_or_raises,
    read_every_property,
)

THING = {
    "id": "11111111-0000-0000-0000-000000000001",
    "name": "Raspberry Pi",
    "device_type_id": "rpi",
    "parent_id": None,
    "hardware_id": "hw-1",
    "properties": {"location": "garage"},
    "active": 1,
    "status": "ACTIVE",
    "last_online": 1790000000,
    "children": [
        {"id": "c-temp", "name": "Temperature", "properties": {"channel": 1}, "data_type": "Temp", "unit": "c"},
        {"id": "c-relay", "properties": {"channel": "3", "data_type": "relay", "unit": "d"}},
        {"id": "node", "name": "LoRa", "children": [{"id": "c-b", "properties": {"channel": 5}, "data_type": "batt", "unit": "v"}]},
    ],
}  # fmt: skip
LATEST = [{"v": 21.5, "ts": "2026-09-21T10:00:00Z", "unit": "c", "device_type": "temp"}]
RULES = [{"id": "r1", "title": "Too hot", "enabled": True}, {"_id": "r2", "enabled": False}]
JSON_DATA = [
    {"channel": 1, "value": 20.5, "type": "temp", "unit": "c"},
    {"channel": "2", "value": 1},
]


def read_thing(thing: Thing) -> None:
    for each in thing.all_things():
        read_every_property(each)
        for channel in each.channels.values():
            read_every_property(channel)


@FUZZ_SETTINGS
@given(mutated(THING))
def test_things(raw: Any) -> None:
    thing = parses_or_raises(lambda: Thing.from_json(raw), CayenneResponseError)
    if thing is not None:
        read_thing(thing)


@FUZZ_SETTINGS
@given(mutated(LATEST), mutated(RULES), mutated({"id": "u", "clear_secret": "s"}))
def test_summaries_rules_and_credentials(latest: Any, rules: Any, credentials: Any) -> None:
    reading = parse_latest(latest)
    if reading is not None:
        read_every_property(reading)
        assert reading.value is None or abs(reading.value) <= 1e15
    for row in parse_history(latest):
        read_every_property(row)
    for rule in parses_or_raises(lambda: parse_rules(rules), CayenneResponseError) or []:
        read_every_property(rule)
    parses_or_raises(lambda: MqttCredentials.from_json(credentials), CayenneResponseError)


@FUZZ_SETTINGS
@given(mutated(JSON_DATA))
def test_json_data_messages(document: Any) -> None:
    parsed = parse_message("v1/u/things/t/data/json", as_json_text(document))
    if parsed is not None:
        assert isinstance(parsed[1], list)
        for message in parsed[1]:
            read_every_property(message)


@FUZZ_SETTINGS
@given(
    st.sampled_from(["data/1", "data/json", "cmd/3", "response", "digital/3"]),
    st.text(max_size=40) | st.binary(max_size=40) | json_values.map(as_json_text),
)
def test_any_payload_on_any_topic(suffix: str, payload: str | bytes) -> None:
    parsed = parse_message(f"v1/u/things/t/{suffix}", payload)
    if parsed is not None:
        topic, message = parsed
        read_every_property(topic)
        for item in message if isinstance(message, list) else [message]:
            read_every_property(item)


@FUZZ_SETTINGS
@given(st.text(max_size=60))
def test_any_topic(topic: str) -> None:
    parse_message(topic, "1")
