"""Waiting for things that arrive over real sockets."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

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
