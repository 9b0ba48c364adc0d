"""The Homely alarm integration (Homely SDK)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntry

from .client_factory import client_for
from .const import DOMAIN
from .coordinator import HomelyConfigEntry, HomelyCoordinator, HomelyRuntimeData
from .entity import home_info

PLATFORMS = [Platform.ALARM_CONTROL_PANEL, Platform.BINARY_SENSOR, Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: HomelyConfigEntry) -> bool:
    client = client_for(hass, entry.data)
    coordinator = HomelyCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = HomelyRuntimeData(client, coordinator)
    # The home first: every device of it is registered "via" the home.
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **home_info(coordinator.data.home)
    )
    entry.async_create_background_task(
        hass, coordinator.push.run(), f"{DOMAIN} socket {entry.title}"
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HomelyConfigEntry) -> bool:
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    # Closed through its own API before Home Assistant cancels the background task: a
    # cancellation would leave the socket half closed, holding the coordinator.
    await entry.runtime_data.coordinator.push.stop()
    return True


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HomelyConfigEntry, device: DeviceEntry
) -> bool:
    """A device may be removed by hand once it has left the home (never the home itself)."""
    coordinator = entry.runtime_data.coordinator
    present = {coordinator.location_id, *coordinator.data.home.devices}
    return not any(ident[0] == DOMAIN and ident[1] in present for ident in device.identifiers)
