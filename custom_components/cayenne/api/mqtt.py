"""The Cayenne MQTT topic tree and payloads: pure parsing and formatting, no I/O.

Topics: `v1/{username}/things/{clientId}/data/{channel}` (`type,unit=value` or a bare value),
`.../data/json` (a JSON array of {channel, value, type, unit}), `.../cmd/{channel}` (`seq,value`)
and `.../response` (`ok,seq` or `error,seq=message`). The document's own example publishes an
actuator's state on `.../digital/{channel}` (and `.../analog/{channel}`); those read as data.
Every parse function returns a typed result or None for malformed input and raises nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import json
import math
from typing import Any

from .models import (
    MAX_JSON_DEPTH,
    DataType,
    Position,
    TypedValue,
    as_float,
    as_text,
    nested_within,
)

TOPIC_VERSION = "v1"
MAX_PAYLOAD_BYTES = 64 * 1024  # a thing's message is a few bytes; a bigger one is garbage
MAX_JSON_ITEMS = 256
JSON_CHANNEL = "json"
DEFAULT_MQTT_HOST = "mqtt.mydevices.com"
DEFAULT_MQTT_PORT = 1883
DEFAULT_MQTT_TLS_PORT = 8883


class TopicKind(StrEnum):
    DATA = "data"
    JSON = "json"  # data/json
    DIGITAL = "digital"  # actuator state, as the document's example publishes it
    ANALOG = "analog"
    COMMAND = "cmd"
    RESPONSE = "response"


@dataclass(frozen=True, slots=True)
class Topic:
    username: str
    client_id: str
    kind: TopicKind
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class DataMessage(TypedValue):
    """One channel's value from a thing."""

    client_id: str
    channel: str
    value: float | None  # None for a position
    raw_type: str | None = None
    raw_unit: str | None = None
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """`seq,value` on `cmd/{channel}`."""

    seq: str
    value: str

    @property
    def number(self) -> float | None:
        return as_float(self.value)


@dataclass(frozen=True, slots=True)
class Response:
    """`ok,seq` or `error,seq=message` on `response`."""

    seq: str
    ok: bool
    message: str | None = None


def _segment(value: str) -> bool:
    """A topic level that names one thing (no wildcard, no separator, not empty)."""
    return bool(value) and not any(char in value for char in "+#/\x00")


def data_topic(username: str, client_id: str, channel: str | int) -> str:
    return f"{TOPIC_VERSION}/{username}/things/{client_id}/data/{channel}"


def json_topic(username: str, client_id: str) -> str:
    return data_topic(username, client_id, JSON_CHANNEL)


def command_topic(username: str, client_id: str, channel: str | int) -> str:
    return f"{TOPIC_VERSION}/{username}/things/{client_id}/cmd/{channel}"


def response_topic(username: str, client_id: str) -> str:
    return f"{TOPIC_VERSION}/{username}/things/{client_id}/response"


def data_subscription(username: str, client_id: str = "+") -> str:
    """The filter for every data topic of one thing (or, with "+", of all things)."""
    return f"{TOPIC_VERSION}/{username}/things/{client_id}/data/#"


def parse_topic(topic: Any) -> Topic | None:
    """The parts of a topic of the tree; None for any other topic."""
    parts = topic.split("/") if isinstance(topic, str) and len(topic) <= 1024 else []
    if len(parts) < 5 or parts[0] != TOPIC_VERSION or parts[2] != "things":
        return None
    username, client_id, kind_text, rest = parts[1], parts[3], parts[4], parts[5:]
    if not (_segment(username) and _segment(client_id)):
        return None
    if kind_text == TopicKind.RESPONSE:
        return None if rest else Topic(username, client_id, TopicKind.RESPONSE)
    channel = rest[0] if len(rest) == 1 and _segment(rest[0]) else None
    kind: TopicKind | None = None
    if channel is not None and kind_text == TopicKind.DATA:
        kind = TopicKind.JSON if channel == JSON_CHANNEL else TopicKind.DATA
    elif channel is not None and kind_text in (
        TopicKind.COMMAND,
        TopicKind.DIGITAL,
        TopicKind.ANALOG,
    ):
        kind = TopicKind(kind_text)
    if kind is None:
        return None
    return Topic(username, client_id, kind, None if kind is TopicKind.JSON else channel)


def _text(payload: Any) -> str | None:
    if isinstance(payload, bytes | bytearray | memoryview):
        if len(payload) > MAX_PAYLOAD_BYTES:
            return None
        try:
            return bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(payload, str) and len(payload) <= MAX_PAYLOAD_BYTES:
        return payload
    return None


def _value(text: str) -> float | None:
    """A payload's number: `20.7`, `1`, `true`/`false`/`on`/`off` for digital states."""
    lowered = text.strip().lower()
    if lowered in ("true", "on"):
        return 1.0
    if lowered in ("false", "off"):
        return 0.0
    return as_float(lowered) if lowered else None


