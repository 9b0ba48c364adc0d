"""Base entity: one cabin of a sauna (or a sauna sensor), named and placed on its device."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import HarviaCoordinator
from .data import CabinData, CabinKey
from .devices import cabin_info, controller_info
from .pushpoll import PushPollEntity, async_add_new_devices


def is_controller(cabin: CabinData) -> bool:
    """A cabin of a sauna controller (not a sauna sensor)."""
    return not cabin.is_sensor


@dataclass(frozen=True, kw_only=True)
class HarviaEntityDescription(EntityDescription):
    """What every described Harvia entity has: whether it exists for a cabin."""

    exists_fn: Callable[[CabinData], bool] = is_controller


class HarviaEntity(PushPollEntity[HarviaCoordinator]):
    """An entity of one cabin; unavailable while its sauna is offline or its data is stale.

    Pushes about its cabin update it; an entity of the whole controller (`controller=True`)
    listens to every push about the controller.
    """

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
        self.push_key = cabin.device.device_id if controller else cabin.key
        self._attr_unique_id = f"{cabin.device.device_id}_{cabin.cabin_id}_{key}"
        self._attr_device_info = (
            controller_info(cabin.device) if controller else cabin_info(coordinator.data, cabin)
        )

    @property
    def cabin(self) -> CabinData:
        return self.coordinator.data.cabins[self._cabin_key]

    @property
    def data_available(self) -> bool:
        """The poll succeeded, the cabin is still in the account and its data is fresh."""
        cabin = self.coordinator.data.cabins.get(self._cabin_key)
        return super().available and cabin is not None and not cabin.stale

    @property
    def available(self) -> bool:
        return self.data_available and self.cabin.connected


class HarviaDescribedEntity(HarviaEntity):
    """An entity defined by a description (the description's key is in the unique id)."""

    def __init__(
        self,
        coordinator: HarviaCoordinator,
        cabin: CabinData,
        description: HarviaEntityDescription,
        *,
        controller: bool = False,
    ) -> None:
        super().__init__(coordinator, cabin, description.key, controller=controller)
        self.entity_description = description


@callback
def async_setup_cabin_entities(
    coordinator: HarviaCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[CabinData], Iterable[Entity]],
) -> None:
    """Add a platform's entities for every cabin now and for cabins that appear later."""

    def add(keys: list[CabinKey]) -> None:
        cabins = coordinator.data.cabins
        async_add_entities(entity for key in keys for entity in build(cabins[key]))

    async_add_new_devices(coordinator, lambda: coordinator.data.cabins, add)


@callback
def async_setup_described_entities[D: HarviaEntityDescription](
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
