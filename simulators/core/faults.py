"""Fault injection, switchable at run time from tests or over the admin endpoint."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
import random
from typing import Any

import voluptuous as vol


@dataclass(slots=True)
class HttpFault:
    """Answer matching requests with `status` (and `body`) instead of the cloud's answer."""

    status: int
    path: str = "*"  # glob on the request path
    method: str = "*"
    probability: float = 1.0
    remaining: int | None = None  # answer this many requests, then expire; None = until cleared
    body: Any = None  # None: the simulator's own error shape for `status`
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return fnmatchcase(method.upper(), self.method.upper()) and fnmatchcase(path, self.path)


@dataclass(slots=True)
class LatencyFault:
    """Delay matching requests by `seconds` of real time."""

    seconds: float
    path: str = "*"
    method: str = "*"
    remaining: int | None = None

    def matches(self, method: str, path: str) -> bool:
        return fnmatchcase(method.upper(), self.method.upper()) and fnmatchcase(path, self.path)


HTTP_FAULT_SCHEMA = vol.Schema(
    {
        vol.Required("status"): vol.All(int, vol.Range(min=100, max=599)),
        vol.Optional("path", default="*"): str,
        vol.Optional("method", default="*"): str,
        vol.Optional("probability", default=1.0): vol.All(vol.Coerce(float), vol.Range(0, 1)),
        vol.Optional("count"): vol.Any(None, vol.All(int, vol.Range(min=1))),
        vol.Optional("body"): object,
        vol.Optional("headers", default=dict): {str: str},
    }
)
LATENCY_FAULT_SCHEMA = vol.Schema(
    {
        vol.Required("seconds"): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional("path", default="*"): str,
        vol.Optional("method", default="*"): str,
        vol.Optional("count"): vol.Any(None, vol.All(int, vol.Range(min=1))),
    }
)


class FaultInjector:
    """The HTTP side of fault injection; push faults live on `PushHub`."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()  # noqa: S311  (simulated faults, not cryptography)
        self.http: list[HttpFault] = []
        self.latency: list[LatencyFault] = []

    def add_http(self, fault: HttpFault) -> HttpFault:
        self.http.append(fault)
        return fault

    def add_latency(self, fault: LatencyFault) -> LatencyFault:
        self.latency.append(fault)
        return fault

    def add_from_json(self, kind: str, data: dict[str, Any]) -> HttpFault | LatencyFault:
        """Add a fault described by admin-endpoint JSON; raises vol.Invalid on a bad one."""
        if kind == "http":
            spec = HTTP_FAULT_SCHEMA(data)
            return self.add_http(
                HttpFault(
                    status=spec["status"],
                    path=spec["path"],
                    method=spec["method"],
                    probability=spec["probability"],
                    remaining=spec.get("count"),
                    body=spec.get("body"),
                    headers=spec["headers"],
                )
            )
        if kind == "latency":
            spec = LATENCY_FAULT_SCHEMA(data)
            return self.add_latency(
                LatencyFault(spec["seconds"], spec["path"], spec["method"], spec.get("count"))
            )
        raise vol.Invalid(f"unknown fault kind {kind!r} (http, latency)")

    def take_http(self, method: str, path: str) -> HttpFault | None:
        """The HTTP fault that answers this request, if any (consumes one of its uses)."""
        for fault in self.http:
            if fault.matches(method, path) and self._rng.random() < fault.probability:
                self._consume(self.http, fault)
                return fault
        return None

    def take_latency(self, method: str, path: str) -> float:
        delay = 0.0
        for fault in list(self.latency):
            if fault.matches(method, path):
                delay += fault.seconds
                self._consume(self.latency, fault)
        return delay

    @staticmethod
    def _consume(faults: list[Any], fault: HttpFault | LatencyFault) -> None:
        if fault.remaining is None:
            return
        fault.remaining -= 1
        if fault.remaining <= 0:
            faults.remove(fault)

    def clear(self) -> None:
        self.http.clear()
        self.latency.clear()

    def as_json(self) -> dict[str, Any]:
        return {
            "http": [asdict(f) for f in self.http],
            "latency": [asdict(f) for f in self.latency],
        }


@dataclass(slots=True)
class MalformedFault:
    """One item's (a device's, a thing's) answers served broken in `shape`."""

    shape: str
    remaining: int | None = None  # answers left to break; None: until cleared
    answers: tuple[str, ...] | None = None  # which of its answers; None: every one


class MalformedItems:
    """The per-item malformed-answer faults a vendor's admin routes set and its REST serves."""

    def __init__(self) -> None:
        self.by_item: dict[str, MalformedFault] = {}

    def take(self, item: str, answer: str | None = None) -> str | None:
        """The shape to break this answer of `item` in, if any (consumes one use)."""
        fault = self.by_item.get(item)
        if fault is None or (fault.answers is not None and answer not in fault.answers):
            return None
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                del self.by_item[item]
        return fault.shape

    def clear(self) -> None:
        self.by_item.clear()
