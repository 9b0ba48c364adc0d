"""Setup, unload, reload, failures at setup, 429 storms, removal of devices."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely import async_remove_config_entry_device
from custom_components.homely.client_factory import RATE_LIMIT_GATES
from custom_components.homely.const import CONF_LOCATION_ID, DOMAIN
from simulators.core import HttpFault, SimulatorServer
from simulators.homely import HomelySimulator

from .conftest import CABIN, FLOOD, HOME, SetUp
from .helpers import eventually, socket_ready, state_of


@pytest.mark.parametrize("scenario", ["typical_home.yaml", "live_shapes.yaml"])
async def test_setup_unload_reload(
    hass: HomeAssistant, setup_integration: SetUp, cloud: SimulatorServer, sim: HomelySimulator
) -> None:
    entry = await setup_integration()
    assert entry.state is ConfigEntryState.LOADED
    await socket_ready(hass, entry, sim)
    assert state_of(hass, "alarm_control_panel.solbakken_12") == "disarmed"
    assert cloud.ctx.log.count("GET /homely/home/{location_id}") == 1
    assert cloud.ctx.log.count("GET /homely/locations") == 0  # setup needs only the home
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await socket_ready(hass, entry, sim)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    await eventually(hass, lambda: sim.socket.listeners(HOME) == 0)


@pytest.mark.parametrize(
    "fault",
    [
        HttpFault(503, path="/homely/home/*"),
        HttpFault(
            400,
            path="/homely/oauth/token",
            body={"statusCode": 400, "message": ["password should not be empty"]},
        ),
    ],
)
async def test_cloud_down_or_malformed_sign_in_at_setup_retries_without_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer, fault: HttpFault
) -> None:
    cloud.ctx.faults.add_http(fault)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not hass.config_entries.flow.async_progress()


async def test_rejected_password_at_setup_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: HomelySimulator
) -> None:
    sim.cloud.users["kari@homely.example"].password = "changed-in-the-app"
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_lost_access_to_the_home_is_not_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: HomelySimulator
) -> None:
    sim.cloud.users["kari@homely.example"].homes.clear()
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert "no longer has access" in str(config_entry.reason)


@pytest.mark.parametrize("scenario", ["rate_limited.yaml"])
async def test_429_storm_at_start_waits_without_hammering(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer, sim: HomelySimulator
) -> None:
    # Other clients of the account have used up the window just before Home Assistant starts.
    sim.cloud.limiter.check("kari@homely.example", cloud.ctx.clock.now())
    sim.cloud.limiter.check("kari@homely.example", cloud.ctx.clock.now())
    sim.cloud.limiter.check("kari@homely.example", cloud.ctx.clock.now())
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY
    assert config_entry.reason == "Homely is limiting requests; trying again in 60 seconds"
    assert cloud.ctx.log.total == 1  # the sign-in that was refused
    # Home Assistant retries the setup; the account's gate holds the request back.
    for _ in range(3):
        await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done()
    assert cloud.ctx.log.total == 1
    assert not hass.config_entries.flow.async_progress()  # not a credentials problem
    # Once the cloud's (longer than announced) window has passed, the home comes up.
    cloud.ctx.clock.advance(120)
    gate = next(iter(hass.data[RATE_LIMIT_GATES].values()))
    gate.blocked_until = 0
    await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert state_of(hass, "alarm_control_panel.solbakken_12") == "disarmed"
    assert state_of(hass, "binary_sensor.gang_motion") == "off"


async def test_remove_device_only_once_it_left_the_home(
    hass: HomeAssistant, loaded: MockConfigEntry, device_registry: dr.DeviceRegistry
) -> None:
    assert await async_setup_component(hass, "config", {})
    home = device_registry.async_get_device(identifiers={(DOMAIN, HOME)})
    assert home is not None
    assert not await async_remove_config_entry_device(hass, loaded, home)
    present = next(
        d
        for d in dr.async_entries_for_config_entry(device_registry, loaded.entry_id)
        if d.via_device_id
    )
    assert not await async_remove_config_entry_device(hass, loaded, present)
    gone = device_registry.async_get_or_create(
        config_entry_id=loaded.entry_id, identifiers={(DOMAIN, "gone-device")}
    )
    assert await async_remove_config_entry_device(hass, loaded, gone)


async def test_devices_removed_while_stopped_are_removed_at_the_next_start(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HomelySimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_integration()
    assert device_registry.async_get_device(identifiers={(DOMAIN, FLOOD)}) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    sim.cloud.remove_device(sim.cloud.homes[HOME], FLOOD)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get_device(identifiers={(DOMAIN, FLOOD)}) is None
    assert device_registry.async_get_device(identifiers={(DOMAIN, HOME)}) is not None
    assert state_of(hass, "binary_sensor.gang_motion") == "off"


@pytest.mark.parametrize("scenario", ["two_homes.yaml"])
async def test_two_homes_of_one_account(
    hass: HomeAssistant,
    setup_integration: SetUp,
    entry_data: dict[str, Any],
    sim: HomelySimulator,
) -> None:
    house = await setup_integration()
    cabin = MockConfigEntry(
        domain=DOMAIN, title="Hytta", unique_id=CABIN, data={**entry_data, CONF_LOCATION_ID: CABIN}
    )
    cabin.add_to_hass(hass)
    assert await hass.config_entries.async_setup(cabin.entry_id)
    await hass.async_block_till_done()
    await socket_ready(hass, house, sim)
    await socket_ready(hass, cabin, sim)
    assert state_of(hass, "alarm_control_panel.kringsja") == "disarmed"
    assert state_of(hass, "alarm_control_panel.hytta") == "armed_away"
    # Each home's events reach its own entities only; both HAN meters are separate devices.
    home = sim.cloud.homes[CABIN]
    sim.cloud.set_alarm(home, "BREACHED", None, sim.ctx.clock.now() + 1)
    await eventually(hass, lambda: state_of(hass, "alarm_control_panel.hytta") == "triggered")
    assert state_of(hass, "alarm_control_panel.kringsja") == "disarmed"
    for han in ("sensor.han_plug_power", "sensor.han_plug_power_2"):
        float(state_of(hass, han) or "missing")  # a reading: not missing, unknown or unavailable
    # A 429 for the account holds both homes back.
    gates = hass.data[RATE_LIMIT_GATES]
    assert len(gates) == 1
