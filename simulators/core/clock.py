"""Simulated wall clock that devices and token lifetimes run on.

Simulated time follows real time at `speed` and can jump forward with `advance`, so a test can
let a sauna heat for twenty minutes or a token expire without waiting.
"""

from __future__ import annotations

from collections.abc import Callable
import time

type ClockListener = Callable[[float], None]


class SimClock:
    """Epoch seconds in simulated time."""

    def __init__(
        self,
        start: float | None = None,
        speed: float = 1.0,
        real_time: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError("clock speed cannot be negative")
        self._real_time = real_time
        self._anchor_real = real_time()
        self._anchor_sim = time.time() if start is None else start
        self._speed = speed
        self._listeners: list[ClockListener] = []

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        return self._anchor_sim + (self._real_time() - self._anchor_real) * self._speed

    def set_speed(self, speed: float) -> None:
        """Change how fast simulated time runs from now on."""
        if speed < 0:
            raise ValueError("clock speed cannot be negative")
        self._anchor_sim = self.now()
        self._anchor_real = self._real_time()
        self._speed = speed

    def advance(self, seconds: float) -> float:
        """Jump forward; listeners see the new time at once. Returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._anchor_sim += seconds
        now = self.now()
        for listener in list(self._listeners):
            listener(now)
        return now

    def add_listener(self, listener: ClockListener) -> Callable[[], None]:
        """Call `listener(now)` after every jump; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)
