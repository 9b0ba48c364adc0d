"""Building the Cayenne client from an entry's data: what setup and the config flow share.

Light on purpose: the config flow imports it without the coordinator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import DEFAULT_API_URL, AuthFlow, CayenneClient
from .const import CONF_API_URL, CONF_APP_KEY, CONF_APP_SECRET, CONF_AUTH_FLOW, CONF_AUTH_URL


def client_for(hass: HomeAssistant, data: Mapping[str, Any]) -> CayenneClient:
    return CayenneClient(
        async_get_clientsession(hass),
        data[CONF_EMAIL],
        data[CONF_PASSWORD],
        data[CONF_APP_KEY],
        data[CONF_APP_SECRET],
        auth_flow=data.get(CONF_AUTH_FLOW) or AuthFlow.OPENID,
        auth_url=data.get(CONF_AUTH_URL) or None,
        api_url=data.get(CONF_API_URL) or DEFAULT_API_URL,
    )
