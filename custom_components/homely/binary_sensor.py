"""Binary sensors: motion, openings, smoke, heat, water, tamper, batteries, link and lock."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceKind, Reading
from .coordinator import HomelyConfigEntry, HomelyCoordinator
from .entity import (
    HomelyDeviceEntity,
    HomelyEntityDescription,
    HomelyHomeEntity,
    async_add_device_entities,
)

PARALLEL_UPDATES = 0

# The kinds whose alarm state has a binary sensor of its own; the others show it as "alarm".
_OWN_ALARM_SENSOR = {DeviceKind.MOTION, DeviceKind.DOOR, DeviceKind.WINDOW}


@dataclass(frozen=True, kw_only=True)
class HomelyBinarySensorDescription(
    HomelyEntityDescription[bool | None], BinarySensorEntityDescription
):
    """A binary sensor of a Homely device."""


DESCRIPTIONS: tuple[HomelyBinarySensorDescription, ...] = (
    HomelyBinarySensorDescription(
        key="motion",
        translation_key="motion",
        device_class=BinarySensorDeviceClass.MOTION,
        exists_fn=lambda d: d.kind is DeviceKind.MOTION and d.reports(Reading.ALARM),
        value_fn=lambda d: d.alarm,
    ),
    HomelyBinarySensorDescription(
        key="door",
        translation_key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        exists_fn=lambda d: d.kind is DeviceKind.DOOR and d.reports(Reading.ALARM),
        value_fn=lambda d: d.alarm,
    ),
    HomelyBinarySensorDescription(
        key="window",
        translation_key="window",
        device_class=BinarySensorDeviceClass.WINDOW,
        exists_fn=lambda d: d.kind is DeviceKind.WINDOW and d.reports(Reading.ALARM),
        value_fn=lambda d: d.alarm,
    ),
    HomelyBinarySensorDescription(
        key="alarm",
        translation_key="alarm",
        device_class=BinarySensorDeviceClass.SAFETY,
        exists_fn=lambda d: d.kind not in _OWN_ALARM_SENSOR and d.reports(Reading.ALARM),
        value_fn=lambda d: d.alarm,
    ),
    HomelyBinarySensorDescription(
        key="smoke",
        translation_key="smoke",
        device_class=BinarySensorDeviceClass.SMOKE,
        exists_fn=lambda d: d.kind is not DeviceKind.HEAT and d.reports(Reading.FIRE),
        value_fn=lambda d: d.fire,
    ),
    HomelyBinarySensorDescription(
        key="heat",
        translation_key="heat",
        device_class=BinarySensorDeviceClass.HEAT,
        exists_fn=lambda d: d.kind is DeviceKind.HEAT and d.reports(Reading.FIRE),
        value_fn=lambda d: d.fire,
    ),
    HomelyBinarySensorDescription(
        key="moisture",
        translation_key="moisture",
        device_class=BinarySensorDeviceClass.MOISTURE,
        exists_fn=lambda d: d.reports(Reading.FLOOD),
        value_fn=lambda d: d.flood,
    ),
    HomelyBinarySensorDescription(
        key="tamper",
        translation_key="tamper",
        device_class=BinarySensorDeviceClass.TAMPER,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda d: d.reports(Reading.TAMPER),
        value_fn=lambda d: d.tamper,
    ),
    HomelyBinarySensorDescription(
        key="battery_low",
        translation_key="battery_low",
        device_class=BinarySensorDeviceClass.BATTERY,
        exists_fn=lambda d: d.reports(Reading.BATTERY_LOW),
        value_fn=lambda d: d.battery_low,
    ),
    HomelyBinarySensorDescription(
        key="battery_defect",
        translation_key="battery_defect",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda d: d.reports(Reading.BATTERY_DEFECT),
        value_fn=lambda d: d.battery_defect,
    ),
    HomelyBinarySensorDescription(
        key="lock",
        translation_key="lock",
        device_class=BinarySensorDeviceClass.LOCK,  # on means unlocked
        exists_fn=lambda d: d.reports(Reading.LOCK),
        value_fn=lambda d: d.unlocked,
    ),
    HomelyBinarySensorDescription(
        key="lock_broken",
        translation_key="lock_broken",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda d: d.reports(Reading.LOCK_BROKEN),
        value_fn=lambda d: d.lock_broken,
    ),
    HomelyBinarySensorDescription(
        key="online",
        translation_key="online",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda _device: True,
        value_fn=lambda d: d.online,
        available_offline=True,  # it says so
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomelyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    async_add_entities([HomelyLiveUpdates(coordinator)])
    async_add_device_entities(coordinator, async_add_entities, HomelyBinarySensor, DESCRIPTIONS)


class HomelyBinarySensor(HomelyDeviceEntity[bool | None], BinarySensorEntity):
    entity_description: HomelyBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        return self.value


class HomelyLiveUpdates(HomelyHomeEntity, BinarySensorEntity):
    """Whether the home's socket is connected (diagnostic; polling covers for it when not)."""

    _attr_translation_key = "live_updates"
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_entity_registry_enabled_default = False

    def __init__(self, coordinator: HomelyCoordinator) -> None:
        super().__init__(coordinator)
        self._attr_unique_id = f"{coordinator.location_id}_live_updates"

    @property
    def available(self) -> bool:
        return True  # it reports on the connection itself

    @property
    def is_on(self) -> bool:
        return self.coordinator.push_connected
