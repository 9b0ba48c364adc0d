"""The Harvia sauna integration (MyHarvia cloud)."""

from __future__ import annotations

import logging

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.ssl import get_default_context

from .api import HarviaError, HarviaPush
from .client_factory import client_for
from .const import CONF_REFRESH_TOKEN, DOMAIN, FALLBACK_INTERVAL
from .coordinator import HarviaConfigEntry, HarviaCoordinator, HarviaRuntimeData
from .services import async_setup_services
from .statistics import async_import_history

_LOGGER = logging.getLogger(__name__)

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.CLIMATE,
    Platform.LIGHT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HarviaConfigEntry) -> bool:
    client = client_for(hass, entry.data)
    coordinator = HarviaCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = HarviaRuntimeData(client, coordinator)

    if (await client.async_get_endpoints()).supports_push:  # read by the first refresh
        push = HarviaPush(
            client,
            coordinator.async_push_state,
            coordinator.async_push_measurement,
            coordinator.async_push_connection,
            ssl_context=get_default_context(),
        )
        coordinator.async_start_push(push)
        entry.async_create_background_task(hass, push.run(), f"{DOMAIN} push {entry.title}")
    else:
        _LOGGER.info(
            "The Harvia endpoint document lists no GraphQL push service; polling every %s",
            FALLBACK_INTERVAL,
        )

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the entities exist: history fills the hours Home Assistant did not see.
    entry.async_create_background_task(
        hass, async_import_history(hass, coordinator), f"{DOMAIN} history import {entry.title}"
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HarviaConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: HarviaConfigEntry) -> None:
    """The user removed the integration: revoke its refresh token at the cloud."""
    if not entry.data.get(CONF_REFRESH_TOKEN):
        return
    try:
        await client_for(hass, entry.data).async_revoke()
    except HarviaError as err:
        _LOGGER.warning("Could not revoke the Harvia refresh token: %s", err)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HarviaConfigEntry, device: DeviceEntry
) -> bool:
    """A device may be removed by hand once its sauna (or cabin) has left the account."""
    present = entry.runtime_data.coordinator.data.identifiers()
    return not any(
        owner == DOMAIN and identifier in present for owner, identifier in device.identifiers
    )
