"""Base entities: one channel of a thing, a thing itself, or the account (its rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.const import Platform
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Channel, DataType, Thing
from .coordinator import CayenneCoordinator
from .data import ChannelKey, ChannelValue, ThingState
from .devices import thing_info
from .pushpoll import PushPollEntity, async_add_new_devices

# Where each data type's channel goes; any other type is a plain sensor, never an error.
PLATFORMS_BY_TYPE: dict[DataType, Platform] = {
    DataType.MOTION: Platform.BINARY_SENSOR,
    DataType.PROXIMITY: Platform.BINARY_SENSOR,
    DataType.DIGITAL_SENSOR: Platform.BINARY_SENSOR,
    DataType.DIGITAL_ACTUATOR: Platform.SWITCH,
    DataType.RELAY: Platform.SWITCH,
    DataType.SWITCH: Platform.SWITCH,
    DataType.VALVE: Platform.SWITCH,
    DataType.LIGHT_SWITCH: Platform.SWITCH,
    DataType.ANALOG_ACTUATOR: Platform.NUMBER,
    DataType.MOTOR: Platform.NUMBER,
    DataType.HVAC_TEMPERATURE: Platform.NUMBER,
    DataType.LIGHT_DIMMER: Platform.LIGHT,
    DataType.GPS: Platform.DEVICE_TRACKER,
}


def platform_of(channel: Channel) -> Platform:
    return PLATFORMS_BY_TYPE.get(channel.data_type, Platform.SENSOR)


def assigned_platform(
    coordinator: CayenneCoordinator, key: ChannelKey, channel: Channel
) -> Platform:
    """The platform a channel was first given: a type that changes later (reconfigured in
    Cayenne, or sent garbled) must not create a second entity with the same unique id."""
    return coordinator.channel_platforms.setdefault(key, platform_of(channel))


def reported_number(known: ChannelValue) -> float | None:
    """A channel's value as the thing reported it."""
    return known.value


def reported_on(known: ChannelValue) -> bool | None:
    """A digital channel's value: 0 is off, anything else on."""
    return None if known.value is None else known.value != 0


@dataclass(frozen=True, kw_only=True)
class CayenneChannelDescription[ValueT](EntityDescription):
    """An entity of one channel: which channels it fits, and its value."""

    exists_fn: Callable[[Channel], bool] = lambda _channel: True
    value_fn: Callable[[ChannelValue], ValueT]


class CayenneEntity(PushPollEntity[CayenneCoordinator]):
    """Written after every poll and after every MQTT message of its `push_key`."""

    _attr_has_entity_name = True
    push_key: str

    def __init__(self, coordinator: CayenneCoordinator, push_key: str) -> None:
        super().__init__(coordinator)
        self.push_key = push_key

    @property
    def available(self) -> bool:
        """Polls succeed, or MQTT carries the data while they fail."""
        return self.coordinator.last_update_success or self.coordinator.push_connected


class CayenneThingEntity(CayenneEntity):
    """An entity of one thing; unavailable while the thing's values cannot be read or it has
    left the account."""

    def __init__(self, coordinator: CayenneCoordinator, thing: Thing) -> None:
        super().__init__(coordinator, thing.thing_id)
        self._attr_device_info = thing_info(thing)

    @property
    def thing_state(self) -> ThingState | None:
        return self.coordinator.data.things.get(self.push_key)

    @property
    def available(self) -> bool:
        state = self.thing_state
        readable = state is not None and state.readable
        if state is not None:
            self.coordinator.async_log_availability(
                self.push_key, state.thing.name or self.push_key, readable
            )
        return super().available and readable


class CayenneChannelEntity[ValueT](CayenneThingEntity):
    """One channel of a thing, named as the user named it in Cayenne."""

    entity_description: CayenneChannelDescription[ValueT]

    def __init__(
        self,
        coordinator: CayenneCoordinator,
        thing: Thing,
        channel: Channel,
        description: CayenneChannelDescription[ValueT],
    ) -> None:
        super().__init__(coordinator, thing)
        self.entity_description = description
        self.channel = channel.channel
        self._attr_unique_id = f"{thing.thing_id}_{channel.channel}"
        if channel.name:
            self._attr_name = channel.name
        else:
            self._attr_translation_placeholders = {"channel": channel.channel}

    @property
    def available(self) -> bool:
        state = self.thing_state
        return super().available and state is not None and self.channel in state.thing.channels

    @property
    def channel_value(self) -> ChannelValue | None:
        state = self.thing_state
        return None if state is None else state.values.get(self.channel)

    @property
    def reported(self) -> ValueT | None:
        known = self.channel_value
        return None if known is None else self.entity_description.value_fn(known)

    async def async_command(self, value: float) -> None:
        """Command the channel; the state changes when the thing reports the new value."""
        try:
            await self.coordinator.async_command(self.push_key, self.channel, value)
        finally:
            self.async_write_ha_state()


def describe[DescriptionT: CayenneChannelDescription[Any]](
    channel: Channel, descriptions: Iterable[DescriptionT], fallback: DescriptionT
) -> DescriptionT:
    """The first description that fits the channel, else the platform's fallback."""
    return next((d for d in descriptions if d.exists_fn(channel)), fallback)


def async_add_channel_entities(
    coordinator: CayenneCoordinator,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[CayenneCoordinator, Thing, Channel], Entity],
) -> None:
    """One entity for each channel that belongs on `platform`, for the things there are now
    and for things and channels that appear later."""

    ours: set[ChannelKey] = set()

    def current() -> set[ChannelKey]:
        """The channels for this platform, and those it added whose thing is still there: a
        channel missing from one answer (garbled, or being edited) keeps its entity."""
        things = coordinator.data.things
        listed = {
            (thing_id, channel.channel)
            for thing_id, state in things.items()
            for channel in state.thing.channels.values()
            if assigned_platform(coordinator, (thing_id, channel.channel), channel) is platform
        }
        ours.intersection_update(key for key in ours if key[0] in things)
        ours.update(listed)
        return ours

    def add(keys: list[ChannelKey]) -> None:
        things = coordinator.data.things
        async_add_entities(
            create(coordinator, things[thing_id].thing, things[thing_id].thing.channels[channel])
            for thing_id, channel in keys
            if channel in things[thing_id].thing.channels
        )

    async_add_new_devices(coordinator, current, add)
