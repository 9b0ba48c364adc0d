"""Sensors: temperatures, the HAN meter's power and energy, thermostat setpoints, diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import Reading
from .coordinator import HomelyConfigEntry
from .entity import HomelyDeviceEntity, HomelyEntityDescription, async_add_device_entities

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HomelySensorDescription(HomelyEntityDescription[float | None], SensorEntityDescription):
    """A sensor of a Homely device."""


DESCRIPTIONS: tuple[HomelySensorDescription, ...] = (
    HomelySensorDescription(
        key="temperature",
        translation_key="temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        exists_fn=lambda d: d.reports(Reading.TEMPERATURE),
        value_fn=lambda d: d.temperature,
    ),
    HomelySensorDescription(
        key="power",
        translation_key="power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        exists_fn=lambda d: d.reports(Reading.POWER),
        value_fn=lambda d: d.power,
    ),
    HomelySensorDescription(
        key="energy_imported",
        translation_key="energy_imported",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        exists_fn=lambda d: d.reports(Reading.ENERGY_IMPORTED),
        value_fn=lambda d: d.energy_imported,
    ),
    HomelySensorDescription(
        key="energy_exported",
        translation_key="energy_exported",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        exists_fn=lambda d: d.reports(Reading.ENERGY_EXPORTED),
        value_fn=lambda d: d.energy_exported,
    ),
    HomelySensorDescription(
        key="local_temperature",
        translation_key="local_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        exists_fn=lambda d: d.reports(Reading.THERMOSTAT_TEMPERATURE),
        value_fn=lambda d: d.thermostat_temperature,
    ),
    HomelySensorDescription(
        key="heating_setpoint",
        translation_key="heating_setpoint",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        exists_fn=lambda d: d.reports(Reading.HEATING_SETPOINT),
        value_fn=lambda d: d.heating_setpoint,
    ),
    HomelySensorDescription(
        key="cooling_setpoint",
        translation_key="cooling_setpoint",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_registry_enabled_default=False,
        exists_fn=lambda d: d.reports(Reading.COOLING_SETPOINT),
        value_fn=lambda d: d.cooling_setpoint,
    ),
    HomelySensorDescription(
        key="link_strength",
        translation_key="link_strength",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=lambda d: d.reports(Reading.LINK_STRENGTH),
        value_fn=lambda d: d.link_strength,
    ),
    HomelySensorDescription(
        key="battery_voltage",
        translation_key="battery_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        exists_fn=lambda d: d.reports(Reading.BATTERY_VOLTAGE),
        value_fn=lambda d: d.battery_voltage,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomelyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_device_entities(
        entry.runtime_data.coordinator, async_add_entities, HomelySensor, DESCRIPTIONS
    )


class HomelySensor(HomelyDeviceEntity[float | None], SensorEntity):
    entity_description: HomelySensorDescription

    @property
    def native_value(self) -> float | None:
        return self.value
