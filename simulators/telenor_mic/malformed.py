"""Malformed answers and MQTT messages on demand: the shapes a misbehaving cloud or thing sends.

A per-thing fault breaks that thing's rows: its allThings row (`state`), its thing(thingName)
detail (`shadow`), its things/find hit and GET /things/{thingName}. An MQTT shape says how the
next thing-update messages are broken (how many comes from `PushHub.corrupt_next`).
"""

from __future__ import annotations

from collections.abc import Callable
import itertools
import json
import math
import random
from typing import Any

# REST and GraphQL: nan (NaN and infinities for numbers), huge (1e308), types (values, version,
# time stamps of the wrong JSON type), deep (state/shadow nested beyond any JSON reader's
# recursion limit), missing (no state/shadow, no lastHeardFrom).
REST_SHAPES = ("nan", "huge", "types", "deep", "missing")
# MQTT: garbage (bytes that are not UTF-8), truncated (JSON cut short), types (reported not an
# object, or its values, version and timestamp of the wrong type), deep (nested too deep).
MQTT_SHAPES = ("garbage", "truncated", "types", "deep")

HUGE = 1e308
NESTING = 10_000  # REST: far beyond json's recursion limit
MQTT_NESTING = 20_000  # MQTT: beyond it too (40 kB of brackets)
_DEEP = "\x00deep\x00"  # stands for the nesting until the text is rendered
_NAN_VALUES: tuple[float, ...] = (math.nan, math.inf, -math.inf)
_JSON_FIELDS = ("state", "shadow")


def _numbers(value: Any, replace: Callable[[], float]) -> Any:
    if isinstance(value, dict):
        return {key: _numbers(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers(item, replace) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return replace()
    return value


def _wrong_types(value: Any) -> Any:
    """A state or shadow with its values, version and time stamps of the wrong JSON type."""
    if not isinstance(value, dict):
        return value
    if "state" in value:  # a shadow document
        return {
            "state": {"reported": ["not", "an object"], "desired": "on"},
            "metadata": {"reported": {"temperature": {"timestamp": "yesterday"}}},
            "timestamp": "now",
            "version": "seven",
        }
    kinds: tuple[Any, ...] = ({"not": "a value"}, ["a", "list"], "abc", True)
    return {key: kinds[index % len(kinds)] for index, key in enumerate(value)}


def thing_row(shape: str, row: dict[str, Any]) -> dict[str, Any]:
    """A thing's row (allThings, thing detail, things/find hit) broken in `shape`; render the
    answer with `render`."""
    fields = [key for key in _JSON_FIELDS if key in row]
    broken = dict(row)
    if shape in ("nan", "huge"):
        specials = itertools.cycle(_NAN_VALUES if shape == "nan" else (HUGE,))
        for key in fields:
            broken[key] = _numbers(row[key], lambda: next(specials))
    elif shape == "types":
        for key in fields:
            broken[key] = _wrong_types(row[key])
        if "lastHeardFrom" in row:
            broken["lastHeardFrom"] = "yesterday"
    elif shape == "deep":
        for key in fields:
            broken[key] = {"reported": _DEEP} if key == "state" else {"state": _DEEP}
    elif shape == "missing":
        for key in (*fields, "lastHeardFrom"):
            broken.pop(key, None)
    else:
        raise ValueError(f"unknown shape {shape!r}")
    return broken


def render(body: Any) -> str:
    """JSON text as a misbehaving server writes it: NaN allowed, deep nesting spelled out."""
    text = json.dumps(body)
    placeholder = json.dumps(_DEEP)
    if placeholder in text:
        text = text.replace(placeholder, '{"a":' * NESTING + "1" + "}" * NESTING)
    return text


# --- MQTT -----------------------------------------------------------------------------------------
def mqtt_payload(shape: str, document: dict[str, Any], nth: int, rng: random.Random) -> bytes:
    """The `nth` malformed message (counting from 0) sent instead of `document`."""
    if shape == "garbage":
        return b"\xff\xfe" + rng.randbytes(6) + b"\xc3\x28"  # 0xff never occurs in UTF-8
    if shape == "truncated":
        whole = json.dumps(document)
        return whole[: len(whole) // 2].encode()
    if shape == "types":
        if nth % 2:
            return json.dumps(
                {"state": {"reported": ["not", "an object"]}, "version": "x"}
            ).encode()
        reported = document.get("state", {}).get("reported", {})
        return json.dumps(
            {"state": {"reported": _wrong_types(reported)}, "timestamp": "yesterday"}
        ).encode()
    if shape == "deep":
        deep = "[" * MQTT_NESTING + "]" * MQTT_NESTING
        return f'{{"state":{{"reported":{{"flow":{deep}}}}}}}'.encode()
    raise ValueError(f"unknown shape {shape!r}")
