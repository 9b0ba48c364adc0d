"""Binary sensors: motion, openings, smoke, heat, water, tamper, batteries, link and lock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Device
from .coordinator import HomelyConfigEntry, HomelyCoordinator
from .entity import HomelyDeviceEntity, async_setup_device_entities, has_state, home_info

PARALLEL_UPDATES = 0

UNLOCKED = {"unlocked", "unlock", "open", "opened", "not_fully_locked"}


def _model_has(*words: str) -> Callable[[Device], bool]:
    return lambda device: any(word in device.model_name.lower() for word in words)


def _alarm_on(*words: str) -> Callable[[Device], bool]:
    """`alarm.alarm` is motion on motion sensors and open on entry and window sensors."""
    model = _model_has(*words)
    return lambda device: device.has("alarm", "alarm") and model(device)


def _generic_alarm(device: Device) -> bool:
    return device.has("alarm", "alarm") and not _model_has("motion", "entry", "window", "door")(
        device
    )


def _unlocked(value: Any) -> bool | None:
    """The lock reports text ('locked'/'unlocked') or a boolean 'is locked'."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value.strip().lower() in UNLOCKED
    return None


@dataclass(frozen=True, kw_only=True)
class HomelyBinarySensorDescription(BinarySensorEntityDescription):
    feature: str
    state: str
    exists_fn: Callable[[Device], bool]
    is_on_fn: Callable[[Any], bool | None] = lambda value: None if value is None else bool(value)


def _describe(
    key: str, feature: str, state: str, exists_fn: Callable[[Device], bool] | None = None, **kw: Any
) -> HomelyBinarySensorDescription:
    return HomelyBinarySensorDescription(
        key=key,
        translation_key=key,
        feature=feature,
        state=state,
        exists_fn=exists_fn or has_state(feature, state),
        **kw,
    )


DESCRIPTIONS: tuple[HomelyBinarySensorDescription, ...] = (
    _describe(
        "motion", "alarm", "alarm", _alarm_on("motion"), device_class=BinarySensorDeviceClass.MOTION
    ),
    _describe(
        "door",
        "alarm",
        "alarm",
        _alarm_on("entry", "door"),
        device_class=BinarySensorDeviceClass.DOOR,
    ),
    _describe(
        "window", "alarm", "alarm", _alarm_on("window"), device_class=BinarySensorDeviceClass.WINDOW
    ),
    _describe(
        "alarm", "alarm", "alarm", _generic_alarm, device_class=BinarySensorDeviceClass.SAFETY
    ),
    _describe(
        "smoke",
        "alarm",
        "fire",
        lambda d: d.has("alarm", "fire") and not _model_has("heat")(d),
        device_class=BinarySensorDeviceClass.SMOKE,
    ),
    _describe(
        "heat",
        "alarm",
        "fire",
        lambda d: d.has("alarm", "fire") and _model_has("heat")(d),
        device_class=BinarySensorDeviceClass.HEAT,
    ),
    _describe("moisture", "alarm", "flood", device_class=BinarySensorDeviceClass.MOISTURE),
    _describe(
        "tamper",
        "alarm",
        "tamper",
        device_class=BinarySensorDeviceClass.TAMPER,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _describe("battery_low", "battery", "low", device_class=BinarySensorDeviceClass.BATTERY),
    _describe(
        "battery_defect",
        "battery",
        "defect",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _describe(
        "lock", "lock", "state", device_class=BinarySensorDeviceClass.LOCK, is_on_fn=_unlocked
    ),
    _describe(
        "lock_broken",
        "report",
        "broken",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
)
ONLINE = HomelyBinarySensorDescription(
    key="online",
    translation_key="online",
    feature="",
    state="",
    exists_fn=lambda _device: True,
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomelyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    async_add_entities([HomelyLiveUpdates(coordinator)])
    async_setup_device_entities(
        coordinator, async_add_entities, HomelyBinarySensor, (*DESCRIPTIONS, ONLINE)
    )


class HomelyBinarySensor(HomelyDeviceEntity, BinarySensorEntity):
    entity_description: HomelyBinarySensorDescription

    def __init__(
        self,
        coordinator: HomelyCoordinator,
        device: Device,
        description: HomelyBinarySensorDescription,
    ) -> None:
        super().__init__(coordinator, device, description)
        self._available_offline = description is ONLINE

    @property
    def is_on(self) -> bool | None:
        if self.entity_description is ONLINE:
            device = self.device
            return device is not None and device.online
        description = self.entity_description
        return description.is_on_fn(self.feature_value(description.feature, description.state))


class HomelyLiveUpdates(CoordinatorEntity[HomelyCoordinator], BinarySensorEntity):
    """Whether the home's socket is connected (diagnostic; polling covers for it when not)."""

    _attr_has_entity_name = True
    _attr_translation_key = "live_updates"
    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_entity_registry_enabled_default = False

    def __init__(self, coordinator: HomelyCoordinator) -> None:
        super().__init__(coordinator, context=coordinator.location_id)
        self._attr_unique_id = f"{coordinator.location_id}_live_updates"
        self._attr_device_info = home_info(coordinator.data.home)

    @property
    def available(self) -> bool:
        return True  # it reports on the connection itself

    @property
    def is_on(self) -> bool:
        return self.coordinator.push_connected
