"""MQTT push through the simulator's real broker: every payload format to state, only the
entities concerned, drops and refusals with polling covering the gap, malformed messages."""

from __future__ import annotations

import logging

import aiomqtt
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cayenne.api import push as push_module
from custom_components.cayenne.const import FALLBACK_INTERVAL, WATCHDOG_INTERVAL
from simulators.cayenne import CayenneSimulator
from simulators.core import SimClock, SimulatorServer
from tests.simulated_time import SimulatedTime

from .conftest import EMAIL, LORA, PI
from .helpers import entity_id, eventually, run_client_on_loop_clock, sim_value, state_of

ARDUINO = "6c8e0a2d-4f6b-4d8f-b1c3-5e7a9c1e3b5d"  # capitalised types
MOTION = "4b6d8f0a-2c4e-4f6b-9d1a-3c5e7b9d1f3b"  # bare values
TRACKER = "9a1c3e5b-7d9f-4b1d-a3c5-e7f9b1d3f5a7"  # data/json with a position


def _number(hass: HomeAssistant, entity: str) -> float | None:
    value = state_of(hass, entity)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def _publish(sim: CayenneSimulator, thing_id: str, suffix: str, payload: str) -> None:
    """Publish as the thing itself does, with the account's broker credentials."""
    account = sim.cloud.accounts[EMAIL]
    credentials = sim.cloud.mqtt_client(account)
    async with aiomqtt.Client(
        sim.mqtt_host,
        sim.mqtt_port,
        username=credentials["id"],
        password=credentials["clear_secret"],
        identifier=thing_id,
    ) as client:
        await client.publish(f"v1/{credentials['id']}/things/{thing_id}/{suffix}", payload)


@pytest.mark.parametrize(
    ("thing_id", "channel", "entity_kind"),
    [
        (PI, 1, "typed"),
        (ARDUINO, 1, "capitalised"),
        (LORA, 5, "json"),
    ],
)
async def test_each_payload_format_reaches_state_without_polls(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: CayenneSimulator,
    cloud: SimulatorServer,
    sim_clock: SimClock,
    thing_id: str,
    channel: int,
    entity_kind: str,
) -> None:
    entity = entity_id(hass, thing_id, channel)
    polls = cloud.ctx.log.count("GET /v1.1/things")
    for _ in range(12):  # until the simulated value moves (each thing on its own cycle)
        before = _number(hass, entity)
        sim_clock.advance(600)
        expected = float(sim_value(sim, thing_id, channel))
        if expected != before:
            break
    await eventually(hass, lambda: _number(hass, entity) == pytest.approx(expected, abs=0.01))
    assert cloud.ctx.log.count("GET /v1.1/things") == polls  # push alone
    assert ready.runtime_data.coordinator.push.malformed == 0, entity_kind


async def test_bare_values_and_positions(
    hass: HomeAssistant, ready: MockConfigEntry, sim: CayenneSimulator
) -> None:
    motion = entity_id(hass, MOTION, 1)
    await _publish(sim, MOTION, "data/1", "1")
    await eventually(hass, lambda: state_of(hass, motion) == "on")
    await _publish(sim, MOTION, "data/1", "0")
    await eventually(hass, lambda: state_of(hass, motion) == "off")
    tracker = entity_id(
        hass, TRACKER, next(iter(sim.cloud.accounts[EMAIL].things[TRACKER].channels))
    )
    channel = tracker_channel(sim)
    await _publish(
        sim,
        TRACKER,
        "data/json",
        f'[{{"channel": "{channel}", "type": "gps", "unit": "m", '
        '"value": {"lat": 63.4305, "lng": 10.3951, "alt": 9}}]',
    )
    await eventually(hass, lambda: _attr(hass, tracker, "latitude") == 63.4305)
    assert _attr(hass, tracker, "longitude") == 10.3951


def tracker_channel(sim: CayenneSimulator) -> str:
    thing = sim.cloud.accounts[EMAIL].things[TRACKER]
    return next(ch.channel for ch in thing.channels.values() if ch.data_type == "gps")


def _attr(hass: HomeAssistant, entity: str, name: str) -> object:
    state = hass.states.get(entity)
    return None if state is None else state.attributes.get(name)


