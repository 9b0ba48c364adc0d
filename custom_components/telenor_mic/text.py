"""Texts: settable text resources without a list of values (a display message, a label)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.text import TextEntity, TextEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MicConfigEntry
from .entity import (
    MicResourceDescription,
    MicResourceEntity,
    async_add_resource_entities,
    read_text,
)

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MicTextDescription(MicResourceDescription[str | None], TextEntityDescription):
    """A settable free-text resource."""


TEXT = MicTextDescription(key="text", value_fn=read_text, native_max=255)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_resource_entities(
        entry.runtime_data.coordinator,
        Platform.TEXT,
        async_add_entities,
        lambda coordinator, thing, resource: MicText(coordinator, thing, resource, TEXT),
    )


class MicText(MicResourceEntity[str | None], TextEntity):
    entity_description: MicTextDescription

    @property
    def native_value(self) -> str | None:
        return self.reported

    async def async_set_value(self, value: str) -> None:
        await self.async_write(self.resource.encode(value))
