"""Waiting for things that arrive over real sockets, and running the clients on simulated time."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from custom_components.homely.client_factory import RATE_LIMIT_GATES
from custom_components.homely.const import WATCHDOG_INTERVAL
from simulators.homely import HomelySimulator
from tests.helpers import attribute_of, eventually, state_of

__all__ = ["attribute_of", "eventually", "socket_ready", "state_of"]


async def socket_ready(hass: HomeAssistant, entry: ConfigEntry, sim: HomelySimulator) -> None:
    """The socket is connected and the coordinator polls as a watchdog only."""
    coordinator = entry.runtime_data.coordinator
    await eventually(
        hass,
        lambda: sim.socket.listeners(coordinator.location_id) >= 1
        and coordinator.update_interval == WATCHDOG_INTERVAL,
    )


def run_clients_on_loop_clock(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The entry's client (token lifetimes) and the account's 429 gates count on the loop's
    clock, so that SimulatedTime moves them too; call once the entry is set up."""
    entry.runtime_data.client._clock = hass.loop.time
    for gate in hass.data[RATE_LIMIT_GATES].values():
        gate._clock = hass.loop.time
