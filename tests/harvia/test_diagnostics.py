"""Diagnostics carry what helps and nothing secret."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant

from custom_components.harvia.const import WATCHDOG_INTERVAL
from custom_components.harvia.diagnostics import async_get_config_entry_diagnostics
from simulators.harvia import HarviaSimulator

from .conftest import SetUp
from .helpers import push_ready


async def test_diagnostics_are_redacted(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    entry = await setup_integration()
    await push_ready(hass, entry, sim, "xenio-1")
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(diagnostics, default=str)
    for secret in (
        entry.data["password"],
        entry.data["refresh_token"],
        entry.data["email"],
        "2409001122",
    ):
        assert secret not in text
    assert diagnostics["has_refresh_token"] is True
    # Push is connected, so polling has slowed to the watchdog.
    assert diagnostics["push"]["update_interval_s"] == WATCHDOG_INTERVAL.total_seconds()
    cabin = diagnostics["devices"]["xenio-1"]["cabins"]["C1"]
    assert cabin["status"] == "off"
    assert cabin["effective_target"] == 80
    assert diagnostics["devices"]["xenio-1"]["attributes"]["serialNumber"] == "**REDACTED**"
