"""Building the MIC client from an entry's data: what setup and the config flow share.

Light on purpose: the config flow imports it without the coordinator or the recorder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import DEFAULT_MANIFEST_URL, MicClient
from .const import CONF_AWS_ENDPOINT, CONF_MANIFEST_URL


def client_for(hass: HomeAssistant, data: Mapping[str, Any]) -> MicClient:
    return MicClient(
        async_get_clientsession(hass),
        data[CONF_HOST],
        data[CONF_USERNAME],
        data[CONF_PASSWORD],
        manifest_url=data.get(CONF_MANIFEST_URL) or DEFAULT_MANIFEST_URL,
        aws_endpoint=data.get(CONF_AWS_ENDPOINT) or None,
    )


def entry_unique_id(data: Mapping[str, Any]) -> str:
    """One entry per App Board host and user (user names are case-insensitive in MIC's Cognito)."""
    return f"{normalized_host(data[CONF_HOST])}/{str(data[CONF_USERNAME]).strip().lower()}"


def normalized_host(host: str) -> str:
    """The App Board host name, also when pasted as a URL."""
    host = host.strip().lower()
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    return host.split("/", 1)[0]
