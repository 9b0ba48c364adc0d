"""Malformed answers and MQTT messages on demand: the shapes a misbehaving cloud or thing sends.

A per-thing fault breaks that thing's REST answers (its row in `GET /v1.1/things`, its
`GET /v1.1/things/{id}`, its channels' summaries); an MQTT shape says how the next malformed
messages are broken (how many comes from `PushHub.corrupt_next`).
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import math
import random
from typing import Any

# REST: nan (values NaN or "NaN", infinities), huge (1e308), types (fields of the wrong JSON type:
# a channel as an object, `v` as a list), deep (children / values nested beyond any JSON reader's
# recursion limit), missing (no `children`, no `v`).
REST_SHAPES = ("nan", "huge", "types", "deep", "missing")
# MQTT: garbage (bytes that are not UTF-8), text (`temp,c=abc`), huge (`temp,c=1e308`, `inf`),
# json (a data/json message cut short, or nested too deep), topic (a message on a topic outside
# the tree: `v1/{username}/things/{id}/data` without a channel).
MQTT_SHAPES = ("garbage", "text", "huge", "json", "topic")

HUGE = 1e308
NESTING = 10_000  # REST: far beyond json's recursion limit
MQTT_NESTING = 5_000  # MQTT: still beyond it, and under a client's payload size bound
_DEEP_CHILDREN = "\x00deep children\x00"
_DEEP_VALUE = "\x00deep value\x00"
_NAN_VALUES: tuple[Any, ...] = ("NaN", math.nan, math.inf, -math.inf)


def _numbers(value: Any, number: float) -> Any:
    if isinstance(value, dict):
        return {key: _numbers(item, number) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers(item, number) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number
    return value


def _wrong_types(child: dict[str, Any]) -> dict[str, Any]:
    """A thing or channel row with every field but its id of the wrong JSON type."""
    broken: dict[str, Any] = {
        "id": child.get("id"),
        "name": {"not": "a name"},
        "device_type_id": ["not", "a string"],
        "parent_id": 7,
        "hardware_id": {"not": "an id"},
        "properties": {"channel": {"not": "a channel"}},
        "data_type": 7,
        "unit": ["c"],
        "active": "yes",
        "status": 1,
        "last_online": "yesterday",
    }
    if isinstance(child.get("children"), list):
        broken["properties"] = ["not", "an object"]
        broken["children"] = [_wrong_types(c) for c in child["children"] if isinstance(c, dict)]
    return broken


def thing_row(shape: str, row: dict[str, Any]) -> dict[str, Any]:
    """A thing's JSON (list row or single thing) broken in `shape`; render with `render`."""
    if shape in ("nan", "huge"):
        broken: dict[str, Any] = _numbers(row, math.nan if shape == "nan" else HUGE)
        return broken
    if shape == "types":
        return _wrong_types(row)
    if shape == "deep":
        return {**row, "children": [_DEEP_CHILDREN]}
    if shape == "missing":
        return {key: value for key, value in row.items() if key not in ("children",)}
    raise ValueError(f"unknown shape {shape!r}")


def summary_rows(shape: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Telemetry rows (`[{v, ts, unit?}]`) broken in `shape`."""
    broken: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        if shape == "nan":
            broken.append({**row, "v": _NAN_VALUES[index % len(_NAN_VALUES)]})
        elif shape == "huge":
            broken.append({**row, "v": HUGE})
        elif shape == "types":
            typed = {**row, "v": [row.get("v")], "ts": 1_790_000_000}
            if "unit" in row:
                typed["unit"] = {"not": "a unit"}
            broken.append(typed)
        elif shape == "deep":
            broken.append({**row, "v": _DEEP_VALUE})
        elif shape == "missing":
            broken.append({key: value for key, value in row.items() if key != "v"})
        else:
            raise ValueError(f"unknown shape {shape!r}")
    return broken


def render(body: Any) -> str:
    """JSON text as a misbehaving server writes it: NaN allowed, deep nesting spelled out."""
    text = json.dumps(body)
    if _DEEP_CHILDREN[1:-1] in text:
        nested = '{"children":[' * NESTING + "]}" * NESTING
        text = text.replace(json.dumps(_DEEP_CHILDREN), nested)
    if _DEEP_VALUE[1:-1] in text:
        text = text.replace(json.dumps(_DEEP_VALUE), "[" * NESTING + "]" * NESTING)
    return text


# --- MQTT -----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Frame:
    """One message a thing sends (data, a response), with what a broken copy of it needs."""

    topic: str
    payload: bytes
    base: str  # v1/{username}/things/{thingId}
    account: str  # the email of the account whose tree it is in
    channel: str
    data_type: str
    unit: str | None


def _typed(frame: Frame, value: str) -> bytes:
    head = frame.data_type if frame.unit is None else f"{frame.data_type},{frame.unit}"
    return f"{head}={value}".encode()


def mqtt_frame(shape: str, frame: Frame, nth: int, rng: random.Random) -> tuple[str, bytes]:
    """The `nth` malformed message (counting from 0) sent instead of `frame`."""
    data_topic = f"{frame.base}/data/{frame.channel}"
    if shape == "garbage":
        # 0xff never occurs in UTF-8
        return frame.topic, b"\xff\xfe" + rng.randbytes(6) + b"\xc3\x28"
    if shape == "text":
        return data_topic, _typed(frame, "abc")
    if shape == "huge":
        return data_topic, _typed(frame, ("1e308", "inf", "-1e999", "nan")[nth % 4])
    if shape == "json":
        if nth % 2:
            deep = "[" * MQTT_NESTING + "]" * MQTT_NESTING
            text = f'[{{"channel":"{frame.channel}","value":{deep},"type":"{frame.data_type}"}}]'
        else:
            whole = json.dumps(
                [{"channel": frame.channel, "value": 1, "type": frame.data_type, "unit": "x"}]
            )
            text = whole[: len(whole) // 2]
        return f"{frame.base}/data/json", text.encode()
    if shape == "topic":
        return f"{frame.base}/data", _typed(frame, "1")
    raise ValueError(f"unknown shape {shape!r}")
