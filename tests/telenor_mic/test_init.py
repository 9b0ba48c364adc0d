"""Setup, unload and reload; failures at setup; devices and domains; things that come and go
(life-cycle events and polls); rejected credentials."""

from __future__ import annotations

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic import async_remove_config_entry_device
from custom_components.telenor_mic.const import DOMAIN
from custom_components.telenor_mic.devices import domain_identifier, thing_identifier
from simulators.core import HttpFault, SimulatorServer
from simulators.telenor_mic import TelenorMicSimulator

from .conftest import UNIQUE_ID, USERNAME, SetUp, push_ready
from .helpers import admin, entity_id, eventually, state_of

THINGS = {
    "office-climate",
    "meeting-room-climate",
    "field-pump",
    "tractor-tracker",
    "van-tracker",
    "greenhouse-plug",
}


def _device(hass: HomeAssistant, thing: str) -> dr.DeviceEntry | None:
    return dr.async_get(hass).async_get_device({(DOMAIN, thing_identifier(UNIQUE_ID, thing))})


async def test_setup_unload_reload(
    hass: HomeAssistant, setup_integration: SetUp, cloud: SimulatorServer
) -> None:
    entry = await setup_integration()
    assert entry.state is ConfigEntryState.LOADED
    await push_ready(hass, entry)
    assert state_of(hass, entity_id(hass, "field-pump", "on")) == "on"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await push_ready(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    await eventually(hass, lambda: not cloud.ctx.push.connections)


async def test_a_device_per_thing_connected_via_its_domain(
    hass: HomeAssistant, ready: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)
    for thing in THINGS:
        assert _device(hass, thing) is not None, thing
    assert _device(hass, "showroom-climate") is None  # another domain: not this user's
    pump = _device(hass, "field-pump")
    assert pump is not None
    assert (pump.name, pump.manufacturer, pump.model, pump.model_id, pump.serial_number) == (
        "Field pump",
        "Telenor Managed IoT Cloud",
        "Pump",
        "17",
        "field-pump",
    )
    field = registry.async_get_device({(DOMAIN, domain_identifier(UNIQUE_ID, "field"))})
    assert field is not None
    assert (field.name, field.entry_type) == ("field", dr.DeviceEntryType.SERVICE)
    assert pump.via_device_id == field.id


@pytest.mark.parametrize(
    "fault", [HttpFault(503, path="/prod/graphql"), HttpFault(429, path="/prod/auth/*")]
)
async def test_cloud_trouble_at_setup_retries_without_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer, fault: HttpFault
) -> None:
    cloud.ctx.faults.add_http(fault)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_rejected_password_at_setup_starts_one_reauth(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    cloud: SimulatorServer,
    sim: TelenorMicSimulator,
) -> None:
    user = sim.cloud.user(USERNAME)
    assert user is not None
    user.password = "changed-in-app-board"
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    logins = cloud.ctx.log.count("POST /prod/auth/login")
    assert logins == 1


async def test_things_created_and_deleted_follow_life_cycle_events(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    created = await admin(
        http,
        cloud,
        "POST",
        "domains/office/things",
        {
            "name": "kitchen-climate",
            "label": "Kitchen",
            "thing_type": "12",
            "report_every_s": 60,
            "resources": {"temperature": {"value": 24.5}},
        },
    )
    assert created
    await eventually(hass, lambda: _device(hass, "kitchen-climate") is not None, within=20)
    await eventually(
        hass,
        lambda: state_of(hass, entity_id(hass, "kitchen-climate", "temperature"))
        not in (None, "unavailable"),
        within=10,
    )
    await admin(http, cloud, "DELETE", "things/office-climate")
    await eventually(hass, lambda: _device(hass, "office-climate") is None, within=20)


async def test_a_device_is_removable_only_once_its_thing_is_gone(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    assert await async_setup_component(hass, "config", {})
    pump = _device(hass, "field-pump")
    assert pump is not None
    assert not await async_remove_config_entry_device(hass, ready, pump)
    stray = dr.async_get(hass).async_get_or_create(
        config_entry_id=ready.entry_id, identifiers={(DOMAIN, thing_identifier(UNIQUE_ID, "gone"))}
    )
    assert await async_remove_config_entry_device(hass, ready, stray)
