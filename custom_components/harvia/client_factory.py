"""Building a MyHarvia client from config entry data: shared by setup and the config flow, and
light on purpose (no coordinator, no recorder)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import DEFAULT_DISCOVERY_URL, HarviaClient
from .const import CONF_DISCOVERY_URL, CONF_REFRESH_TOKEN


def client_for(hass: HomeAssistant, data: Mapping[str, Any]) -> HarviaClient:
    return HarviaClient(
        async_get_clientsession(hass),
        data[CONF_EMAIL],
        data[CONF_PASSWORD],
        discovery_url=data.get(CONF_DISCOVERY_URL) or DEFAULT_DISCOVERY_URL,
        refresh_token=data.get(CONF_REFRESH_TOKEN),
    )
