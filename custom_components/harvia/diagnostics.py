"""Diagnostics: devices, cabins, push health; no password, token, e-mail or serial."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant

from .api.models import PRIVATE_ATTRIBUTES
from .const import CONF_REFRESH_TOKEN
from .coordinator import HarviaConfigEntry

TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_REFRESH_TOKEN,
    *PRIVATE_ATTRIBUTES,
    "title",
    "unique_id",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HarviaConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "has_refresh_token": bool(entry.data.get(CONF_REFRESH_TOKEN)),
        "push": coordinator.push_status(),
        "last_update_success": coordinator.last_update_success,
        "devices": {
            device_id: {
                "type": device.device_type,
                "attributes": async_redact_data(device.attributes, TO_REDACT),
                "cabins": {
                    cabin.cabin_id: {
                        "state": cabin.state.raw if cabin.state else None,
                        "connected": cabin.connected,
                        "telemetry": asdict(cabin.telemetry) if cabin.telemetry else None,
                        "status": cabin.status.value,
                        "effective_target": cabin.target_temperature,
                    }
                    for cabin in data.cabins_of(device_id)
                },
            }
            for device_id, device in data.devices.items()
        },
    }
