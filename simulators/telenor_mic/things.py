"""Things and their AWS IoT shadows.

A thing reports its sensor resources once a cycle and a settable resource when it changes; each
report is a shadow update (new version, per-resource metadata timestamps). A desired state waits
in the shadow (its delta: the keys that differ from reported) until the thing, when it is not
silent, applies it: it takes what it can, reports the result and clears those desired keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import math
from typing import Any

from .model import Domain, ThingType
from .signals import NOT_ACCEPTED, Signal, Value, accept


@dataclass(slots=True)
class Shadow:
    reported: dict[str, Value] = field(default_factory=dict)
    reported_at: dict[str, int] = field(default_factory=dict)  # epoch seconds per resource
    desired: dict[str, Any] = field(default_factory=dict)
    desired_at: dict[str, int] = field(default_factory=dict)
    version: int = 0  # 0: the thing never reported, there is no shadow yet

    def report(self, values: dict[str, Value], at: float, clear: tuple[str, ...] = ()) -> None:
        """One update from the thing; `clear` names desired keys it has dealt with."""
        self.reported.update(values)
        self.reported_at.update(dict.fromkeys(values, int(at)))
        for key in clear:
            self.desired.pop(key, None)
            self.desired_at.pop(key, None)
        self.version += 1

    def desire(self, desired: dict[str, Any] | None, at: float) -> None:
        """Merge a desired state as AWS IoT does: a null value deletes its key, a null
        desired clears them all."""
        if desired is None:
            self.desired.clear()
            self.desired_at.clear()
        else:
            for key, value in desired.items():
                if value is None:
                    self.desired.pop(key, None)
                    self.desired_at.pop(key, None)
                else:
                    self.desired[key] = value
                    self.desired_at[key] = int(at)
        self.version += 1

    def delta(self) -> dict[str, Any]:
        return {k: v for k, v in self.desired.items() if self.reported.get(k) != v}

    def document(self, now: float) -> dict[str, Any] | None:
        """The shadow as GetThingShadow returns it (timestamp: when it is sent)."""
        if self.version == 0:
            return None
        state: dict[str, Any] = {"reported": dict(self.reported)}
        metadata: dict[str, Any] = {
            "reported": {k: {"timestamp": at} for k, at in self.reported_at.items()}
        }
        if self.desired:
            state["desired"] = dict(self.desired)
            metadata["desired"] = {k: {"timestamp": at} for k, at in self.desired_at.items()}
        delta = self.delta()
        if delta:
            state["delta"] = delta
        return {
            "state": state,
            "metadata": metadata,
            "timestamp": int(now),
            "version": self.version,
        }


@dataclass(slots=True, eq=False)
class Thing:
    name: str
    label: str
    domain: Domain
    thing_type: ThingType
    report_every_s: float
    phase_s: float
    signals: dict[str, Signal]
    history_from: float  # it has reported since this time
    shadow: Shadow = field(default_factory=Shadow)
    last_heard: float | None = None
    last_cycle: int = 0
    silent_since: float | None = None  # silent from this time on (it may lie ahead)
    quiet: list[tuple[float, float]] = field(default_factory=list)  # earlier silent spans
    pending: bool = False  # a desired state came that the thing has not looked at yet

    # --- time -------------------------------------------------------------------------------------
    def cycle(self, now: float) -> int:
        return math.floor((now - self.phase_s) / self.report_every_s)

    def cycle_time(self, cycle: int) -> float:
        return self.phase_s + cycle * self.report_every_s

    def silent(self, now: float) -> bool:
        return self.silent_since is not None and now >= self.silent_since

    def set_silent(self, silent: bool, now: float) -> None:
        if silent and not self.silent(now):
            self.silent_since = now
        elif not silent and self.silent_since is not None:
            if self.silent_since <= now:
                self.quiet.append((self.silent_since, now))
            self.silent_since = None
            self.last_cycle = self.cycle(now)  # no catching up on what it missed
            self.pending = bool(self.shadow.desired)

    def heard_spans(self, start: float, end: float) -> list[tuple[float, float]]:
        """The parts of [start, end] in which the thing was reporting."""
        if self.last_heard is None:
            return []
        lo, hi = max(start, self.history_from), min(end, self.last_heard)
        gaps = sorted(self.quiet)
        if self.silent_since is not None:
            gaps.append((self.silent_since, math.inf))
        spans: list[tuple[float, float]] = []
        for gap_lo, gap_hi in gaps:
            if lo > hi:
                break
            if gap_lo > lo:  # up to the moment it fell silent, not including it
                spans.append((lo, min(hi, math.nextafter(gap_lo, -math.inf))))
            lo = max(lo, gap_hi)
        if lo <= hi:
            spans.append((lo, hi))
        return [(a, b) for a, b in spans if a <= b]

    # --- values -----------------------------------------------------------------------------------
    @property
    def sensors(self) -> list[str]:
        return [name for name, s in self.signals.items() if not s.resource.settable]

    def values_at(self, t: float) -> dict[str, Value]:
        """Every resource's value at time t."""
        values: dict[str, Value] = {}
        for name, signal in self.signals.items():
            if not signal.derived:
                values[name] = signal.value_at(t, values)
        for name, signal in self.signals.items():
            if signal.derived:
                values[name] = signal.value_at(t, values)
        return {name: values[name] for name in self.signals}

    def value(self, name: str, t: float) -> Value:
        return self.values_at(t)[name]

    # --- reports ----------------------------------------------------------------------------------
    def report(self, values: dict[str, Value], at: float, clear: tuple[str, ...] = ()) -> None:
        self.shadow.report(values, at, clear)
        self.last_heard = at

    def report_cycle(self, now: float) -> dict[str, Value] | None:
        """The sensor values the thing reports when a new cycle has begun, else None."""
        cycle = self.cycle(now)
        if self.silent(now) or cycle <= self.last_cycle:
            return None
        self.last_cycle = cycle
        at = self.cycle_time(cycle)
        values = self.values_at(at)
        reported = {name: values[name] for name in self.sensors}
        if self.shadow.version == 0:  # its first report says everything
            reported = values
        if not reported:
            return None
        self.report(reported, at)
        return reported

    def apply_desired(self, now: float) -> dict[str, Value] | None:
        """The thing takes the desired values it can, reports what it has (a refused value
        reads back unchanged) and clears those keys. Keys it has no settable resource for
        stay desired: they remain the shadow's delta."""
        if not self.pending or self.silent(now):
            return None
        self.pending = False
        handled: dict[str, Value] = {}
        for key, wanted in self.shadow.desired.items():
            signal = self.signals.get(key)
            if signal is None or not signal.resource.settable:
                continue
            value = accept(signal.resource, wanted)
            if value is not NOT_ACCEPTED and value != signal.value_at(now, {}):
                signal.set(value, now)
            handled[key] = self.value(key, now)
        if not handled:
            return None
        self.report(handled, now, clear=tuple(handled))
        return handled

    def override(self, values: dict[str, Value], now: float) -> dict[str, Value]:
        """The thing reports these values now, and holds them from now on."""
        for key, value in values.items():
            self.signals[key].set(value, now)
        self.report(dict(values), now)
        return dict(values)
