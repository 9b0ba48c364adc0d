"""The sauna cabin as a climate entity."""

from __future__ import annotations

from typing import Any

from homeassistant.components.climate import (
    ATTR_HVAC_MODE,
    ClimateEntity,
    ClimateEntityFeature,
    HVACAction,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Command
from .commands import run_command
from .const import DOMAIN
from .coordinator import HarviaConfigEntry, HarviaCoordinator
from .data import CabinData, SaunaStatus
from .entity import HarviaEntity, async_setup_cabin_entities
from .select import async_select_profile

PARALLEL_UPDATES = 1
DEFAULT_MIN_TEMP = 40.0
DEFAULT_MAX_TEMP = 110.0

ACTIONS = {
    SaunaStatus.OFF: HVACAction.OFF,
    SaunaStatus.WAITING: HVACAction.PREHEATING,  # the panel's delayed start is pending
    SaunaStatus.HEATING: HVACAction.HEATING,
    SaunaStatus.READY: HVACAction.IDLE,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HarviaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    async_setup_cabin_entities(
        coordinator,
        async_add_entities,
        lambda cabin: [] if cabin.is_sensor else [HarviaClimate(coordinator, cabin)],
    )


class HarviaClimate(HarviaEntity, ClimateEntity):
    _attr_name = None  # the cabin itself
    _attr_hvac_modes = [HVACMode.OFF, HVACMode.HEAT]  # noqa: RUF012  (HA's attribute pattern)
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_target_temperature_step = 1.0
    _attr_min_humidity = 0
    _attr_max_humidity = 100

    def __init__(self, coordinator: HarviaCoordinator, cabin: CabinData) -> None:
        super().__init__(coordinator, cabin, "climate")

    async def run(self, action: Any) -> None:
        await run_command(self.coordinator, action, self.cabin.name)

    @property
    def supported_features(self) -> ClimateEntityFeature:
        features = (
            ClimateEntityFeature.TARGET_TEMPERATURE
            | ClimateEntityFeature.TURN_ON
            | ClimateEntityFeature.TURN_OFF
        )
        if self.preset_modes:
            features |= ClimateEntityFeature.PRESET_MODE
        if self.cabin.has_steam:
            features |= ClimateEntityFeature.TARGET_HUMIDITY
        return features

    @property
    def min_temp(self) -> float:
        state = self.cabin.state
        return state.min_temp if state and state.min_temp is not None else DEFAULT_MIN_TEMP

    @property
    def max_temp(self) -> float:
        state = self.cabin.state
        return state.max_temp if state and state.max_temp is not None else DEFAULT_MAX_TEMP

    @property
    def current_temperature(self) -> float | None:
        return self.cabin.temperature

    @property
    def target_temperature(self) -> float | None:
        return self.cabin.target_temperature

    @property
    def current_humidity(self) -> float | None:
        return self.cabin.humidity

    @property
    def target_humidity(self) -> float | None:
        return self.cabin.target_humidity if self.cabin.has_steam else None

    @property
    def hvac_mode(self) -> HVACMode:
        return HVACMode.HEAT if self.cabin.is_on else HVACMode.OFF

    @property
    def hvac_action(self) -> HVACAction:
        return ACTIONS[self.cabin.status]

    @property
    def preset_modes(self) -> list[str] | None:
        state = self.cabin.state
        return [p.name for p in state.profiles] if state and state.profiles else None

    @property
    def preset_mode(self) -> str | None:
        state = self.cabin.state
        return state.active.name if state and state.active else None

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        cabin = self.cabin
        client = self.coordinator.client
        await self.run(
            client.async_command(
                cabin.device.device_id, cabin.api_cabin, Command.SAUNA, hvac_mode == HVACMode.HEAT
            )
        )

    async def async_turn_on(self) -> None:
        await self.async_set_hvac_mode(HVACMode.HEAT)

    async def async_turn_off(self) -> None:
        await self.async_set_hvac_mode(HVACMode.OFF)

    async def async_set_temperature(self, **kwargs: Any) -> None:
        cabin = self.cabin
        if (temperature := kwargs.get(ATTR_TEMPERATURE)) is not None:
            await self.run(
                self.coordinator.client.async_set_target(
                    cabin.device.device_id, cabin.api_cabin, temperature=float(temperature)
                )
            )
        if (mode := kwargs.get(ATTR_HVAC_MODE)) is not None:
            await self.async_set_hvac_mode(mode)

    async def async_set_humidity(self, humidity: int) -> None:
        cabin = self.cabin
        await self.run(
            self.coordinator.client.async_set_target(
                cabin.device.device_id, cabin.api_cabin, humidity=float(humidity)
            )
        )

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        await async_select_profile(self.coordinator, self.cabin, preset_mode)

    async def async_start_session(
        self,
        temperature: float | None = None,
        humidity: float | None = None,
        duration: int | None = None,
        profile: str | None = None,
    ) -> None:
        """The start_session action: a profile first (it sets its own targets), then the given
        targets and duration override it, then the sauna goes on."""
        cabin = self.cabin
        client = self.coordinator.client
        if humidity is not None and not cabin.has_steam:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="humidity_unsupported",
                translation_placeholders={"sauna": cabin.name},
            )
        if temperature is not None and not self.min_temp <= temperature <= self.max_temp:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="temperature_out_of_range",
                translation_placeholders={
                    "sauna": cabin.name,
                    "temperature": f"{temperature:g}",
                    "min": f"{self.min_temp:g}",
                    "max": f"{self.max_temp:g}",
                },
            )
        if profile is not None:
            await async_select_profile(self.coordinator, cabin, profile)
        if temperature is not None or humidity is not None:
            await self.run(
                client.async_set_target(
                    cabin.device.device_id,
                    cabin.api_cabin,
                    temperature=temperature,
                    humidity=humidity,
                )
            )
        if duration is not None:
            await self.run(
                client.async_command(
                    cabin.device.device_id, cabin.api_cabin, Command.ADJUST_DURATION, duration
                )
            )
        await self.run(
            client.async_command(cabin.device.device_id, cabin.api_cabin, Command.SAUNA, True)
        )
