"""Switches: every settable boolean resource (a pump's on/off, a relay)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import MicConfigEntry
from .entity import (
    MicResourceDescription,
    MicResourceEntity,
    async_add_resource_entities,
    read_bool,
)

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MicSwitchDescription(MicResourceDescription[bool | None], SwitchEntityDescription):
    """A settable boolean resource."""


SWITCH = MicSwitchDescription(key="switch", value_fn=read_bool)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_resource_entities(
        entry.runtime_data.coordinator,
        Platform.SWITCH,
        async_add_entities,
        lambda coordinator, thing, resource: MicSwitch(coordinator, thing, resource, SWITCH),
    )


class MicSwitch(MicResourceEntity[bool | None], SwitchEntity):
    entity_description: MicSwitchDescription

    @property
    def is_on(self) -> bool | None:
        return self.reported

    async def async_turn_on(self, **kwargs: Any) -> None:
        await self.async_write(self.resource.encode(True))

    async def async_turn_off(self, **kwargs: Any) -> None:
        await self.async_write(self.resource.encode(False))
