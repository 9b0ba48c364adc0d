"""Unload and reload release everything: tasks, timers, push clients, coordinators, data."""

from __future__ import annotations

from gql import Client
from gql.transport.websockets_base import WebsocketsTransportBase
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from websockets.asyncio.client import ClientConnection
from websockets.legacy.protocol import WebSocketCommonProtocol

from custom_components.harvia.api import HarviaClient, HarviaPush
from custom_components.harvia.coordinator import HarviaCoordinator
from custom_components.harvia.data import CabinData, HarviaData
from simulators.harvia import HarviaSimulator
from tests.lifecycle import leftovers

from .conftest import SetUp
from .helpers import push_ready

RELOADS = 50
WATCHED = (
    HarviaCoordinator,
    HarviaClient,
    HarviaPush,
    HarviaData,
    CabinData,
    Client,
    WebsocketsTransportBase,
    ClientConnection,  # websockets' own client
    WebSocketCommonProtocol,  # the legacy one gql 3.5 connects with
)


async def test_reloads_and_unload_leave_nothing_behind(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    await hass.async_block_till_done()
    before = leftovers(hass, *WATCHED)
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    for _ in range(RELOADS):
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    await push_ready(hass, entry, sim, "xenio-1")  # the last one works
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED

    left = leftovers(hass, *WATCHED) - before
    # The coordinator's poll timer is Home Assistant's code, armed on the integration's behalf.
    packages = ("custom_components.harvia", "gql", "websockets", "update_coordinator")
    for package in packages:
        assert not left.of(package), left.of(package)
