"""What a benchmark reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
import math


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    value: float
    unit: str
    target: str = ""  # what we aim for, e.g. "< 25"; informational, never asserted


type Benchmark = Callable[[], Awaitable[list[Metric]]]

BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    """Register an async benchmark under `name`."""

    def register(func: Benchmark) -> Benchmark:
        BENCHMARKS[name] = func
        return func

    return register


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `samples` (pct in 0..100)."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
