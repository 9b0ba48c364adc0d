"""Sensors: every measuring channel, by its data type and unit, and each thing's last report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    CONCENTRATION_PARTS_PER_MILLION,
    LIGHT_LUX,
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    Platform,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfPrecipitationDepth,
    UnitOfPressure,
    UnitOfSpeed,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Channel, DataType, Thing, Unit
from .coordinator import CayenneConfigEntry, CayenneCoordinator
from .entity import (
    CayenneChannelDescription,
    CayenneChannelEntity,
    CayenneThingEntity,
    async_add_channel_entities,
    describe,
    reported_number,
)
from .pushpoll import async_add_new_devices

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class CayenneSensorDescription(CayenneChannelDescription[float | None], SensorEntityDescription):
    """A measuring channel."""


def _sensor(
    data_type: DataType,
    unit: Unit | None = None,
    *,
    native_unit: str | None = None,
    **fields: object,
) -> CayenneSensorDescription:
    """The description of a data type (in one unit, or any when `unit` is None)."""
    key = data_type.value if unit is None else f"{data_type.value}_{unit.value}"
    fields.setdefault("state_class", SensorStateClass.MEASUREMENT)
    return CayenneSensorDescription(
        key=key,
        translation_key=data_type.value,
        native_unit_of_measurement=native_unit,
        exists_fn=lambda channel: channel.data_type is data_type
        and (unit is None or channel.unit is unit),
        value_fn=reported_number,
        **fields,  # type: ignore[arg-type]
    )


SENSORS: tuple[CayenneSensorDescription, ...] = (
    _sensor(
        DataType.TEMPERATURE,
        Unit.FAHRENHEIT,
        native_unit=UnitOfTemperature.FAHRENHEIT,
        device_class=SensorDeviceClass.TEMPERATURE,
    ),
    _sensor(
        DataType.TEMPERATURE,
        Unit.KELVIN,
        native_unit=UnitOfTemperature.KELVIN,
        device_class=SensorDeviceClass.TEMPERATURE,
    ),
    _sensor(
        DataType.TEMPERATURE,
        native_unit=UnitOfTemperature.CELSIUS,
        device_class=SensorDeviceClass.TEMPERATURE,
    ),
    _sensor(DataType.HUMIDITY, native_unit=PERCENTAGE, device_class=SensorDeviceClass.HUMIDITY),
    _sensor(DataType.LUMINOSITY, native_unit=LIGHT_LUX, device_class=SensorDeviceClass.ILLUMINANCE),
    _sensor(
        DataType.BAROMETRIC_PRESSURE,
        native_unit=UnitOfPressure.HPA,
        device_class=SensorDeviceClass.ATMOSPHERIC_PRESSURE,
    ),
    _sensor(
        DataType.PRESSURE,
        Unit.HECTOPASCAL,
        native_unit=UnitOfPressure.HPA,
        device_class=SensorDeviceClass.PRESSURE,
    ),
    _sensor(DataType.PRESSURE),
    _sensor(
        DataType.BATTERY,
        Unit.VOLT,
        native_unit=UnitOfElectricPotential.VOLT,
        device_class=SensorDeviceClass.VOLTAGE,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _sensor(
        DataType.BATTERY,
        native_unit=PERCENTAGE,
        device_class=SensorDeviceClass.BATTERY,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _sensor(
        DataType.VOLTAGE,
        Unit.MILLIVOLT,
        native_unit=UnitOfElectricPotential.MILLIVOLT,
        device_class=SensorDeviceClass.VOLTAGE,
    ),
    _sensor(
        DataType.VOLTAGE,
        native_unit=UnitOfElectricPotential.VOLT,
        device_class=SensorDeviceClass.VOLTAGE,
    ),
    _sensor(
        DataType.CURRENT,
        native_unit=UnitOfElectricCurrent.AMPERE,
        device_class=SensorDeviceClass.CURRENT,
    ),
    _sensor(DataType.POWER, native_unit=UnitOfPower.WATT, device_class=SensorDeviceClass.POWER),
    _sensor(
        DataType.ENERGY,
        native_unit=UnitOfEnergy.KILO_WATT_HOUR,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    _sensor(
        DataType.CO2,
        native_unit=CONCENTRATION_PARTS_PER_MILLION,
        device_class=SensorDeviceClass.CO2,
    ),
    _sensor(
        DataType.SOIL_MOISTURE, native_unit=PERCENTAGE, device_class=SensorDeviceClass.MOISTURE
    ),
    _sensor(
        DataType.RAIN_LEVEL,
        native_unit=UnitOfPrecipitationDepth.MILLIMETERS,
        device_class=SensorDeviceClass.PRECIPITATION,
    ),
    _sensor(
        DataType.WIND_SPEED,
        native_unit=UnitOfSpeed.KILOMETERS_PER_HOUR,
        device_class=SensorDeviceClass.WIND_SPEED,
    ),
    _sensor(DataType.ANALOG_SENSOR),
    _sensor(DataType.COUNTER, state_class=SensorStateClass.TOTAL_INCREASING),
    _sensor(
        DataType.RSSI,
        native_unit=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _sensor(
        DataType.SNR,
        native_unit=SIGNAL_STRENGTH_DECIBELS,
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
)
# A type this integration does not know (or knows no sensor for): its bare number.
GENERIC_SENSOR = CayenneSensorDescription(
    key="generic", translation_key="generic", value_fn=reported_number
)


@dataclass(frozen=True, kw_only=True)
class CayenneThingSensorDescription(SensorEntityDescription):
    """A sensor of the thing itself."""


LAST_SEEN = CayenneThingSensorDescription(
    key="last_seen",
    translation_key="last_seen",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CayenneConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator

    def create(coordinator: CayenneCoordinator, thing: Thing, channel: Channel) -> SensorEntity:
        return CayenneSensor(
            coordinator, thing, channel, describe(channel, SENSORS, GENERIC_SENSOR)
        )

    async_add_channel_entities(coordinator, Platform.SENSOR, async_add_entities, create)
    async_add_new_devices(
        coordinator,
        lambda: coordinator.data.things,
        lambda thing_ids: async_add_entities(
            CayenneLastSeenSensor(coordinator, coordinator.data.things[thing_id].thing)
            for thing_id in thing_ids
        ),
    )


class CayenneSensor(CayenneChannelEntity[float | None], SensorEntity):
    entity_description: CayenneSensorDescription

    @property
    def native_value(self) -> float | None:
        return self.reported


class CayenneLastSeenSensor(CayenneThingEntity, SensorEntity):
    """When the thing last reported to Cayenne."""

    entity_description = LAST_SEEN

    def __init__(self, coordinator: CayenneCoordinator, thing: Thing) -> None:
        super().__init__(coordinator, thing)
        self._attr_unique_id = f"{thing.thing_id}_last_seen"

    @property
    def native_value(self) -> datetime | None:
        state = self.thing_state
        return None if state is None else state.thing.last_online
