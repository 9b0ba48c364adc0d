"""Numbers: analog actuators, motors and thermostat setpoints."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE, Platform, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Channel, DataType, Thing, Unit
from .coordinator import CayenneConfigEntry, CayenneCoordinator
from .entity import (
    CayenneChannelDescription,
    CayenneChannelEntity,
    async_add_channel_entities,
    describe,
    reported_number,
)

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class CayenneNumberDescription(CayenneChannelDescription[float | None], NumberEntityDescription):
    """An analog actuator channel."""


NUMBERS: tuple[CayenneNumberDescription, ...] = (
    CayenneNumberDescription(
        key=DataType.HVAC_TEMPERATURE.value,
        translation_key=DataType.HVAC_TEMPERATURE.value,
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        native_min_value=5,
        native_max_value=35,
        native_step=0.5,
        mode=NumberMode.BOX,
        exists_fn=lambda channel: channel.data_type is DataType.HVAC_TEMPERATURE
        and channel.unit in (None, Unit.CELSIUS, Unit.NULL),
        value_fn=reported_number,
    ),
    CayenneNumberDescription(
        key=f"{DataType.HVAC_TEMPERATURE.value}_f",
        translation_key=DataType.HVAC_TEMPERATURE.value,
        device_class=NumberDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.FAHRENHEIT,
        native_min_value=40,
        native_max_value=95,
        native_step=1,
        mode=NumberMode.BOX,
        exists_fn=lambda channel: channel.data_type is DataType.HVAC_TEMPERATURE,
        value_fn=reported_number,
    ),
    CayenneNumberDescription(
        key=DataType.MOTOR.value,
        translation_key=DataType.MOTOR.value,
        native_unit_of_measurement=PERCENTAGE,
        native_min_value=0,
        native_max_value=100,
        native_step=1,
        mode=NumberMode.SLIDER,
        exists_fn=lambda channel: channel.data_type is DataType.MOTOR,
        value_fn=reported_number,
    ),
)
# Cayenne's dashboard slider for an analog output runs from 0 to 100 (a percentage of its range).
ANALOG_OUTPUT = CayenneNumberDescription(
    key=DataType.ANALOG_ACTUATOR.value,
    translation_key=DataType.ANALOG_ACTUATOR.value,
    native_min_value=0,
    native_max_value=100,
    native_step=1,
    mode=NumberMode.SLIDER,
    value_fn=reported_number,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CayenneConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    def create(coordinator: CayenneCoordinator, thing: Thing, channel: Channel) -> NumberEntity:
        return CayenneNumber(coordinator, thing, channel, describe(channel, NUMBERS, ANALOG_OUTPUT))

    async_add_channel_entities(
        entry.runtime_data.coordinator, Platform.NUMBER, async_add_entities, create
    )


class CayenneNumber(CayenneChannelEntity[float | None], NumberEntity):
    entity_description: CayenneNumberDescription

    @property
    def native_value(self) -> float | None:
        return self.reported

    async def async_set_native_value(self, value: float) -> None:
        await self.async_command(value)