async def test_a_message_writes_only_its_things_entities(
    hass: HomeAssistant, ready: MockConfigEntry, sim: CayenneSimulator
) -> None:
    pi = entity_id(hass, PI, 1)
    lora = entity_id(hass, LORA, 5)
    lora_written = hass.states.get(lora).last_reported
    await _publish(sim, PI, "data/1", "temp,c=33.3")
    await eventually(hass, lambda: state_of(hass, pi) == "33.3")
    assert hass.states.get(lora).last_reported == lora_written


async def test_broker_drop_polling_covers_the_gap_and_push_returns_without_reauth(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    sim: CayenneSimulator,
    simulated_time: SimulatedTime,
) -> None:
    coordinator = ready.runtime_data.coordinator
    run_client_on_loop_clock(hass, ready)
    assert coordinator.update_interval == WATCHDOG_INTERVAL
    cloud.ctx.push.refuse_for(600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: not coordinator.push_connected)
    assert coordinator.update_interval == FALLBACK_INTERVAL
    pi = entity_id(hass, PI, 2)
    polls = cloud.ctx.log.count("GET /v1.1/things")
    await simulated_time.advance(300)
    assert cloud.ctx.log.count("GET /v1.1/things") >= polls + 4  # polling every minute
    await coordinator.async_refresh()  # the clock has moved on since the last of those
    assert _number(hass, pi) == pytest.approx(float(sim_value(sim, PI, 2)), abs=0.01)
    await simulated_time.advance(600)  # the broker accepts again
    await eventually(hass, lambda: coordinator.push_connected, within=10)
    assert coordinator.update_interval == WATCHDOG_INTERVAL
    assert not hass.config_entries.flow.async_progress_by_handler("cayenne")


async def test_refused_subscription_means_polling_logged_once(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    sim: CayenneSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = ready.runtime_data.coordinator
    sim.mqtt.refuse_subscriptions = True
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: coordinator.push.refused is not None, within=10)
    await eventually(hass, lambda: coordinator.push.connects >= 1)
    assert not coordinator.push_connected
    assert coordinator.update_interval == FALLBACK_INTERVAL
    refused = [r for r in caplog.records if "not available" in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.WARNING]
    sim.mqtt.refuse_subscriptions = False
    await eventually(hass, lambda: coordinator.push_connected, within=10)
    assert coordinator.push.refused is None


async def test_rotated_broker_credentials_are_fetched_again(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, sim: CayenneSimulator
) -> None:
    coordinator = ready.runtime_data.coordinator
    fetched = cloud.ctx.log.count("POST /v1.1/clients")
    await sim.mqtt.rotate(sim.cloud.accounts[EMAIL])
    await eventually(hass, lambda: not coordinator.push_connected)
    await eventually(hass, lambda: coordinator.push_connected, within=10)
    assert cloud.ctx.log.count("POST /v1.1/clients") == fetched + 1


async def test_malformed_messages_are_skipped_and_logged_once(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: CayenneSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = ready.runtime_data.coordinator
    pi = entity_id(hass, PI, 1)
    for payload in ("temp,c=abc", "\xff\xfe", "temp,c=1e999", ""):
        await _publish(sim, PI, "data/1", payload)
    await _publish(sim, PI, "data/json", '[{"channel": 1, "value": [[[[')
    await _publish(sim, PI, "data/1", "temp,c=18.25")
    await eventually(hass, lambda: state_of(hass, pi) == "18.25")
    assert coordinator.push.malformed == 5
    assert coordinator.push_connected
    warnings = [r for r in caplog.records if "malformed Cayenne MQTT" in r.getMessage()]
    assert len(warnings) == 2  # once per kind of topic (data, data/json), not per message


async def test_a_refused_login_fetches_the_credentials_once_then_gives_way(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(push_module, "REFUSED_RETRY", 60.0)
    coordinator = ready.runtime_data.coordinator
    fetched = cloud.ctx.log.count("POST /v1.1/clients")
    cloud.ctx.push.refuse_for(3600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: coordinator.push.refused is not None, within=10)
    assert cloud.ctx.log.count("POST /v1.1/clients") == fetched + 1
    assert coordinator.update_interval == FALLBACK_INTERVAL
    assert len([r for r in caplog.records if "not available" in r.getMessage()]) == 1
    assert not hass.config_entries.flow.async_progress_by_handler("cayenne")
