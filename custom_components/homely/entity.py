"""Base entities: one Homely device (via its home's gateway), or the home itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import Device, Home
from .const import DOMAIN, MANUFACTURER
from .coordinator import HomelyCoordinator


def home_info(home: Home) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, home.location_id)},
        name=home.name,
        manufacturer=MANUFACTURER,
        model="Homely alarm system",
        serial_number=home.gateway_serial,
    )


def _manufacturer(model: str) -> str:
    for brand in ("ELKO", "Yale"):
        if model.lower().startswith(brand.lower()):
            return brand
    return MANUFACTURER


def device_info(home: Home, device: Device) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, device.device_id)},
        name=device.name or device.model_name,
        manufacturer=_manufacturer(device.model_name),
        model=device.model_name or None,
        serial_number=device.serial_number,
        suggested_area=device.room or None,
        via_device=(DOMAIN, home.location_id),
    )


class FeatureDescription(Protocol):
    """What the generic device entities read from their description."""

    @property
    def key(self) -> str: ...

    @property
    def feature(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def exists_fn(self) -> Callable[[Device], bool]: ...


class HomelyDeviceEntity(CoordinatorEntity[HomelyCoordinator]):
    """One feature state of one device; unavailable while the device is offline or gone."""

    _attr_has_entity_name = True
    _available_offline = False

    def __init__(
        self, coordinator: HomelyCoordinator, device: Device, description: EntityDescription
    ) -> None:
        super().__init__(coordinator, context=device.device_id)  # events update per device
        self.entity_description = description
        self._device_id = device.device_id
        self._attr_unique_id = f"{device.device_id}_{description.key}"
        self._attr_device_info = device_info(coordinator.data.home, device)

    @property
    def device(self) -> Device | None:
        return self.coordinator.data.home.devices.get(self._device_id)

    @property
    def available(self) -> bool:
        device = self.device
        return (
            self.coordinator.has_fresh_data
            and device is not None
            and (device.online or self._available_offline)
        )

    def feature_value(self, feature: str, name: str) -> Any:
        device = self.device
        return None if device is None else device.value(feature, name)


def has_state(feature: str, name: str) -> Callable[[Device], bool]:
    return lambda device: device.has(feature, name)


def async_setup_device_entities[D: FeatureDescription](
    coordinator: HomelyCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity_cls: Callable[[HomelyCoordinator, Device, D], Entity],
    descriptions: Iterable[D],
) -> None:
    """One entity per description a device supports, now and for devices that appear later."""
    descriptions = tuple(descriptions)

    def add(devices: Iterable[Device]) -> None:
        async_add_entities(
            entity_cls(coordinator, device, description)
            for device in devices
            for description in descriptions
            if description.exists_fn(device)
        )

    add(coordinator.data.home.devices.values())
    coordinator.config_entry.async_on_unload(coordinator.async_add_device_listener(add))
