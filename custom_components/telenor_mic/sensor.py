"""Sensors: every read-only numeric or text resource, by its unit and label, and each thing's
last report."""

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
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    Platform,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfPressure,
    UnitOfSpeed,
    UnitOfTemperature,
    UnitOfVolumeFlowRate,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Resource, ResourceKind
from .coordinator import MicConfigEntry, MicCoordinator
from .entity import (
    MicResourceDescription,
    MicResourceEntity,
    MicThingEntity,
    async_add_resource_entities,
    async_add_thing_entities,
    describe,
    mentions,
    read_number,
    read_text,
)

PARALLEL_UPDATES = 0

# The units thing types write, as Home Assistant spells them (matched without case).
UNITS: dict[str, str] = {
    "°c": UnitOfTemperature.CELSIUS,
    "c": UnitOfTemperature.CELSIUS,
    "celsius": UnitOfTemperature.CELSIUS,
    "degc": UnitOfTemperature.CELSIUS,
    "°f": UnitOfTemperature.FAHRENHEIT,
    "f": UnitOfTemperature.FAHRENHEIT,
    "k": UnitOfTemperature.KELVIN,
    "%": PERCENTAGE,
    "percent": PERCENTAGE,
    "ppm": CONCENTRATION_PARTS_PER_MILLION,
    "v": UnitOfElectricPotential.VOLT,
    "mv": UnitOfElectricPotential.MILLIVOLT,
    "a": UnitOfElectricCurrent.AMPERE,
    "ma": UnitOfElectricCurrent.MILLIAMPERE,
    "w": UnitOfPower.WATT,
    "kw": UnitOfPower.KILO_WATT,
    "wh": UnitOfEnergy.WATT_HOUR,
    "kwh": UnitOfEnergy.KILO_WATT_HOUR,
    "hpa": UnitOfPressure.HPA,
    "pa": UnitOfPressure.PA,
    "kpa": UnitOfPressure.KPA,
    "bar": UnitOfPressure.BAR,
    "mbar": UnitOfPressure.MBAR,
    "lx": LIGHT_LUX,
    "lux": LIGHT_LUX,
    "dbm": SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    "m/s": UnitOfSpeed.METERS_PER_SECOND,
    "km/h": UnitOfSpeed.KILOMETERS_PER_HOUR,
    "l/min": UnitOfVolumeFlowRate.LITERS_PER_MINUTE,
    "m³/h": UnitOfVolumeFlowRate.CUBIC_METERS_PER_HOUR,
    "m3/h": UnitOfVolumeFlowRate.CUBIC_METERS_PER_HOUR,
}


def unit_of(resource: Resource) -> str | None:
    """The resource's unit as Home Assistant spells it; an unknown one as written."""
    if not resource.unit:
        return None
    return UNITS.get(resource.unit.strip().lower(), resource.unit.strip())


def _numeric(resource: Resource) -> bool:
    return resource.kind in (ResourceKind.INTEGER, ResourceKind.NUMBER)


@dataclass(frozen=True, kw_only=True)
class MicSensorDescription(MicResourceDescription[float | str | None], SensorEntityDescription):
    """A read-only resource."""


def _measurement(
    key: str,
    device_class: SensorDeviceClass,
    *units: str,
    words: tuple[str, ...] = (),
    **fields: object,
) -> MicSensorDescription:
    """A numeric resource in one of `units` (and mentioning one of `words`, when given)."""
    fields.setdefault("state_class", SensorStateClass.MEASUREMENT)
    return MicSensorDescription(
        key=key,
        device_class=device_class,
        exists_fn=lambda resource: _numeric(resource)
        and unit_of(resource) in units
        and (not words or mentions(resource, *words)),
        value_fn=read_number,
        **fields,  # type: ignore[arg-type]
    )


