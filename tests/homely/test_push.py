"""Socket events reaching states: alarm, sensors, meter; order, duplicates, foreign homes."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.homely.const import WATCHDOG_INTERVAL
from simulators.core import SimClock, SimulatorServer
from simulators.homely import HomelySimulator
from simulators.homely.devices import iso

from .conftest import CABIN, FLOOD, HOME, MOTION
from .helpers import attribute_of, eventually, state_of

ALARM = "alarm_control_panel.solbakken_12"


def device_event(device_id: str, stamp: str, value: Any, **extra: Any) -> dict[str, Any]:
    change = {"feature": "alarm", "stateName": "alarm", "value": value, "lastUpdated": stamp}
    return {
        "type": "device-state-changed",
        "data": {"deviceId": device_id, "changes": [change], **extra},
    }


SHAPES = pytest.mark.parametrize("scenario", ["typical_home.yaml", "live_shapes.yaml"])


async def all_sent_events_applied(hass: HomeAssistant, sim: HomelySimulator, home_id: str) -> None:
    """Send a marker after everything queued; one socket keeps order, so it arrives last."""
    home = sim.cloud.homes[home_id]
    gang = next(d for d in home.devices.values() if d.name == "Gang")
    sim.cloud.set_state(home, gang, "temperature", "temperature", 30.5)
    await eventually(hass, lambda: state_of(hass, "sensor.gang_temperature") == "30.5")


@SHAPES
async def test_sensor_events_reach_states(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator
) -> None:
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[FLOOD], "alarm", "flood", True)
    await eventually(
        hass, lambda: state_of(hass, "binary_sensor.vannlekkasje_vaskerom_water_leak") == "on"
    )
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.gang_motion") == "on")


async def test_han_meter_events_update_power_and_energy(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator, sim_clock: SimClock
) -> None:
    before = float(state_of(hass, "sensor.han_plug_energy_imported") or 0)
    sim_clock.advance(3600)  # an hour at 1850 W, reported as it goes
    await eventually(
        hass, lambda: float(state_of(hass, "sensor.han_plug_energy_imported") or 0) > before + 1.8
    )
    assert 1600 < float(state_of(hass, "sensor.han_plug_power") or 0) < 2100


async def test_alarm_arming_with_pending_state_and_user(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator, sim_clock: SimClock
) -> None:
    home = sim.cloud.homes[HOME]
    sim.cloud.arm(home, "ARMED_AWAY", sim.cloud.user("ola@homely.example"), sim_clock.now())
    await eventually(hass, lambda: state_of(hass, ALARM) == "arming")
    sim_clock.advance(31)
    await eventually(hass, lambda: state_of(hass, ALARM) == "armed_away")
    assert attribute_of(hass, ALARM, "changed_by") == "Ola Nordmann"
    sim.cloud.set_alarm(home, "BREACHED", None, sim_clock.now())
    await eventually(hass, lambda: state_of(hass, ALARM) == "triggered")
    assert attribute_of(hass, ALARM, "changed_by") == "Ola Nordmann"  # kept from the last user


@pytest.mark.parametrize(
    ("scenario", "user", "alarm", "exit_delay_states"),
    [
        # the live names, pending before final
        ("typical_home.yaml", "Ola Nordmann", ALARM, ["ARM_AWAY_PENDING", "ARM_NIGHT_PENDING"]),
        # the live names, and the final state followed by its pending state 51 ms later
        ("live_shapes.yaml", "Ola Nordmann", ALARM, ["ARM_AWAY_PENDING", "ARM_NIGHT_PENDING"]),
        # the document's names
        (
            "two_homes.yaml",
            "Per Hansen",
            "alarm_control_panel.kringsja",
            ["ARMED_AWAY_PENDING", "ARMED_NIGHT_PENDING"],
        ),
    ],
)
@pytest.mark.parametrize(
    ("final", "armed"), [("ARMED_AWAY", "armed_away"), ("ARMED_NIGHT", "armed_night")]
)
async def test_arming_ends_in_the_final_state_with_its_user(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: HomelySimulator,
    sim_clock: SimClock,
    user: str,
    alarm: str,
    exit_delay_states: list[str],
    final: str,
    armed: str,
) -> None:
    coordinator = ready.runtime_data.coordinator
    home = sim.cloud.homes[HOME]
    account = next(u for u in sim.cloud.users.values() if u.name == user)
    sim.cloud.arm(home, final, account, sim_clock.now())
    await eventually(hass, lambda: state_of(hass, alarm) == "arming")
    exit_delay_state = exit_delay_states[0 if final == "ARMED_AWAY" else 1]
    assert coordinator.data.alarm_state == exit_delay_state
    sim_clock.advance(31)
    await all_sent_events_applied(hass, sim, HOME)  # the late pending state too, if sent
    assert state_of(hass, alarm) == armed
    assert attribute_of(hass, alarm, "changed_by") == user


async def test_the_live_late_pending_state_does_not_undo_armed_night(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator, sim_clock: SimClock
) -> None:
    second = sim_clock.now()
    final = {
        "locationId": HOME,
        "state": "ARMED_NIGHT",
        "timestamp": iso(second + 0.605),
        "userId": "697bcd43-2d2b-4a20-a0f0-2918d7c340a7",
        "userName": "Kari Nordmann",
        "eventId": 48214,
    }
    late_pending = {
        "locationId": HOME,
        "state": "ARM_NIGHT_PENDING",
        "timestamp": iso(second + 0.656),
    }
    sim.cloud.emit(HOME, {"type": "alarm-state-changed", "data": final})
    sim.cloud.emit(HOME, {"type": "alarm-state-changed", "data": late_pending})
    await all_sent_events_applied(hass, sim, HOME)
    assert state_of(hass, ALARM) == "armed_night"
    assert attribute_of(hass, ALARM, "changed_by") == "Kari Nordmann"
    # A new arming, clearly later, still shows.
    rearming = {**late_pending, "state": "ARM_AWAY_PENDING", "timestamp": iso(second + 60)}
    sim.cloud.emit(HOME, {"type": "alarm-state-changed", "data": rearming})
    await eventually(hass, lambda: state_of(hass, ALARM) == "arming")


@SHAPES
async def test_a_poll_behind_the_final_event_does_not_undo_it(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    cloud: SimulatorServer,
    sim: HomelySimulator,
    sim_clock: SimClock,
) -> None:
    coordinator = ready.runtime_data.coordinator
    home = sim.cloud.homes[HOME]
    sim.cloud.arm(home, "ARMED_NIGHT", sim.cloud.user("kari@homely.example"), sim_clock.now())
    sim_clock.advance(31)
    await all_sent_events_applied(hass, sim, HOME)
    assert state_of(hass, ALARM) == "armed_night"
    home.alarm_state = "ARM_NIGHT_PENDING"  # the cloud's REST view a moment behind its socket
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert state_of(hass, ALARM) == "armed_night"
    assert attribute_of(hass, ALARM, "changed_by") == "Kari Nordmann"
    # Without the socket the poll is the only source, and it applies.
    cloud.ctx.push.refuse_for(3600)
    await cloud.ctx.push.drop_all()
    await eventually(hass, lambda: not coordinator.push_connected)
    await coordinator.async_refresh()
    assert state_of(hass, ALARM) == "arming"


async def test_alarm_events_are_ordered_by_timestamp(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator, sim_clock: SimClock
) -> None:
    now = sim_clock.now()
    final = {
        "locationId": HOME,
        "state": "ARMED_NIGHT",
        "timestamp": iso(now + 30),
        "userName": "Kari",
    }
    late_pending = {"locationId": HOME, "state": "ARM_NIGHT_PENDING", "timestamp": iso(now)}
    sim.cloud.emit(HOME, {"type": "alarm-state-changed", "data": final})
    sim.cloud.emit(HOME, {"type": "alarm-state-changed", "data": late_pending})
    sim.cloud.emit(
        HOME,
        {
            "type": "alarm-state-changed",
            "data": {**final, "locationId": CABIN, "state": "DISARMED"},
        },
    )
    await eventually(hass, lambda: state_of(hass, ALARM) == "armed_night")
    await hass.async_block_till_done()
    assert state_of(hass, ALARM) == "armed_night"
    assert ready.runtime_data.client is not None


async def test_duplicates_older_changes_and_other_homes_are_ignored(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator, sim_clock: SimClock
) -> None:
    now = sim_clock.now()
    entity = "binary_sensor.gang_motion"
    sim.cloud.emit(
        HOME, device_event(MOTION, iso(now + 10), True, rootLocationId=HOME, locationId="room")
    )
    await eventually(hass, lambda: state_of(hass, entity) == "on")
    changed = hass.states.get(entity).last_changed  # type: ignore[union-attr]
    sim.cloud.emit(
        HOME, device_event(MOTION, iso(now + 10), False)
    )  # same lastUpdated: a duplicate
    sim.cloud.emit(HOME, device_event(MOTION, iso(now + 5), False))  # older than what is known
    sim.cloud.emit(
        HOME, device_event(MOTION, iso(now + 20), False, rootLocationId=CABIN)
    )  # elsewhere
    sim.cloud.emit(
        HOME,
        {
            "type": "alarm-state-changed",
            "data": {"locationId": HOME, "state": "DISARMED", "timestamp": iso(now + 30)},
        },
    )
    await eventually(hass, lambda: ready.runtime_data.coordinator.push.events >= 5)
    assert state_of(hass, entity) == "on"
    assert hass.states.get(entity).last_changed == changed  # type: ignore[union-attr]


async def test_malformed_events_are_skipped(
    hass: HomeAssistant,
    ready: MockConfigEntry,
    sim: HomelySimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim.ctx.push.corrupt_next(3)
    home = sim.cloud.homes[HOME]
    for _ in range(3):
        sim.cloud.set_state(home, home.devices[FLOOD], "alarm", "flood", True)
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.gang_motion") == "on")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert sum("malformed Homely event" in m for m in warnings) == 1  # once, then debug
    assert state_of(hass, "binary_sensor.vannlekkasje_vaskerom_water_leak") == "off"
    assert state_of(hass, ALARM) == "disarmed"


@pytest.mark.parametrize("scenario", ["partial_stream.yaml"])
async def test_minimal_events_with_payload_key(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator, sim_clock: SimClock
) -> None:
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[MOTION], "alarm", "alarm", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.gang_motion") == "on")
    lock = home.devices["0b7c1d2e-0000-4000-8000-000000000001"]
    sim.cloud.set_state(home, lock, "lock", "state", "unlocked")
    await eventually(hass, lambda: state_of(hass, "binary_sensor.ytterdor_las_lock") == "on")
    sim.cloud.set_state(home, lock, "report", "Broken", True)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.ytterdor_las_lock_fault") == "on")
    sim_clock.advance(1)
    sim.cloud.set_state(home, lock, "lock", "state", True)  # some firmware: a boolean "locked"
    await eventually(hass, lambda: state_of(hass, "binary_sensor.ytterdor_las_lock") == "off")
    sim_clock.advance(1)
    sim.cloud.set_state(home, lock, "lock", "state", 3)
    await eventually(hass, lambda: state_of(hass, "binary_sensor.ytterdor_las_lock") == "unknown")


@pytest.mark.parametrize("scenario", ["partial_stream.yaml"])
async def test_unstreamed_features_come_with_the_watchdog_poll(
    hass: HomeAssistant, ready: MockConfigEntry, sim: HomelySimulator
) -> None:
    home = sim.cloud.homes[HOME]
    sim.cloud.set_state(home, home.devices[MOTION], "temperature", "temperature", 25.5)
    await hass.async_block_till_done()
    assert state_of(hass, "sensor.gang_temperature") == "21.0"
    assert ready.runtime_data.coordinator.update_interval == WATCHDOG_INTERVAL
    await ready.runtime_data.coordinator.async_refresh()  # what the watchdog poll does
    await eventually(hass, lambda: state_of(hass, "sensor.gang_temperature") == "25.5")
