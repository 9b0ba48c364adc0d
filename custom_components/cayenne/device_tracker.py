"""Device trackers: GPS channels (LoRa trackers and the like)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.device_tracker import (
    SourceType,
    TrackerEntity,
    TrackerEntityDescription,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Channel, DataType, Position, Thing
from .coordinator import CayenneConfigEntry, CayenneCoordinator
from .data import ChannelValue
from .entity import CayenneChannelDescription, CayenneChannelEntity, async_add_channel_entities

PARALLEL_UPDATES = 0


def _position(known: ChannelValue) -> Position | None:
    return known.position


@dataclass(frozen=True, kw_only=True)
class CayenneTrackerDescription(
    CayenneChannelDescription[Position | None], TrackerEntityDescription
):
    """A GPS channel."""


GPS = CayenneTrackerDescription(
    key=DataType.GPS.value, translation_key=DataType.GPS.value, value_fn=_position
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CayenneConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    def create(coordinator: CayenneCoordinator, thing: Thing, channel: Channel) -> TrackerEntity:
        return CayenneTracker(coordinator, thing, channel, GPS)

    async_add_channel_entities(
        entry.runtime_data.coordinator, Platform.DEVICE_TRACKER, async_add_entities, create
    )


class CayenneTracker(CayenneChannelEntity[Position | None], TrackerEntity):
    entity_description: CayenneTrackerDescription
    _attr_source_type = SourceType.GPS

    @property
    def latitude(self) -> float | None:
        position = self.reported
        return None if position is None else position.latitude

    @property
    def longitude(self) -> float | None:
        position = self.reported
        return None if position is None else position.longitude

    @property
    def location_accuracy(self) -> float:
        return 0
