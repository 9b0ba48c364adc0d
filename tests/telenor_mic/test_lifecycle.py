"""Unload and reload release everything: MQTT clients, tasks, timers, coordinators, payloads."""

from __future__ import annotations

import aiomqtt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.api import MicClient
from custom_components.telenor_mic.api.push import MicPush
from custom_components.telenor_mic.coordinator import MicCoordinator
from custom_components.telenor_mic.data import MicData
from simulators.core import SimulatorServer
from tests.lifecycle import leftovers, ours

from .conftest import push_ready
from .helpers import entity_id, eventually, state_of

RELOADS = 25
WATCHED = (MicCoordinator, MicClient, MicPush, MicData, aiomqtt.Client)
OUR_NAMES = (
    "custom_components.telenor_mic",
    "homeassistant.helpers.update_coordinator",
    "homeassistant.helpers.debounce",
    "homeassistant.helpers.event",
    "aiomqtt",
)


async def test_reloads_and_unload_leave_nothing_behind(
    hass: HomeAssistant, config_entry: MockConfigEntry, cloud: SimulatorServer
) -> None:
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await push_ready(hass, config_entry)
    before = leftovers(hass, *WATCHED)
    for _ in range(RELOADS):
        await push_ready(hass, config_entry)
        assert await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done()
    await push_ready(hass, config_entry)
    assert state_of(hass, entity_id(hass, "field-pump", "on")) == "on"
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.NOT_LOADED
    await eventually(hass, lambda: not cloud.ctx.push.connections)
    left = ours(leftovers(hass, *WATCHED) - before, OUR_NAMES)
    assert not left, left
