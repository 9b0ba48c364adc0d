"""Setup, unload and reload; failures at setup; things that come and go; malformed REST
payloads; tokens expiring mid-run; rejected credentials."""

from __future__ import annotations

import logging

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cayenne import async_remove_config_entry_device
from custom_components.cayenne.api import Thing
from custom_components.cayenne.const import DOMAIN
from custom_components.cayenne.devices import async_register_devices
from simulators.cayenne import CayenneSimulator
from simulators.core import HttpFault, SimulatorServer
from tests.simulated_time import SimulatedTime

from .conftest import EMAIL, LORA, OLD, PI, SetUp, push_ready
from .helpers import entity_id, eventually, run_client_on_loop_clock, state_of

GATEWAY = "3e5a7c9b-1d3f-4a5c-8e7a-9c1b3d5f7a9c"
GREENHOUSE = "2d4f6b8e-0a2c-4e6a-8c0e-4a6c8e0b2d4f"  # appears after an hour
BORROWED = "8f0b2d4a-6c8e-4b0d-a2c4-6e8a0c2e4b6d"  # removed after two hours


async def test_setup_unload_reload(
    hass: HomeAssistant, setup_integration: SetUp, cloud: SimulatorServer
) -> None:
    entry = await setup_integration()
    assert entry.state is ConfigEntryState.LOADED
    await push_ready(hass, entry)
    assert state_of(hass, entity_id(hass, PI, 4)) == "off"
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await push_ready(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    await eventually(hass, lambda: not cloud.ctx.push.connections)


async def test_devices_link_child_things_to_their_parent(
    hass: HomeAssistant, ready: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)
    node = registry.async_get_device({(DOMAIN, LORA)})
    gateway = registry.async_get_device({(DOMAIN, GATEWAY)})
    assert node is not None
    assert gateway is not None
    assert node.via_device_id == gateway.id
    assert (node.manufacturer, node.model) == ("myDevices", "lora-seeeduino-lorawan")
    assert registry.async_get_device({(DOMAIN, OLD)}) is None  # DEACTIVATED: not listed
    rules = registry.async_get_device({(DOMAIN, f"account_{ready.unique_id}")})
    assert rules is not None
    assert rules.name == "Cayenne rules"


@pytest.mark.parametrize(
    "fault", [HttpFault(503, path="/v1.1/things"), HttpFault(429, path="/auth/*")]
)
async def test_cloud_trouble_at_setup_retries_without_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer, fault: HttpFault
) -> None:
    cloud.ctx.faults.add_http(fault)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_rejected_password_at_setup_starts_one_reauth_and_is_not_resent(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    sim: CayenneSimulator,
    cloud: SimulatorServer,
) -> None:
    sim.cloud.accounts[EMAIL].password = "changed-in-the-app"
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_a_rejected_password_while_running_stops_every_sign_in(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: CayenneSimulator,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
) -> None:
    run_client_on_loop_clock(hass, ready)
    sim.cloud.accounts[EMAIL].password = "changed-in-the-app"
    cloud.ctx.tokens.revoke_subject()
    await cloud.ctx.push.drop_all()
    await simulated_time.advance(3600)
    sign_ins = cloud.ctx.log.count("POST /auth/realms/cayenne/protocol/openid-connect/token")
    await simulated_time.advance(3600)
    assert (
        cloud.ctx.log.count("POST /auth/realms/cayenne/protocol/openid-connect/token") == sign_ins
    )
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]


