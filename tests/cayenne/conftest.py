"""Cayenne integration tests: real Home Assistant core against the Cayenne simulator and its
real MQTT broker.

The fixtures follow tests/conftest.py's pattern: scenario, cloud, sim, entry_data, config_entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cayenne import coordinator as coordinator_module
from custom_components.cayenne.api import push as push_module
from custom_components.cayenne.const import (
    CONF_API_URL,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    CONF_AUTH_FLOW,
    CONF_AUTH_URL,
    CONF_MQTT_HOST,
    CONF_MQTT_PORT,
    CONF_MQTT_TLS,
    DOMAIN,
)
from simulators.cayenne import SCENARIOS, CayenneSimulator
from simulators.core import SimClock, SimulatorServer
from tests.conftest import (
    SetUp as SetUp,  # noqa: PLC0414  (re-exported: the tests import it from here)
    StartSimulator,
    scenario_file,
)
from tests.helpers import eventually

EMAIL = "maker@cayenne.example"
PASSWORD = "pi-in-the-sky-2026"
APP_KEY = "8f3c2a10-6d4e-4b7a-9c1f-2e5d7a9b0c31"
APP_SECRET = "3f9d2c7b1a6e4d8f0b5c9a2e7d1f4b6c8a0e3d5f"
ACCOUNT_ID = "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
PI = "1f3a5c7e-9b2d-4f6a-8c0e-2b4d6f8a0c1e"
LORA = "7c9e1a3b-5d7f-4b9d-a1c3-e5f7091b3d5f"
OLD = "0d2f4b6a-8c1e-4a3c-9e5b-7d9f1b3a5c7e"
FAN_RULE = "590667539f234af837fabcf9"
TEST_SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture(autouse=True)
def _custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/cayenne."""


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and confirm within the test's patience; the real delays are seconds."""
    monkeypatch.setattr(push_module, "RETRY_MIN", 0.05)
    monkeypatch.setattr(push_module, "REFUSED_RETRY", 0.5)
    monkeypatch.setattr(coordinator_module, "COMMAND_CONFIRM_TIMEOUT", 3.0)
    monkeypatch.setattr(coordinator_module, "CONFIRM_POLL_INTERVAL", 0.2)


@pytest.fixture
def scenario() -> str:
    return "demo.yaml"


@pytest.fixture
async def cloud(
    start_simulator: StartSimulator, scenario: str, sim_clock: SimClock
) -> SimulatorServer:
    path = scenario_file(scenario, TEST_SCENARIOS, SCENARIOS)
    return await start_simulator(CayenneSimulator, path, clock=sim_clock)


@pytest.fixture
def sim(cloud: SimulatorServer) -> CayenneSimulator:
    assert isinstance(cloud.simulator, CayenneSimulator)
    return cloud.simulator


@pytest.fixture
def entry_data(cloud: SimulatorServer, sim: CayenneSimulator) -> dict[str, Any]:
    return {
        CONF_EMAIL: EMAIL,
        CONF_PASSWORD: PASSWORD,
        CONF_APP_KEY: APP_KEY,
        CONF_APP_SECRET: APP_SECRET,
        CONF_AUTH_FLOW: "openid",
        CONF_AUTH_URL: cloud.url,
        CONF_API_URL: cloud.url,
        CONF_MQTT_HOST: sim.mqtt_host,
        CONF_MQTT_PORT: sim.mqtt_port,
        CONF_MQTT_TLS: False,
    }


@pytest.fixture
def config_entry(hass: HomeAssistant, entry_data: dict[str, Any]) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=EMAIL,
        unique_id=ACCOUNT_ID,
        data=entry_data,
        entry_id="01CAYENNETESTENTRY00000000",
    )
    entry.add_to_hass(hass)
    return entry


async def push_ready(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Wait until the MQTT feed is up and polling has slowed to the watchdog."""
    coordinator = entry.runtime_data.coordinator
    await eventually(hass, lambda: coordinator.push_connected, within=10)


@pytest.fixture
async def ready(hass: HomeAssistant, loaded: MockConfigEntry) -> MockConfigEntry:
    """Set up, with the MQTT feed connected."""
    await push_ready(hass, loaded)
    return loaded
