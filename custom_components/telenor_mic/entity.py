"""Base entities: a thing, and one resource of a thing's type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.const import Platform
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Position, Resource, ResourceKind
from .coordinator import MicCoordinator
from .data import PushKey, ResourceValue, ThingState, resource_key
from .devices import thing_info
from .pushpoll import PushPollEntity, async_add_new_devices

type ResourceKey = tuple[str, str]  # (thing name, resource name)


def platform_of(resource: Resource) -> Platform:
    """Where a resource goes: by its kind, and whether it may be written."""
    match resource.kind:
        case ResourceKind.BOOLEAN:
            return Platform.SWITCH if resource.settable else Platform.BINARY_SENSOR
        case ResourceKind.INTEGER | ResourceKind.NUMBER:
            return Platform.NUMBER if resource.settable else Platform.SENSOR
        case ResourceKind.STRING if resource.settable:
            return Platform.SELECT if resource.options else Platform.TEXT
        case ResourceKind.POSITION:
            return Platform.DEVICE_TRACKER
    return Platform.SENSOR  # strings and kinds this integration does not know: shown as read


def mentions(resource: Resource, *words: str) -> bool:
    """Whether the resource's name or label says one of `words` (a device class's hint)."""
    text = f"{resource.name} {resource.label or ''}".lower()
    return any(word in text for word in words)


def read_number(resource: Resource, value: object) -> float | None:
    read = resource.read(value)
    return float(read) if isinstance(read, int | float) and not isinstance(read, bool) else None


def read_bool(resource: Resource, value: object) -> bool | None:
    read = resource.read(value)
    return read if isinstance(read, bool) else None


def read_text(resource: Resource, value: object) -> str | None:
    read = resource.read(value)
    if read is None or isinstance(read, Position):
        return None
    text = str(read).lower() if isinstance(read, bool) else str(read)
    return text[:255]  # a state longer than 255 characters is refused


def read_position(resource: Resource, value: object) -> Position | None:
    read = resource.read(value)
    return read if isinstance(read, Position) else None


@dataclass(frozen=True, kw_only=True)
class MicResourceDescription[ValueT](EntityDescription):
    """An entity of one resource: which resources it fits, and its value."""

    exists_fn: Callable[[Resource], bool] = lambda _resource: True
    value_fn: Callable[[Resource, object], ValueT]


class MicThingEntity(PushPollEntity[MicCoordinator]):
    """An entity of one thing, written after every poll and after the shadow updates that
    concern it; unavailable while neither polls nor MQTT work, while the thing cannot be read,
    and once it has left the user's view."""

    _attr_has_entity_name = True
    push_key: PushKey

    def __init__(self, coordinator: MicCoordinator, thing_name: str, resource: str | None) -> None:
        super().__init__(coordinator)
        self.thing_name = thing_name
        self.push_key = resource_key(thing_name, resource)
        uid = coordinator.devices.unique_id
        state = coordinator.data.things[thing_name]
        self._attr_device_info = thing_info(
            uid, state.thing, coordinator.data.thing_type(thing_name)
        )
        self._unique_prefix = f"{uid}:{thing_name}"

    @property
    def thing_state(self) -> ThingState | None:
        return self.coordinator.data.things.get(self.thing_name)

    @property
    def available(self) -> bool:
        state = self.thing_state
        if state is None:
            return False
        self.coordinator.async_log_availability(
            self.thing_name, state.thing.label or self.thing_name, state.readable
        )
        working = self.coordinator.last_update_success or self.coordinator.push_connected
        return working and state.readable


class MicResourceEntity[ValueT](MicThingEntity):
    """One resource of a thing, named by the thing type's label for it."""

    entity_description: MicResourceDescription[ValueT]

    def __init__(
        self,
        coordinator: MicCoordinator,
        thing_name: str,
        resource: Resource,
        description: MicResourceDescription[ValueT],
    ) -> None:
        super().__init__(coordinator, thing_name, resource.name)
        self.entity_description = description
        self.resource = resource
        self._attr_unique_id = f"{self._unique_prefix}:{resource.name}"
        self._attr_name = resource.label or resource.name

    @property
    def resource_value(self) -> ResourceValue | None:
        state = self.thing_state
        return None if state is None else state.values.get(self.resource.name)

    @property
    def reported(self) -> ValueT | None:
        known = self.resource_value
        return (
            None if known is None else self.entity_description.value_fn(self.resource, known.value)
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The desired value while the thing has not reported it yet."""
        state = self.thing_state
        if state is None or self.resource.name not in state.desired:
            return None
        return {"desired": state.desired[self.resource.name]}

    async def async_write(self, value: object) -> None:
        """Write the desired state; the state changes when the thing reports it."""
        try:
            await self.coordinator.async_write(self.thing_name, self.resource, value)
        finally:
            self.async_write_ha_state()


def describe[DescriptionT: MicResourceDescription[Any]](
    resource: Resource, descriptions: tuple[DescriptionT, ...], fallback: DescriptionT
) -> DescriptionT:
    """The first description that fits the resource, else the platform's fallback."""
    return next((d for d in descriptions if d.exists_fn(resource)), fallback)


def assigned_platform(
    coordinator: MicCoordinator, key: ResourceKey, resource: Resource
) -> Platform:
    """The platform a resource was first given: a type edited later in App Board (or sent
    garbled) must not create a second entity with the same unique id."""
    return coordinator.resource_platforms.setdefault(key, platform_of(resource))


def async_add_resource_entities(
    coordinator: MicCoordinator,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[MicCoordinator, str, Resource], Entity],
) -> None:
    """One entity for each resource that belongs on `platform`, for the things there are now
    and for things (and resources added to their types) that appear later."""

    ours: set[ResourceKey] = set()

    def current() -> set[ResourceKey]:
        """This platform's resources, and those it added whose thing is still there: a
        resource missing from one answer (a type being edited) keeps its entity."""
        data = coordinator.data
        listed = {
            (name, resource.name)
            for name in data.things
            if (thing_type := data.thing_type(name)) is not None
            for resource in thing_type.resources
            if assigned_platform(coordinator, (name, resource.name), resource) is platform
        }
        ours.intersection_update(key for key in ours if key[0] in data.things)
        ours.update(listed)
        return ours

    def add(keys: list[ResourceKey]) -> None:
        data = coordinator.data
        entities = []
        for name, resource_name in keys:
            thing_type = data.thing_type(name)
            resource = thing_type.resource(resource_name) if thing_type else None
            if resource is not None:
                entities.append(create(coordinator, name, resource))
        async_add_entities(entities)

    async_add_new_devices(coordinator, current, add)


def async_add_thing_entities(
    coordinator: MicCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[MicCoordinator, str], Entity],
) -> None:
    """One entity per thing, now and for things that appear later."""
    async_add_new_devices(
        coordinator,
        lambda: coordinator.data.things,
        lambda names: async_add_entities(create(coordinator, name) for name in names),
    )
