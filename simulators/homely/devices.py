"""Homely devices: what each model reports, and how its states evolve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
import random
from typing import Any
import uuid

# kind -> (model name, model id, {feature: {state: initial value}})
type FeatureSpec = dict[str, dict[str, Any]]

_BATTERY: FeatureSpec = {"battery": {"low": False, "defect": False, "voltage": 3.0}}
_DIAGNOSTIC: FeatureSpec = {"diagnostic": {"networklinkstrength": 90, "networklinkaddress": None}}


def _model(name: str, features: FeatureSpec, *, battery: bool = True) -> tuple[str, FeatureSpec]:
    merged = {**features, **(_BATTERY if battery else {}), **_DIAGNOSTIC}
    return name, merged


MODELS: dict[str, tuple[str, FeatureSpec]] = {
    "motion": _model(
        "Motion Sensor Mini",
        {"alarm": {"alarm": False, "tamper": False}, "temperature": {"temperature": 21.0}},
    ),
    "motion2": _model(
        "Alarm Motion Sensor 2",
        {"alarm": {"alarm": False, "tamper": False}, "temperature": {"temperature": 21.0}},
    ),
    "entry": _model(
        "Alarm Entry Sensor 2",
        {"alarm": {"alarm": False, "tamper": False}, "temperature": {"temperature": 20.0}},
    ),
    "window": _model(
        "Window Sensor",
        {"alarm": {"alarm": False}, "temperature": {"temperature": 20.0}},
    ),
    "smoke": _model(
        "Intelligent Smoke Alarm",
        {"alarm": {"fire": False}, "temperature": {"temperature": 21.0}},
    ),
    "legacy_smoke": _model(  # the older model, under the name the live cloud still reports
        "Smoke Alarm",
        {"alarm": {"fire": False}, "temperature": {"temperature": 21.0}},
    ),
    "heat": _model("Heat Alarm", {"alarm": {"fire": False}, "temperature": {"temperature": 22.0}}),
    "flood": _model(
        "Flood Alarm", {"alarm": {"flood": False}, "temperature": {"temperature": 18.0}}
    ),
    "han": _model(
        "EMI Norwegian HAN",
        {
            "metering": {
                "summationdelivered": 769670,
                "summationreceived": 0,
                "demand": 1500,
                "check": False,
            }
        },
        battery=False,
    ),
    "thermostat": _model(
        "ELKO Super TR",
        {
            "thermostat": {
                "LocalTemperature": 2150,
                "AbsMinHeatSetpointLimit": 5,
                "AbsMaxHeatSetpointLimit": 50,
                "OccupiedCoolingSetpoint": 2600,
                "OccupiedHeatingSetpoint": 2200,
                "ControlSequenceOfOperation": 2,
                "SystemMode": 1,
                "mf415": True,
                "mf407": None,
            }
        },
        battery=False,
    ),
    "lock": _model(
        "Yale Doorman V2N",
        {
            "lock": {"state": "locked"},
            "report": {"Broken": False, "autorelock": True},
        },
    ),
    "keypad": _model("Alarm Keypad", {"alarm": {"tamper": False}}),
    "siren": _model(
        "Alarm Siren", {"alarm": {"tamper": False}, "temperature": {"temperature": 19.0}}
    ),
}
KINDS = tuple(MODELS)

_MOTION_SETUP: FeatureSpec = {
    "setup": {"appledenable": True, "errledenable": True, "sensitivitylevel": 2}
}
# What real units report beyond the document's example, spelled as the live cloud spells it
# (scenarios with `device_shape: live`).
LIVE_STATES: dict[str, FeatureSpec] = {
    "motion": _MOTION_SETUP,
    "motion2": _MOTION_SETUP,
    "window": {"alarm": {"tamper": False}},
    "lock": {"lock": {"state": True}},  # a boolean "locked" instead of a word
    # The ELKO Super TR's manufacturer-specific attributes, as in the document's example.
    "thermostat": {
        "thermostat": {
            "mf401": 2000,
            "mf402": None,
            "mf403": "00",
            "mf404": 15,
            "mf405": False,
            "mf406": True,
            "mf407": None,
            "mf408": 2000,
            "mf409": 55546,
            "mf411": False,
            "mf412": False,
            "mf413": False,
            "mf414": 28,
            "mf415": True,
            "mf416": "01010601000A52",
            "mf417": 0,
            "mf418": 10,
            "mf419": 0,
        }
    },
}


def iso(timestamp: float) -> str:
    """Homely's timestamp format: ISO 8601 in UTC with milliseconds and Z."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def model_id(kind: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"homely-model/{MODELS[kind][0]}"))


type Publish = Callable[["Device", list[tuple[str, str]]], None]


