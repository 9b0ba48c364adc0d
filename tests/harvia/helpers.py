"""Waiting for things that arrive over real sockets."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from custom_components.harvia.const import WATCHDOG_INTERVAL
from simulators.harvia import HarviaSimulator
from tests.helpers import eventually, state_of

__all__ = ["eventually", "push_ready", "state_of", "subscribed"]


async def subscribed(hass: HomeAssistant, sim: HarviaSimulator, *device_ids: str) -> None:
    """Wait until Home Assistant's push subscriptions for these saunas are in place."""
    feeds = sim.appsync.services["device"].subscribers
    await eventually(
        hass, lambda: all(feeds.get(("devicesStatesUpdateFeed", d)) for d in device_ids)
    )


async def push_ready(
    hass: HomeAssistant, entry: ConfigEntry, sim: HarviaSimulator, *device_ids: str
) -> None:
    """Subscribed, and the resync poll that a new push connection requests has finished."""
    await subscribed(hass, sim, *device_ids)
    coordinator = entry.runtime_data.coordinator
    await eventually(hass, lambda: coordinator.update_interval == WATCHDOG_INTERVAL)
    await hass.async_block_till_done()
