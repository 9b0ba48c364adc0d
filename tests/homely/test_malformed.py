"""One bad value harms only itself: malformed REST bodies and push frames, through real Home
Assistant and the simulator's fault injection."""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulators.core import SimulatorServer
from simulators.homely import HomelySimulator
from simulators.homely.malformed import MALFORMED_FRAMES
from simulators.testing import SimulatorAdmin

from .conftest import FLOOD, HAN, HOME, MOTION, THERMOSTAT, SetUp
from .helpers import eventually, socket_ready, state_of

PANEL = "alarm_control_panel.solbakken_12"
MOTION_SENSOR = "binary_sensor.gang_motion"
NOT_A_STRING: list[Any] = [7, {"name": "odd"}, ["a"], True]


def entities_of(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    return {
        e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }


async def test_one_malformed_device_and_alarm_state_leave_every_other_entity(
    hass: HomeAssistant,
    setup_integration: SetUp,
    config_entry: MockConfigEntry,
    sim: HomelySimulator,
    cloud: SimulatorServer,
    http: Any,
) -> None:
    # How many entities a healthy home gets.
    entry = await setup_integration()
    healthy = entities_of(hass, entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    admin = SimulatorAdmin(http, cloud.url)
    await admin._call("POST", f"/homely/homes/{HOME}/fields", {"fields": {"alarmState": 5}})
    await admin._call(
        "POST", f"/homely/devices/{THERMOSTAT}/fields", {"fields": {"modelName": {"odd": 1}}}
    )
    await admin._call("POST", f"/homely/devices/{HAN}/fields", {"fields": {"modelName": 42}})
    odd_states = {
        "features": {
            "alarm": {"states": {"flood": {"value": [1], "lastUpdated": "2026-01-01T10:00:00"}}},
            "battery": {"states": {"low": {"value": {"x": 1}, "lastUpdated": 17}}},
            "diagnostic": "not an object",
        }
    }
    await admin._call("POST", f"/homely/devices/{FLOOD}/fields", {"fields": odd_states})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await socket_ready(hass, entry, sim)

    assert entry.state is ConfigEntryState.LOADED
    created = entities_of(hass, entry)
    # Every entity of every other device; the odd devices keep what they still report.
    assert len(created) >= len(healthy) - 4, healthy - created
    assert MOTION_SENSOR in created
    others = [
        e
        for e in created
        if hass.states.get(e) is not None
        and not any(part in e for part in ("bad_varmekabel", "han_plug", "vannlekkasje", "live"))
        and e != PANEL
    ]
    assert len(others) > 40
    assert [e for e in others if state_of(hass, e) == STATE_UNAVAILABLE] == []
    assert state_of(hass, PANEL) == "unknown"  # an alarm state that is not a word
    # The odd devices still update: a push reaches the motion sensor as before.
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, MOTION_SENSOR) == "on")


async def test_malformed_frames_flood_is_logged_once_and_the_next_frame_applies(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: HomelySimulator,
    cloud: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = ready.runtime_data.coordinator
    connects = coordinator.push.connects
    home = sim.cloud.homes[HOME]
    flood = 3 * len(MALFORMED_FRAMES)  # every kind, three times
    cloud.ctx.push.corrupt_next(flood)
    for n in range(flood):
        sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", n % 2 == 0)
    await eventually(hass, lambda: coordinator.push.malformed >= flood)
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, MOTION_SENSOR) == "on")
    assert coordinator.push.connects == connects  # the socket stayed up
    assert sim.socket.listeners(HOME) == 1
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len([r for r in warnings if "malformed" in r.getMessage()]) == 1, warnings
    assert "Task exception was never retrieved" not in caplog.text


ODD_ALARM_EVENTS: list[Any] = [
    "not an object",
    ["a", "list"],
    {"type": "alarm-state-changed"},
    {"type": "alarm-state-changed", "data": None},
    {"type": "alarm-state-changed", "data": {"locationId": HOME, "state": 7}},
    {
        "type": "alarm-state-changed",
        "data": {"locationId": HOME, "state": "ARMED_AWAY", "timestamp": "yesterday"},
    },
    # readable, with odd extras: a time without a zone (UTC; the clock is at 13:33:20 UTC),
    # user fields of odd types
    {
        "type": "alarm-state-changed",
        "data": {
            "locationId": HOME,
            "state": "ARMED_AWAY",
            "timestamp": "2026-09-21T14:00:00",
            "userName": {"first": "Kari"},
            "userId": [1],
            "eventId": {"id": 3},
        },
    },
    {
        "type": "device-state-changed",
        "data": {
            "deviceId": MOTION,
            "rootLocationId": HOME,
            "changes": [
                {
                    "feature": "alarm",
                    "stateName": "alarm",
                    "value": True,
                    "lastUpdated": "2026-09-21T14:00:01",
                }
            ],
        },
    },
]


async def test_odd_alarm_events_never_raise_and_a_following_breach_shows(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: HomelySimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = ready.runtime_data.coordinator
    connects = coordinator.push.connects
    for frame in ODD_ALARM_EVENTS:
        await sim.socket.publish_frame(HOME, frame)
    await eventually(hass, lambda: state_of(hass, PANEL) == "armed_away")
    await eventually(hass, lambda: state_of(hass, MOTION_SENSOR) == "on")
    # A zone-less time is UTC: the next polls compare it with the cloud's aware times.
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    sim.cloud.set_alarm(sim.cloud.homes[HOME], "BREACHED", None, sim.ctx.clock.now() + 1)
    await eventually(hass, lambda: state_of(hass, PANEL) == "triggered")
    assert coordinator.push.connects == connects
    assert "Task exception was never retrieved" not in caplog.text
    assert "Traceback" not in caplog.text
