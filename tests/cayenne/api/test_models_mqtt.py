"""Data types, units and the MQTT topic tree and payload formats."""

from __future__ import annotations

import pytest

from custom_components.cayenne.api import DataType, Thing, Unit, parse_data_type, parse_unit
from custom_components.cayenne.api.mqtt import (
    Command,
    DataMessage,
    Response,
    TopicKind,
    command_topic,
    data_subscription,
    data_topic,
    format_command,
    format_data,
    format_json,
    format_response,
    json_topic,
    parse_command,
    parse_json_payload,
    parse_message,
    parse_response,
    parse_topic,
    response_topic,
)

NOTES_TYPES = {
    "temp": ["c", "f", "k"], "rel_hum": ["p"], "lum": ["lux"], "bp": ["hpa"], "press": [],
    "batt": ["p", "v"], "voltage": ["v", "mv"], "current": ["a"], "pow": ["w"],
    "energy": ["kwh"], "co2": ["ppm"], "soil_moist": ["p"], "rain_level": ["mm"],
    "wind_speed": ["kmh"], "prox": [], "motion": ["d"], "digital_sensor": ["d"],
    "analog_sensor": [], "counter": [], "rssi": ["dbm"], "snr": ["db"],
    "digital_actuator": [], "analog_actuator": [], "relay": [], "switch": [], "valve": [],
    "motor": [], "lt_switch_act": [], "lt_lum": [], "hvac_temp": [],
}  # fmt: skip


@pytest.mark.parametrize(("raw", "units"), NOTES_TYPES.items())
def test_every_type_and_unit_of_the_notes_is_known(raw: str, units: list[str]) -> None:
    for spelling in (raw, raw.upper(), raw.capitalize(), f" {raw} "):
        assert parse_data_type(spelling).value == raw
    for unit in units:
        assert parse_unit(unit) is not Unit.UNKNOWN
        assert parse_unit(unit.upper()) == Unit(unit)


def test_unknown_types_and_units_are_kept_as_unknown() -> None:
    assert parse_data_type("plasma") is DataType.UNKNOWN
    assert parse_data_type(None) is DataType.UNKNOWN
    assert parse_data_type(7) is DataType.UNKNOWN
    assert parse_unit("furlong") is Unit.UNKNOWN
    assert parse_unit(None) is None
    assert parse_unit("") is None
    assert parse_unit(3) is Unit.UNKNOWN
    assert DataType.RELAY.is_actuator
    assert DataType.RELAY.is_binary
    assert DataType.MOTION.is_binary
    assert not DataType.TEMPERATURE.is_actuator
    assert not DataType.LIGHT_DIMMER.is_binary


def test_child_things_and_channels() -> None:
    thing = Thing.from_json(
        {
            "id": "gw",
            "status": "active",
            "children": [
                {"id": "node", "name": "Node", "parent_id": "gw", "children": [
                    {"id": "c1", "properties": {"channel": 1, "type": "Temp", "unit": "C"}},
                ]},
                {"id": "c5", "channel": "5", "type": "lum", "unit": "lux"},
                {"name": "child thing without id"},
            ],
        }
    )  # fmt: skip
    assert thing.is_active
    assert list(thing.channels) == ["5"]
    assert [t.thing_id for t in thing.all_things()] == ["gw", "node"]
    node = thing.child_things[0]
    assert node.parent_id == "gw"
    channel = node.channel("1")
    assert channel is not None
    assert (channel.data_type, channel.unit, channel.raw_type) == (
        DataType.TEMPERATURE, Unit.CELSIUS, "Temp",
    )  # fmt: skip
    assert thing.skipped_children == 1
    assert not Thing.from_json({"id": "x", "status": "DEACTIVATED"}).is_active


def test_topics_round_trip() -> None:
    assert data_topic("u", "t", 3) == "v1/u/things/t/data/3"
    assert json_topic("u", "t") == "v1/u/things/t/data/json"
    assert command_topic("u", "t", "3") == "v1/u/things/t/cmd/3"
    assert response_topic("u", "t") == "v1/u/things/t/response"
    assert data_subscription("u") == "v1/u/things/+/data/#"
    for topic, kind, channel in [
        ("v1/u/things/t/data/3", TopicKind.DATA, "3"),
        ("v1/u/things/t/data/json", TopicKind.JSON, None),
        ("v1/u/things/t/cmd/3", TopicKind.COMMAND, "3"),
        ("v1/u/things/t/digital/3", TopicKind.DIGITAL, "3"),
        ("v1/u/things/t/analog/4", TopicKind.ANALOG, "4"),
        ("v1/u/things/t/response", TopicKind.RESPONSE, None),
    ]:
        parsed = parse_topic(topic)
        assert parsed is not None
        assert (parsed.username, parsed.client_id, parsed.kind, parsed.channel) == (
            "u", "t", kind, channel,
        )  # fmt: skip
    for bad in ["", "v2/u/things/t/data/3", "v1/u/devices/t/data/3", "v1/u/things/t/data",
                "v1/u/things/t/data/3/x", "v1/u/things/+/data/3", "v1//things/t/data/3",
                "v1/u/things/t/response/1", "v1/u/things/t/sys/model", None, b"v1/u", "x" * 2000]:  # fmt: skip
        assert parse_topic(bad) is None, bad


