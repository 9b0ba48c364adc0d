"""The active profile of a cabin."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .commands import run_command
from .const import DOMAIN
from .coordinator import HarviaConfigEntry, HarviaCoordinator
from .data import CabinData
from .entity import HarviaEntity, async_setup_cabin_entities

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HarviaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    async_setup_cabin_entities(
        coordinator,
        async_add_entities,
        lambda cabin: [HarviaProfileSelect(coordinator, cabin)]
        if cabin.state is not None and cabin.state.profiles
        else [],
    )


async def async_select_profile(coordinator: HarviaCoordinator, cabin: CabinData, name: str) -> None:
    """Activate the profile called `name` (shared with presets and the session action)."""
    profiles = cabin.state.profiles if cabin.state else []
    profile = next((p for p in profiles if p.name == name), None)
    if profile is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_profile",
            translation_placeholders={"profile": name, "sauna": cabin.name},
        )
    await run_command(
        coordinator,
        coordinator.client.async_set_profile(
            cabin.device.device_id, cabin.api_cabin, profile.index, profile.name
        ),
        cabin.name,
    )


class HarviaProfileSelect(HarviaEntity, SelectEntity):
    _attr_translation_key = "profile"

    def __init__(self, coordinator: HarviaCoordinator, cabin: CabinData) -> None:
        super().__init__(coordinator, cabin, "profile")

    @property
    def options(self) -> list[str]:
        return [p.name for p in self.cabin.state.profiles] if self.cabin.state else []

    @property
    def current_option(self) -> str | None:
        state = self.cabin.state
        return state.active.name if state and state.active else None

    async def async_select_option(self, option: str) -> None:
        await async_select_profile(self.coordinator, self.cabin, option)
