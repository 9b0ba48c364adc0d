"""Setup, unload, reload, failures at setup, removal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import area_registry as ar, device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.harvia import async_remove_config_entry_device
from custom_components.harvia.const import CONF_REFRESH_TOKEN, DOMAIN, FALLBACK_INTERVAL
from simulators.core import SimulatorServer
from simulators.harvia import HarviaSimulator

from .conftest import BOTH_SHAPES, SetUp
from .helpers import eventually, state_of


@BOTH_SHAPES
async def test_setup_unload_reload(
    hass: HomeAssistant, setup_integration: SetUp, cloud: SimulatorServer
) -> None:
    entry = await setup_integration()
    assert entry.state is ConfigEntryState.LOADED
    push = entry.runtime_data.coordinator.push
    assert push is not None
    await eventually(hass, lambda: push.connected)  # push connects in the background
    assert cloud.ctx.tokens.check(
        entry.data[CONF_REFRESH_TOKEN], "refresh"
    ).valid  # saved for next start
    assert hass.states.get("climate.cabin_sauna") is not None
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert cloud.ctx.log.count("POST /rest/generics/auth/token") == 1  # the refresh token was used
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert cloud.ctx.push.connections == []


async def test_cloud_down_at_setup_retries(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer
) -> None:
    cloud.ctx.faults.add_from_json("http", {"status": 503, "path": "/rest/device/devices"})
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress()  # no reauth for a cloud outage


async def test_wrong_password_at_setup_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: HarviaSimulator
) -> None:
    sim.cloud.change_password("xenio@harvia.example", "changed-in-the-app")
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_removal_revokes_the_refresh_token(
    hass: HomeAssistant, setup_integration: SetUp, cloud: SimulatorServer
) -> None:
    entry = await setup_integration()
    token = entry.data[CONF_REFRESH_TOKEN]
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not cloud.ctx.tokens.check(token, "refresh").valid


async def test_removal_when_the_cloud_is_down(
    hass: HomeAssistant,
    setup_integration: SetUp,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_integration()
    cloud.ctx.faults.add_from_json("http", {"status": 500, "path": "/rest/generics/auth/revoke"})
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert "Could not revoke the Harvia refresh token" in caplog.text


async def test_removal_without_a_token(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer
) -> None:
    assert await hass.config_entries.async_remove(config_entry.entry_id)
    assert cloud.ctx.log.count("POST /rest/generics/auth/revoke") == 0


async def test_devices_can_be_removed_only_when_gone(
    hass: HomeAssistant,
    setup_integration: SetUp,
    device_registry: dr.DeviceRegistry,
    sim: HarviaSimulator,
) -> None:
    entry = await setup_integration()
    device = device_registry.async_get_device(identifiers={(DOMAIN, "xenio-1")})
    assert device is not None
    assert not await async_remove_config_entry_device(hass, entry, device)
    sim.cloud.remove_device("xenio-1")
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert await async_remove_config_entry_device(hass, entry, device)


async def test_only_config_entries(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    assert hass.services.has_service(DOMAIN, "start_session")


@pytest.mark.parametrize("scenario", ["demo.yaml"])
async def test_saunas_get_an_area_for_the_default_dashboard(
    hass: HomeAssistant,
    setup_integration: SetUp,
    device_registry: dr.DeviceRegistry,
    area_registry: ar.AreaRegistry,
) -> None:
    """The auto-generated overview groups by area; a device without one shows only by domain."""
    entry = await setup_integration()
    areas = {
        device.name: area_registry.async_get_area(device.area_id).name  # type: ignore[arg-type,union-attr]
        for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    }
    assert areas == {
        "Home sauna": "Sauna",  # the two-cabin controller
        "Sauna": "Sauna",
        "Steam room": "Steam room",
        "Cabin sauna": "Sauna",
        "Lake sauna sensor": "Sauna",
    }


@pytest.mark.parametrize(
    "scenario", [str(Path(__file__).parent / "scenarios" / "polling_only.yaml")]
)
async def test_without_graphql_endpoints_it_polls(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_integration()
    coordinator = entry.runtime_data.coordinator
    assert coordinator.push is None
    assert coordinator.update_interval == FALLBACK_INTERVAL
    assert caplog.text.count("lists no GraphQL push service") == 1
    polls = cloud.ctx.log.count("GET /rest/data/data/latest-data")
    sim.cloud.set_door("xenio-1", "C1", closed=False)
    async_fire_time_changed(hass, dt_util.utcnow() + FALLBACK_INTERVAL + timedelta(seconds=1))
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.cabin_sauna_remote_control_allowed") == "off"
    )
    assert cloud.ctx.log.count("GET /rest/data/data/latest-data") == polls + 1
    assert cloud.ctx.push.connections == []
    assert caplog.text.count("lists no GraphQL push service") == 1
