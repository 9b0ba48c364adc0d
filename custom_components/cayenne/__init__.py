"""The Cayenne (myDevices) IoT integration."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .client_factory import client_for
from .const import DOMAIN
from .coordinator import CayenneConfigEntry, CayenneCoordinator, CayenneRuntimeData

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.DEVICE_TRACKER,
    Platform.LIGHT,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_setup_entry(hass: HomeAssistant, entry: CayenneConfigEntry) -> bool:
    client = client_for(hass, entry.data)
    coordinator = CayenneCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = CayenneRuntimeData(client, coordinator)
    entry.async_create_background_task(hass, coordinator.push.run(), f"{DOMAIN} MQTT {entry.title}")
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: CayenneConfigEntry) -> bool:
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await entry.runtime_data.coordinator.push.stop()
    return True


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: CayenneConfigEntry, device: DeviceEntry
) -> bool:
    """A thing's device may be removed by hand once it has left the account."""
    coordinator = entry.runtime_data.coordinator
    present = {coordinator.account_key, *coordinator.data.things}
    return not any(ident[0] == DOMAIN and ident[1] in present for ident in device.identifiers)
