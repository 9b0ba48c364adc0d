"""Numbers: every settable numeric resource (a pump's speed, a set point)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import NumberEntity, NumberEntityDescription, NumberMode
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Resource, ResourceKind
from .coordinator import MicConfigEntry, MicCoordinator
from .entity import (
    MicResourceDescription,
    MicResourceEntity,
    async_add_resource_entities,
    read_number,
)
from .sensor import unit_of

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MicNumberDescription(MicResourceDescription[float | None], NumberEntityDescription):
    """A settable numeric resource."""


NUMBER = MicNumberDescription(key="number", value_fn=read_number)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_resource_entities(
        entry.runtime_data.coordinator, Platform.NUMBER, async_add_entities, MicNumber
    )


class MicNumber(MicResourceEntity[float | None], NumberEntity):
    """The range and step come from the thing type's metadata where it gives them; without
    a range the field is a box, not a slider over a made-up range."""

    entity_description: MicNumberDescription

    def __init__(self, coordinator: MicCoordinator, thing_name: str, resource: Resource) -> None:
        super().__init__(coordinator, thing_name, resource, NUMBER)
        self._attr_native_unit_of_measurement = unit_of(resource)
        bounded = resource.minimum is not None and resource.maximum is not None
        self._attr_mode = NumberMode.SLIDER if bounded else NumberMode.BOX
        self._attr_native_min_value = resource.minimum if resource.minimum is not None else -1e9
        self._attr_native_max_value = resource.maximum if resource.maximum is not None else 1e9
        integer = resource.kind is ResourceKind.INTEGER
        self._attr_native_step = resource.step or (1.0 if integer else 0.01)

    @property
    def native_value(self) -> float | None:
        return self.reported

    async def async_set_native_value(self, value: float) -> None:
        await self.async_write(self.resource.encode(value))
