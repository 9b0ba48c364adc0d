"""Base entities: one Homely device (via its home's gateway), or the home itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Device, Home
from .const import DOMAIN, MANUFACTURER
from .coordinator import HomelyCoordinator
from .pushpoll import PushPollEntity, async_add_new_devices


def home_info(home: Home) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, home.location_id)},
        name=home.name,
        manufacturer=MANUFACTURER,
        model="Homely alarm system",
        serial_number=home.gateway_serial,
    )


def device_info(home: Home, device: Device) -> DeviceInfo:
    return DeviceInfo(
        identifiers={(DOMAIN, device.device_id)},
        name=device.name or device.model_name,
        manufacturer=device.brand or MANUFACTURER,
        model=device.model_name or None,
        serial_number=device.serial_number,
        suggested_area=device.room or None,
        via_device=(DOMAIN, home.location_id),
    )


@dataclass(frozen=True, kw_only=True)
class HomelyEntityDescription[ValueT](EntityDescription):
    """One entity of a device: whether the device has it, and its value."""

    exists_fn: Callable[[Device], bool]
    value_fn: Callable[[Device], ValueT]
    available_offline: bool = False  # shown while Homely reports the device offline


class HomelyEntity(PushPollEntity[HomelyCoordinator]):
    """Written after every poll and after every event of its `push_key` (a device or the home);
    unavailable while the home's data is stale."""

    _attr_has_entity_name = True
    push_key: str

    def __init__(self, coordinator: HomelyCoordinator, push_key: str) -> None:
        super().__init__(coordinator)
        self.push_key = push_key

    @property
    def available(self) -> bool:
        return self.coordinator.async_data_is_fresh()


class HomelyHomeEntity(HomelyEntity):
    """An entity of the home itself (the gateway); alarm events update it."""

    def __init__(self, coordinator: HomelyCoordinator) -> None:
        super().__init__(coordinator, coordinator.location_id)
        self._attr_device_info = home_info(coordinator.data.home)


class HomelyDeviceEntity[ValueT](HomelyEntity):
    """One value of one device; unavailable while the device is offline or gone."""

    entity_description: HomelyEntityDescription[ValueT]

    def __init__(
        self,
        coordinator: HomelyCoordinator,
        device: Device,
        description: HomelyEntityDescription[ValueT],
    ) -> None:
        super().__init__(coordinator, device.device_id)
        self.entity_description = description
        self._attr_unique_id = f"{device.device_id}_{description.key}"
        self._attr_device_info = device_info(coordinator.data.home, device)

    @property
    def device(self) -> Device | None:
        return self.coordinator.data.home.devices.get(self.push_key)

    @property
    def available(self) -> bool:
        device = self.device
        return (
            super().available
            and device is not None
            and (device.online or self.entity_description.available_offline)
        )

    @property
    def value(self) -> ValueT | None:
        device = self.device
        return None if device is None else self.entity_description.value_fn(device)


def async_add_device_entities[DescriptionT: HomelyEntityDescription[Any]](
    coordinator: HomelyCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity_cls: Callable[[HomelyCoordinator, Device, DescriptionT], Entity],
    descriptions: Iterable[DescriptionT],
) -> None:
    """One entity per description a device has, for the devices there are now and for those
    that appear in the home later."""
    descriptions = tuple(descriptions)

    def add(device_ids: list[str]) -> None:
        devices = coordinator.data.home.devices
        async_add_entities(
            entity_cls(coordinator, devices[device_id], description)
            for device_id in device_ids
            for description in descriptions
            if description.exists_fn(devices[device_id])
        )

    async_add_new_devices(coordinator, lambda: coordinator.data.home.devices, add)
