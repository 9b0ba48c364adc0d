"""Commands and rules through Home Assistant's services: confirmed by the thing's next value,
refused and failed commands as translated errors, the entity showing the real state."""

from __future__ import annotations

from homeassistant.components.light import ATTR_BRIGHTNESS
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.cayenne import CayenneSimulator
from simulators.core import HttpFault, SimulatorServer

from .conftest import FAN_RULE, PI
from .helpers import entity_id, eventually, sim_value, state_of

ARDUINO = "6c8e0a2d-4f6b-4d8f-b1c3-5e7a9c1e3b5d"
RELAY, DIMMER, SERVO, VALVE = 4, 5, 18, 20


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity: str, **data: object
) -> None:
    await hass.services.async_call(domain, service, {ATTR_ENTITY_ID: entity, **data}, blocking=True)


async def test_switch_number_and_light_commands_are_confirmed(
    hass: HomeAssistant, ready: MockConfigEntry, sim: CayenneSimulator, cloud: SimulatorServer
) -> None:
    relay = entity_id(hass, PI, RELAY)
    assert state_of(hass, relay) == "off"
    await _call(hass, "switch", "turn_on", relay)
    assert state_of(hass, relay) == "on"  # confirmed before the call returned
    assert sim_value(sim, PI, RELAY) == 1
    assert cloud.ctx.log.count("POST /v1.1/things/{thing_id}/cmd") == 1
    await _call(hass, "switch", "turn_off", relay)
    assert state_of(hass, relay) == "off"

    servo = entity_id(hass, ARDUINO, SERVO)
    await _call(hass, "number", "set_value", servo, value=45)
    assert state_of(hass, servo) == "45.0"

    lamp = entity_id(hass, PI, DIMMER)
    await _call(hass, "light", "turn_on", lamp, **{ATTR_BRIGHTNESS: 255})
    assert sim_value(sim, PI, DIMMER) == 100
    assert hass.states.get(lamp).attributes[ATTR_BRIGHTNESS] == 255
    await _call(hass, "light", "turn_off", lamp)
    assert state_of(hass, lamp) == "off"
    await _call(hass, "light", "turn_on", lamp)  # back to the brightness it had
    assert sim_value(sim, PI, DIMMER) == 100


async def test_a_refused_command_is_an_error_and_the_state_stays(
    hass: HomeAssistant, ready: MockConfigEntry, sim: CayenneSimulator
) -> None:
    valve = entity_id(hass, ARDUINO, VALVE)
    with pytest.raises(HomeAssistantError) as raised:
        await _call(hass, "switch", "turn_on", valve)
    assert raised.value.translation_key == "command_refused"
    assert state_of(hass, valve) == "off"


async def test_an_offline_thing_does_not_confirm(
    hass: HomeAssistant, ready: MockConfigEntry, sim: CayenneSimulator
) -> None:
    relay = entity_id(hass, PI, RELAY)
    sim.cloud.accounts["maker@cayenne.example"].things[PI].online = False
    with pytest.raises(HomeAssistantError) as raised:
        await _call(hass, "switch", "turn_on", relay)
    assert raised.value.translation_key == "command_not_confirmed"
    assert state_of(hass, relay) == "off"


async def test_without_push_the_command_is_read_back(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer
) -> None:
    coordinator = ready.runtime_data.coordinator
    cloud.ctx.push.refuse_for(3600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: not coordinator.push_connected)
    relay = entity_id(hass, PI, RELAY)
    await _call(hass, "switch", "turn_on", relay)
    assert state_of(hass, relay) == "on"
    assert cloud.ctx.log.count("GET /v1.1/telemetry/{thing_id}/sensors/{child_id}/summaries") > 0


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        (HttpFault(503, path="/v1.1/things/*/cmd"), "command_failed"),
        (
            HttpFault(
                400,
                path="/v1.1/things/*/cmd",
                body={"statusCode": 400, "error": "Bad Request", "message": "invalid value"},
            ),
            "command_refused",
        ),
    ],
)
async def test_failed_commands_are_translated_errors(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, fault: HttpFault, key: str
) -> None:
    cloud.ctx.faults.add_http(fault)
    relay = entity_id(hass, PI, RELAY)
    with pytest.raises(HomeAssistantError) as raised:
        await _call(hass, "switch", "turn_on", relay)
    assert raised.value.translation_key == key
    assert state_of(hass, relay) == "off"


async def test_rules_are_switches(
    hass: HomeAssistant, ready: MockConfigEntry, sim: CayenneSimulator, cloud: SimulatorServer
) -> None:
    rule = "switch.cayenne_rules_fan_on_when_warm"
    assert state_of(hass, rule) == "on"
    await _call(hass, "switch", "turn_off", rule)
    assert state_of(hass, rule) == "off"
    assert sim.cloud.accounts["maker@cayenne.example"].rules[FAN_RULE]["enabled"] is False
    await ready.runtime_data.coordinator.async_refresh()
    assert state_of(hass, rule) == "off"
    cloud.ctx.faults.add_http(HttpFault(503, path="/v1.1/rules/*", method="PUT"))
    with pytest.raises(HomeAssistantError) as raised:
        await _call(hass, "switch", "turn_on", rule)
    assert raised.value.translation_key == "command_failed"
    assert state_of(hass, rule) == "off"


async def test_a_rejected_password_during_a_command_starts_reauth(
    hass: HomeAssistant, ready: MockConfigEntry, sim: CayenneSimulator, cloud: SimulatorServer
) -> None:
    sim.cloud.accounts["maker@cayenne.example"].password = "changed"
    cloud.ctx.tokens.revoke_subject()
    with pytest.raises(HomeAssistantError) as raised:
        await _call(hass, "switch", "turn_on", entity_id(hass, PI, RELAY))
    assert raised.value.translation_key == "auth_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler("cayenne")
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
