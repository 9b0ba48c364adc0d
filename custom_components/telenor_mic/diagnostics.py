"""Diagnostics: the things, their types and values, and the MQTT feed's health; no secrets."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .api import ResourceKind
from .coordinator import MicConfigEntry
from .data import MicData

TO_REDACT = {
    CONF_PASSWORD,
    CONF_USERNAME,
    "title",
    "unique_id",
    "email",
    "first_name",
    "last_name",
    "latitude",
    "longitude",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MicConfigEntry
) -> dict[str, Any]:
    coordinator = entry.runtime_data.coordinator
    client = entry.runtime_data.client
    data = coordinator.data
    user = client.user
    things = {
        name: {
            "label": state.thing.label,
            "domain": state.thing.domain,
            "domain_topic": state.domain_topic,
            "thing_type": state.thing.thing_type,
            "last_heard": state.last_heard.isoformat() if state.last_heard else None,
            "shadow_version": state.version,
            "reported": {
                resource: _shown(data, name, resource, value.value)
                for resource, value in state.values.items()
            },
            "desired": {
                resource: _shown(data, name, resource, value)
                for resource, value in state.desired.items()
            },
        }
        for name, state in data.things.items()
    }
    thing_types = {
        type_id: {
            "label": thing_type.label,
            "resources": {
                resource.name: {
                    "type": resource.raw_type,
                    "kind": resource.kind.value,
                    "unit": resource.unit,
                    "settable": resource.settable,
                }
                for resource in thing_type.resources
            },
        }
        for type_id, thing_type in data.thing_types.items()
    }
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "user": None
        if user is None
        else {"domain_path": user.domain_path, "role_name": user.role_name},
        "region": client.manifest.region if client.manifest else None,
        "mqtt": coordinator.push_status(),
        "last_update_success": coordinator.last_update_success,
        "requests_last_poll": coordinator.requests_per_poll,
        "skipped_things": client.skipped_things,
        "thing_types": thing_types,
        "things": things,
    }


def _shown(data: MicData, thing_name: str, resource_name: str, value: object) -> object:
    """A value as diagnostics show it: positions say where someone is, so they never leave
    Home Assistant (a resource the type does not describe is hidden too)."""
    thing_type = data.thing_type(thing_name)
    resource = thing_type.resource(resource_name) if thing_type else None
    if resource is None or resource.kind is ResourceKind.POSITION:
        return REDACTED
    return value
