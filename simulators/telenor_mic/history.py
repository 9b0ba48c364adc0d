"""Observations: one per thing report, with the thing's reported values at that time.

They are not stored: a thing's reports fall on its cycle (and when a settable value changed) while
it was heard, and its values are functions of time, so any window is computed on demand, counted
without being built, and merged across things in time order for a page of results. History
therefore reaches back to each thing's `history_from` (the scenario's back-fill) whatever the
clock did meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
import heapq
import itertools
import math
from typing import Any

from .things import Thing


@dataclass(frozen=True, slots=True)
class Window:
    start: float  # epoch seconds, inclusive
    end: float  # inclusive


def _cycles(thing: Thing, lo: float, hi: float) -> range:
    first = math.ceil((lo - thing.phase_s) / thing.report_every_s)
    last = math.floor((hi - thing.phase_s) / thing.report_every_s)
    return range(first, last + 1)


def _off_cycle(thing: Thing, lo: float, hi: float) -> list[float]:
    """Reports of a changed settable value between cycles."""
    times = {
        at
        for signal in thing.signals.values()
        for at in signal.change_times()
        if lo <= at <= hi and (at - thing.phase_s) % thing.report_every_s != 0
    }
    return sorted(times)


def count(thing: Thing, window: Window) -> int:
    return sum(
        len(_cycles(thing, lo, hi)) + len(_off_cycle(thing, lo, hi))
        for lo, hi in thing.heard_spans(window.start, window.end)
    )


def times(thing: Thing, window: Window, *, descending: bool = False) -> Iterator[float]:
    """The thing's report times in the window, in order."""
    spans = thing.heard_spans(window.start, window.end)
    if descending:
        spans.reverse()
    for lo, hi in spans:
        cycles = _cycles(thing, lo, hi)
        off = _off_cycle(thing, lo, hi)
        if descending:
            cycles, off = cycles[::-1], off[::-1]
        on_cycle = (thing.cycle_time(n) for n in cycles)
        yield from heapq.merge(on_cycle, off, reverse=descending)


def page(
    things: Iterable[Thing], window: Window, start: int, size: int, *, descending: bool = False
) -> list[tuple[float, Thing]]:
    """Reports of all `things` in time order (ties by thing name), from `start`, `size` of them."""

    def stream(thing: Thing) -> Iterator[tuple[float, str, Thing]]:
        for at in times(thing, window, descending=descending):
            yield at, thing.name, thing

    streams = [stream(thing) for thing in sorted(things, key=lambda t: t.name)]
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]), reverse=descending)
    return [(at, thing) for at, _name, thing in itertools.islice(merged, start, start + size)]


def observation(thing: Thing, at: float) -> dict[str, Any]:
    return {"thingName": thing.name, "timestamp": round(at * 1000), "state": thing.values_at(at)}
