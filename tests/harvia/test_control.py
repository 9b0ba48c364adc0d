"""Controlling saunas from Home Assistant: entities, the start_session action, every failure."""

from __future__ import annotations

from typing import Any

from homeassistant.components.climate import (
    ATTR_HVAC_MODE,
    ATTR_PRESET_MODE,
    DOMAIN as CLIMATE,
    SERVICE_SET_HUMIDITY,
    SERVICE_SET_HVAC_MODE,
    SERVICE_SET_PRESET_MODE,
    SERVICE_SET_TEMPERATURE,
    HVACMode,
)
from homeassistant.components.light import ATTR_COLOR_MODE, DOMAIN as LIGHT, ColorMode
from homeassistant.components.number import DOMAIN as NUMBER, SERVICE_SET_VALUE
from homeassistant.components.select import DOMAIN as SELECT, SERVICE_SELECT_OPTION
from homeassistant.components.switch import DOMAIN as SWITCH
from homeassistant.const import ATTR_ENTITY_ID, ATTR_TEMPERATURE, SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.harvia.const import DOMAIN, SERVICE_START_SESSION
from simulators.core import SimClock, SimulatorServer
from simulators.harvia import HarviaSimulator

from .conftest import BOTH_SHAPES, SetUp
from .helpers import eventually, state_of, subscribed

CLIMATE_ID = "climate.cabin_sauna"


async def call(hass: HomeAssistant, domain: str, service: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(domain, service, data, blocking=True)
    await hass.async_block_till_done()


@BOTH_SHAPES
async def test_climate_controls(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator, sim_clock: SimClock
) -> None:
    await setup_integration()
    await subscribed(hass, sim, "xenio-1")
    cabin = sim.cloud.saunas["xenio-1"].cabin("C1")
    await call(
        hass,
        CLIMATE,
        SERVICE_SET_TEMPERATURE,
        {ATTR_ENTITY_ID: CLIMATE_ID, ATTR_TEMPERATURE: 90, ATTR_HVAC_MODE: HVACMode.HEAT},
    )
    assert (cabin.target_temp, cabin.on) == (90, True)
    await eventually(hass, lambda: state_of(hass, CLIMATE_ID) == "heat")
    assert hass.states.get(CLIMATE_ID).attributes["hvac_action"] == "heating"
    await call(hass, CLIMATE, SERVICE_SET_HUMIDITY, {ATTR_ENTITY_ID: CLIMATE_ID, "humidity": 35})
    assert cabin.target_hum == 35
    await call(
        hass,
        CLIMATE,
        SERVICE_SET_PRESET_MODE,
        {ATTR_ENTITY_ID: CLIMATE_ID, ATTR_PRESET_MODE: "Eco"},
    )
    assert cabin.active_profile == 3
    sim_clock.advance(90 * 60)  # heated up to 70 °C and holds it
    # The jump expires the push's token: push reconnects and its resync poll waits out the
    # refresh debouncer's cooldown (10 s) left by the resync when push first came up.
    await eventually(
        hass, lambda: state_of(hass, "sensor.cabin_sauna_status") == "ready", within=20
    )
    assert hass.states.get(CLIMATE_ID).attributes["hvac_action"] == "idle"
    await call(hass, CLIMATE, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: CLIMATE_ID})
    assert cabin.on is False
    await call(hass, CLIMATE, SERVICE_TURN_ON, {ATTR_ENTITY_ID: CLIMATE_ID})
    assert cabin.on is True
    await call(
        hass,
        CLIMATE,
        SERVICE_SET_HVAC_MODE,
        {ATTR_ENTITY_ID: CLIMATE_ID, ATTR_HVAC_MODE: HVACMode.OFF},
    )
    assert cabin.on is False


