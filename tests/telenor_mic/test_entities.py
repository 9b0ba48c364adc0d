"""Entities from thing type resources: each kind on its platform, with device class and unit
from the metadata; both stack dialects."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.telenor_mic.const import DOMAIN
from simulators.core import SimulatorServer

from .conftest import LAB_HOST, LAB_PASSWORD, LAB_USER, answers
from .helpers import attribute_of, entity_id, state_of


def _attributes(hass: HomeAssistant, entity: str) -> dict[str, Any]:
    state = hass.states.get(entity)
    assert state is not None, entity
    return dict(state.attributes)


async def test_environment_sensor(hass: HomeAssistant, ready: MockConfigEntry) -> None:
    temperature = entity_id(hass, "office-climate", "temperature")
    assert temperature == "sensor.office_climate_temperature"
    assert 15 < float(state_of(hass, temperature) or "nan") < 30
    attributes = _attributes(hass, temperature)
    assert (attributes["device_class"], attributes["unit_of_measurement"]) == ("temperature", "°C")
    assert attributes["state_class"] == "measurement"
    humidity = _attributes(hass, entity_id(hass, "office-climate", "humidity"))
    assert (humidity["device_class"], humidity["unit_of_measurement"]) == ("humidity", "%")
    co2 = entity_id(hass, "office-climate", "co2")
    assert attribute_of(hass, co2, "device_class") == "carbon_dioxide"
    assert float(state_of(hass, co2) or "nan") > 300
    battery = entity_id(hass, "office-climate", "battery")
    assert attribute_of(hass, battery, "device_class") == "battery"
    registry = er.async_get(hass)
    assert registry.async_get(battery).entity_category == "diagnostic"  # type: ignore[union-attr]
    # a resource type the integration does not know is shown as text
    assert state_of(hass, entity_id(hass, "office-climate", "firmware")) == "2.4.1"
    last_heard = entity_id(hass, "office-climate", "last_heard")
    assert last_heard == "sensor.office_climate_last_heard_from"
    assert attribute_of(hass, last_heard, "device_class") == "timestamp"
    assert state_of(hass, last_heard) not in (None, "unknown", "unavailable")


async def test_pump_controls(hass: HomeAssistant, ready: MockConfigEntry) -> None:
    assert state_of(hass, entity_id(hass, "field-pump", "on")) == "on"
    speed = entity_id(hass, "field-pump", "speed")
    assert speed.startswith("number.")
    assert float(state_of(hass, speed) or "nan") == 60
    attributes = _attributes(hass, speed)
    assert (attributes["min"], attributes["max"], attributes["step"]) == (0, 100, 1)
    assert (attributes["mode"], attributes["unit_of_measurement"]) == ("slider", "%")
    mode = entity_id(hass, "field-pump", "mode")
    assert mode.startswith("select.")
    assert state_of(hass, mode) == "auto"
    assert attribute_of(hass, mode, "options") == ["auto", "eco", "boost"]
    flow = _attributes(hass, entity_id(hass, "field-pump", "flow"))
    assert (flow["device_class"], flow["unit_of_measurement"]) == ("volume_flow_rate", "L/min")


@pytest.mark.parametrize("thing", ["tractor-tracker", "van-tracker"])
async def test_trackers_in_both_position_shapes(
    hass: HomeAssistant, ready: MockConfigEntry, thing: str
) -> None:
    tracker = entity_id(hass, thing, "position")
    assert tracker.startswith("device_tracker.")
    attributes = _attributes(hass, tracker)
    assert 59.5 < attributes["latitude"] < 60.1
    assert 10.5 < attributes["longitude"] < 11
    assert attributes["source_type"] == "gps"


async def test_plug(hass: HomeAssistant, ready: MockConfigEntry) -> None:
    assert entity_id(hass, "greenhouse-plug", "on").startswith("switch.")
    power = _attributes(hass, entity_id(hass, "greenhouse-plug", "power"))
    assert (power["device_class"], power["unit_of_measurement"]) == ("power", "W")


async def test_the_other_stack_dialect(hass: HomeAssistant, cloud: SimulatorServer) -> None:
    data = answers(cloud, LAB_HOST, LAB_USER, LAB_PASSWORD)
    uid = f"{LAB_HOST}/{LAB_USER}"
    entry = MockConfigEntry(
        domain=DOMAIN, title=f"{data[CONF_USERNAME]} @ {data[CONF_HOST]}", unique_id=uid, data=data
    )
    entry.add_to_hass(hass)
    assert data[CONF_PASSWORD]
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    door = entity_id(hass, "lab-sensor", "door", entry_unique_id=uid)
    assert door.startswith("binary_sensor.")
    assert (state_of(hass, door), attribute_of(hass, door, "device_class")) == ("off", "door")
    assert (
        float(
            state_of(hass, entity_id(hass, "lab-sensor", "temperature", entry_unique_id=uid))
            or "nan"
        )
        > 15
    )
    message = entity_id(hass, "lab-lamp", "message", entry_unique_id=uid)
    assert message.startswith("text.")
    assert state_of(hass, message) == "Experiment running"
    level = entity_id(hass, "lab-lamp", "level", entry_unique_id=uid)
    assert attribute_of(hass, level, "step") == 10
    assert state_of(hass, entity_id(hass, "lab-lamp", "scene", entry_unique_id=uid)) == "focus"
    assert state_of(hass, entity_id(hass, "lab-lamp", "on", entry_unique_id=uid)) == "off"
    assert await hass.config_entries.async_unload(entry.entry_id)
