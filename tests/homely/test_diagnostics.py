"""Diagnostics carry what helps and nothing secret (tests/test_translations.py checks strings)."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.diagnostics import async_get_config_entry_diagnostics
from simulators.homely import HomelySimulator

from .conftest import HOME, MOTION
from .helpers import eventually, socket_ready


async def test_diagnostics_are_redacted(
    hass: HomeAssistant, loaded: MockConfigEntry, sim: HomelySimulator
) -> None:
    await socket_ready(hass, loaded, sim)
    home = sim.cloud.homes[HOME]
    sim.cloud.arm(home, "DISARMED", sim.cloud.user("kari@homely.example"), sim.ctx.clock.now() + 1)
    await eventually(hass, lambda: loaded.runtime_data.coordinator.data.changed_by is not None)
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded)
    text = json.dumps(diagnostics, default=str)
    for secret in (
        loaded.data["password"],
        loaded.data["username"],
        "Solbakken 12",
        "02000001000109FD",
        "0015BC001A016A18",
        "Kari Nordmann",
        HOME,
    ):
        assert secret not in text, secret
    assert "0015BC002C10" not in text  # network link addresses
    assert diagnostics["has_password"] is True
    assert diagnostics["socket"]["connected"] is True
    assert diagnostics["alarm"] == {
        "state": "DISARMED",
        "at": diagnostics["alarm"]["at"],
        "changed_by_known": True,
    }
    device = diagnostics["home"]["devices"][MOTION]
    assert device["model_name"] == "Motion Sensor Mini"
    assert device["features"]["alarm"]["alarm"]["value"] is False