@BOTH_SHAPES
async def test_light_switches_number_and_select(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    await setup_integration()
    await subscribed(hass, sim, "xenio-1")
    cabin = sim.cloud.saunas["xenio-1"].cabin("C1")
    for domain, entity, attribute in ((LIGHT, "light.cabin_sauna_light", "light"),
                                      (SWITCH, "switch.cabin_sauna_fan", "fan"),
                                      (SWITCH, "switch.cabin_sauna_steamer", "steamer")):  # fmt: skip
        await call(hass, domain, SERVICE_TURN_ON, {ATTR_ENTITY_ID: entity})
        assert getattr(cabin, attribute) is True
        await eventually(hass, lambda entity=entity: state_of(hass, entity) == "on")
        await call(hass, domain, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: entity})
        assert getattr(cabin, attribute) is False
        await eventually(hass, lambda entity=entity: state_of(hass, entity) == "off")
    assert hass.states.get("light.cabin_sauna_light").attributes[ATTR_COLOR_MODE] is None  # off
    await call(hass, LIGHT, SERVICE_TURN_ON, {ATTR_ENTITY_ID: "light.cabin_sauna_light"})
    await eventually(hass, lambda: state_of(hass, "light.cabin_sauna_light") == "on")
    assert hass.states.get("light.cabin_sauna_light").attributes[ATTR_COLOR_MODE] == ColorMode.ONOFF
    await call(
        hass,
        NUMBER,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: "number.cabin_sauna_session_duration", "value": 75},
    )
    assert cabin.duration_min == 75
    await eventually(hass, lambda: state_of(hass, "number.cabin_sauna_session_duration") == "75")
    assert hass.states.get("number.cabin_sauna_session_duration").attributes["max"] == 240
    await call(
        hass,
        SELECT,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: "select.cabin_sauna_profile", "option": "Soft steam"},
    )
    assert cabin.active_profile == 1
    with pytest.raises(ServiceValidationError):
        await call(
            hass,
            SELECT,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: "select.cabin_sauna_profile", "option": "Nope"},
        )


@BOTH_SHAPES
async def test_start_session(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    await setup_integration()
    cabin = sim.cloud.saunas["xenio-1"].cabin("C1")
    await call(hass, DOMAIN, SERVICE_START_SESSION,
               {ATTR_ENTITY_ID: CLIMATE_ID, "profile": "Hot", "temperature": 85, "humidity": 20, "duration": 90})  # fmt: skip
    assert (
        cabin.on,
        cabin.active_profile,
        cabin.target_temp,
        cabin.target_hum,
        cabin.duration_min,
    ) == (True, 2, 85, 20, 90)
    await call(hass, CLIMATE, SERVICE_TURN_OFF, {ATTR_ENTITY_ID: CLIMATE_ID})
    await call(hass, DOMAIN, SERVICE_START_SESSION, {ATTR_ENTITY_ID: CLIMATE_ID})
    assert cabin.on is True


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"temperature": 120}, "temperature_out_of_range"),
        ({"profile": "Party"}, "unknown_profile"),
    ],
)
async def test_start_session_validation(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    data: dict[str, Any],
    key: str,
) -> None:
    await setup_integration()
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, DOMAIN, SERVICE_START_SESSION, {ATTR_ENTITY_ID: CLIMATE_ID, **data})
    assert err.value.translation_key == key
    assert sim.cloud.saunas["xenio-1"].cabin("C1").on is False


