"""The cabin light (LIGHTS on/off)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.light import ColorMode, LightEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Command
from .commands import run_command
from .const import DOMAIN
from .coordinator import HarviaConfigEntry, HarviaCoordinator
from .data import CabinData
from .entity import HarviaEntity, async_setup_cabin_entities

PARALLEL_UPDATES = 1
LEGACY_SWITCH_KEY = "lights"  # the light was a switch before; its entry cannot change domain


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HarviaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    registry = er.async_get(hass)

    def build(cabin: CabinData) -> list[HarviaLight]:
        if cabin.is_sensor:
            return []
        legacy_id = f"{cabin.device.device_id}_{cabin.cabin_id}_{LEGACY_SWITCH_KEY}"
        if stale := registry.async_get_entity_id(Platform.SWITCH, DOMAIN, legacy_id):
            registry.async_remove(stale)
        return [HarviaLight(coordinator, cabin)]

    async_setup_cabin_entities(coordinator, async_add_entities, build)


class HarviaLight(HarviaEntity, LightEntity):
    _attr_translation_key = "light"
    _attr_color_mode = ColorMode.ONOFF
    _attr_supported_color_modes = {ColorMode.ONOFF}  # noqa: RUF012  (HA's attribute pattern)

    def __init__(self, coordinator: HarviaCoordinator, cabin: CabinData) -> None:
        super().__init__(coordinator, cabin, "light")

    @property
    def is_on(self) -> bool | None:
        return self.cabin.state.light_on if self.cabin.state else None

    async def _switch(self, on: bool) -> None:
        cabin = self.cabin
        await run_command(
            self.coordinator,
            self.coordinator.client.async_command(
                cabin.device.device_id, cabin.api_cabin, Command.LIGHTS, on
            ),
            cabin.name,
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._switch(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._switch(False)
