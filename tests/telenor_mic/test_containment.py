"""A cloud that sends one bad value harms nothing but that value: malformed rows, shadows and
thing types; tokens expiring mid-run; a password rejected while running."""

from __future__ import annotations

import logging

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.const import DOMAIN
from custom_components.telenor_mic.devices import thing_identifier
from simulators.core import SimulatorServer
from simulators.telenor_mic import TelenorMicSimulator
from tests.simulated_time import SimulatedTime

from .conftest import UNIQUE_ID, USERNAME
from .helpers import admin, entity_id, run_client_on_loop_clock, state_of


@pytest.mark.parametrize("shape", ["nan", "huge", "types", "missing", "deep"])
async def test_a_malformed_thing_harms_only_itself(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    http: aiohttp.ClientSession,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
    shape: str,
) -> None:
    coordinator = ready.runtime_data.coordinator
    await admin(http, cloud, "POST", "things/office-climate/malformed", {"shape": shape})
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert coordinator.last_update_success, shape
    assert state_of(hass, entity_id(hass, "field-pump", "flow")) not in (None, "unavailable")
    registry = dr.async_get(hass)
    assert registry.async_get_device({(DOMAIN, thing_identifier(UNIQUE_ID, "office-climate"))})
    temperature = state_of(hass, entity_id(hass, "office-climate", "temperature"))
    if shape == "deep":  # the row itself cannot be read: the thing, alone, is unavailable
        assert temperature == "unavailable"
    else:  # a bad value is unknown, never nan, inf or 1e308
        assert temperature == "unknown" or -50 < float(temperature or "nan") < 100
    await admin(http, cloud, "DELETE", "things/office-climate/malformed")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    temperature = state_of(hass, entity_id(hass, "office-climate", "temperature"))
    assert -50 < float(temperature or "nan") < 100
    unexpected = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not unexpected, [r.getMessage() for r in unexpected]


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
    await simulated_time.advance(3 * 3600, step=10)  # id tokens last an hour
    assert coordinator.last_update_success
    assert ready.runtime_data.client.refreshes > 0
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


async def test_a_rejected_password_while_running_stops_every_sign_in(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: TelenorMicSimulator,
    cloud: SimulatorServer,
    simulated_time: SimulatedTime,
) -> None:
    run_client_on_loop_clock(hass, ready)
    user = sim.cloud.user(USERNAME)
    assert user is not None
    user.password = "changed-in-app-board"
    cloud.ctx.tokens.revoke_subject()
    await cloud.ctx.push.drop_all()
    await simulated_time.advance(3600)
    logins = cloud.ctx.log.count("POST /prod/auth/login")
    await simulated_time.advance(3600)
    assert cloud.ctx.log.count("POST /prod/auth/login") == logins
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
