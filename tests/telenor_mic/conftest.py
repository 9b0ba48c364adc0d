"""Telenor MIC integration tests: real Home Assistant core against the MIC simulator, its
Cognito endpoint, its SigV4-checking websocket and the real MQTT broker behind it.

The fixtures follow tests/conftest.py's pattern: scenario, cloud, sim, entry_data, config_entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic import coordinator as coordinator_module
from custom_components.telenor_mic.api import push as push_module
from custom_components.telenor_mic.const import CONF_AWS_ENDPOINT, CONF_MANIFEST_URL, DOMAIN
from simulators.core import SimClock, SimulatorServer
from simulators.telenor_mic import SCENARIOS, TelenorMicSimulator
from tests.conftest import (
    SetUp as SetUp,  # noqa: PLC0414  (re-exported: the tests import it from here)
    StartSimulator,
    scenario_file,
)
from tests.helpers import eventually

HOST = "demo.mic.example"
USERNAME = "demo-owner"
PASSWORD = "mic-demo-2026"
UNIQUE_ID = f"{HOST}/{USERNAME}"
VIEWER = "showroom-viewer"
VIEWER_PASSWORD = "look-dont-touch-1"
LAB_HOST = "lab.mic.example"
LAB_USER = "lab-admin"
LAB_PASSWORD = "lab-root-2026"
TEST_SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture(autouse=True)
def _recorder_first(recorder_mock: Any) -> None:
    """MIC depends on the recorder (observations import); it must start before `hass`."""


@pytest.fixture(autouse=True)
def _custom_integrations(_recorder_first: None, enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/telenor_mic."""


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and confirm within the test's patience; the real delays are seconds."""
    monkeypatch.setattr(push_module, "RETRY_MIN", 0.05)
    monkeypatch.setattr(coordinator_module, "WRITE_CONFIRM_TIMEOUT", 3.0)
    monkeypatch.setattr(coordinator_module, "WRITE_READ_BACK_INTERVAL", 0.2)


@pytest.fixture
def scenario() -> str:
    return "demo.yaml"


@pytest.fixture
async def cloud(
    start_simulator: StartSimulator, scenario: str, sim_clock: SimClock
) -> SimulatorServer:
    path = scenario_file(scenario, TEST_SCENARIOS, SCENARIOS)
    return await start_simulator(TelenorMicSimulator, path, clock=sim_clock)


@pytest.fixture
def sim(cloud: SimulatorServer) -> TelenorMicSimulator:
    assert isinstance(cloud.simulator, TelenorMicSimulator)
    return cloud.simulator


def answers(cloud: SimulatorServer, host: str, username: str, password: str) -> dict[str, Any]:
    return {
        CONF_HOST: host,
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
        CONF_MANIFEST_URL: f"{cloud.url}/prod/manifest/",
        CONF_AWS_ENDPOINT: cloud.url,
    }


@pytest.fixture
def entry_data(cloud: SimulatorServer) -> dict[str, Any]:
    return answers(cloud, HOST, USERNAME, PASSWORD)


@pytest.fixture
def config_entry(hass: HomeAssistant, entry_data: dict[str, Any]) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"{USERNAME} @ {HOST}",
        unique_id=UNIQUE_ID,
        data=entry_data,
        entry_id="01TELENORMICTESTENTRY00000",
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
