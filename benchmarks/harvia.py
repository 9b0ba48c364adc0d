"""Harvia benchmarks: a real Home Assistant core with the integration, against the simulator.

- push to state latency: a change in the simulated cloud until Home Assistant's state changed;
- cloud requests per hour per sauna while push is healthy: requests of the integration's own
  schedule over one simulated hour (two watchdog polls and one token refresh);
- setup time and memory for the 50-sauna account; CPU time per 1000 push events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
import tracemalloc

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.harvia.const import CONF_DISCOVERY_URL, DOMAIN, WATCHDOG_INTERVAL
from simulators.core import SimClock, SimulatorServer
from simulators.harvia import SCENARIOS, HarviaSimulator
from simulators.testing import running_simulator

from .hass import cpu_for_state_changes, home_assistant_with_entry, state_change_latencies
from .metrics import Metric, benchmark, percentile

PUSH_SAMPLES = 300
CPU_EVENTS = 1000
DOOR_ENTITY = "binary_sensor.cabin_sauna_remote_control_allowed"


@asynccontextmanager
async def harvia_in_home_assistant(
    scenario: str,
    email: str,
    password: str = "loyly-2026",  # noqa: S107  (the simulator scenarios' password)
) -> AsyncIterator[tuple[HomeAssistant, SimulatorServer, MockConfigEntry, float]]:
    """A simulator and a Home Assistant with the entry set up; yields the setup time too."""
    async with running_simulator(
        HarviaSimulator, SCENARIOS / scenario, clock=SimClock(speed=0)
    ) as server:
        data = {
            CONF_EMAIL: email,
            CONF_PASSWORD: password,
            CONF_DISCOVERY_URL: f"{server.url}/endpoints",
        }
        async with home_assistant_with_entry(DOMAIN, data) as (hass, entry, setup_s):
            coordinator = entry.runtime_data.coordinator
            while not (coordinator.push and coordinator.push.connected):  # noqa: ASYNC110
                await asyncio.sleep(0.01)  # (push offers no event to wait on)
            await asyncio.sleep(0.3)  # subscriptions acknowledged, resync poll done
            await hass.async_block_till_done()
            yield hass, server, entry, setup_s


def _sim(server: SimulatorServer) -> HarviaSimulator:
    assert isinstance(server.simulator, HarviaSimulator)
    return server.simulator


def _door_toggler(server: SimulatorServer) -> Callable[[int], None]:
    cloud = _sim(server).cloud
    return lambda n: cloud.set_door("xenio-1", "C1", closed=n % 2 == 1)


async def _push_latency() -> list[float]:
    async with harvia_in_home_assistant("xenio_steamer.yaml", "xenio@harvia.example") as (
        hass,
        server,
        _,
        _,
    ):
        return await state_change_latencies(hass, DOOR_ENTITY, _door_toggler(server), PUSH_SAMPLES)


async def _requests_per_sauna_hour() -> float:
    async with harvia_in_home_assistant("xenio_steamer.yaml", "xenio@harvia.example") as (
        hass,
        server,
        entry,
        _,
    ):
        log = server.ctx.log
        log.clear()
        coordinator = entry.runtime_data.coordinator
        # Jumping Home Assistant's clock an hour ahead would also fire the push connection's
        # keep-alive timeouts; run the hour's schedule itself instead: two watchdog resyncs
        # (one every WATCHDOG_INTERVAL) and one id-token refresh.
        for _ in range(round(timedelta(hours=1) / WATCHDOG_INTERVAL)):
            await coordinator.async_refresh()
        entry.runtime_data.client._expires_at = 0  # noqa: SLF001
        await coordinator.client.async_login()
        await hass.async_block_till_done()
        # Push renews its connection once an hour too, but that is a websocket, not a request.
        return float(log.total) / len(coordinator.data.devices)


async def _fifty_saunas() -> tuple[float, float]:
    tracemalloc.start()
    async with harvia_in_home_assistant("fifty_saunas.yaml", "spa@harvia.example") as (
        _,
        _,
        _,
        setup_s,
    ):
        _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return setup_s, peak / 2**20


async def _cpu_per_thousand_pushes() -> float:
    async with harvia_in_home_assistant("xenio_steamer.yaml", "xenio@harvia.example") as (
        hass,
        server,
        _,
        _,
    ):
        return await cpu_for_state_changes(hass, DOOR_ENTITY, _door_toggler(server), CPU_EVENTS)


@benchmark("harvia")
async def harvia_benchmarks() -> list[Metric]:
    latencies = await _push_latency()
    per_hour = await _requests_per_sauna_hour()
    setup_s, memory_mib = await _fifty_saunas()
    cpu = await _cpu_per_thousand_pushes()
    return [
        Metric("push to state latency p50", percentile(latencies, 50), "ms"),
        Metric("push to state latency p99", percentile(latencies, 99), "ms", "< 25"),
        Metric("cloud requests per hour per sauna (push healthy)", per_hour, "requests", "<= 10"),
        Metric("setup time, 50 saunas", setup_s, "s"),
        Metric("peak Python memory during setup, 50 saunas", memory_mib, "MiB"),
        Metric("CPU per 1000 push events (HA + simulator)", cpu, "s"),
    ]
