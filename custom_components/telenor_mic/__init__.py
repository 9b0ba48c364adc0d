"""The Telenor Managed IoT Cloud integration."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .client_factory import client_for
from .const import DOMAIN
from .coordinator import MicConfigEntry, MicCoordinator, MicRuntimeData
from .statistics import async_import_observations

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.DEVICE_TRACKER,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TEXT,
]


async def async_setup_entry(hass: HomeAssistant, entry: MicConfigEntry) -> bool:
    client = client_for(hass, entry.data)
    coordinator = MicCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = MicRuntimeData(client, coordinator)
    entry.async_create_background_task(hass, coordinator.push.run(), f"{DOMAIN} MQTT {entry.title}")
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_create_background_task(
        hass, async_import_observations(hass, coordinator), f"{DOMAIN} history {entry.title}"
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: MicConfigEntry) -> bool:
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await entry.runtime_data.coordinator.push.stop()
    return True


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MicConfigEntry, device: DeviceEntry
) -> bool:
    """A thing's device may be removed by hand once the user no longer sees the thing."""
    coordinator = entry.runtime_data.coordinator
    present = coordinator.devices.identifiers(coordinator.data)
    return not any(ident[0] == DOMAIN and ident[1] in present for ident in device.identifiers)
