"""Homely benchmarks: a real Home Assistant core with the integration, against the simulator.

- event to state latency: a change in the simulated home until Home Assistant's state changed;
- cloud requests per hour per home while the socket is healthy: one simulated hour of the
  integration's own schedule (a watchdog poll every 10 minutes, tokens renewed as they expire);
- setup time for the 200-device home; CPU time per 1000 socket events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.const import (
    CONF_BASE_URL,
    CONF_LOCATION_ID,
    DOMAIN,
    WATCHDOG_INTERVAL,
)
from simulators.core import SimClock, SimulatorServer
from simulators.homely import SCENARIOS, HomelySimulator
from simulators.homely.cloud import Home
from simulators.testing import running_simulator

from .hass import cpu_for_state_changes, home_assistant_with_entry, state_change_latencies
from .metrics import Metric, benchmark, percentile

EVENT_SAMPLES = 300
CPU_EVENTS = 1000
TYPICAL = ("typical_home.yaml", "kari@homely.example", "hjemme-2026")
BIG = ("big_home.yaml", "facility@homely.example", "stort-bygg-2026")


@asynccontextmanager
async def homely_in_home_assistant(
    scenario: str, username: str, password: str
) -> AsyncIterator[tuple[HomeAssistant, SimulatorServer, Home, MockConfigEntry, float]]:
    """A simulated home and Home Assistant with its entry set up and the socket connected."""
    clock = SimClock(start=1_790_000_000.0, speed=0)
    async with running_simulator(HomelySimulator, SCENARIOS / scenario, clock=clock) as server:
        assert isinstance(server.simulator, HomelySimulator)
        home = next(iter(server.simulator.cloud.homes.values()))
        data = {
            CONF_USERNAME: username,
            CONF_PASSWORD: password,
            CONF_BASE_URL: server.url,
            CONF_LOCATION_ID: home.location_id,
        }
        async with home_assistant_with_entry(DOMAIN, data, home.location_id) as (
            hass,
            entry,
            setup_s,
        ):
            coordinator = entry.runtime_data.coordinator
            while not coordinator.push_connected:  # noqa: ASYNC110  (no event to wait on)
                await asyncio.sleep(0.01)
            await hass.async_block_till_done()
            yield hass, server, home, entry, setup_s


def _motion_toggler(server: SimulatorServer, home: Home) -> tuple[str, Callable[[int], None]]:
    """The entity of the home's first motion sensor, and a function that toggles it."""
    assert isinstance(server.simulator, HomelySimulator)
    cloud = server.simulator.cloud
    device = next(d for d in home.devices.values() if d.kind.startswith("motion"))
    entity_id = f"binary_sensor.{device.name.lower().replace(' ', '_')}_motion"

    def toggle(n: int) -> None:
        server.ctx.clock.advance(0.01)  # every change gets its own lastUpdated
        cloud.set_state(home, device, "alarm", "alarm", n % 2 == 0)

    return entity_id, toggle


async def _event_latency() -> list[float]:
    async with homely_in_home_assistant(*TYPICAL) as (hass, server, home, _, _):
        entity_id, toggle = _motion_toggler(server, home)
        return await state_change_latencies(hass, entity_id, toggle, EVENT_SAMPLES)


async def _requests_per_home_hour() -> float:
    async with homely_in_home_assistant(*TYPICAL) as (hass, server, _, entry, _):
        client = entry.runtime_data.client
        client._clock = server.ctx.clock.now  # noqa: SLF001  (token lifetimes on simulated time)
        await client.async_login()
        coordinator = entry.runtime_data.coordinator
        server.ctx.log.clear()
        # The hour's schedule: one watchdog poll every WATCHDOG_INTERVAL; every poll renews the
        # 60-second access token with the refresh token (which the renewal rotates, so the
        # refresh token never runs out and no new sign-in is needed).
        for _ in range(round(timedelta(hours=1) / WATCHDOG_INTERVAL)):
            server.ctx.clock.advance(WATCHDOG_INTERVAL.total_seconds())
            await coordinator.async_refresh()
        await hass.async_block_till_done()
        assert coordinator.push_connected
        return float(server.ctx.log.total)


async def _big_home() -> tuple[float, int]:
    async with homely_in_home_assistant(*BIG) as (hass, _, _, _, setup_s):
        return setup_s, len(hass.states.async_entity_ids())


async def _cpu_per_thousand_events() -> float:
    async with homely_in_home_assistant(*BIG) as (hass, server, home, _, _):
        entity_id, toggle = _motion_toggler(server, home)
        return await cpu_for_state_changes(hass, entity_id, toggle, CPU_EVENTS)


@benchmark("homely")
async def homely_benchmarks() -> list[Metric]:
    latencies = await _event_latency()
    per_hour = await _requests_per_home_hour()
    setup_s, entities = await _big_home()
    cpu = await _cpu_per_thousand_events()
    return [
        Metric("event to state latency p50", percentile(latencies, 50), "ms"),
        Metric("event to state latency p99", percentile(latencies, 99), "ms", "< 25"),
        Metric("cloud requests per hour per home (socket healthy)", per_hour, "requests", "<= 15"),
        Metric("setup time, 200-device home", setup_s, "s"),
        Metric("entities, 200-device home", entities, "entities"),
        Metric("CPU per 1000 socket events, 200-device home (HA + simulator)", cpu, "s"),
    ]
