"""A real Home Assistant core with one integration's entry set up, for benchmarks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
import tempfile
import time
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant import loader
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import recorder as recorder_helper
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

import custom_components  # noqa: F401  (ours, before Home Assistant mounts a config dir)

ROOT = Path(__file__).resolve().parents[1]


@asynccontextmanager
async def home_assistant_with_entry(
    domain: str, data: dict[str, Any], unique_id: str | None = None
) -> AsyncIterator[tuple[HomeAssistant, MockConfigEntry, float]]:
    """Home Assistant (with the recorder) and the entry set up; yields the setup time too."""
    # The simulators are on loopback: a plain DNS resolver instead of Home Assistant's mDNS one,
    # which needs the network and zeroconf integrations (as the test harness does).
    resolver = AsyncResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]  # what HA closes it with
    plain_dns = patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver", return_value=resolver
    )
    with tempfile.TemporaryDirectory() as config_dir, plain_dns:
        (Path(config_dir) / "custom_components").symlink_to(ROOT / "custom_components")
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)  # the harness disables them
            recorder_helper.async_initialize_recorder(hass)  # as bootstrap does first
            db_url = f"sqlite:///{config_dir}/recorder.db"
            assert await async_setup_component(hass, "recorder", {"recorder": {"db_url": db_url}})
            entry = MockConfigEntry(domain=domain, data=data, unique_id=unique_id)
            entry.add_to_hass(hass)
            started = time.perf_counter()
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            setup_s = time.perf_counter() - started
            try:
                yield hass, entry, setup_s
            finally:
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_block_till_done()
                await hass.async_stop(force=True)


async def state_change_latencies(
    hass: HomeAssistant, entity_id: str, change: Callable[[int], None], samples: int
) -> list[float]:
    """Milliseconds from `change(n)` in the simulated cloud until `entity_id`'s state changed."""
    changed = asyncio.Event()

    def on_change(event: Event[Any]) -> None:
        if event.data["entity_id"] == entity_id:
            changed.set()

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
    latencies = []
    try:
        for n in range(samples):
            changed.clear()
            started = time.perf_counter()
            change(n)
            await asyncio.wait_for(changed.wait(), 5)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        unsubscribe()
    return latencies


async def cpu_for_state_changes(
    hass: HomeAssistant, entity_id: str, change: Callable[[int], None], count: int
) -> float:
    """CPU seconds (this process: Home Assistant and the in-process simulator) for `count`
    changes in the cloud to reach `entity_id`'s state."""
    seen = 0
    done = asyncio.Event()

    def on_change(event: Event[Any]) -> None:
        nonlocal seen
        if event.data["entity_id"] == entity_id:
            seen += 1
            if seen == count:
                done.set()

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, on_change)
    try:
        started = time.process_time()
        for n in range(count):
            change(n)
            await asyncio.sleep(0)
        await asyncio.wait_for(done.wait(), 60)
        return time.process_time() - started
    finally:
        unsubscribe()
