"""Switches for fan and steamer, only where the device accepts those commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Command
from .commands import run_command
from .coordinator import HarviaConfigEntry
from .data import CabinData
from .entity import HarviaDescribedEntity, HarviaEntityDescription, async_setup_described_entities

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class HarviaSwitchDescription(SwitchEntityDescription, HarviaEntityDescription):
    command: Command
    value_fn: Callable[[CabinData], bool | None]


SWITCHES: tuple[HarviaSwitchDescription, ...] = (
    HarviaSwitchDescription(
        key="fan",
        translation_key="fan",
        command=Command.FAN,
        value_fn=lambda cabin: cabin.state.fan_on if cabin.state else None,
        exists_fn=lambda cabin: cabin.supports_fan,
    ),
    HarviaSwitchDescription(
        key="steamer",
        translation_key="steamer",
        command=Command.STEAMER,
        value_fn=lambda cabin: cabin.state.steamer_on if cabin.state else None,
        exists_fn=lambda cabin: cabin.supports_steamer_switch,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HarviaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_described_entities(
        entry.runtime_data.coordinator, async_add_entities, HarviaSwitch, SWITCHES
    )


class HarviaSwitch(HarviaDescribedEntity, SwitchEntity):
    entity_description: HarviaSwitchDescription

    @property
    def is_on(self) -> bool | None:
        return self.entity_description.value_fn(self.cabin)

    async def _switch(self, on: bool) -> None:
        cabin = self.cabin
        await run_command(
            self.coordinator,
            self.coordinator.client.async_command(
                cabin.device.device_id, cabin.api_cabin, self.entity_description.command, on
            ),
            cabin.name,
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self._switch(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self._switch(False)
