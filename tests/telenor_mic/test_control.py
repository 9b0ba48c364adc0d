"""Desired-state writes: switch, number, select and text, confirmed by the thing's report;
refusals (read-only role), silence (thing offline) and failures as translated errors."""

from __future__ import annotations

from typing import Any

import aiohttp
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.const import DOMAIN
from simulators.core import SimulatorServer
from simulators.telenor_mic import TelenorMicSimulator

from .conftest import (
    HOST,
    LAB_HOST,
    LAB_PASSWORD,
    LAB_USER,
    USERNAME,
    VIEWER,
    VIEWER_PASSWORD,
    answers,
)
from .helpers import admin, attribute_of, entity_id, eventually, sim_value, state_of


async def _call(hass: HomeAssistant, domain: str, service: str, entity: str, **data: Any) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity, **data}, blocking=True)


async def _add(
    hass: HomeAssistant, cloud: SimulatorServer, host: str, user: str, password: str
) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"{user} @ {host}",
        unique_id=f"{host}/{user}",
        data=answers(cloud, host, user, password),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await eventually(hass, lambda: entry.runtime_data.coordinator.push_connected, within=10)
    return entry


async def test_switch_number_and_select_write_and_the_thing_reports_back(
    hass: HomeAssistant, ready: MockConfigEntry, sim: TelenorMicSimulator
) -> None:
    running = entity_id(hass, "field-pump", "on")
    await _call(hass, "switch", "turn_off", running)
    assert state_of(hass, running) == "off"
    assert sim_value(sim, "field-pump", "on") is False
    speed = entity_id(hass, "field-pump", "speed")
    await _call(hass, "number", "set_value", speed, value=80)
    assert float(state_of(hass, speed) or "nan") == 80
    mode = entity_id(hass, "field-pump", "mode")
    await _call(hass, "select", "select_option", mode, option="boost")
    assert state_of(hass, mode) == "boost"
    assert attribute_of(hass, mode, "desired") is None  # nothing pending any more
    # reading the pump back left every other thing available
    assert state_of(hass, entity_id(hass, "office-climate", "temperature")) != "unavailable"


async def test_text_and_the_other_stack(hass: HomeAssistant, cloud: SimulatorServer) -> None:
    entry = await _add(hass, cloud, LAB_HOST, LAB_USER, LAB_PASSWORD)
    uid = entry.unique_id or ""
    message = entity_id(hass, "lab-lamp", "message", entry_unique_id=uid)
    await _call(hass, "text", "set_value", message, value="Back at 14:00")
    assert state_of(hass, message) == "Back at 14:00"
    level = entity_id(hass, "lab-lamp", "level", entry_unique_id=uid)
    await _call(hass, "number", "set_value", level, value=30)
    assert float(state_of(hass, level) or "nan") == 30


async def test_a_read_only_user_is_refused_with_a_translated_error(
    hass: HomeAssistant, cloud: SimulatorServer
) -> None:
    entry = await _add(hass, cloud, HOST, VIEWER, VIEWER_PASSWORD)
    coordinator = entry.runtime_data.coordinator
    pump = entity_id(hass, "showroom-pump", "on", entry_unique_id=entry.unique_id or "")
    connects = coordinator.push.connects
    with pytest.raises(HomeAssistantError) as refused:
        await _call(hass, "switch", "turn_off", pump)
    assert refused.value.translation_key == "write_refused"
    assert state_of(hass, pump) == "on"  # the reported state, unchanged
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    # refused before publishing: the feed, which AWS IoT would close, stays up
    assert coordinator.push_connected
    assert coordinator.push.connects == connects


async def test_a_write_the_cloud_refuses_closes_the_feed_which_returns(
    hass: HomeAssistant, cloud: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A role the integration cannot tell is read-only: the cloud's refusal decides."""
    entry = await _add(hass, cloud, HOST, VIEWER, VIEWER_PASSWORD)
    monkeypatch.setattr(
        type(entry.runtime_data.client.user), "read_only", property(lambda _: False)
    )
    pump = entity_id(hass, "showroom-pump", "on", entry_unique_id=entry.unique_id or "")
    with pytest.raises(HomeAssistantError) as refused:
        await _call(hass, "switch", "turn_off", pump)
    assert refused.value.translation_key == "write_refused"
    assert state_of(hass, pump) == "on"
    await eventually(hass, lambda: entry.runtime_data.coordinator.push_connected, within=10)


async def test_a_silent_thing_does_not_confirm_and_the_write_stays_pending(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    await admin(http, cloud, "POST", "things/greenhouse-plug/silent", {"silent": True})
    plug = entity_id(hass, "greenhouse-plug", "on")
    assert state_of(hass, plug) == "on"
    with pytest.raises(HomeAssistantError) as silent:
        await _call(hass, "switch", "turn_off", plug)
    assert silent.value.translation_key == "write_not_confirmed"
    assert state_of(hass, plug) == "on"
    assert attribute_of(hass, plug, "desired") is False
    # back online, the plug applies what waited for it in the shadow's delta
    await admin(http, cloud, "POST", "things/greenhouse-plug/silent", {"silent": False})
    await eventually(hass, lambda: state_of(hass, plug) == "off", within=10)


async def test_a_write_with_the_feed_down_uses_its_own_connection(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer
) -> None:
    coordinator = ready.runtime_data.coordinator
    await coordinator.push.stop()  # as if the feed were between reconnects
    await eventually(hass, lambda: not coordinator.push.connected)
    speed = entity_id(hass, "field-pump", "speed")
    await _call(hass, "number", "set_value", speed, value=25)
    assert float(state_of(hass, speed) or "nan") == 25


async def test_a_write_the_cloud_cannot_take_is_a_translated_error(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer
) -> None:
    coordinator = ready.runtime_data.coordinator
    cloud.ctx.push.refuse_for(600)
    await coordinator.push.stop()
    await eventually(hass, lambda: not coordinator.push.connected)
    with pytest.raises(HomeAssistantError) as failed:
        await _call(hass, "switch", "turn_off", entity_id(hass, "field-pump", "on"))
    assert failed.value.translation_key == "write_failed"
    assert state_of(hass, entity_id(hass, "field-pump", "on")) == "on"


async def test_a_rejected_password_during_a_write_starts_reauth(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    sim: TelenorMicSimulator,
    http: aiohttp.ClientSession,
) -> None:
    coordinator = ready.runtime_data.coordinator
    await coordinator.push.stop()
    user = sim.cloud.user(USERNAME)
    assert user is not None
    user.password = "changed-in-app-board"
    cloud.ctx.tokens.revoke_subject()
    await admin(http, cloud, "POST", "credentials/expire", {})
    with pytest.raises(HomeAssistantError) as rejected:
        await _call(hass, "switch", "turn_off", entity_id(hass, "field-pump", "on"))
    assert rejected.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
