"""Payload shapes: the documented ones, or what real clients captured from the live cloud.

A scenario picks them under `shapes:` (`documented`, `live`, or single choices), so tests can
run the integration against both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import voluptuous as vol

SHAPE_OPTIONS = vol.Schema(
    {
        # typed: id, `type` and `attr` (the sauna's name among them); minimal: the id in `name`
        # and a top-level `displayName`, nothing else (rows in real client fixtures).
        vol.Optional("device_rows", default="typed"): vol.In(("typed", "minimal")),
        # native: a string on Fenix, an int elsewhere; string: a string on every device.
        vol.Optional("active_profile", default="native"): vol.In(("native", "string")),
        # timer.startTime / readyTime as epoch milliseconds or ISO 8601 strings.
        vol.Optional("timers", default="epoch"): vol.In(("epoch", "iso")),
        # on/off flags inside Fenix profiles as booleans or as 0/1.
        vol.Optional("fenix_profile_flags", default="boolean"): vol.In(("boolean", "number")),
        # measurement items with type/subId/shadowName/sessionId, or only data and timestamp.
        vol.Optional("measurement_envelope", default=True): bool,
    }
)
PRESETS: dict[str, dict[str, Any]] = {
    "documented": {},
    "live": {
        "device_rows": "minimal",
        "active_profile": "string",
        "timers": "iso",
        "fenix_profile_flags": "number",
        "measurement_envelope": False,
    },
}


def validate_shapes(value: Any) -> dict[str, Any]:
    """A preset name or a mapping of single choices; what is not chosen stays documented."""
    if isinstance(value, str):
        if value not in PRESETS:
            raise vol.Invalid(f"unknown shapes preset {value!r}; use one of {sorted(PRESETS)}")
        value = PRESETS[value]
    shapes: dict[str, Any] = SHAPE_OPTIONS(value or {})
    return shapes


def device_row(
    shapes: dict[str, Any],
    id_key: str,
    device_id: str,
    device_type: str,
    display_name: str,
    attributes: list[dict[str, str]],
) -> dict[str, Any]:
    if shapes["device_rows"] == "minimal":
        return {"name": device_id, "displayName": display_name}
    return {
        id_key: device_id,
        "type": device_type,
        "attr": attributes,
        "roles": ["owner"],
        "via": "CanSee",
    }


def shadow(shapes: dict[str, Any], reported: dict[str, Any], fenix: bool) -> dict[str, Any]:
    """A rendered shadow in the scenario's shapes (the renderer's own are the documented ones)."""
    state = dict(reported)
    if shapes["active_profile"] == "string" and "activeProfile" in state:
        state["activeProfile"] = str(state["activeProfile"])
    timer = state.get("timer")
    if shapes["timers"] == "iso" and isinstance(timer, dict):
        state["timer"] = {key: _iso(value) for key, value in timer.items()}
    if (
        fenix
        and shapes["fenix_profile_flags"] == "number"
        and isinstance(state.get("profiles"), dict)
    ):
        state["profiles"] = {
            index: {
                key: {"on": int(value["on"])}
                if isinstance(value, dict) and "on" in value
                else value
                for key, value in profile.items()
            }
            for index, profile in state["profiles"].items()
        }
    return state


def measurement(
    shapes: dict[str, Any], item: dict[str, Any], keep: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A measurement item; without its envelope only data, timestamp and `keep` remain."""
    if shapes["measurement_envelope"]:
        return item
    return {key: value for key, value in item.items() if key in ("data", "timestamp", *keep)}


def _iso(epoch_ms: Any) -> Any:
    if not isinstance(epoch_ms, int | float):
        return epoch_ms
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
