"""Base entity: one cabin of a sauna (or a sauna sensor), named and placed on its device."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import HarviaCoordinator
from .data import CabinData
from .devices import cabin_info, controller_info


class HarviaEntity(CoordinatorEntity[HarviaCoordinator]):
    """An entity of one cabin; unavailable while its sauna is offline."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: HarviaCoordinator,
        cabin: CabinData,
        key: str,
        *,
        controller: bool = False,
    ) -> None:
        super().__init__(coordinator)
        self._cabin_key = cabin.key
        self._attr_unique_id = f"{cabin.device.device_id}_{cabin.cabin_id}_{key}"
        self._attr_device_info = (
            controller_info(cabin.device) if controller else cabin_info(coordinator.data, cabin)
        )

    @property
    def cabin(self) -> CabinData:
        return self.coordinator.data.cabins[self._cabin_key]

    @property
    def available(self) -> bool:
        return (
            super().available
            and self._cabin_key in self.coordinator.data.cabins
            and self.cabin.connected
        )


class HarviaDescribedEntity(HarviaEntity):
    """An entity defined by an EntityDescription (the description's key is in the unique id)."""

    def __init__(
        self,
        coordinator: HarviaCoordinator,
        cabin: CabinData,
        description: EntityDescription,
        *,
        controller: bool = False,
    ) -> None:
        super().__init__(coordinator, cabin, description.key, controller=controller)
        self.entity_description = description


def async_setup_cabin_entities(
    coordinator: HarviaCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[CabinData], Iterable[Entity]],
) -> None:
    """Add a platform's entities for every cabin now and for saunas that appear later."""

    def add(cabins: list[CabinData]) -> None:
        async_add_entities(entity for cabin in cabins for entity in build(cabin))

    add(list(coordinator.data.cabins.values()))
    coordinator.config_entry.async_on_unload(coordinator.async_add_device_listener(add))


class _ExistsDescription(Protocol):
    @property
    def exists_fn(self) -> Callable[[CabinData], bool]: ...


def async_setup_described_entities[D: _ExistsDescription](
    coordinator: HarviaCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity_cls: Callable[[HarviaCoordinator, CabinData, D], Entity],
    descriptions: Iterable[D],
) -> None:
    """One entity per description that exists for a cabin."""
    async_setup_cabin_entities(
        coordinator,
        async_add_entities,
        lambda cabin: [
            entity_cls(coordinator, cabin, description)
            for description in descriptions
            if description.exists_fn(cabin)
        ],
    )
