"""The Homely alarm integration (Homely SDK)."""

from __future__ import annotations

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.util.hass_dict import HassKey

from .api import DEFAULT_BASE_URL, HomelyClient, HomelyPush, RateLimitGate
from .const import CONF_BASE_URL, DOMAIN
from .coordinator import HomelyConfigEntry, HomelyCoordinator, HomelyRuntimeData
from .entity import home_info

PLATFORMS = [Platform.ALARM_CONTROL_PANEL, Platform.BINARY_SENSOR, Platform.SENSOR]

# A 429 is the account's, not one home's: every entry of an account (and every retry of a setup
# that failed on it) waits behind the same gate.
RATE_LIMIT_GATES: HassKey[dict[str, RateLimitGate]] = HassKey(f"{DOMAIN}_rate_limit_gates")


def client_for(hass: HomeAssistant, data: dict[str, str]) -> HomelyClient:
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


async def async_setup_entry(hass: HomeAssistant, entry: HomelyConfigEntry) -> bool:
    client = client_for(hass, dict(entry.data))
    coordinator = HomelyCoordinator(hass, entry, client)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = HomelyRuntimeData(client, coordinator)
    # The home first: every device of it is registered "via" the home.
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **home_info(coordinator.data.home)
    )

    push = HomelyPush(
        client,
        async_get_clientsession(hass),
        coordinator.location_id,
        coordinator.async_push_event,
        coordinator.async_push_connection,
    )
    coordinator.async_start_push(push)
    entry.async_create_background_task(hass, push.run(), f"{DOMAIN} socket {entry.title}")

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HomelyConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: HomelyConfigEntry, device: DeviceEntry
) -> bool:
    """A device may be removed by hand once it has left the home (never the home itself)."""
    coordinator = entry.runtime_data.coordinator
    present = {coordinator.location_id, *coordinator.data.home.devices}
    return not any(ident[0] == DOMAIN and ident[1] in present for ident in device.identifiers)
