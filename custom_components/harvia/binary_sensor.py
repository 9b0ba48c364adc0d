"""Binary sensors: heating, door, remote control allowed, connectivity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HarviaConfigEntry
from .data import CabinData
from .entity import HarviaDescribedEntity, HarviaEntityDescription, async_setup_cabin_entities

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HarviaBinarySensorDescription(BinarySensorEntityDescription, HarviaEntityDescription):
    value_fn: Callable[[CabinData], bool | None]
    controller: bool = False  # one per controller, on the controller device


BINARY_SENSORS: tuple[HarviaBinarySensorDescription, ...] = (
    HarviaBinarySensorDescription(
        key="heating",
        translation_key="heating",
        # The heater is running (heat going in), not "it is hot" as HEAT would say.
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda cabin: cabin.heating_element,
    ),
    HarviaBinarySensorDescription(
        key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        value_fn=lambda cabin: cabin.door_open,
        exists_fn=lambda cabin: cabin.reports_door,
    ),
    HarviaBinarySensorDescription(
        key="remote_control",
        translation_key="remote_control",
        value_fn=lambda cabin: cabin.state.remote_allowed if cabin.state else None,
        exists_fn=lambda cabin: cabin.reports_remote_allowed,
    ),
    HarviaBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda cabin: cabin.connected,
        exists_fn=lambda cabin: True,
        controller=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HarviaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator

    def build(cabin: CabinData) -> list[HarviaBinarySensor]:
        first_cabin = coordinator.data.cabins_of(cabin.device.device_id)[0] is cabin
        return [
            HarviaBinarySensor(coordinator, cabin, description, controller=description.controller)
            for description in BINARY_SENSORS
            if description.exists_fn(cabin) and (first_cabin or not description.controller)
        ]

    async_setup_cabin_entities(coordinator, async_add_entities, build)


class HarviaBinarySensor(HarviaDescribedEntity, BinarySensorEntity):
    entity_description: HarviaBinarySensorDescription

    @property
    def available(self) -> bool:
        if self.entity_description.device_class is BinarySensorDeviceClass.CONNECTIVITY:
            # Connectivity is what tells the user the sauna is offline: it stays available.
            return self.data_available
        return super().available

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.value_fn(self.cabin)
