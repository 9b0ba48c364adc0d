"""Every platform's entities and states (syrupy snapshots), devices, and the energy sensors."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import Platform, UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.homely import PLATFORMS
from custom_components.homely.const import DOMAIN
from simulators.homely import HomelySimulator

from .conftest import HOME, THERMOSTAT, SetUp
from .helpers import attribute_of, socket_ready, state_of


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("scenario", ["typical_home.yaml", "live_shapes.yaml"])
async def test_entities(
    hass: HomeAssistant,
    setup_integration: SetUp,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    platform: Platform,
    sim: HomelySimulator,
) -> None:
    with patch("custom_components.homely.PLATFORMS", [platform]):
        entry = await setup_integration()
    await socket_ready(hass, entry, sim)  # states as they settle with live updates on
    await snapshot_platform(hass, entity_registry, snapshot, entry.entry_id)


async def test_devices_hang_off_the_home(
    hass: HomeAssistant, setup_integration: SetUp, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_integration()
    home = device_registry.async_get_device(identifiers={(DOMAIN, HOME)})
    assert home is not None
    assert (home.name, home.manufacturer, home.serial_number) == (
        "Solbakken 12",
        "Homely",
        "02000001000109FD",
    )
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert len(devices) == 17  # the home and its 16 devices
    thermostat = next(d for d in devices if d.model == "ELKO Super TR")
    assert (thermostat.manufacturer, thermostat.serial_number, thermostat.via_device_id) == (
        "ELKO",
        "000D6F000D8106CC",
        home.id,
    )
    lock = next(d for d in devices if d.model == "Yale Doorman V2N")
    assert lock.manufacturer == "Yale"


async def test_energy_sensors_are_ready_for_the_energy_dashboard(
    hass: HomeAssistant, setup_integration: SetUp
) -> None:
    await setup_integration()
    imported = "sensor.han_plug_energy_imported"
    assert state_of(hass, imported) == "769.67"  # 769670 Wh
    assert attribute_of(hass, imported, "unit_of_measurement") == UnitOfEnergy.KILO_WATT_HOUR
    assert attribute_of(hass, imported, "device_class") == SensorDeviceClass.ENERGY
    assert attribute_of(hass, imported, "state_class") == SensorStateClass.TOTAL_INCREASING
    assert state_of(hass, "sensor.han_plug_energy_exported") == "0.0"
    assert attribute_of(hass, "sensor.han_plug_power", "unit_of_measurement") == UnitOfPower.WATT
    assert state_of(hass, "sensor.han_plug_power") == "1500"
    # Thermostat temperatures come in hundredths of a degree.
    assert state_of(hass, "sensor.bad_varmekabel_temperature") == "21.5"
    assert state_of(hass, "sensor.bad_varmekabel_heating_setpoint") == "22.0"


async def test_noisy_diagnostics_are_disabled_by_default(
    hass: HomeAssistant, setup_integration: SetUp, entity_registry: er.EntityRegistry
) -> None:
    await setup_integration()
    for entity_id in (
        "sensor.gang_link_strength",
        "sensor.gang_battery_voltage",
        "sensor.bad_varmekabel_cooling_setpoint",
    ):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert state_of(hass, "binary_sensor.gang_online") == "on"
    assert state_of(hass, "binary_sensor.kjokken_vindu_battery_defect") == "unknown"  # `{}`


@pytest.mark.parametrize("scenario", ["live_shapes.yaml"])
async def test_live_device_shapes(
    hass: HomeAssistant,
    setup_integration: SetUp,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_integration()
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    legacy = next(d for d in devices if d.name == "Røykvarsler loft")
    assert legacy.model == "Smoke Alarm"
    assert state_of(hass, "binary_sensor.roykvarsler_loft_smoke") == "off"
    assert state_of(hass, "binary_sensor.soverom_vindu_window") == "off"
    assert state_of(hass, "binary_sensor.soverom_vindu_tamper") == "off"  # `alarm.tamper`
    assert state_of(hass, "binary_sensor.ytterdor_las_lock") == "off"  # `lock.state: true`
    # The `setup` feature and the thermostat's `mf4xx` states add nothing and break nothing.
    thermostat = next(d for d in devices if d.model == "ELKO Super TR")
    assert sorted(
        e.unique_id.removeprefix(f"{THERMOSTAT}_")
        for e in er.async_entries_for_device(
            entity_registry, thermostat.id, include_disabled_entities=True
        )
    ) == ["cooling_setpoint", "heating_setpoint", "link_strength", "local_temperature", "online"]
    motion = next(d for d in devices if d.name == "Kjeller")
    assert sorted(
        e.unique_id.split("_", 1)[1]
        for e in er.async_entries_for_device(
            entity_registry, motion.id, include_disabled_entities=True
        )
    ) == [
        "battery_defect",
        "battery_low",
        "battery_voltage",
        "link_strength",
        "motion",
        "online",
        "tamper",
        "temperature",
    ]
    assert state_of(hass, "sensor.bad_varmekabel_temperature") == "21.5"
    assert state_of(hass, "sensor.bad_varmekabel_heating_setpoint") == "22.0"
