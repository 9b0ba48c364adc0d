"""Building a Homely client from an entry's data: what setup and the config flow share.

Light on purpose: the config flow imports it without the coordinator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from .api import DEFAULT_BASE_URL, HomelyClient, RateLimitGate
from .const import CONF_BASE_URL, DOMAIN

# A 429 is the account's, not one home's: every entry of an account (and every retry of a setup
# that failed on it) waits behind the same gate.
RATE_LIMIT_GATES: HassKey[dict[str, RateLimitGate]] = HassKey(f"{DOMAIN}_rate_limit_gates")


def client_for(hass: HomeAssistant, data: Mapping[str, Any]) -> HomelyClient:
    base_url = data.get(CONF_BASE_URL) or DEFAULT_BASE_URL
    gates = hass.data.setdefault(RATE_LIMIT_GATES, {})
    gate = gates.setdefault(f"{base_url}|{data[CONF_USERNAME].lower()}", RateLimitGate())
    return HomelyClient(
        async_get_clientsession(hass),
        data[CONF_USERNAME],
        data[CONF_PASSWORD],
        base_url=base_url,
        gate=gate,
    )
