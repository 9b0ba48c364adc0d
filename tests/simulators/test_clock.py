"""The simulated clock."""

from __future__ import annotations

import pytest

from simulators.core import SimClock


class FakeReal:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_follows_real_time_at_speed() -> None:
    real = FakeReal()
    clock = SimClock(start=1000.0, speed=60.0, real_time=real)
    assert clock.now() == 1000.0
    real.t += 2
    assert clock.now() == 1120.0


def test_speed_change_keeps_time_continuous() -> None:
    real = FakeReal()
    clock = SimClock(start=0.0, real_time=real)
    real.t += 10
    clock.set_speed(10.0)
    assert clock.now() == 10.0
    real.t += 1
    assert clock.now() == 20.0
    assert clock.speed == 10.0


def test_advance_notifies_listeners_until_removed() -> None:
    clock = SimClock(start=0.0, real_time=FakeReal())
    seen: list[float] = []
    remove = clock.add_listener(seen.append)
    assert clock.advance(30) == 30.0
    remove()
    clock.advance(5)
    assert seen == [30.0]
    assert clock.now() == 35.0


def test_rejects_going_backwards() -> None:
    clock = SimClock()
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="negative"):
        clock.set_speed(-2)
    with pytest.raises(ValueError, match="negative"):
        SimClock(speed=-1)
