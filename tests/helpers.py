"""Helpers every integration's tests use: waiting on real sockets, reading states and JSON."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant


async def eventually(
    hass: HomeAssistant, condition: Callable[[], bool], within: float = 8.0
) -> None:
    """Wait until `condition()` holds, letting Home Assistant and the sockets run meanwhile."""
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


def flat_keys(tree: object, prefix: str = "") -> set[str]:
    """The dotted paths of a JSON tree's leaves (to compare translation files)."""
    if not isinstance(tree, dict):
        return {prefix}
    return {
        key
        for name, value in tree.items()
        for key in flat_keys(value, f"{prefix}.{name}" if prefix else name)
    }
