"""Malformed shapes the Homely simulator serves on demand (fault injection): REST bodies with
odd values in chosen fields, and push frames of the kinds a client must survive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class BodyOverrides:
    """Fields forced into the home endpoint's body, per home and per device (merged deeply:
    objects merge, any other value replaces what the cloud would send)."""

    def __init__(self) -> None:
        self.homes: dict[str, dict[str, Any]] = {}
        self.devices: dict[str, dict[str, Any]] = {}

    def apply(self, home: dict[str, Any]) -> dict[str, Any]:
        body = _merged(home, self.homes.get(home["locationId"], {}))
        devices = body.get("devices")
        if isinstance(devices, list):
            body["devices"] = [
                _merged(device, self.devices.get(str(device.get("id")), {}))
                if isinstance(device, dict)
                else device
                for device in devices
            ]
        return body

    def clear(self) -> None:
        self.homes.clear()
        self.devices.clear()


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged[key] = _merged(current, value)
        else:
            merged[key] = value
    return merged


# Push frames seen in the wild or that a careless server could send, one kind per entry; a flood
# of malformed frames cycles through them.
MALFORMED_FRAMES: tuple[Callable[[dict[str, Any]], Any], ...] = (
    # wrong types in the fields that matter
    lambda event: {"type": "alarm-state-changed", "data": {"state": 7, "timestamp": "yesterday"}}
    if event["type"] == "alarm-state-changed"
    else {"type": "device-state-changed", "data": {"deviceId": None, "changes": "broken"}},
    # not an object at all
    lambda event: f"{event['type']}: not JSON",
    # no data
    lambda event: {"type": event["type"]},
    # data of the wrong type
    lambda event: {"type": event["type"], "data": ["a", "list"]},
    # a change that is not an object, and a state that is not a string
    lambda event: {
        "type": event["type"],
        "data": {**event["data"], "changes": [42], "state": {"nested": True}},
    },
    # deep nesting where a value is expected
    lambda event: {"type": event["type"], "data": _deep(200)},
)


def malformed_frame(event: dict[str, Any], nth: int) -> Any:
    """The `nth` malformed frame (counting from 0) in place of `event`."""
    return MALFORMED_FRAMES[nth % len(MALFORMED_FRAMES)](event)


def _deep(depth: int) -> dict[str, Any]:
    nested: dict[str, Any] = {"value": None}
    for _ in range(depth):
        nested = {"value": nested}
    return nested
