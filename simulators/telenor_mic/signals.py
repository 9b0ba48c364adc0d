"""A resource's value as a function of simulated time.

A sensor's value at time t depends only on t (and the thing's settable values at t, for a
pump's flow), so the latest report and any window of history come from the same function.
Values set later (a desired state the thing applied, an admin override) are kept as a change
log: from each change on, the resource holds that value.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
import math
from typing import Any
import zlib

from .model import Resource

METRES_PER_DEGREE = 111_320.0
NOT_ACCEPTED = object()  # what `accept` answers for a value the thing will not take

type Value = bool | int | float | str | dict[str, float]


def noise(key: str, bucket: int) -> float:
    """A repeatable number in [-1, 1) for one resource and one moment."""
    return zlib.crc32(f"{key}:{bucket}".encode()) / 2**31 - 1.0


def default_value(resource: Resource) -> Value:
    if resource.kind == "boolean":
        return False
    if resource.kind == "integer":
        return 0
    if resource.kind == "number":
        return 0.0
    if resource.kind == "string" and resource.values:
        return resource.values[0]
    return ""


def accept(resource: Resource, value: object) -> Any:
    """The value a thing takes for a desired `value`, or NOT_ACCEPTED. Numbers outside the
    resource's range are clamped and snapped to its step, as a pump controller would."""
    taken: Any = NOT_ACCEPTED  # positions and unknown types are not set from outside
    if resource.kind == "boolean" and isinstance(value, bool):
        taken = value
    elif resource.kind == "string" and isinstance(value, str):
        taken = value if not resource.values or value in resource.values else NOT_ACCEPTED
    elif (
        resource.kind in ("integer", "number")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    ):
        number = float(value)
        if resource.step:
            base = resource.minimum or 0.0
            number = base + round((number - base) / resource.step) * resource.step
        number = _bounded(resource, number)
        taken = round(number) if resource.kind == "integer" else number
    return taken


def _bounded(resource: Resource, number: float) -> float:
    if resource.minimum is not None:
        number = max(resource.minimum, number)
    if resource.maximum is not None:
        number = min(resource.maximum, number)
    return number


@dataclass(slots=True)
class Signal:
    resource: Resource
    key: str  # seeds the resource's noise: "<thing>/<resource>"
    behaviour: str
    base: Value
    started: float  # a battery drains from here (the start of the thing's history)
    amplitude: float = 0.0
    period_s: float = 86400.0
    drain_per_day: float = 0.0
    decimals: int = 1
    lat: float = 0.0
    lng: float = 0.0
    radius_m: float = 0.0
    position_format: str = "string"
    changes: list[tuple[float, Value]] = field(default_factory=list)  # (time, value), in order

    @property
    def derived(self) -> bool:
        """Computed from the thing's other resources (evaluate those first)."""
        return self.behaviour == "flow"

    def set(self, value: Value, at: float) -> None:
        """Hold `value` from `at` on."""
        self.changes.append((at, value))

    def change_times(self) -> list[float]:
        return [at for at, _ in self.changes]

    def value_at(self, t: float, others: dict[str, Value]) -> Value:
        index = bisect_right(self.change_times(), t)
        if index:
            return self.changes[index - 1][1]
        if self.behaviour == "track":
            return self._position(t)
        base = self.base
        if self.behaviour == "constant" or isinstance(base, bool | str | dict):
            return base
        jitter = noise(self.key, int(t))
        centre = float(base)
        if self.behaviour == "drift":
            offset = zlib.crc32(self.key.encode()) % int(self.period_s)
            wave = math.sin(2 * math.pi * (t + offset) / self.period_s)
            number = centre + self.amplitude * wave + 0.1 * self.amplitude * jitter
        elif self.behaviour == "noise":
            number = centre + self.amplitude * jitter
        elif self.behaviour == "battery":
            number = centre - self.drain_per_day * (t - self.started) / 86400
            number = max(0.0, number)
        else:  # flow: output at full speed, scaled by the speed, nothing while switched off
            on, speed = others.get("on", True), others.get("speed", 100)
            running = on is True and not isinstance(speed, bool | str | dict) and speed > 0
            number = 0.0
            if running and isinstance(speed, int | float):
                number = max(0.0, centre * float(speed) / 100 + self.amplitude * jitter)
        return self._number(number)

    def _number(self, number: float) -> Value:
        number = _bounded(self.resource, number)
        if self.resource.kind == "integer":
            return round(number)
        return round(number, self.decimals)

    def _position(self, t: float) -> Value:
        """One lap of a circle of `radius_m` round (lat, lng) every `period_s`."""
        angle = 2 * math.pi * (t % self.period_s) / self.period_s
        lat = self.lat + self.radius_m / METRES_PER_DEGREE * math.sin(angle)
        lng = self.lng + self.radius_m / (
            METRES_PER_DEGREE * max(0.01, math.cos(math.radians(self.lat)))
        ) * math.cos(angle)
        return format_position(round(lat, 6), round(lng, 6), self.position_format)


def format_position(lat: float, lng: float, shape: str) -> Value:
    if shape == "lat_lon":
        return {"lat": lat, "lon": lng}
    if shape == "lat_lng":
        return {"lat": lat, "lng": lng}
    return f"{lat},{lng}"
