"""Fixtures every test shares. Tests talk to real local servers, so sockets are enabled
(127.0.0.1 only).

Each integration's conftest (tests/<domain>/conftest.py) provides the same fixtures in the same
shape, and the setup fixtures below build on them:
- `scenario`: the simulator's scenario file, by name (override per test with parametrize);
- `cloud`: the running simulator server; `sim`: its vendor simulator;
- `entry_data`: the config entry's data for the scenario's account; `config_entry`: that entry,
  added to hass.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
import logging
from pathlib import Path
from typing import Any
from unittest.mock import PropertyMock, patch

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import this repository's custom_components before Home Assistant's loader mounts the test
# config dir of pytest-homeassistant-custom-component, whose own package would shadow ours.
import custom_components  # noqa: F401
from simulators.core import CloudSimulator, Scenario, SimClock, SimulatorServer
from simulators.testing import running_simulator
from tests.simulated_time import SimulatedTime

type StartSimulator = Callable[..., Awaitable[SimulatorServer]]
type SetUp = Callable[[], Awaitable[MockConfigEntry]]

# pytest-homeassistant-custom-component turns on SQL echo at import; it floods the CI log.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def _real_local_sockets(socket_enabled: None) -> None:
    """pytest-homeassistant blocks sockets; ours are real, and stay on 127.0.0.1."""


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session for talking to simulators from tests."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def start_simulator() -> AsyncIterator[StartSimulator]:
    """Start simulators in the test's event loop; all of them stop when the test ends.

    `await start_simulator(HarviaSimulator, scenario_path_or_none, clock=..., seed=...)`
    """
    async with AsyncExitStack() as stack:

        async def start(
            simulator_cls: type[CloudSimulator],
            scenario: Scenario | Path | None = None,
            **options: Any,
        ) -> SimulatorServer:
            return await stack.enter_async_context(
                running_simulator(simulator_cls, scenario, **options)
            )

        yield start


def scenario_file(scenario: str, *folders: Path) -> Path:
    """A scenario given as a path, or by name from the first of `folders` that holds it."""
    if "/" in scenario:
        return Path(scenario)
    for folder in folders:
        if (folder / scenario).exists():
            return folder / scenario
    raise FileNotFoundError(f"no scenario {scenario!r} in {[str(f) for f in folders]}")


@pytest.fixture
def sim_clock() -> SimClock:
    """The simulators' clock, stopped: tests move time on by advancing it."""
    return SimClock(start=1_790_000_000.0, speed=0)


@pytest.fixture
def simulated_time(
    hass: HomeAssistant, sim_clock: SimClock, monkeypatch: pytest.MonkeyPatch
) -> SimulatedTime:
    """Home Assistant's loop clock and the simulator's clock, moved on together."""
    return SimulatedTime(hass, sim_clock, monkeypatch)


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create disabled-by-default entities enabled (as Home Assistant core's fixture does)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
async def setup_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer
) -> AsyncIterator[SetUp]:
    """Set the entry up on demand; unload the domain's entries before the simulator stops."""

    async def setup() -> MockConfigEntry:
        assert await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        return config_entry

    yield setup
    for entry in hass.config_entries.async_entries(config_entry.domain):
        if entry.state.recoverable:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
async def loaded(setup_integration: SetUp) -> MockConfigEntry:
    """The config entry, set up."""
    return await setup_integration()
