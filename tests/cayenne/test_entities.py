"""Entities from each channel's data type and unit: platform, device class, unit, state class."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import LORA, PI
from .helpers import entity_id, state_of

ARDUINO = "6c8e0a2d-4f6b-4d8f-b1c3-5e7a9c1e3b5d"
MOTION = "4b6d8f0a-2c4e-4f6b-9d1a-3c5e7b9d1f3b"


@pytest.mark.parametrize(
    ("thing_id", "channel", "domain", "device_class", "unit", "state_class"),
    [
        (PI, 1, "sensor", "temperature", "°C", "measurement"),
        (PI, 2, "sensor", "humidity", "%", "measurement"),
        (PI, 3, "sensor", "illuminance", "lx", "measurement"),
        (PI, 4, "switch", "switch", None, None),
        (PI, 5, "light", None, None, None),
        (LORA, 5, "sensor", "battery", "%", "measurement"),
        (LORA, 100, "sensor", "signal_strength", "dBm", "measurement"),
        (LORA, 101, "sensor", "signal_strength", "dB", "measurement"),
        (MOTION, 1, "binary_sensor", "motion", None, None),
    ],
)
async def test_channel_entities(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    thing_id: str,
    channel: int,
    domain: str,
    device_class: str | None,
    unit: str | None,
    state_class: str | None,
) -> None:
    entity = entity_id(hass, thing_id, channel)
    assert entity.split(".")[0] == domain
    state = hass.states.get(entity)
    assert state is not None
    assert state.state not in ("unavailable", "unknown")
    assert state.attributes.get("device_class") == device_class
    assert state.attributes.get("unit_of_measurement") == unit
    assert state.attributes.get("state_class") == state_class


async def test_every_data_type_of_the_board_has_its_entity(
    hass: HomeAssistant, ready: MockConfigEntry
) -> None:
    """The multi-channel board carries one channel of every other type (capitalised types)."""
    registry = er.async_get(hass)
    board = {
        entry.unique_id.rsplit("_", 1)[1]: entry
        for entry in registry.entities.values()
        if entry.unique_id.startswith(f"{ARDUINO}_") and not entry.unique_id.endswith("_seen")
    }
    kinds = {
        (entry.domain, entry.original_device_class or "", entry.unit_of_measurement or "")
        for entry in board.values()
    }
    expected = {
        ("sensor", "temperature", "K"),
        ("sensor", "voltage", "V"),
        ("sensor", "voltage", "mV"),
        ("sensor", "current", "A"),
        ("sensor", "power", "W"),
        ("sensor", "energy", "kWh"),
        ("sensor", "carbon_dioxide", "ppm"),
        ("sensor", "moisture", "%"),
        ("sensor", "precipitation", "mm"),
        ("sensor", "wind_speed", "km/h"),
        ("sensor", "atmospheric_pressure", "hPa"),
        ("binary_sensor", "presence", ""),
        ("switch", "switch", ""),
        ("number", "temperature", "°C"),
        ("number", "", "%"),
        ("number", "", ""),
        ("sensor", "", ""),  # analog input, counter, and the unknown type `xyz`
    }
    missing = expected - kinds
    assert not missing, sorted(kinds)
    energy = next(e for e in board.values() if e.original_device_class == "energy")
    assert hass.states.get(energy.entity_id).attributes["state_class"] == "total_increasing"
    outdoor = next(e for e in board.values() if e.original_name == "Outdoor temperature")
    assert hass.states.get(outdoor.entity_id).attributes["unit_of_measurement"] == "°C"  # from °F
    unknown = next(e for e in board.values() if e.original_name == "Mystery channel")
    assert state_of(hass, unknown.entity_id) == "7.0"


async def test_things_have_a_last_seen_timestamp(
    hass: HomeAssistant, ready: MockConfigEntry
) -> None:
    state = hass.states.get("sensor.raspberry_pi_last_seen")
    assert state is not None
    assert state.attributes["device_class"] == "timestamp"
    assert er.async_get(hass).async_get(state.entity_id).entity_category == "diagnostic"