SENSORS: tuple[MicSensorDescription, ...] = (
    _measurement(
        "temperature",
        SensorDeviceClass.TEMPERATURE,
        UnitOfTemperature.CELSIUS,
        UnitOfTemperature.FAHRENHEIT,
        UnitOfTemperature.KELVIN,
    ),
    _measurement("humidity", SensorDeviceClass.HUMIDITY, PERCENTAGE, words=("hum",)),
    _measurement(
        "battery",
        SensorDeviceClass.BATTERY,
        PERCENTAGE,
        words=("batt",),
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _measurement(
        "battery_voltage",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        UnitOfElectricPotential.MILLIVOLT,
        words=("batt",),
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _measurement(
        "co2", SensorDeviceClass.CO2, CONCENTRATION_PARTS_PER_MILLION, words=("co2", "carbon")
    ),
    _measurement(
        "voltage",
        SensorDeviceClass.VOLTAGE,
        UnitOfElectricPotential.VOLT,
        UnitOfElectricPotential.MILLIVOLT,
    ),
    _measurement(
        "current",
        SensorDeviceClass.CURRENT,
        UnitOfElectricCurrent.AMPERE,
        UnitOfElectricCurrent.MILLIAMPERE,
    ),
    _measurement("power", SensorDeviceClass.POWER, UnitOfPower.WATT, UnitOfPower.KILO_WATT),
    _measurement(
        "energy",
        SensorDeviceClass.ENERGY,
        UnitOfEnergy.WATT_HOUR,
        UnitOfEnergy.KILO_WATT_HOUR,
        state_class=SensorStateClass.TOTAL_INCREASING,
    ),
    _measurement(
        "pressure",
        SensorDeviceClass.PRESSURE,
        UnitOfPressure.HPA,
        UnitOfPressure.PA,
        UnitOfPressure.KPA,
        UnitOfPressure.BAR,
        UnitOfPressure.MBAR,
    ),
    _measurement("illuminance", SensorDeviceClass.ILLUMINANCE, LIGHT_LUX),
    _measurement(
        "signal_strength",
        SensorDeviceClass.SIGNAL_STRENGTH,
        SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    _measurement(
        "speed",
        SensorDeviceClass.SPEED,
        UnitOfSpeed.METERS_PER_SECOND,
        UnitOfSpeed.KILOMETERS_PER_HOUR,
    ),
    _measurement(
        "volume_flow_rate",
        SensorDeviceClass.VOLUME_FLOW_RATE,
        UnitOfVolumeFlowRate.LITERS_PER_MINUTE,
        UnitOfVolumeFlowRate.CUBIC_METERS_PER_HOUR,
    ),
)
NUMBER = MicSensorDescription(
    key="number", state_class=SensorStateClass.MEASUREMENT, value_fn=read_number
)
TEXT = MicSensorDescription(key="text", value_fn=read_text)
LAST_HEARD = SensorEntityDescription(
    key="last_heard",
    translation_key="last_heard",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)


def description_of(resource: Resource) -> MicSensorDescription:
    if not _numeric(resource):
        return TEXT
    return describe(resource, SENSORS, NUMBER)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MicConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    coordinator = entry.runtime_data.coordinator
    async_add_resource_entities(
        coordinator,
        Platform.SENSOR,
        async_add_entities,
        lambda coordinator, thing, resource: MicSensor(
            coordinator, thing, resource, description_of(resource)
        ),
    )
    async_add_thing_entities(coordinator, async_add_entities, MicLastHeardSensor)


class MicSensor(MicResourceEntity[float | str | None], SensorEntity):
    entity_description: MicSensorDescription

    def __init__(
        self,
        coordinator: MicCoordinator,
        thing_name: str,
        resource: Resource,
        description: MicSensorDescription,
    ) -> None:
        super().__init__(coordinator, thing_name, resource, description)
        if _numeric(resource):
            self._attr_native_unit_of_measurement = unit_of(resource)

    @property
    def native_value(self) -> float | str | None:
        return self.reported


class MicLastHeardSensor(MicThingEntity, SensorEntity):
    """When the thing last reported anything."""

    entity_description = LAST_HEARD

    def __init__(self, coordinator: MicCoordinator, thing_name: str) -> None:
        super().__init__(coordinator, thing_name, None)
        self._attr_unique_id = f"{self._unique_prefix}:last_heard"

    @property
    def native_value(self) -> datetime | None:
        state = self.thing_state
        return None if state is None else state.last_heard
