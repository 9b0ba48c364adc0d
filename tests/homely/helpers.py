"""Waiting for things that arrive over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant

from custom_components.homely.const import WATCHDOG_INTERVAL
from simulators.homely import HomelySimulator


async def eventually(
    hass: HomeAssistant, condition: Callable[[], bool], within: float = 8.0
) -> None:
    for _ in range(int(within / 0.02)):
        await hass.async_block_till_done()
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def state_of(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return state.state if state else None


def attribute_of(hass: HomeAssistant, entity_id: str, name: str) -> Any:
    state = hass.states.get(entity_id)
    return state.attributes.get(name) if state else None


async def socket_ready(hass: HomeAssistant, entry: ConfigEntry, sim: HomelySimulator) -> None:
    """The socket is connected and the coordinator polls as a watchdog only."""
    coordinator = entry.runtime_data.coordinator
    await eventually(
        hass,
        lambda: sim.socket.listeners(coordinator.location_id) >= 1
        and coordinator.update_interval == WATCHDOG_INTERVAL,
    )


async def poll_finished(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Wait for a background poll to finish before the next time jump."""
    coordinator = entry.runtime_data.coordinator
    lock = coordinator._debounced_refresh._execute_lock
    await eventually(hass, lambda: not lock.locked())
    await hass.async_block_till_done()
