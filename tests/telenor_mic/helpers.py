"""Helpers of the Telenor MIC integration tests."""

from __future__ import annotations

from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from simulators.core import SimulatorServer
from simulators.telenor_mic import TelenorMicSimulator
from tests.helpers import attribute_of, eventually, state_of

from .conftest import UNIQUE_ID

__all__ = [
    "admin",
    "attribute_of",
    "entity_id",
    "eventually",
    "run_client_on_loop_clock",
    "sim_value",
    "state_of",
]


def entity_id(
    hass: HomeAssistant, thing: str, resource: str, *, entry_unique_id: str = UNIQUE_ID
) -> str:
    """The entity of one resource of a thing (or `last_heard`)."""
    registry = er.async_get(hass)
    unique_id = f"{entry_unique_id}:{thing}:{resource}"
    for entry in registry.entities.values():
        if entry.platform == "telenor_mic" and entry.unique_id == unique_id:
            return entry.entity_id
    raise AssertionError(f"no entity for {thing}/{resource}")


def sim_value(sim: TelenorMicSimulator, thing: str, resource: str) -> Any:
    found = sim.cloud.find_thing(thing)
    assert found is not None, thing
    return found[1].value(resource, sim.ctx.clock.now())


async def admin(
    http: aiohttp.ClientSession, cloud: SimulatorServer, method: str, path: str, body: Any = None
) -> Any:
    """Call one of the simulator's MIC admin routes (under /_sim/telenor_mic)."""
    url = f"{cloud.url}/_sim/telenor_mic/{path.lstrip('/')}"
    async with http.request(method, url, json=body) as response:
        response.raise_for_status()
        return await response.json()


def run_client_on_loop_clock(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Token lifetimes and re-signing count on the loop's clock, so SimulatedTime moves them."""
    entry.runtime_data.client._clock = hass.loop.time
    entry.runtime_data.coordinator.push._clock = hass.loop.time