@dataclass(slots=True)
class Device:
    """One device of a home; `states[feature][state] = (value, lastUpdated)`."""

    device_id: str
    kind: str
    name: str
    serial: str
    room: str
    room_id: str
    online: bool
    states: dict[str, dict[str, tuple[Any, float | None]]]
    # behaviour
    battery_drain_per_day: float = 0.0
    demand_w: float = 1500.0
    motion_per_hour: float = 0.0
    motion_until: float | None = None
    last_step: float = 0.0
    next_report: float = 0.0
    exported_w: float = 0.0
    meter_wh: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def model_name(self) -> str:
        return MODELS[self.kind][0]

    def value(self, feature: str, state: str) -> Any:
        return self.states.get(feature, {}).get(state, (None, None))[0]

    def set(self, feature: str, state: str, value: Any, now: float) -> bool:
        """Store a value with `now` as lastUpdated; True when the value changed."""
        old = self.states.setdefault(feature, {}).get(state, (None, None))[0]
        self.extra.get("empty", set()).discard(f"{feature}.{state}")
        self.states[feature][state] = (value, now)
        return bool(old != value)

    def as_json(self) -> dict[str, Any]:
        features: dict[str, Any] = {}
        for feature, states in self.states.items():
            features[feature] = {
                "states": {
                    name: self._state_json(f"{feature}.{name}", value, stamp)
                    for name, (value, stamp) in states.items()
                }
            }
        return {
            "id": self.device_id,
            "name": self.name,
            "serialNumber": self.serial,
            "location": self.room,
            "online": self.online,
            "modelId": model_id(self.kind),
            "modelName": self.model_name,
            "features": features,
        }

    def _state_json(self, key: str, value: Any, stamp: float | None) -> dict[str, Any]:
        """The three shapes the live cloud uses: full, `{}` (no value) and value-only."""
        if key in self.extra.get("empty", ()):
            return {}
        if stamp is None and value is not None:
            return {"value": value}
        return {"value": value, "lastUpdated": iso(stamp) if stamp else None}

    # --- behaviour ---------------------------------------------------------------------------
    def step(self, now: float, rng: random.Random) -> list[tuple[str, str]]:
        """Advance to `now`; returns the (feature, state) pairs that were reported."""
        elapsed = max(0.0, now - self.last_step)
        self.last_step = now
        if not self.online or elapsed == 0:
            return []
        changed: list[tuple[str, str]] = []
        if self.kind == "han":
            changed += self._meter(now, elapsed, rng)
        if self.motion_per_hour and "alarm" in self.states:
            changed += self._motion(now, elapsed, rng)
        if self.battery_drain_per_day and "battery" in self.states:
            changed += self._battery(now, elapsed)
        if now >= self.next_report and "temperature" in self.states:
            self.next_report = now + 600
            old = self.value("temperature", "temperature") or 20.0
            self.set("temperature", "temperature", round(old + rng.uniform(-0.2, 0.2), 1), now)
            changed.append(("temperature", "temperature"))
        return changed

    def _meter(self, now: float, elapsed: float, rng: random.Random) -> list[tuple[str, str]]:
        # The HAN port reports every 10 s (Kaifa/Aidon list 1); energy integrates the demand.
        self.meter_wh += (self.demand_w - self.exported_w) * elapsed / 3600
        if now < self.extra.get("next_han", 0.0):
            return []
        self.extra["next_han"] = now + 10
        delivered = int(self.value("metering", "summationdelivered") or 0)
        received = int(self.value("metering", "summationreceived") or 0)
        whole = int(self.meter_wh)
        self.meter_wh -= whole
        if whole >= 0:
            delivered += whole
        else:
            received -= whole
        demand = max(0, round(self.demand_w * rng.uniform(0.9, 1.1)))
        self.set("metering", "demand", demand, now)
        self.set("metering", "summationdelivered", delivered, now)
        self.set("metering", "summationreceived", received, now)
        return [
            ("metering", "demand"),
            ("metering", "summationdelivered"),
            ("metering", "summationreceived"),
        ]

    def _motion(self, now: float, elapsed: float, rng: random.Random) -> list[tuple[str, str]]:
        if self.motion_until is not None:
            if now >= self.motion_until:
                self.motion_until = None
                self.set("alarm", "alarm", False, now)
                return [("alarm", "alarm")]
            return []
        if rng.random() < self.motion_per_hour * elapsed / 3600:
            self.motion_until = now + 30
            self.set("alarm", "alarm", True, now)
            return [("alarm", "alarm")]
        return []

    def _battery(self, now: float, elapsed: float) -> list[tuple[str, str]]:
        voltage = float(self.value("battery", "voltage") or 3.0)
        new = max(2.0, voltage - self.battery_drain_per_day * elapsed / 86400)
        changed = []
        if round(new, 2) != round(voltage, 2):
            self.set("battery", "voltage", round(new, 2), now)
            changed.append(("battery", "voltage"))
        else:
            self.states["battery"]["voltage"] = (new, self.states["battery"]["voltage"][1])
        if new < 2.5 and not self.value("battery", "low"):
            self.set("battery", "low", True, now)
            changed.append(("battery", "low"))
        return changed