@pytest.mark.parametrize("scenario", ["fenix_two_cabins.yaml"])
async def test_fenix_humidity_through_targets_not_the_steamer(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    await setup_integration()
    assert hass.states.get("switch.steam_room_steamer") is None  # Fenix refuses STEAMER
    await call(
        hass, DOMAIN, SERVICE_START_SESSION, {ATTR_ENTITY_ID: "climate.steam_room", "humidity": 45}
    )
    cabin = sim.cloud.saunas["fenix-1"].cabin("C2")
    assert (cabin.target_hum, cabin.on) == (45, True)


@pytest.mark.parametrize("scenario", ["sauna_sensor.yaml"])
async def test_start_session_needs_steam_for_humidity(
    hass: HomeAssistant, setup_integration: SetUp, tmp_path: object
) -> None:
    await setup_integration()
    assert hass.states.get("sensor.lake_sauna_sensor_temperature") is not None
    assert not hass.states.async_entity_ids(CLIMATE)


async def test_humidity_without_steam(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    sim.cloud.saunas["xenio-1"].has_steamer = False
    await setup_integration()
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, DOMAIN, SERVICE_START_SESSION, {ATTR_ENTITY_ID: CLIMATE_ID, "humidity": 30}
        )
    assert err.value.translation_key == "humidity_unsupported"


@pytest.mark.parametrize(
    ("prepare", "key", "error"),
    [
        (lambda sim, cloud: sim.cloud.set_door("xenio-1", "C1", closed=False), "remote_not_allowed", HomeAssistantError),
        (lambda sim, cloud: sim.cloud.set_connected("xenio-1", connected=False), "device_unavailable", HomeAssistantError),
        (lambda sim, cloud: cloud.ctx.faults.add_from_json("http", {"status": 503, "path": "/rest/device/devices/command"}),
         "cannot_connect", HomeAssistantError),
        (lambda sim, cloud: cloud.ctx.faults.add_from_json(
            "http", {"status": 400, "path": "/rest/device/devices/command",
                     "body": {"error": "Bad Request", "message": "Command 'SAUNA' is not supported for device type 'Xenio'."}}),
         "unsupported", ServiceValidationError),
        (lambda sim, cloud: cloud.ctx.faults.add_from_json(
            "http", {"status": 409, "path": "/rest/device/devices/command", "body": {"message": "Busy"}}),
         "command_failed", HomeAssistantError),
    ],
)  # fmt: skip
async def test_command_failures_are_translated(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HarviaSimulator,
    cloud: SimulatorServer,
    prepare: Any,
    key: str,
    error: type[Exception],
) -> None:
    entry = await setup_integration()
    entry.runtime_data.client.command_retry_delays = (0.01,)
    prepare(sim, cloud)
    with pytest.raises(error) as err:
        await call(hass, CLIMATE, SERVICE_TURN_ON, {ATTR_ENTITY_ID: CLIMATE_ID})
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def test_invalid_value_and_auth_failure_during_a_command(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator, cloud: SimulatorServer
) -> None:
    entry = await setup_integration()
    cloud.ctx.faults.add_from_json(
        "http", {"status": 400, "path": "/rest/device/devices/target", "count": 1,
                 "body": {"error": "Bad Request", "message": "Temperature must be between 40 and 105."}},
    )  # fmt: skip
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            CLIMATE,
            SERVICE_SET_TEMPERATURE,
            {ATTR_ENTITY_ID: CLIMATE_ID, ATTR_TEMPERATURE: 100},
        )
    assert err.value.translation_key == "invalid_value"
    sim.cloud.change_password("xenio@harvia.example", "changed")
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, LIGHT, SERVICE_TURN_ON, {ATTR_ENTITY_ID: "light.cabin_sauna_light"})
    assert err.value.translation_key == "auth_failed"
    assert [f["context"]["source"] for f in hass.config_entries.flow.async_progress()] == ["reauth"]
    assert entry.state.recoverable


async def test_the_light_is_unavailable_with_its_sauna(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    await setup_integration()
    await subscribed(hass, sim, "xenio-1")
    sim.cloud.set_connected("xenio-1", connected=False)
    await eventually(hass, lambda: state_of(hass, "light.cabin_sauna_light") == "unavailable")
    sim.cloud.set_connected("xenio-1", connected=True)
    await eventually(hass, lambda: state_of(hass, "light.cabin_sauna_light") == "off")


async def test_the_old_lights_switch_is_removed(
    hass: HomeAssistant,
    setup_integration: SetUp,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The light was a switch once; a registry entry cannot change domain, so it goes."""
    old = entity_registry.async_get_or_create(
        SWITCH, DOMAIN, "xenio-1_C1_lights", config_entry=config_entry
    )
    await setup_integration()
    assert entity_registry.async_get(old.entity_id) is None
    light = entity_registry.async_get("light.cabin_sauna_light")
    assert light is not None
    assert light.unique_id == "xenio-1_C1_light"


@pytest.mark.parametrize("scenario", ["live_shapes.yaml"])
async def test_a_fenix_without_a_type_in_the_device_list(
    hass: HomeAssistant, setup_integration: SetUp, sim: HarviaSimulator
) -> None:
    """Minimal device rows name no type; the shadow's 0/1 flags still say Fenix."""
    await setup_integration()
    assert hass.states.get("climate.villa_sauna") is not None  # the name from displayName
    assert hass.states.get("switch.villa_sauna_steamer") is None  # Fenix refuses STEAMER
    assert hass.states.get("sensor.villa_sauna_heater_power") is None  # always 0 W on Fenix
    assert hass.states.get("switch.cabin_sauna_steamer") is not None  # the Xenio has one
    await call(
        hass, DOMAIN, SERVICE_START_SESSION, {ATTR_ENTITY_ID: "climate.villa_sauna", "humidity": 45}
    )
    cabin = sim.cloud.saunas["fenix-1"].cabin("C1")
    assert (cabin.target_hum, cabin.on) == (45, True)
    await subscribed(hass, sim, "fenix-1")
    sim.cloud.set_door("fenix-1", "C1", closed=False)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.villa_sauna_door") == "on")
