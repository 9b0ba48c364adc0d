"""Helpers every test uses: waiting for what arrives over real sockets, reading states and JSON."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
import inspect
from typing import Any

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

# A check to wait on: plain, or a coroutine when it has to ask something over the network.
type Condition = Callable[[], bool | Awaitable[bool]]


async def until(
    condition: Condition, within: float = 8.0, *, every: float = 0.02, what: str = "condition"
) -> None:
    """Wait until `condition()` holds, checking every `every` seconds; fail after `within`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        held = condition()
        if inspect.isawaitable(held):
            held = await held
        if held:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within:g} s waiting for {what}")
        await asyncio.sleep(every)


async def eventually(
    hass: HomeAssistant, condition: Callable[[], bool], within: float = 8.0
) -> None:
    """`until` for Home Assistant tests: let Home Assistant finish its work before each check."""

    async def settled() -> bool:
        await hass.async_block_till_done()
        return condition()

    await until(settled, within)


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


async def statistic_hours(hass: HomeAssistant, statistic_id: str) -> list[dict[str, float]]:
    """The hourly long-term statistics (mean, min, max) of the last 8 days."""
    start = dt_util.utcnow() - timedelta(days=8)
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        None,
        {statistic_id},
        "hour",
        None,
        {"mean", "min", "max"},
    )
    return list(rows.get(statistic_id, []))  # type: ignore[arg-type]
