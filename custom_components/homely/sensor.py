"""Sensors: temperatures, the HAN meter's power and energy, thermostat setpoints, diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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

from .api import Device
from .coordinator import HomelyConfigEntry
from .entity import HomelyDeviceEntity, async_setup_device_entities, has_state

PARALLEL_UPDATES = 0


def _number(scale: float) -> Callable[[Any], float | None]:
    """Numbers, scaled: energy counters are Wh, thermostat temperatures hundredths of a degree."""

    def convert(value: Any) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return value if scale == 1 else round(float(value) * scale, 3)

    return convert


@dataclass(frozen=True, kw_only=True)
class HomelySensorDescription(SensorEntityDescription):
    feature: str
    state: str
    exists_fn: Callable[[Device], bool]
    value_fn: Callable[[Any], float | None]


def _describe(key: str, feature: str, state: str, **kw: Any) -> HomelySensorDescription:
    return HomelySensorDescription(
        key=key,
        translation_key=key,
        feature=feature,
        state=state,
        exists_fn=has_state(feature, state),
        **{"value_fn": _number(1.0), **kw},
    )


_TEMPERATURE: dict[str, Any] = {
    "device_class": SensorDeviceClass.TEMPERATURE,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfTemperature.CELSIUS,
    "suggested_display_precision": 1,
}
_ENERGY: dict[str, Any] = {
    "device_class": SensorDeviceClass.ENERGY,
    "state_class": SensorStateClass.TOTAL_INCREASING,
    "native_unit_of_measurement": UnitOfEnergy.KILO_WATT_HOUR,
    "suggested_display_precision": 2,
    "value_fn": _number(0.001),
}

DESCRIPTIONS: tuple[HomelySensorDescription, ...] = (
    _describe("temperature", "temperature", "temperature", **_TEMPERATURE),
    _describe(
        "power",
        "metering",
        "demand",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
    ),
    _describe("energy_imported", "metering", "summationdelivered", **_ENERGY),
    _describe("energy_exported", "metering", "summationreceived", **_ENERGY),
    _describe(
        "local_temperature",
        "thermostat",
        "LocalTemperature",
        **{**_TEMPERATURE, "value_fn": _number(0.01)},
    ),
    _describe(
        "heating_setpoint",
        "thermostat",
        "OccupiedHeatingSetpoint",
        **{**_TEMPERATURE, "value_fn": _number(0.01)},
    ),
    _describe(
        "cooling_setpoint",
        "thermostat",
        "OccupiedCoolingSetpoint",
        entity_registry_enabled_default=False,
        **{**_TEMPERATURE, "value_fn": _number(0.01)},
    ),
    _describe(
        "link_strength",
        "diagnostic",
        "networklinkstrength",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
    ),
    _describe(
        "battery_voltage",
        "battery",
        "voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomelyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_setup_device_entities(
        entry.runtime_data.coordinator, async_add_entities, HomelySensor, DESCRIPTIONS
    )


class HomelySensor(HomelyDeviceEntity, SensorEntity):
    entity_description: HomelySensorDescription

    @property
    def native_value(self) -> float | None:
        description = self.entity_description
        return description.value_fn(self.feature_value(description.feature, description.state))
