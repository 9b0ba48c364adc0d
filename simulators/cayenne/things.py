"""Things and their channels; sensor values are functions of simulated time.

A sensor's value at time t depends only on t (quantised to its thing's report cycle), so the
latest value and any history window come from the same function. Actuators keep a log of the
values commands gave them. A GPS channel's value is a position, `{"lat", "lng", "alt"}`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
import math
from typing import Any
import uuid
import zlib

ACTUATOR_TYPES = frozenset(
    {
        "digital_actuator",
        "analog_actuator",
        "relay",
        "switch",
        "valve",
        "motor",
        "lt_switch_act",
        "lt_lum",
        "hvac_temp",
    }
)
BINARY_ACTUATORS = frozenset({"digital_actuator", "relay", "switch", "valve", "lt_switch_act"})
GPS = "gps"
NAMESPACE = uuid.UUID("5b1c1a9e-9c39-4c3e-8d7e-6e2f4d1c0a11")
METRES_PER_DEGREE = 111_320.0
EVENT_SHARE = 0.1  # `events` channels read 1 on about this share of report cycles

type Position = dict[str, float]
type Value = float | Position


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def iso_ms(epoch: float) -> str:
    """Telemetry time stamps: ISO 8601 with milliseconds, in UTC."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _noise(key: str, bucket: int) -> float:
    """A repeatable number in [-1, 1) for one channel and one report cycle."""
    return zlib.crc32(f"{key}:{bucket}".encode()) / 2**31 - 1.0


