"""Saunas that join or leave the account, and saunas whose data cannot be read."""

from __future__ import annotations

from pathlib import Path
import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.harvia import coordinator as coordinator_module
from custom_components.harvia.const import DOMAIN, STALE_AFTER
from simulators.core import SimulatorServer
from simulators.harvia import HarviaSimulator

from .conftest import SetUp
from .helpers import eventually, state_of, subscribed

GARDEN_SAUNA = {
    "id": "garden-1",
    "type": "Xenio",
    "name": "Garden sauna",
    "cabins": [{"id": "C1", "name": "Garden sauna"}],
}


@pytest.mark.parametrize(
    "scenario", [str(Path(__file__).parent / "scenarios" / "empty_account.yaml")]
)
async def test_the_first_sauna_of_an_empty_account_gets_entities_without_a_reload(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_integration()
    assert not hass.states.async_entity_ids()
    response = await async_get_clientsession(hass).post(
        f"{cloud.url}/_sim/harvia/devices",
        json={"device": GARDEN_SAUNA, "owners": ["xenio@harvia.example"]},
    )
    assert response.status == 201
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state_of(hass, "climate.garden_sauna") == "off"
    assert state_of(hass, "light.garden_sauna_light") == "off"
    assert device_registry.async_get_device(identifiers={(DOMAIN, "garden-1")}) is not None
    await subscribed(hass, sim, "garden-1")  # and push follows it
    sauna = sim.cloud.saunas["garden-1"]
    sim.cloud.command(sauna, sauna.cabin("C1"), "SAUNA", "on")
    await eventually(hass, lambda: state_of(hass, "climate.garden_sauna") == "heat")


@pytest.mark.parametrize("scenario", ["demo.yaml"])
async def test_saunas_removed_while_home_assistant_was_stopped_are_removed_at_start(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_integration()
    assert device_registry.async_get_device(identifiers={(DOMAIN, "xenio-cabin")}) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    response = await async_get_clientsession(hass).delete(
        f"{cloud.url}/_sim/harvia/devices/xenio-cabin"
    )
    assert response.status == 200
    await setup_integration()
    assert device_registry.async_get_device(identifiers={(DOMAIN, "xenio-cabin")}) is None
    assert hass.states.get("climate.cabin_sauna") is None
    # The others stay, the cabins of a several-cabin controller included.
    for identifier in ("fenix-home", "fenix-home/C1", "fenix-home/C2", "sensor-lake"):
        assert device_registry.async_get_device(identifiers={(DOMAIN, identifier)}) is not None


async def test_an_unreadable_sauna_turns_unavailable_after_a_bound(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    elapsed = [0.0]  # how far the coordinator's clock runs ahead
    monkeypatch.setattr(coordinator_module, "monotonic", lambda: time.monotonic() + elapsed[0])
    entry = await setup_integration()
    coordinator = entry.runtime_data.coordinator
    climate, connectivity = "climate.cabin_sauna", "binary_sensor.cabin_sauna_connectivity"
    lost, back = "Cabin sauna is unavailable", "Cabin sauna is back online"
    # The cloud answers, but with nothing readable for this sauna.
    cloud.ctx.faults.add_from_json(
        "http", {"status": 200, "path": "/rest/data/data/latest-data", "body": ["junk"]}
    )
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert state_of(hass, climate) == "off"  # its last values, for now
    elapsed[0] += STALE_AFTER.total_seconds() - 5
    await coordinator.async_refresh()
    assert state_of(hass, climate) == "off"
    elapsed[0] += 10
    await coordinator.async_refresh()
    assert (state_of(hass, climate), state_of(hass, connectivity)) == ("unavailable",) * 2
    await coordinator.async_refresh()
    assert caplog.text.count(lost) == 1  # once, however many polls fail
    assert back not in caplog.text
    cloud.ctx.faults.clear()
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    assert (state_of(hass, climate), state_of(hass, connectivity)) == ("off", "on")
    assert caplog.text.count(back) == 1
