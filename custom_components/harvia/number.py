"""Session duration: how long the sauna stays on (ADJUST_DURATION)."""

from __future__ import annotations

from homeassistant.components.number import NumberDeviceClass, NumberEntity, NumberMode
from homeassistant.const import UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Command
from .commands import run_command
from .coordinator import HarviaConfigEntry, HarviaCoordinator
from .data import CabinData
from .entity import HarviaEntity, async_setup_cabin_entities

PARALLEL_UPDATES = 1
DEFAULT_MAX_ON_TIME = 360


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HarviaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    async_setup_cabin_entities(
        coordinator,
        async_add_entities,
        lambda cabin: [] if cabin.is_sensor else [HarviaDuration(coordinator, cabin)],
    )


class HarviaDuration(HarviaEntity, NumberEntity):
    _attr_translation_key = "session_duration"
    _attr_device_class = NumberDeviceClass.DURATION
    _attr_native_unit_of_measurement = UnitOfTime.MINUTES
    _attr_native_min_value = 1
    _attr_native_step = 1
    _attr_mode = NumberMode.BOX

    def __init__(self, coordinator: HarviaCoordinator, cabin: CabinData) -> None:
        super().__init__(coordinator, cabin, "session_duration")

    @property
    def native_max_value(self) -> float:
        state = self.cabin.state
        return float(state.max_on_time if state and state.max_on_time else DEFAULT_MAX_ON_TIME)

    @property
    def native_value(self) -> float | None:
        state = self.cabin.state
        if state is None:
            return None
        if state.duration is not None:
            return state.duration
        return state.active.duration if state.active else None

    async def async_set_native_value(self, value: float) -> None:
        cabin = self.cabin
        await run_command(
            self.coordinator,
            self.coordinator.client.async_command(
                cabin.device.device_id, cabin.api_cabin, Command.ADJUST_DURATION, int(value)
            ),
            cabin.name,
        )
