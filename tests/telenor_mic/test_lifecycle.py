"""Unload and reload release everything: MQTT clients, tasks, timers, coordinators, payloads."""

from __future__ import annotations

from collections import Counter

import aiomqtt
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.api import MicClient
from custom_components.telenor_mic.api.push import MicPush
from custom_components.telenor_mic.coordinator import MicCoordinator
from custom_components.telenor_mic.data import MicData
from simulators.core import SimulatorServer
from tests.lifecycle import Leftovers, leftovers

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


def ours(found: Leftovers) -> Leftovers:
    """Ours among `found`; not Home Assistant's periodic time-change listeners (the
    device_tracker component's), which re-arm with a new timer every time they fire."""
    parts = [found.of(name) for name in OUR_NAMES]
    timers = sum((part.timers for part in parts), Counter())
    return Leftovers(
        sum((part.tasks for part in parts), Counter()),
        Counter({name: n for name, n in timers.items() if "time change listener" not in name}),
        found.objects,
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
    left = ours(leftovers(hass, *WATCHED) - before)
    assert not left, left
