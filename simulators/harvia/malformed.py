"""Malformed answers and push frames on demand: the shapes a misbehaving cloud serves.

A per-device fault corrupts that sauna's REST answers (its row in the device list, its state,
its latest data); a push shape says how the next malformed frames are broken (the count comes
from `PushHub.corrupt_next`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

# How a value is broken:
# nan: every number NaN; huge: every number 1e300; epoch: timestamps far outside any calendar;
# types: each value of the wrong JSON type; attr: a device row's `attr` not a list; deep: nested
# beyond any JSON reader's recursion limit; truncated (push only): AWSJSON text cut short;
# envelope (push only): the websocket frame itself is not JSON.
REST_SHAPES = ("nan", "huge", "epoch", "types", "attr", "deep")
PUSH_SHAPES = ("truncated", "nan", "huge", "epoch", "types", "deep", "envelope")
REST_ANSWERS = ("row", "state", "latest")
AWSJSON_FIELDS = ("reported", "desired", "data")  # JSON text inside a push item

OUT_OF_RANGE_EPOCH_MS = 10**19
HUGE = 1e300
NESTING = 100_000
_DEEP = "\x00deep\x00"  # stands for the nested text until the answer is rendered
_DEEP_TEXT = "[" * NESTING + "]" * NESTING


def _wrong_type(value: Any) -> Any:
    if isinstance(value, dict):
        return ["not", "an", "object"]
    if isinstance(value, list):
        return {"not": "a list"}
    if isinstance(value, str):
        return {"not": "a string"}
    return "not a number"


def _numbers_as(number: float, value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _numbers_as(number, item) for key, item in value.items()}
    if isinstance(value, list):
        return [_numbers_as(number, item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number
    return value


def _epochs_out_of_range(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: OUT_OF_RANGE_EPOCH_MS
            if "timestamp" in key.lower() or key.lower().endswith("time")
            else _epochs_out_of_range(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_epochs_out_of_range(item) for item in value]
    return value


def corrupt(shape: str, body: dict[str, Any]) -> dict[str, Any]:
    """`body` broken in `shape`; render it with `render`."""
    if shape in ("nan", "huge"):
        return _numbers_as(HUGE if shape == "huge" else math.nan, body)  # type: ignore[no-any-return]
    if shape == "epoch":
        return _epochs_out_of_range(body)  # type: ignore[no-any-return]
    if shape == "types":
        return {key: _wrong_type(value) for key, value in body.items()}
    if shape == "attr":
        return {**body, "attr": {"not": "a list"}}
    if shape == "deep":
        return {
            key: _DEEP if isinstance(value, dict | list) else value for key, value in body.items()
        }
    raise ValueError(f"unknown shape {shape!r}")


def render(body: Any) -> str:
    """JSON text as a misbehaving server writes it: NaN allowed, deep nesting spelled out."""
    return json.dumps(body).replace(json.dumps(_DEEP), _DEEP_TEXT)


def json_answer(body: Any) -> web.Response:
    return web.Response(text=render(body), content_type="application/json")


def _awsjson(shape: str, text: Any) -> Any:
    """An AWSJSON string field of a push item, broken in `shape`."""
    if not isinstance(text, str):
        return text
    if shape == "truncated":
        return text[: max(1, len(text) // 3)]
    if shape == "deep":
        return _DEEP_TEXT
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return json.dumps(corrupt(shape, value)) if isinstance(value, dict) else text


def frame(shape: str, data: dict[str, Any]) -> dict[str, Any]:
    """A push frame's data (field -> notice) with each notice's item broken in `shape`."""
    if shape == "envelope":
        return data  # the whole frame's text is broken instead (envelope())
    broken: dict[str, Any] = {}
    for field, notice in data.items():
        item = notice.get("item") if isinstance(notice, dict) else None
        if not isinstance(item, dict):
            broken[field] = notice
            continue
        item = {
            key: _awsjson(shape, value) if key in AWSJSON_FIELDS else value
            for key, value in item.items()
        }
        if shape in ("nan", "huge", "epoch"):
            item = corrupt(shape, item)
        elif shape == "types":
            item = {
                key: _wrong_type(value) if key != "deviceId" else value
                for key, value in item.items()
            }
        broken[field] = {**notice, "item": item}
    return broken


def envelope(text: str) -> str:
    """A whole push frame's text cut short: not JSON at all."""
    return text[: max(1, len(text) // 2)]
