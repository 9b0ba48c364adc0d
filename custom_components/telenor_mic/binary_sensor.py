"""Binary sensors: every read-only boolean resource."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MicConfigEntry
from .entity import (
    MicResourceDescription,
    MicResourceEntity,
    async_add_resource_entities,
    describe,
    mentions,
    read_bool,
)

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MicBinarySensorDescription(
    MicResourceDescription[bool | None], BinarySensorEntityDescription
):
    """A read-only boolean resource."""


def _mentioning(key: str, *words: str, **fields: object) -> MicBinarySensorDescription:
    return MicBinarySensorDescription(
        key=key,
        exists_fn=lambda resource: mentions(resource, *words),
        value_fn=read_bool,
        **fields,  # type: ignore[arg-type]
    )


BINARY_SENSORS: tuple[MicBinarySensorDescription, ...] = (
    _mentioning("motion", "motion", device_class=BinarySensorDeviceClass.MOTION),
    _mentioning("door", "door", device_class=BinarySensorDeviceClass.DOOR),
    _mentioning("window", "window", device_class=BinarySensorDeviceClass.WINDOW),
    _mentioning("moisture", "leak", "water", device_class=BinarySensorDeviceClass.MOISTURE),
    _mentioning(
        "battery_low",
        "battery",
        device_class=BinarySensorDeviceClass.BATTERY,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _mentioning("problem", "alarm", "fault", "error", device_class=BinarySensorDeviceClass.PROBLEM),
)
BOOLEAN = MicBinarySensorDescription(key="boolean", value_fn=read_bool)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_resource_entities(
        entry.runtime_data.coordinator,
        Platform.BINARY_SENSOR,
        async_add_entities,
        lambda coordinator, thing, resource: MicBinarySensor(
            coordinator, thing, resource, describe(resource, BINARY_SENSORS, BOOLEAN)
        ),
    )


class MicBinarySensor(MicResourceEntity[bool | None], BinarySensorEntity):
    entity_description: MicBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        return self.reported
