"""Polling with the socket: tokens, reconnects, rate limits, dynamic and stale devices."""

from __future__ import annotations

import logging

from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.homely.alarm_control_panel import map_alarm_state
from custom_components.homely.const import (
    DOMAIN,
    FALLBACK_INTERVAL,
    STALE_AFTER,
    WATCHDOG_INTERVAL,
)
from simulators.core import HttpFault, SimClock, SimulatorServer
from simulators.homely import HomelySimulator
from simulators.homely.scenario import DEVICE_SCHEMA

from .conftest import FLOOD, HOME, MOTION, SetUp
from .helpers import eventually, state_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DISARMED", AlarmControlPanelState.DISARMED),
        ("ARMED_AWAY", AlarmControlPanelState.ARMED_AWAY),
        ("ARMED_NIGHT", AlarmControlPanelState.ARMED_NIGHT),
        ("ARMED_STAY", AlarmControlPanelState.ARMED_HOME),
        ("ARMED_PARTLY", AlarmControlPanelState.ARMED_HOME),
        ("ARM_PENDING", AlarmControlPanelState.ARMING),
        ("ARM_STAY_PENDING", AlarmControlPanelState.ARMING),
        ("ARM_NIGHT_PENDING", AlarmControlPanelState.ARMING),
        ("ARM_AWAY_PENDING", AlarmControlPanelState.ARMING),
        ("ALARM_STAY_PENDING", AlarmControlPanelState.ARMING),
        ("ARMED_NIGHT_PENDING", AlarmControlPanelState.ARMING),
        ("ARMED_AWAY_PENDING", AlarmControlPanelState.ARMING),
        ("BREACHED", AlarmControlPanelState.TRIGGERED),
        ("ALARM", AlarmControlPanelState.TRIGGERED),
        # unknown names, by pattern
        ("disarmed_by_keypad", AlarmControlPanelState.DISARMED),
        ("BREACH_ENTRY_PENDING", AlarmControlPanelState.PENDING),
        ("ALARM_FIRE", AlarmControlPanelState.TRIGGERED),
        ("BREACHED_NIGHT", AlarmControlPanelState.TRIGGERED),
        ("ARMING_PENDING_X", AlarmControlPanelState.ARMING),
        ("ARMED_NIGHT_PARTIAL", AlarmControlPanelState.ARMED_NIGHT),
        ("FULLY_AWAY", AlarmControlPanelState.ARMED_AWAY),
        ("HOME_MODE", AlarmControlPanelState.ARMED_HOME),
        ("SOMETHING", None),
        ("", None),
        (None, None),
    ],
)
def test_alarm_state_mapping(raw: str | None, expected: AlarmControlPanelState | None) -> None:
    assert map_alarm_state(raw) == expected