@dataclass(slots=True)
class Channel:
    child_id: str
    channel: str
    data_type: str
    unit: str | None
    name: str
    behaviour: str
    base: float
    amplitude: float
    period_s: float
    drain_per_day: float
    low: float | None
    high: float | None
    decimals: int
    started: float
    rate_per_hour: float = 1.0
    lat: float = 0.0
    lng: float = 0.0
    radius_m: float = 0.0
    refuse_commands: bool = False
    # actuators: (time, value) in time order
    changes: list[tuple[float, float]] = field(default_factory=list)

    @property
    def is_actuator(self) -> bool:
        return self.behaviour == "actuator" or self.data_type in ACTUATOR_TYPES

    @property
    def is_position(self) -> bool:
        return self.data_type == GPS or self.behaviour == "track"

    def _bounded(self, value: float) -> float:
        if self.low is not None:
            value = max(self.low, value)
        if self.high is not None:
            value = min(self.high, value)
        return round(value, self.decimals) if self.decimals else float(round(value))

    def _position(self, at: float, noise: float) -> Position:
        lat, lng = self.lat, self.lng
        if self.behaviour == "track" and self.radius_m > 0:
            angle = 2 * math.pi * (at % self.period_s) / self.period_s
            lat += self.radius_m / METRES_PER_DEGREE * math.sin(angle)
            lng += (
                self.radius_m
                / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(self.lat))))
                * math.cos(angle)
            )
        altitude = self.base + self.amplitude * noise
        return {"lat": round(lat, 6), "lng": round(lng, 6), "alt": round(altitude, 1)}

    def value_at(self, t: float, cycle: float) -> Value:
        if self.is_actuator:
            times = [at for at, _ in self.changes]
            index = bisect_right(times, t)
            return self.changes[index - 1][1] if index else self.base
        bucket = int(t // cycle)
        at = bucket * cycle
        noise = _noise(self.child_id, bucket)
        if self.is_position:
            return self._position(at, noise)
        if self.behaviour == "drift":
            wave = math.sin(2 * math.pi * at / self.period_s)
            value = self.base + self.amplitude * wave + 0.1 * self.amplitude * noise
        elif self.behaviour == "daylight":
            # zero at night, a bump around midday (UTC), a little cloud noise
            hour_angle = 2 * math.pi * ((at % 86400) / 86400 - 0.25)
            value = max(0.0, math.sin(hour_angle)) * self.amplitude * (1 + 0.05 * noise)
            value += self.base
        elif self.behaviour == "battery":
            value = self.base - self.drain_per_day * max(0.0, at - self.started) / 86400
        elif self.behaviour == "noise":
            value = self.base + self.amplitude * noise
        elif self.behaviour == "events":
            # noise is spread evenly over [-1, 1): above 0.8 on a tenth of the cycles
            value = 1.0 if noise >= 1 - 2 * EVENT_SHARE else 0.0
        elif self.behaviour == "counter":
            value = self.base + self.rate_per_hour * max(0.0, at - self.started) / 3600
        else:
            value = self.base
        return self._bounded(value)

    def command(self, value: float, now: float) -> str | None:
        """Apply a command; None when the thing takes it, else the thing's error message."""
        if not self.is_actuator:
            return f"channel {self.channel} is not an actuator"
        if self.refuse_commands:
            return f"channel {self.channel} is locked"
        if not math.isfinite(value):
            return f"invalid value {value}"
        if self.data_type in BINARY_ACTUATORS and value not in (0, 1):
            return f"invalid value {value:g} for {self.data_type}"
        self.changes.append((now, self._bounded(value)))
        return None

    def set_value(self, value: Value, now: float) -> None:
        """Report `value` from now on, as the device itself would (the admin endpoint)."""
        if isinstance(value, dict):
            self.behaviour = "constant"
            self.lat, self.lng = value["lat"], value["lng"]
            self.base, self.amplitude = value.get("alt", self.base), 0.0
            return
        self.behaviour = "actuator" if self.is_actuator else "constant"
        self.base = value
        if self.is_actuator:
            self.changes.append((now, value))


@dataclass(slots=True)
class Thing:
    thing_id: str
    name: str
    device_type_id: str
    hardware_id: str | None
    parent_id: str | None
    status: str
    online: bool
    report_every_s: float
    properties: dict[str, Any]
    created: float
    channels: dict[str, Channel] = field(default_factory=dict)
    went_offline: float | None = None
    mqtt_format: str = "typed"
    appears_at: float | None = None  # before this the thing does not exist yet
    removed_at: float | None = None  # from this on it is DEACTIVATED
    last_report: int | None = None  # the report cycle it last published on MQTT

    def present(self, now: float) -> bool:
        """Whether the thing exists yet (things can be added to the account later)."""
        return self.appears_at is None or now >= self.appears_at

    def status_at(self, now: float) -> str:
        if self.removed_at is not None and now >= self.removed_at:
            return "DEACTIVATED"
        return self.status

    def reporting(self, now: float) -> bool:
        """Whether the thing is out there sending values (and listening to commands)."""
        return self.present(now) and self.online and self.status_at(now) == "ACTIVE"

    def _last_seen(self, now: float) -> float:
        at = now if self.online else (self.went_offline or self.created)
        if self.removed_at is not None:
            at = min(at, self.removed_at)
        return at

    def last_online(self, now: float) -> int:
        return int(self._last_seen(now) // self.report_every_s * self.report_every_s)

    def reading_time(self, now: float) -> float:
        """When the thing last reported: the start of the current cycle, or going offline."""
        return self._last_seen(now) // self.report_every_s * self.report_every_s

    def cycle(self, now: float) -> int:
        """The number of the report cycle `now` falls in."""
        return int(now // self.report_every_s)

    def reading(self, channel: Channel, now: float) -> tuple[Value, float]:
        """The channel's latest value and when it was reported. An actuator reports its new
        value as soon as a command moved it, not only on the thing's cycle."""
        at = self.reading_time(now)
        if channel.is_actuator and channel.changes and self.online:
            at = max(at, *(t for t, _ in channel.changes if t <= now))
        return channel.value_at(at, self.report_every_s), at

    def value(self, channel: Channel, now: float) -> Value:
        return self.reading(channel, now)[0]

    def child_json(self, channel: Channel, now: float) -> dict[str, Any]:
        status = self.status_at(now)
        return {
            "id": channel.child_id,
            "name": channel.name,
            "device_type_id": self.device_type_id,
            "parent_id": self.thing_id,
            "hardware_id": None,
            "properties": {"channel": channel.channel},
            "data_type": channel.data_type,
            "unit": channel.unit,
            "active": 1 if status == "ACTIVE" else 0,
            "status": status,
            "last_online": self.last_online(now),
        }

    def as_json(self, now: float, child_things: list[Thing] | None = None) -> dict[str, Any]:
        children = [self.child_json(c, now) for c in self.channels.values()]
        children += [t.as_json(now) for t in child_things or [] if t.present(now)]
        status = self.status_at(now)
        return {
            "id": self.thing_id,
            "name": self.name,
            "device_type_id": self.device_type_id,
            "parent_id": self.parent_id,
            "hardware_id": self.hardware_id,
            "properties": dict(self.properties),
            "children": children,
            "active": 1 if status == "ACTIVE" else 0,
            "status": status,
            "last_online": self.last_online(now),
        }


def build_thing(spec: dict[str, Any], account_id: str, now: float) -> Thing:
    thing_id = spec.get("id") or stable_id(account_id, spec["name"])
    appears = spec.get("appears_after_s")
    removed = spec.get("removed_after_s")
    thing = Thing(
        thing_id=thing_id,
        name=spec["name"],
        device_type_id=spec["device_type_id"],
        hardware_id=spec.get("hardware_id"),
        parent_id=None,
        status=spec["status"],
        online=spec["online"],
        report_every_s=spec["report_every_s"],
        properties=dict(spec["properties"]),
        created=now,
        mqtt_format=spec["mqtt_format"],
        appears_at=None if appears is None else now + appears,
        removed_at=None if removed is None else now + removed,
    )
    thing.last_report = thing.cycle(now)
    for ch in spec["channels"]:
        channel = Channel(
            child_id=ch.get("id") or stable_id(thing_id, ch["channel"]),
            channel=ch["channel"],
            data_type=ch["type"],
            unit=ch["unit"],
            name=ch.get("name") or f"Channel {ch['channel']}",
            behaviour=ch["behaviour"],
            base=ch["value"],
            amplitude=ch["amplitude"],
            period_s=ch["period_s"],
            drain_per_day=ch["drain_per_day"],
            low=ch.get("min"),
            high=ch.get("max"),
            decimals=ch["decimals"],
            started=now,
            rate_per_hour=ch["rate_per_hour"],
            lat=ch["lat"],
            lng=ch["lng"],
            radius_m=ch["radius_m"],
            refuse_commands=ch["refuse_commands"],
        )
        thing.channels[channel.channel] = channel
    return thing
