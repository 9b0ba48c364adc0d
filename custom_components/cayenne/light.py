"""Lights: dimmer channels (a brightness from 0 to 100 %)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ColorMode,
    LightEntity,
    LightEntityDescription,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.percentage import percentage_to_ranged_value, ranged_value_to_percentage

from .api import Channel, DataType, Thing
from .coordinator import CayenneConfigEntry, CayenneCoordinator
from .entity import (
    CayenneChannelDescription,
    CayenneChannelEntity,
    async_add_channel_entities,
    reported_number,
)

PARALLEL_UPDATES = 1
BRIGHTNESS_SCALE = (1, 255)


@dataclass(frozen=True, kw_only=True)
class CayenneLightDescription(CayenneChannelDescription[float | None], LightEntityDescription):
    """A dimmer channel."""


DIMMER = CayenneLightDescription(
    key=DataType.LIGHT_DIMMER.value,
    translation_key=DataType.LIGHT_DIMMER.value,
    value_fn=reported_number,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CayenneConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    def create(coordinator: CayenneCoordinator, thing: Thing, channel: Channel) -> LightEntity:
        return CayenneLight(coordinator, thing, channel, DIMMER)

    async_add_channel_entities(
        entry.runtime_data.coordinator, Platform.LIGHT, async_add_entities, create
    )


class CayenneLight(CayenneChannelEntity[float | None], LightEntity):
    """Brightness maps to the dimmer's 0-100 %; on without a brightness restores the last one."""

    entity_description: CayenneLightDescription
    _attr_color_mode = ColorMode.BRIGHTNESS

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._attr_supported_color_modes = {ColorMode.BRIGHTNESS}
        self._last_level = 100.0  # what "on" restores after "off"

    @property
    def is_on(self) -> bool | None:
        level = self.reported
        return None if level is None else level > 0

    @property
    def brightness(self) -> int | None:
        level = self.reported
        if level is None or level <= 0:
            return None
        return round(percentage_to_ranged_value(BRIGHTNESS_SCALE, min(level, 100.0)))

    async def async_turn_on(self, **kwargs: Any) -> None:
        if ATTR_BRIGHTNESS in kwargs:
            level = float(ranged_value_to_percentage(BRIGHTNESS_SCALE, kwargs[ATTR_BRIGHTNESS]))
        else:
            level = self._last_level
        await self.async_command(max(1.0, level))

    async def async_turn_off(self, **kwargs: Any) -> None:
        if (level := self.reported) is not None and level > 0:
            self._last_level = level
        await self.async_command(0)
