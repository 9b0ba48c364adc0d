"""Simulated time for a running Home Assistant and its simulator: an hour in a few seconds.

The event loop's clock (which Home Assistant's polls, retries and the clients' backoffs are timed
on) and the simulator's clock move on together, in steps, and everything due runs at each step,
in order, while real time barely moves.
"""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
import pytest

from simulators.core import SimClock


class SimulatedTime:
    def __init__(
        self, hass: HomeAssistant, sim_clock: SimClock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._hass = hass
        self._sim_clock = sim_clock
        self._offset = 0.0
        real_time = hass.loop.time
        monkeypatch.setattr(hass.loop, "time", lambda: real_time() + self._offset)

    @property
    def now(self) -> float:
        """The simulator's clock: what its request log stamps requests with."""
        return self._sim_clock.now()

    async def advance(self, seconds: float, *, step: float = 5.0) -> None:
        """Let `seconds` pass, `step` at a time (shorter than any request timeout), letting the
        requests each step starts finish before the next."""
        remaining = seconds
        while remaining > 0:
            moved = min(step, remaining)
            self._offset += moved
            self._sim_clock.advance(moved)
            remaining -= moved
            await self.settle()

    async def settle(self) -> None:
        """Let what is due run, requests to the simulator included."""
        for _ in range(3):
            await self._hass.async_block_till_done()
            await asyncio.sleep(0.005)
