"""Selects: settable text resources whose thing type lists the values they take (a mode)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Resource
from .coordinator import MicConfigEntry, MicCoordinator
from .entity import (
    MicResourceDescription,
    MicResourceEntity,
    async_add_resource_entities,
    read_text,
)

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MicSelectDescription(MicResourceDescription[str | None], SelectEntityDescription):
    """A settable resource with a list of values."""


SELECT = MicSelectDescription(key="select", value_fn=read_text)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_resource_entities(
        entry.runtime_data.coordinator, Platform.SELECT, async_add_entities, MicSelect
    )


class MicSelect(MicResourceEntity[str | None], SelectEntity):
    entity_description: MicSelectDescription

    def __init__(self, coordinator: MicCoordinator, thing_name: str, resource: Resource) -> None:
        super().__init__(coordinator, thing_name, resource, SELECT)
        self._attr_options = list(resource.options)

    @property
    def current_option(self) -> str | None:
        value = self.reported
        return value if value in self._attr_options else None  # a value the list lacks: unknown

    async def async_select_option(self, option: str) -> None:
        await self.async_write(self.resource.encode(option))
