"""Harvia scenario files: accounts and the saunas they see."""

from __future__ import annotations

from typing import Any
import zlib

import voluptuous as vol

from .sauna import AMBIENT_C, Cabin, Profile, Sauna
from .shapes import validate_shapes

DEVICE_TYPES = ("Fenix", "Xenio", "SaunaSensor")

_PROFILE = vol.Schema(
    {
        vol.Required("name"): str,
        vol.Optional("target_temp", default=80): vol.Coerce(float),
        vol.Optional("target_hum", default=10): vol.Coerce(float),
        vol.Optional("duration", default=180): int,
    }
)
_CABIN = vol.Schema(
    {
        vol.Required("id"): vol.Match(r"^C\d+$"),
        vol.Optional("name"): str,
        vol.Optional("temperature", default=AMBIENT_C): vol.Coerce(float),
        vol.Optional("humidity", default=30): vol.Coerce(float),
        vol.Optional("on", default=False): bool,
        vol.Optional("door_closed", default=True): bool,
        vol.Optional("light", default=False): bool,
        vol.Optional("scheduled_start_in_min"): vol.All(int, vol.Range(min=1)),
        vol.Optional("active_profile", default=0): int,
        vol.Optional("profiles"): [_PROFILE],
        vol.Optional("total_sessions", default=0): int,
    }
)
_DEVICE = vol.Schema(
    {
        vol.Required("id"): str,
        vol.Required("type"): vol.In(DEVICE_TYPES),
        vol.Optional("count", default=1): vol.All(int, vol.Range(min=1, max=500)),
        vol.Optional("name"): str,
        vol.Optional("serial"): str,
        vol.Optional("firmware", default="3.2.1"): str,
        vol.Optional("panel_type"): str,
        vol.Optional("power_unit_variant", default="PU-XC"): str,
        vol.Optional("heater_power_w", default=9000): int,
        vol.Optional("min_temp", default=40): vol.Coerce(float),
        vol.Optional("max_temp", default=110): vol.Coerce(float),
        vol.Optional("max_on_time_min", default=360): int,
        vol.Optional("steamer", default=False): bool,
        vol.Optional("vaporizer", default=False): bool,
        vol.Optional("fan", default=True): bool,
        vol.Optional("connected", default=True): bool,
        vol.Optional("history_hours", default=48): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional("cabins"): [_CABIN],
    }
)
_ACCOUNT = vol.Schema(
    {
        vol.Required("email"): str,
        vol.Optional("password"): vol.Any(None, str),  # None: signs in with Apple/Google only
        vol.Optional("username"): str,  # the cognito:username claim; a UUID by default
        vol.Optional("partner_guest", default=False): bool,
        # false: the demo leaves the account for its user to add by hand (try_it_entries)
        vol.Optional("demo_entry", default=True): bool,
        vol.Optional("device_list_shape", default="live"): vol.In(("live", "document")),
        vol.Required("devices"): [str],
    }
)
SCENARIO_SCHEMA = vol.Schema(
    {
        vol.Optional("name"): str,
        vol.Optional("token_lifetime", default=3600): vol.All(int, vol.Range(min=10)),
        vol.Optional("refresh_token_lifetime", default=30 * 86400): vol.All(int, vol.Range(min=10)),
        vol.Optional("page_size", default=10): vol.All(int, vol.Range(min=1)),
        vol.Optional("keepalive_s", default=60): vol.All(vol.Coerce(float), vol.Range(min=0.1)),
        vol.Optional("partner_organization_id", default="org-harvia-partner"): str,
        # Payload shapes: `documented`, `live` (what real clients captured) or single choices.
        vol.Optional("shapes", default="documented"): validate_shapes,
        # Whether the endpoint document lists the GraphQL (push) services.
        vol.Optional("graphql", default=True): bool,
        vol.Required("accounts"): [_ACCOUNT],
        vol.Required("devices"): [_DEVICE],
    }
)

