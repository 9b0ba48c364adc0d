"""Homely integration tests: real Home Assistant core against the Homely simulator.

The fixtures follow tests/conftest.py's pattern: scenario, cloud, sim, entry_data, config_entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.api import push as push_module
from custom_components.homely.const import CONF_BASE_URL, CONF_LOCATION_ID, DOMAIN
from simulators.core import SimClock, SimulatorServer
from simulators.homely import SCENARIOS, HomelySimulator
from tests.conftest import (
    SetUp as SetUp,  # noqa: PLC0414  (re-exported: the tests import it from here)
    StartSimulator,
    scenario_file,
)

from .helpers import socket_ready

HOME = "182bb447-8fa3-4fab-aa1a-5f01d15d6b59"
CABIN = "232bb400-8fa3-4fab-aa1a-5f01d15d6b62"
HAN = "1d6d0206-bfcc-4c8b-83f1-c23d7270fe9f"
FLOOD = "a8034720-2a17-4b2a-95f4-eec910cdeddf"
MOTION = "60566ab4-114b-44f9-b355-b08eae8e2bb8"
THERMOSTAT = "93fc76e9-1a1f-4e63-8cf4-963f2e834eaf"

ACCOUNTS = {
    "typical_home.yaml": ("kari@homely.example", "hjemme-2026", "Solbakken 12"),
    "live_shapes.yaml": ("kari@homely.example", "hjemme-2026", "Solbakken 12"),
    "rate_limited.yaml": ("kari@homely.example", "hjemme-2026", "Solbakken 12"),
    "two_homes.yaml": ("per@homely.example", "to-hjem-2026", "Kringsjå"),
    "big_home.yaml": ("facility@homely.example", "stort-bygg-2026", "Kontorbygg"),
    "partial_stream.yaml": ("kari@homely.example", "hjemme-2026", "Solbakken 12"),
    "no_homes.yaml": ("kari@homely.example", "hjemme-2026", "Solbakken 12"),
}
TEST_SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/homely."""


@pytest.fixture(autouse=True)
def _quick_socket_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect within the test's patience; the real delays are seconds to minutes."""
    monkeypatch.setattr(push_module, "RETRY_MIN", 0.05)
    monkeypatch.setattr(push_module, "RECONNECT_DELAY", 0.05)


@pytest.fixture
def scenario() -> str:
    return "typical_home.yaml"


@pytest.fixture
async def cloud(
    start_simulator: StartSimulator, scenario: str, sim_clock: SimClock
) -> SimulatorServer:
    path = scenario_file(scenario, TEST_SCENARIOS, SCENARIOS)
    return await start_simulator(HomelySimulator, path, clock=sim_clock)


@pytest.fixture
def sim(cloud: SimulatorServer) -> HomelySimulator:
    assert isinstance(cloud.simulator, HomelySimulator)
    return cloud.simulator


@pytest.fixture
def location_id(sim: HomelySimulator, scenario: str) -> str:
    return sim.cloud.home_by_ref(ACCOUNTS[scenario][2]).location_id


@pytest.fixture
def entry_data(cloud: SimulatorServer, scenario: str, location_id: str) -> dict[str, Any]:
    username, password, _home = ACCOUNTS[scenario]
    return {
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
        CONF_BASE_URL: cloud.url,
        CONF_LOCATION_ID: location_id,
    }


@pytest.fixture
def config_entry(
    hass: HomeAssistant, entry_data: dict[str, Any], scenario: str, location_id: str
) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=ACCOUNTS[scenario][2],
        unique_id=location_id,
        data=entry_data,
        entry_id="01HOMELYTESTENTRY000000000",
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture
async def ready(
    hass: HomeAssistant, loaded: MockConfigEntry, sim: HomelySimulator
) -> MockConfigEntry:
    """Set up, with the socket connected and polling slowed to the watchdog."""
    await socket_ready(hass, loaded, sim)
    return loaded
