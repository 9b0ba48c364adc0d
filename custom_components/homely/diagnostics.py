"""Diagnostics: the home, its devices and the socket's health; no credentials or serials."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .api.models import IDENTIFYING_STATES
from .coordinator import HomelyConfigEntry

TO_REDACT = {
    CONF_USERNAME,
    CONF_PASSWORD,
    "serial_number",
    "gateway_serial",
    *IDENTIFYING_STATES,
    "changed_by",
    "title",
    "unique_id",
    "location_id",
    "name",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HomelyConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    client = entry.runtime_data.client
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "has_password": bool(entry.data.get(CONF_PASSWORD)),
        "socket": coordinator.push_status(),
        "last_update_success": coordinator.last_update_success,
        "rate_limited_for_s": round(client.gate.remaining()),
        "token_requests": {"logins": client.logins, "refreshes": client.refreshes},
        "alarm": {
            "state": data.alarm_state,
            "at": data.alarm_at.isoformat() if data.alarm_at else None,
            "changed_by_known": data.changed_by is not None,
        },
        "home": async_redact_data(asdict(data.home), TO_REDACT),
    }