async def test_tokens_expiring_mid_run_are_renewed_without_reauth(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
) -> None:
    coordinator = ready.runtime_data.coordinator
    run_client_on_loop_clock(hass, ready)
    cloud.ctx.push.refuse_for(4 * 3600)
    await cloud.ctx.push.drop_all()
    await simulated_time.advance(2 * 3600, step=10)  # access 5 min, refresh 30 min
    assert coordinator.last_update_success
    assert ready.runtime_data.client.refreshes > 0
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_things_that_appear_and_leave_come_and_go_without_restart(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
) -> None:
    registry = dr.async_get(hass)
    run_client_on_loop_clock(hass, ready)
    assert registry.async_get_device({(DOMAIN, GREENHOUSE)}) is None
    assert registry.async_get_device({(DOMAIN, BORROWED)}) is not None
    cloud.ctx.push.refuse_for(4 * 3600)  # polling alone must give the whole picture
    await cloud.ctx.push.drop_all()
    await simulated_time.advance(3600 + 120, step=10)
    assert registry.async_get_device({(DOMAIN, GREENHOUSE)}) is not None
    assert state_of(hass, entity_id(hass, GREENHOUSE, 1)) not in (None, "unavailable")
    await simulated_time.advance(3600, step=10)
    assert registry.async_get_device({(DOMAIN, BORROWED)}) is None
    entities = er.async_get(hass).entities.values()
    assert not any(e.unique_id.startswith(BORROWED) for e in entities)


async def test_a_thing_removed_while_stopped_goes_at_the_next_start(
    hass: HomeAssistant,
    setup_integration: SetUp,
    config_entry: MockConfigEntry,
    sim: CayenneSimulator,
) -> None:
    await setup_integration()
    await hass.config_entries.async_unload(config_entry.entry_id)
    sim.cloud.accounts[EMAIL].things[LORA].status = "DEACTIVATED"
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert dr.async_get(hass).async_get_device({(DOMAIN, LORA)}) is None


async def test_manual_device_removal_only_for_things_that_left(
    hass: HomeAssistant, ready: MockConfigEntry
) -> None:
    registry = dr.async_get(hass)
    pi = registry.async_get_device({(DOMAIN, PI)})
    assert not await async_remove_config_entry_device(hass, ready, pi)
    gone = registry.async_get_or_create(
        config_entry_id=ready.entry_id, identifiers={(DOMAIN, "no-longer-there")}
    )
    assert await async_remove_config_entry_device(hass, ready, gone)
    assert await async_setup_component(hass, "config", {})


async def test_a_malformed_thing_harms_only_itself(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    http: aiohttp.ClientSession,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = ready.runtime_data.coordinator
    for shape in ("nan", "huge", "types", "missing", "deep"):
        async with http.post(
            f"{cloud.url}/_sim/cayenne/things/{PI}/malformed", json={"shape": shape}
        ) as response:
            assert response.status == 200, await response.text()
        await coordinator.async_refresh()
        # Nested beyond any JSON reader's depth, the things list as a whole is unreadable:
        # that poll fails, and MQTT keeps every entity current meanwhile.
        assert coordinator.last_update_success is (shape != "deep"), shape
        assert state_of(hass, entity_id(hass, LORA, 5)) not in (None, "unavailable"), shape
        assert dr.async_get(hass).async_get_device({(DOMAIN, PI)}) is not None, shape
        async with http.delete(f"{cloud.url}/_sim/cayenne/things/{PI}/malformed"):
            pass
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert state_of(hass, entity_id(hass, PI, 1)) not in (None, "unavailable")
    unexpected = [
        r for r in caplog.records if r.levelno >= logging.ERROR and "Error fetching" not in r.msg
    ]
    assert not unexpected, unexpected


async def test_garbled_parent_ids_in_a_cycle_still_register_every_thing(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    things = [
        Thing.from_json({"id": "a", "parent_id": "b"}),
        Thing.from_json({"id": "b", "parent_id": "a"}),
    ]
    registered: dict[str, DeviceInfo] = {}
    async_register_devices(hass, config_entry, things, registered)
    registry = dr.async_get(hass)
    assert registry.async_get_device({(DOMAIN, "a")}) is not None
    assert registry.async_get_device({(DOMAIN, "b")}) is not None
    assert set(registered) == {"a", "b"}
