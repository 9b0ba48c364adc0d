"""Sensors: temperature, humidity, status, session and heating times, power, counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
import math

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .api import Countdown
from .coordinator import HarviaConfigEntry
from .data import CabinData, SaunaStatus
from .entity import (
    HarviaDescribedEntity,
    HarviaEntityDescription,
    async_setup_described_entities,
    is_controller,
)

PARALLEL_UPDATES = 0
COUNTDOWN_TICK = timedelta(minutes=1)


def _while_on(value: Callable[[CabinData], StateType]) -> Callable[[CabinData], StateType]:
    return lambda cabin: value(cabin) if cabin.is_on and not cabin.waiting else 0


def _minutes_left(
    countdown: Callable[[CabinData], Countdown | None],
) -> Callable[[CabinData], StateType]:
    """Minutes until the countdown's end, counted on between cloud updates (a started minute
    counts, so it reaches 0 only at the end)."""

    def value(cabin: CabinData) -> StateType:
        reading = countdown(cabin)
        if reading is None:
            return None
        now = dt_util.utcnow()
        seconds = (reading.ends_at(now) - now).total_seconds()
        return max(0, math.ceil(seconds / 60))

    return _while_on(value)


@dataclass(frozen=True, kw_only=True)
class HarviaSensorDescription(SensorEntityDescription, HarviaEntityDescription):
    value_fn: Callable[[CabinData], StateType | datetime]
    counts_down: bool = False  # the value changes with time alone: write it every minute


SENSORS: tuple[HarviaSensorDescription, ...] = (
    HarviaSensorDescription(
        key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda cabin: cabin.temperature,
        exists_fn=lambda cabin: True,
    ),
    HarviaSensorDescription(
        key="humidity",
        device_class=SensorDeviceClass.HUMIDITY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda cabin: cabin.humidity,
        exists_fn=lambda cabin: cabin.humidity is not None,
    ),
    HarviaSensorDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=[status.value for status in SaunaStatus],
        value_fn=lambda cabin: cabin.status.value,
    ),
    HarviaSensorDescription(
        key="remaining_time",
        translation_key="remaining_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=_minutes_left(lambda cabin: cabin.remaining_time),
        counts_down=True,
    ),
    HarviaSensorDescription(
        key="time_to_target",
        translation_key="time_to_target",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=_minutes_left(lambda cabin: cabin.time_to_target),
        counts_down=True,
    ),
    HarviaSensorDescription(
        key="heater_power",
        translation_key="heater_power",
        device_class=SensorDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda cabin: cabin.heater_power,
        # Fenix power units report 0 W whatever they do; a sensor stuck at 0 would mislead.
        exists_fn=lambda cabin: is_controller(cabin) and not cabin.is_fenix,
    ),
    HarviaSensorDescription(
        key="scheduled_start",
        translation_key="scheduled_start",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda cabin: cabin.scheduled_start,
    ),
    HarviaSensorDescription(
        key="total_sessions",
        translation_key="total_sessions",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda cabin: cabin.total_sessions,
    ),
    HarviaSensorDescription(
        key="bathing_hours",
        translation_key="bathing_hours",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda cabin: cabin.bathing_hours,
    ),
    HarviaSensorDescription(
        key="operating_hours",
        translation_key="operating_hours",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda cabin: cabin.operating_hours,
    ),
    HarviaSensorDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda cabin: cabin.state.battery if cabin.state else None,
        exists_fn=lambda cabin: cabin.is_sensor,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HarviaConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_described_entities(
        entry.runtime_data.coordinator, async_add_entities, HarviaSensor, SENSORS
    )


class HarviaSensor(HarviaDescribedEntity, SensorEntity):
    entity_description: HarviaSensorDescription

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        if self.entity_description.counts_down:
            self.async_on_remove(
                async_track_time_interval(self.hass, self._async_tick, COUNTDOWN_TICK)
            )

    @callback
    def _async_tick(self, _now: datetime) -> None:
        if self.available:
            self.async_write_ha_state()

    @property
    def native_value(self) -> StateType | datetime:
        return self.entity_description.value_fn(self.cabin)