_DEFAULT_PROFILES = [
    {"name": "Classic", "target_temp": 80, "target_hum": 10, "duration": 180},
    {"name": "Soft steam", "target_temp": 60, "target_hum": 40, "duration": 120},
    {"name": "Hot", "target_temp": 95, "target_hum": 8, "duration": 90},
    {"name": "Eco", "target_temp": 70, "target_hum": 10, "duration": 120},
]


def expand_device_ids(spec: dict[str, Any]) -> list[str]:
    """`count: N` turns one entry into N devices: id-01, id-02, ..."""
    if spec["count"] == 1:
        return [spec["id"]]
    width = len(str(spec["count"]))
    return [f"{spec['id']}-{n:0{width}d}" for n in range(1, spec["count"] + 1)]


def build_saunas(devices: list[dict[str, Any]], now: float) -> dict[str, Sauna]:
    saunas: dict[str, Sauna] = {}
    for spec in devices:
        for number, device_id in enumerate(expand_device_ids(spec), start=1):
            saunas[device_id] = _build(spec, device_id, number, now)
    return saunas


def _build(spec: dict[str, Any], device_id: str, number: int, now: float) -> Sauna:
    kind = spec["type"]
    name = spec.get("name", kind)
    if spec["count"] > 1:
        name = f"{name} {number}"
    cabins = (
        []
        if kind == "SaunaSensor"
        else [_cabin(c, kind) for c in spec.get("cabins") or [{"id": "C1"}]]
    )
    sauna = Sauna(
        device_id=device_id,
        device_type=kind,
        serial=spec.get("serial", f"25130{zlib.crc32(device_id.encode()) % 100000:05d}"),
        firmware=spec["firmware"],
        panel_type=spec.get("panel_type", kind),
        power_unit_variant=spec["power_unit_variant"],
        hwid=f"{zlib.crc32(device_id.encode() + b'hw') % 16**6:06X}",
        heater_power_w=spec["heater_power_w"],
        min_temp=spec["min_temp"],
        max_temp=spec["max_temp"],
        max_on_time_min=spec["max_on_time_min"],
        has_steamer=spec["steamer"],
        has_vaporizer=spec["vaporizer"],
        has_fan=spec["fan"],
        cabins=cabins,
        connected=spec["connected"],
        display_name=name,
        last_step=now,
        updated_at=now,
    )
    for cabin, cabin_spec in zip(cabins, spec.get("cabins") or [{}], strict=False):
        if cabin_spec.get("scheduled_start_in_min"):
            sauna.schedule(cabin, now + cabin_spec["scheduled_start_in_min"] * 60, now)
        elif cabin.on:
            cabin.session_started = now
    sauna.snapshot_timers(now)
    sauna.backfill(now, spec["history_hours"])
    return sauna


def _cabin(spec: dict[str, Any], kind: str) -> Cabin:
    spec = _CABIN(spec) if "temperature" not in spec else spec
    specs = spec.get("profiles") or [_PROFILE(p) for p in _DEFAULT_PROFILES]
    profiles = [Profile(p["name"], p["target_temp"], p["target_hum"], p["duration"]) for p in specs]
    active = profiles[spec["active_profile"]]
    return Cabin(
        cabin_id=spec["id"],
        name=spec.get("name", f"Cabin {spec['id'][1:]}"),
        temperature=spec["temperature"],
        humidity=spec["humidity"],
        target_temp=active.target_temp,
        target_hum=active.target_hum,
        profiles=profiles,
        active_profile=spec["active_profile"],
        # Fenix keeps showing the factory target in its shadow, whatever is set later.
        stale_target_temp=80.0 if kind == "Fenix" else None,
        on=spec["on"],
        duration_min=active.duration_min,
        light=spec["light"],
        door_closed=spec["door_closed"],
        total_sessions=spec["total_sessions"],
    )
