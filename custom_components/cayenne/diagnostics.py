"""Diagnostics: the things, their values and the MQTT feed's health; no credentials."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant

from .const import CONF_APP_KEY, CONF_APP_SECRET
from .coordinator import CayenneConfigEntry

TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_APP_KEY,
    CONF_APP_SECRET,
    "title",
    "unique_id",
    "hardware_id",
    "name",
    "latitude",
    "longitude",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CayenneConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    client = entry.runtime_data.client
    data = coordinator.data
    things = {
        thing_id: {
            "name": state.thing.name,
            "device_type_id": state.thing.device_type_id,
            "parent_id": state.thing.parent_id,
            "hardware_id": state.thing.hardware_id,
            "last_online": state.thing.last_online.isoformat() if state.thing.last_online else None,
            "readable": state.readable,
            "channels": {
                channel.channel: {
                    "type": channel.raw_type,
                    "unit": channel.raw_unit,
                    "value": state.values[channel.channel].value
                    if channel.channel in state.values
                    else None,
                    "has_position": channel.channel in state.values
                    and state.values[channel.channel].position is not None,
                }
                for channel in state.thing.channels.values()
            },
        }
        for thing_id, state in data.things.items()
    }
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "auth_flow": client.auth_flow.value,
        "mqtt": coordinator.push_status(),
        "last_update_success": coordinator.last_update_success,
        "token_requests": {"sign_ins": client.sign_ins, "refreshes": client.refreshes},
        "requests_last_poll": coordinator.requests_per_poll,
        "skipped_things": client.skipped_things,
        "things": async_redact_data(things, TO_REDACT),
        "rules": {rule.rule_id: rule.enabled for rule in data.rules.values()},
    }
