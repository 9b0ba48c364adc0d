"""Harvia integration tests: real Home Assistant core against the Harvia simulator.

The fixtures follow tests/conftest.py's pattern: scenario, cloud, sim, entry_data, config_entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
import uuid

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import yaml

from custom_components.harvia.const import CONF_DISCOVERY_URL, DOMAIN
from simulators.core import SimClock, SimulatorServer
from simulators.harvia import SCENARIOS, HarviaSimulator
from tests.conftest import (
    SetUp as SetUp,  # noqa: PLC0414  (re-exported: the tests import it from here)
    StartSimulator,
    scenario_file,
)

PASSWORD = "loyly-2026"
TEST_SCENARIOS = Path(__file__).parent / "scenarios"
# Run a test against the document's payload shapes and against those of the live cloud.
BOTH_SHAPES = pytest.mark.parametrize("shapes", ["documented", "live"])


def account_id(email: str) -> str:
    """The cognito:username the simulator gives an account."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, email))


@pytest.fixture(autouse=True)
def _recorder_first(recorder_mock: Any) -> None:
    """Harvia depends on the recorder (history import); it must start before `hass`."""


@pytest.fixture(autouse=True)
def _custom_integrations(_recorder_first: None, enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/harvia."""


@pytest.fixture
def scenario() -> str:
    return "xenio_steamer.yaml"


@pytest.fixture
def email(scenario: str) -> str:
    return {
        "xenio_steamer.yaml": "xenio@harvia.example",
        "fenix_two_cabins.yaml": "fenix@harvia.example",
        "sauna_sensor.yaml": "sensor@harvia.example",
        "fifty_saunas.yaml": "spa@harvia.example",
        "demo.yaml": "demo@harvia.example",
        "live_shapes.yaml": "live@harvia.example",
    }.get(scenario, "xenio@harvia.example")


@pytest.fixture
def shapes() -> str:
    """The simulator's payload shapes (a preset of simulators.harvia.shapes)."""
    return "documented"


@pytest.fixture
async def cloud(
    start_simulator: StartSimulator,
    scenario: str,
    sim_clock: SimClock,
    shapes: str,
    tmp_path: Path,
) -> SimulatorServer:
    path = scenario_file(scenario, TEST_SCENARIOS, SCENARIOS)
    if shapes != "documented":
        data = yaml.safe_load(path.read_text())
        data["shapes"] = shapes
        path = tmp_path / path.name
        path.write_text(yaml.safe_dump(data))
    return await start_simulator(HarviaSimulator, path, clock=sim_clock)


@pytest.fixture
def sim(cloud: SimulatorServer) -> HarviaSimulator:
    assert isinstance(cloud.simulator, HarviaSimulator)
    return cloud.simulator


@pytest.fixture
def entry_data(cloud: SimulatorServer, email: str) -> dict[str, Any]:
    password = "sauna-demo-1" if email.startswith("demo") else PASSWORD
    return {
        CONF_EMAIL: email,
        CONF_PASSWORD: password,
        CONF_DISCOVERY_URL: f"{cloud.url}/endpoints",
    }


@pytest.fixture
def config_entry(hass: HomeAssistant, entry_data: dict[str, Any], email: str) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=email,
        unique_id=account_id(email),
        data=entry_data,
        entry_id="01HARVIATESTENTRY0000000000",
    )
    entry.add_to_hass(hass)
    return entry