@pytest.mark.parametrize(
    ("payload", "value", "raw_type", "raw_unit"),
    [
        ("temp,c=20.7", 20.7, "temp", "c"),
        (b"Temp,c=29.3", 29.3, "Temp", "c"),
        ("rel_hum,p=55", 55.0, "rel_hum", "p"),
        ("counter=12", 12.0, "counter", None),
        ("20.7", 20.7, None, None),
        (b"1", 1.0, None, None),
        ("on", 1.0, None, None),
        (" -3.5 ", -3.5, None, None),
    ],
)
def test_data_payloads(
    payload: str | bytes, value: float, raw_type: str | None, raw_unit: str | None
) -> None:
    parsed = parse_message("v1/u/things/t/data/2", payload)
    assert parsed is not None
    _topic, messages = parsed
    assert messages == [DataMessage("t", "2", value, raw_type, raw_unit)]


def test_digital_topic_is_an_actuator_state() -> None:
    parsed = parse_message("v1/u/things/t/digital/3", "1")
    assert parsed is not None
    assert isinstance(parsed[1], list)
    assert parsed[1][0].data_type is DataType.DIGITAL_ACTUATOR


@pytest.mark.parametrize(
    "payload",
    ["", "abc", "temp,c=", "temp,c=hot", "nan", "inf", "1e999", "1,2", b"\xff\xfe", "9" * 400,
     "x" * 70000, None, 12, ["1"]],
)  # fmt: skip
def test_malformed_data_payloads(payload: object) -> None:
    assert parse_message("v1/u/things/t/data/2", payload) is None


def test_json_arrays() -> None:
    payload = (
        '[{"channel": 1, "value": 20.5, "type": "temp", "unit": "c"},'
        ' {"channel": "2", "value": "55", "type": "Rel_Hum", "unit": "p"},'
        ' {"channel": 3, "value": true}, {"channel": 4, "value": NaN},'
        ' {"value": 1}, {"channel": "a/b", "value": 1}, 7]'
    )
    messages = parse_json_payload(payload, "t")
    assert messages == [
        DataMessage("t", "1", 20.5, "temp", "c"),
        DataMessage("t", "2", 55.0, "Rel_Hum", "p"),
        DataMessage("t", "3", 1.0),
    ]
    assert messages[1].data_type is DataType.HUMIDITY
    assert parse_json_payload('{"channel": 1, "value": 2}', "t") == [DataMessage("t", "1", 2.0)]
    assert parse_json_payload(format_json(messages), "t") == messages
    for bad in ["[]", "[1, 2]", "{", '"x"', "[" * 5000 + "]" * 5000, "[" * 40 + "]" * 40, b"\xff"]:
        assert parse_json_payload(bad, "t") is None


def test_commands_and_responses() -> None:
    assert parse_command("abc123,1") == Command("abc123", "1")
    assert parse_command(b"7,0.5") == Command("7", "0.5")
    assert Command("7", "0.5").number == 0.5
    assert Command("7", "x").number is None
    for bad in ["", "7", ",1", "7,", b"\xff", None]:
        assert parse_command(bad) is None
    assert parse_response("ok,abc123") == Response("abc123", ok=True)
    assert parse_response("error,abc123=Relay jammed") == Response("abc123", False, "Relay jammed")
    assert parse_response("ERROR,7") == Response("7", False, None)
    for bad in ["", "ok", "ok,", "error,=x", "maybe,7", None]:
        assert parse_response(bad) is None
    parsed = parse_message("v1/u/things/t/cmd/3", "s1,1")
    assert parsed is not None
    assert parsed[1] == Command("s1", "1")
    parsed = parse_message("v1/u/things/t/response", "ok,s1")
    assert parsed is not None
    assert parsed[1] == Response("s1", ok=True)


def test_formatting() -> None:
    assert format_data(20.7, "temp", "c") == "temp,c=20.7"
    assert format_data(12, "counter") == "counter=12"
    assert format_data(True) == "1"
    assert format_data(3.0, "lum", "lux") == "lum,lux=3"
    assert format_command("s1", 0.5) == "s1,0.5"
    assert format_response("s1") == "ok,s1"
    assert format_response("s1", "jammed") == "error,s1=jammed"
    with pytest.raises(ValueError, match="finite"):
        format_data(float("nan"))
