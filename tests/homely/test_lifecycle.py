"""Unload and reload release everything: sockets, tasks, timers, coordinators and payloads."""

from __future__ import annotations

import engineio
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
import socketio

from custom_components.homely.api import Home, HomelyClient, HomelyPush
from custom_components.homely.coordinator import HomelyCoordinator
from custom_components.homely.data import HomelyData
from simulators.homely import HomelySimulator
from tests.lifecycle import leftovers, ours

from .conftest import HOME
from .helpers import eventually, socket_ready, state_of

RELOADS = 50
WATCHED = (
    HomelyCoordinator,
    HomelyClient,
    HomelyPush,
    HomelyData,
    Home,
    socketio.AsyncClient,
    engineio.AsyncClient,
)


# Names of the tasks and timers that would be ours: the integration's, its coordinator's polls and
# debouncer, Home Assistant's call-later timers, and the socket client's. The simulator's
# Socket.IO server (engineio.async_server, engineio.async_socket) is not ours: it ends a closed
# connection's ping loop at its next ping.
OUR_NAMES = (
    "custom_components.homely",
    "homeassistant.helpers.update_coordinator",
    "homeassistant.helpers.debounce",
    "homeassistant.helpers.event",
    "socketio.async_client",
    "engineio.async_client",
)


async def test_reloads_and_unload_leave_nothing_behind(
    hass: HomeAssistant, config_entry: MockConfigEntry, sim: HomelySimulator
) -> None:
    before = leftovers(hass, *WATCHED)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(RELOADS):
        await socket_ready(hass, config_entry, sim)
        assert await hass.config_entries.async_reload(config_entry.entry_id)
        await hass.async_block_till_done()
    await socket_ready(hass, config_entry, sim)
    assert state_of(hass, "alarm_control_panel.solbakken_12") == "disarmed"
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.NOT_LOADED
    await eventually(hass, lambda: sim.socket.listeners(HOME) == 0)

    left = ours(leftovers(hass, *WATCHED) - before, OUR_NAMES)
    assert not left, left
