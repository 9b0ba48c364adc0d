"""Device trackers: position resources (a GPS tracker's latitude and longitude)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.device_tracker import TrackerEntity, TrackerEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Position
from .coordinator import MicConfigEntry
from .entity import (
    MicResourceDescription,
    MicResourceEntity,
    async_add_resource_entities,
    read_position,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MicTrackerDescription(MicResourceDescription[Position | None], TrackerEntityDescription):
    """A position resource."""


POSITION = MicTrackerDescription(key="position", translation_key="position", value_fn=read_position)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_resource_entities(
        entry.runtime_data.coordinator,
        Platform.DEVICE_TRACKER,
        async_add_entities,
        lambda coordinator, thing, resource: MicTracker(coordinator, thing, resource, POSITION),
    )


class MicTracker(MicResourceEntity[Position | None], TrackerEntity):
    entity_description: MicTrackerDescription

    @property
    def latitude(self) -> float | None:
        position = self.reported
        return None if position is None else position.latitude

    @property
    def longitude(self) -> float | None:
        position = self.reported
        return None if position is None else position.longitude
