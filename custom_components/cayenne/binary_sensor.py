"""Binary sensors: motion, proximity and digital inputs."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Channel, DataType, Thing
from .coordinator import CayenneConfigEntry, CayenneCoordinator
from .entity import (
    CayenneChannelDescription,
    CayenneChannelEntity,
    async_add_channel_entities,
    describe,
    reported_on,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CayenneBinarySensorDescription(
    CayenneChannelDescription[bool | None], BinarySensorEntityDescription
):
    """A digital input channel."""


BINARY_SENSORS: tuple[CayenneBinarySensorDescription, ...] = (
    CayenneBinarySensorDescription(
        key=DataType.MOTION.value,
        translation_key=DataType.MOTION.value,
        device_class=BinarySensorDeviceClass.MOTION,
        exists_fn=lambda channel: channel.data_type is DataType.MOTION,
        value_fn=reported_on,
    ),
    CayenneBinarySensorDescription(
        key=DataType.PROXIMITY.value,
        translation_key=DataType.PROXIMITY.value,
        device_class=BinarySensorDeviceClass.PRESENCE,
        exists_fn=lambda channel: channel.data_type is DataType.PROXIMITY,
        value_fn=reported_on,
    ),
)
DIGITAL_INPUT = CayenneBinarySensorDescription(
    key=DataType.DIGITAL_SENSOR.value,
    translation_key=DataType.DIGITAL_SENSOR.value,
    value_fn=reported_on,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CayenneConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    def create(
        coordinator: CayenneCoordinator, thing: Thing, channel: Channel
    ) -> BinarySensorEntity:
        description = describe(channel, BINARY_SENSORS, DIGITAL_INPUT)
        return CayenneBinarySensor(coordinator, thing, channel, description)

    async_add_channel_entities(
        entry.runtime_data.coordinator, Platform.BINARY_SENSOR, async_add_entities, create
    )


class CayenneBinarySensor(CayenneChannelEntity[bool | None], BinarySensorEntity):
    entity_description: CayenneBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        return self.reported