def parse_data_payload(
    payload: Any, client_id: str, channel: str, default_type: str | None = None
) -> DataMessage | None:
    """`type,unit=value`, `type=value` or a bare value."""
    text = _text(payload)
    if text is None:
        return None
    raw_type: str | None = default_type
    raw_unit: str | None = None
    head, separator, tail = text.partition("=")
    if separator:
        kind, _comma, unit = head.partition(",")
        raw_type = kind.strip() or None
        raw_unit = unit.strip() or None
        text = tail
    value = _value(text)
    if value is None:
        return None
    return DataMessage(client_id, channel, value, raw_type, raw_unit)


def parse_json_payload(payload: Any, client_id: str) -> list[DataMessage] | None:
    """`data/json`: an array of {channel, value, type, unit} (or one such object); entries
    that cannot be read are skipped; None when none can."""
    text = _text(payload)
    if text is None:
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not nested_within(document, MAX_JSON_DEPTH):
        return None
    entries = [document] if isinstance(document, dict) else document
    if not isinstance(entries, list):
        return None
    messages: list[DataMessage] = []
    for entry in entries[:MAX_JSON_ITEMS]:
        if not isinstance(entry, dict):
            continue
        channel = as_text(entry.get("channel"))
        raw = entry.get("value")
        value = _value(raw) if isinstance(raw, str) else as_float(raw)
        if isinstance(raw, bool):
            value = 1.0 if raw else 0.0
        position = Position.parse(raw) if isinstance(raw, dict | list) else None
        if channel is None or not _segment(channel) or (value is None and position is None):
            continue
        raw_type = entry.get("type")
        raw_unit = entry.get("unit")
        messages.append(
            DataMessage(
                client_id,
                channel,
                value,
                raw_type.strip() or None if isinstance(raw_type, str) else None,
                raw_unit.strip() or None if isinstance(raw_unit, str) else None,
                position,
            )
        )
    return messages or None


def parse_command(payload: Any) -> Command | None:
    """`seq,value`."""
    text = _text(payload)
    if text is None:
        return None
    seq, separator, value = text.partition(",")
    seq, value = seq.strip(), value.strip()
    if not separator or not seq or not value:
        return None
    return Command(seq, value)


def parse_response(payload: Any) -> Response | None:
    """`ok,seq` or `error,seq=message`."""
    text = _text(payload)
    if text is None:
        return None
    status, separator, rest = text.partition(",")
    status = status.strip().lower()
    if not separator:
        return None
    if status == "ok":
        seq = rest.strip()
        return Response(seq, ok=True) if seq else None
    if status == "error":
        seq, _equals, message = rest.partition("=")
        seq = seq.strip()
        return Response(seq, ok=False, message=message.strip() or None) if seq else None
    return None


type Message = list[DataMessage] | Command | Response


def parse_message(topic: Any, payload: Any) -> tuple[Topic, Message] | None:
    """Any message of the tree: data (as a list, one entry unless `data/json`), a command or
    a response; None for a topic outside the tree or a malformed payload."""
    parsed = parse_topic(topic)
    if parsed is None:
        return None
    message: Message | None
    match parsed.kind:
        case TopicKind.JSON:
            message = parse_json_payload(payload, parsed.client_id)
        case TopicKind.DATA | TopicKind.DIGITAL | TopicKind.ANALOG:
            assert parsed.channel is not None
            default = {
                TopicKind.DIGITAL: DataType.DIGITAL_ACTUATOR.value,
                TopicKind.ANALOG: DataType.ANALOG_ACTUATOR.value,
            }.get(parsed.kind)
            single = parse_data_payload(payload, parsed.client_id, parsed.channel, default)
            message = [single] if single is not None else None
        case TopicKind.COMMAND:
            message = parse_command(payload)
        case TopicKind.RESPONSE:
            message = parse_response(payload)
    return None if message is None else (parsed, message)


def _number(value: float | int | bool | str) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def format_data(
    value: float | int | bool, data_type: str | None = None, unit: str | None = None
) -> str:
    """`type,unit=value` (`type=value` without a unit, the bare value without a type)."""
    number = _number(value)
    if data_type is None:
        return number
    return f"{data_type},{unit}={number}" if unit else f"{data_type}={number}"


def _position_json(position: Position) -> dict[str, float]:
    coordinates = {"lat": position.latitude, "lng": position.longitude}
    return coordinates if position.altitude is None else {**coordinates, "alt": position.altitude}


def format_json(messages: list[DataMessage]) -> str:
    return json.dumps(
        [
            {
                "channel": m.channel,
                "value": _position_json(m.position) if m.position else m.value,
                **({"type": m.raw_type} if m.raw_type else {}),
                **({"unit": m.raw_unit} if m.raw_unit else {}),
            }
            for m in messages
        ]
    )


def format_command(seq: str | int, value: float | int | bool | str) -> str:
    return f"{seq},{_number(value)}"


def format_response(seq: str | int, error: str | None = None) -> str:
    return f"ok,{seq}" if error is None else f"error,{seq}={error}"
