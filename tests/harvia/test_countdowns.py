"""Remaining session time and time to target stay fresh while a sauna heats.

The cloud's clock starts at the real time here, so that its timestamps and Home Assistant's
"now" agree. Home Assistant's clock is shifted a minute at a time (its timers fired), without
freezing the clock the sockets run on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import time

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from simulators.core import SimClock
from simulators.harvia import HarviaSimulator

from .conftest import BOTH_SHAPES, SetUp
from .helpers import eventually, push_ready, state_of

REMAINING = "sensor.cabin_sauna_remaining_session_time"
TO_TARGET = "sensor.cabin_sauna_time_to_target_temperature"


class ShiftedClock:
    """Home Assistant's utcnow, `offset` ahead of the real time."""

    def __init__(self) -> None:
        self.offset = timedelta(0)
        self._real_utcnow = dt_util.utcnow

    def utcnow(self) -> dt_util.dt.datetime:
        return self._real_utcnow() + self.offset


@pytest.fixture
def sim_clock() -> SimClock:
    return SimClock(start=time.time(), speed=0)


@pytest.fixture
def ha_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShiftedClock]:
    clock = ShiftedClock()
    monkeypatch.setattr(dt_util, "utcnow", clock.utcnow)
    return clock


def minutes(hass: HomeAssistant, entity_id: str) -> int:
    return int(state_of(hass, entity_id) or -1)


async def next_minute(hass: HomeAssistant, ha_clock: ShiftedClock) -> None:
    """A minute passes in Home Assistant: its clock moves on and the timers due run."""
    ha_clock.offset += timedelta(minutes=1)
    async_fire_time_changed(hass, ha_clock._real_utcnow() + timedelta(minutes=1, seconds=1))
    await hass.async_block_till_done()


@BOTH_SHAPES
async def test_they_follow_the_telemetry_while_heating(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    sim_clock: SimClock,
    ha_clock: ShiftedClock,
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    sauna = sim.cloud.saunas["xenio-1"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")  # the shadow is pushed
    await eventually(hass, lambda: minutes(hass, REMAINING) == 180)
    to_target = [minutes(hass, TO_TARGET)]
    assert to_target[0] > 30  # a 9 kW heater needs most of an hour to reach 80 °C
    for passed in range(1, 6):
        # A measurement a minute: newer than the shadow, so it wins.
        sim_clock.advance(60)
        await next_minute(hass, ha_clock)
        await eventually(hass, lambda passed=passed: minutes(hass, REMAINING) == 180 - passed)
        to_target.append(minutes(hass, TO_TARGET))
    assert to_target == sorted(to_target, reverse=True)
    assert to_target[-1] < to_target[0]


async def test_they_count_down_between_cloud_updates(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    sim_clock: SimClock,
    ha_clock: ShiftedClock,
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    sauna = sim.cloud.saunas["xenio-1"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")
    await eventually(hass, lambda: minutes(hass, REMAINING) == 180)
    to_target = minutes(hass, TO_TARGET)
    for passed in range(1, 4):  # the cloud stays silent (its clock stands still)
        await next_minute(hass, ha_clock)
        assert minutes(hass, REMAINING) == 180 - passed
        assert minutes(hass, TO_TARGET) == to_target - passed
    sim_clock.advance(3 * 60)  # the cloud catches up: a measurement, then a newer shadow
    sim.cloud.command(sauna, sauna.cabin("C1"), "LIGHTS", "on")
    await eventually(hass, lambda: state_of(hass, "light.cabin_sauna_light") == "on")
    assert minutes(hass, REMAINING) == 177
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await next_minute(hass, ha_clock)  # the per-minute timer went with the entities
    assert state_of(hass, REMAINING) == "unavailable"


async def test_they_read_zero_while_off(
    hass: HomeAssistant, setup_integration: SetUp, ha_clock: ShiftedClock
) -> None:
    await setup_integration()
    await next_minute(hass, ha_clock)
    assert (state_of(hass, REMAINING), state_of(hass, TO_TARGET)) == ("0", "0")
