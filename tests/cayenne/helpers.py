"""Helpers of the Cayenne integration tests."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from simulators.cayenne import CayenneSimulator
from tests.helpers import attribute_of, eventually, state_of

__all__ = ["attribute_of", "entity_id", "eventually", "run_client_on_loop_clock", "state_of"]


def entity_id(hass: HomeAssistant, thing_id: str, channel: str | int) -> str:
    """The entity of one channel of a thing."""
    registry = er.async_get(hass)
    for entry in registry.entities.values():
        if entry.platform == "cayenne" and entry.unique_id == f"{thing_id}_{channel}":
            return entry.entity_id
    raise AssertionError(f"no entity for {thing_id}/{channel}")


def sim_value(sim: CayenneSimulator, thing_id: str, channel: str | int) -> Any:
    account = next(a for a in sim.cloud.accounts.values() if thing_id in a.things)
    thing = account.things[thing_id]
    return thing.value(thing.channels[str(channel)], sim.ctx.clock.now())


def run_client_on_loop_clock(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Token lifetimes count on the loop's clock, so that SimulatedTime moves them too."""
    entry.runtime_data.client._clock = hass.loop.time
