"""Diagnostics carry what helps and nothing secret."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cayenne.diagnostics import async_get_config_entry_diagnostics

from .conftest import APP_KEY, APP_SECRET, EMAIL, PASSWORD, PI


async def test_diagnostics_are_redacted(hass: HomeAssistant, ready: MockConfigEntry) -> None:
    diagnostics = await async_get_config_entry_diagnostics(hass, ready)
    text = json.dumps(diagnostics, default=str)
    credentials = ready.runtime_data.coordinator.push._credentials
    assert credentials is not None
    for secret in (EMAIL, PASSWORD, APP_KEY, APP_SECRET, credentials.password, "b8:27:eb:12:34:56"):
        assert secret not in text, secret
    assert diagnostics["mqtt"]["connected"] is True
    assert diagnostics["things"][PI]["channels"]["4"]["type"] == "relay"
    assert diagnostics["token_requests"]["sign_ins"] == 1