async def test_unknown_alarm_state_is_logged_once(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: HomelySimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    home = sim.cloud.homes[HOME]
    sim.cloud.set_alarm(home, "WEIRD", None, sim.ctx.clock.now())
    await eventually(hass, lambda: state_of(hass, "alarm_control_panel.solbakken_12") == "unknown")
    sim.cloud.set_alarm(home, "WEIRD", None, sim.ctx.clock.now() + 1)
    await hass.async_block_till_done()
    assert caplog.text.count("Unknown Homely alarm state WEIRD") == 1


async def test_tokens_expire_and_the_integration_signs_in_again(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, sim_clock: SimClock
) -> None:
    coordinator = ready.runtime_data.coordinator
    client = ready.runtime_data.client
    client._clock = sim_clock.now
    client._access.expires_at = sim_clock.now() + 60  # type: ignore[union-attr]
    client._refresh.expires_at = sim_clock.now() + 1800  # type: ignore[union-attr]
    sim_clock.advance(58)
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert client.refreshes == 1
    sim_clock.advance(4000)  # both tokens expired: sign in again with the stored password
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert client.logins == 2
    assert not hass.config_entries.flow.async_progress()
    push = coordinator.push
    assert push is not None
    assert (push.connects, push.connected) == (1, True)  # renewing tokens leaves the socket be


@pytest.mark.parametrize("scenario", ["typical_home.yaml", "live_shapes.yaml"])
async def test_renewals_use_the_refresh_token_whether_or_not_its_lifetime_is_given(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, sim_clock: SimClock
) -> None:
    coordinator = ready.runtime_data.coordinator
    client = ready.runtime_data.client
    client._clock = sim_clock.now  # token lifetimes on the simulator's clock
    client._access = client._refresh = None
    cloud.ctx.log.clear()
    for _ in range(10):  # ten polls, each after the one-minute access token has run out
        await coordinator.async_refresh()
        assert coordinator.last_update_success
        sim_clock.advance(58)
    assert cloud.ctx.log.count("POST /homely/oauth/token") == 1
    assert cloud.ctx.log.count("POST /homely/oauth/refresh-token") == 9


async def test_a_malformed_sign_in_request_is_not_reauth(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer
) -> None:
    coordinator = ready.runtime_data.coordinator
    cloud.ctx.tokens.revoke_subject()  # the next poll has to sign in again
    body = {"statusCode": 400, "message": ["username must be an email"]}
    cloud.ctx.faults.add_http(HttpFault(400, path="/homely/oauth/token", body=body))
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    await hass.async_block_till_done()
    assert not hass.config_entries.flow.async_progress()
    cloud.ctx.faults.clear()
    await coordinator.async_refresh()
    assert coordinator.last_update_success


async def test_revoked_tokens_and_changed_password(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, sim: HomelySimulator
) -> None:
    coordinator = ready.runtime_data.coordinator
    cloud.ctx.tokens.revoke_subject()
    await coordinator.async_refresh()
    assert coordinator.last_update_success  # signed in again by itself
    sim.cloud.users["kari@homely.example"].password = "new"
    cloud.ctx.tokens.revoke_subject()
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_socket_dropped_and_restored(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, sim: HomelySimulator
) -> None:
    coordinator = ready.runtime_data.coordinator
    polls = cloud.ctx.log.count("GET /homely/home/{location_id}")
    cloud.ctx.push.refuse_for(3600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: coordinator.update_interval == FALLBACK_INTERVAL)
    # While the socket is away, polling is the source: entities stay available.
    assert state_of(hass, "binary_sensor.gang_motion") == "off"
    cloud.ctx.push.refuse_for(0)
    await eventually(hass, lambda: coordinator.update_interval == WATCHDOG_INTERVAL, within=10)
    # A resync after the reconnect catches up on what the socket missed.
    await eventually(hass, lambda: cloud.ctx.log.count("GET /homely/home/{location_id}") > polls)
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.gang_motion") == "on")


async def test_server_disconnect_reconnects(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator
) -> None:
    push = ready.runtime_data.coordinator.push
    assert push is not None
    await sim.socket.server_disconnect("Unauthorized")
    await eventually(hass, lambda: push.connects == 2 and push.connected)
    await eventually(hass, lambda: sim.socket.listeners(HOME) == 1)


async def test_429_on_a_watchdog_poll_keeps_entities_available(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer, sim: HomelySimulator
) -> None:
    coordinator = ready.runtime_data.coordinator
    cloud.ctx.faults.add_http(HttpFault(429, path="/homely/home/*", remaining=1))
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert coordinator.push_connected
    assert state_of(hass, "binary_sensor.gang_motion") == "off"  # the socket still feeds it
    before = cloud.ctx.log.total
    await coordinator.async_refresh()  # held back by the gate, not sent
    assert cloud.ctx.log.total == before
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.gang_motion") == "on")


async def test_cloud_errors_without_socket_make_entities_unavailable(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer
) -> None:
    coordinator = ready.runtime_data.coordinator
    cloud.ctx.push.refuse_for(3600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: not coordinator.push_connected)
    cloud.ctx.faults.add_http(HttpFault(503, path="/homely/home/*", remaining=1))
    await coordinator.async_refresh()
    assert state_of(hass, "binary_sensor.gang_motion") == "unavailable"
    assert state_of(hass, "alarm_control_panel.solbakken_12") == "unavailable"
    await coordinator.async_refresh()
    assert state_of(hass, "binary_sensor.gang_motion") == "off"


async def test_offline_devices_are_unavailable_except_their_link(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator
) -> None:
    sim.cloud.homes[HOME].devices[FLOOD].online = False
    await ready.runtime_data.coordinator.async_refresh()
    assert state_of(hass, "binary_sensor.vannlekkasje_vaskerom_water_leak") == "unavailable"
    assert state_of(hass, "binary_sensor.vannlekkasje_vaskerom_online") == "off"


async def test_devices_added_and_removed(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: HomelySimulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    home = sim.cloud.homes[HOME]
    added = sim.cloud.add_devices(home, DEVICE_SCHEMA({"kind": "smoke", "name": "Garasje"}), 0)[0]
    # Its first event makes the integration look again (debounced), and its entities appear.
    sim.cloud.set_state(home, added, "alarm", "fire", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.garasje_smoke") is not None)
    assert device_registry.async_get_device(identifiers={(DOMAIN, added.device_id)}) is not None
    sim.cloud.remove_device(home, FLOOD)
    await ready.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert device_registry.async_get_device(identifiers={(DOMAIN, FLOOD)}) is None
    assert entity_registry.async_get("binary_sensor.vannlekkasje_vaskerom_water_leak") is None


async def test_a_busy_socket_does_not_postpone_the_watchdog_poll(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator, sim_clock: SimClock
) -> None:
    coordinator = ready.runtime_data.coordinator
    scheduled = coordinator._unsub_refresh  # the watchdog poll's timer
    assert scheduled is not None
    for _ in range(12):
        sim_clock.advance(10)  # a HAN meter reports every 10 s
    await eventually(hass, lambda: coordinator.push.events >= 12)  # type: ignore[union-attr]
    assert coordinator._unsub_refresh is scheduled  # not re-armed by any of those events


async def test_an_event_writes_only_the_entities_of_its_device(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator
) -> None:
    sibling = "sensor.gang_temperature"  # the same device as the motion sensor
    others = ("binary_sensor.vannlekkasje_vaskerom_water_leak", "alarm_control_panel.solbakken_12")
    reported = {e: hass.states.get(e).last_reported for e in (sibling, *others)}  # type: ignore[union-attr]
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.gang_motion") == "on")
    assert hass.states.get(sibling).last_reported > reported[sibling]  # type: ignore[union-attr]
    for entity_id in others:
        assert hass.states.get(entity_id).last_reported == reported[entity_id]  # type: ignore[union-attr]


async def test_stale_data_turns_unavailable_after_a_bound_and_is_logged_once(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    coordinator = ready.runtime_data.coordinator
    entities = ("binary_sensor.gang_motion", "alarm_control_panel.solbakken_12")
    cloud.ctx.faults.add_http(HttpFault(503, path="/homely/home/*"))
    await coordinator.async_refresh()
    assert [state_of(hass, e) for e in entities] == ["off", "disarmed"]  # the socket feeds them
    await coordinator.async_refresh()  # failing again: Home Assistant writes no entity
    # STALE_AFTER later (on the monotonic clock the data's age is measured with, too):
    coordinator.data.polled_at -= STALE_AFTER.total_seconds()
    async_fire_time_changed(hass, dt_util.utcnow() + STALE_AFTER)
    await hass.async_block_till_done()
    assert [state_of(hass, e) for e in entities] == ["unavailable", "unavailable"]
    await coordinator.async_refresh()
    assert [state_of(hass, e) for e in entities] == ["unavailable", "unavailable"]
    cloud.ctx.faults.clear()
    await coordinator.async_refresh()
    assert [state_of(hass, e) for e in entities] == ["off", "disarmed"]
    assert caplog.text.count("Solbakken 12 is unavailable") == 1
    assert caplog.text.count("Solbakken 12 is back online") == 1


async def test_a_home_without_devices_at_setup_gets_entities_for_a_new_one(
    hass: HomeAssistant,
    setup_integration: SetUp,
    sim: HomelySimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    home = sim.cloud.homes[HOME]
    for device_id in list(home.devices):
        sim.cloud.remove_device(home, device_id)
    entry = await setup_integration()
    assert len(dr.async_entries_for_config_entry(device_registry, entry.entry_id)) == 1  # home
    sim.cloud.add_devices(home, DEVICE_SCHEMA({"kind": "smoke", "name": "Garasje"}), 0)
    await entry.runtime_data.coordinator.async_refresh()  # the next poll lists it
    await hass.async_block_till_done()
    assert state_of(hass, "binary_sensor.garasje_smoke") == "off"
    assert state_of(hass, "sensor.garasje_temperature") == "21.0"


async def test_a_poll_with_an_unreadable_device_removes_no_device(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    sim: HomelySimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    body = sim.cloud.homes[HOME].as_json("ADMIN")
    body["devices"] = [d for d in body["devices"] if d["id"] != FLOOD]
    body["devices"].append({"id": FLOOD, "features": "unreadable"})
    cloud.ctx.faults.add_http(HttpFault(200, path="/homely/home/*", remaining=1, body=body))
    await ready.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert device_registry.async_get_device(identifiers={(DOMAIN, FLOOD)}) is not None
    assert state_of(hass, "binary_sensor.vannlekkasje_vaskerom_water_leak") == "unavailable"
    await ready.runtime_data.coordinator.async_refresh()  # readable again
    assert state_of(hass, "binary_sensor.vannlekkasje_vaskerom_water_leak") == "off"


async def test_unreadable_device_is_skipped_and_logged_once(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    sim: HomelySimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = sim.cloud.homes[HOME].as_json("ADMIN")
    body["devices"].append({"name": "no id"})
    for _ in range(2):
        cloud.ctx.faults.add_http(HttpFault(200, path="/homely/home/*", remaining=1, body=body))
        await ready.runtime_data.coordinator.async_refresh()
    assert caplog.text.count("Skipping an unreadable Homely device") == 1
    assert state_of(hass, "binary_sensor.gang_motion") == "off"


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_live_updates_sensor_follows_the_socket(
    hass: HomeAssistant, ready: MockConfigEntry, cloud: SimulatorServer
) -> None:
    entity_id = "binary_sensor.solbakken_12_live_updates"
    assert state_of(hass, entity_id) == "on"
    cloud.ctx.push.refuse_for(3600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: state_of(hass, entity_id) == "off")
    cloud.ctx.push.refuse_for(0)
    await eventually(hass, lambda: state_of(hass, entity_id) == "on", within=10)
