"""Home Assistant core boots under pytest-homeassistant-custom-component and finds our folder."""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant.core import CoreState, HomeAssistant
from homeassistant.loader import async_get_custom_components
from homeassistant.setup import async_setup_component

ROOT = Path(__file__).parents[1]


async def test_home_assistant_boots_with_our_custom_components(
    hass: HomeAssistant, enable_custom_integrations: None
) -> None:
    assert hass.state is CoreState.running
    assert await async_setup_component(hass, "homeassistant", {})
    custom = await async_get_custom_components(hass)
    ours = {p.parent.name for p in ROOT.glob("custom_components/*/manifest.json")}
    assert ours <= set(custom)
    for domain in ours:
        manifest = json.loads((ROOT / "custom_components" / domain / "manifest.json").read_text())
        assert custom[domain].version is not None, f"{domain} must declare a version"
        assert custom[domain].domain == manifest["domain"] == domain
