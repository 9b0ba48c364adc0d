"""A real Home Assistant core with one integration's entry set up, for benchmarks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
import tempfile
import time
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant import loader
from homeassistant.core import HomeAssistant
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
