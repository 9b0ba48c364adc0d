"""How polls and events combine: the newest lastUpdated wins, whichever way it came."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.homely.api import AlarmEvent, Device, DeviceEvent, Home, State, StateChange
from custom_components.homely.data import HomelyData

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def home(value: object, stamp: datetime | None, alarm: str = "DISARMED") -> Home:
    device = Device("d", "Gang", "S", "Entrance", True, None, "Motion Sensor Mini")
    device.features = {"alarm": {"alarm": State(value, stamp)}}
    return Home("h", "Hjem", None, alarm, "ADMIN", {"d": device})


def event(
    device_id: str, value: object, stamp: datetime | None, name: str = "alarm"
) -> DeviceEvent:
    return DeviceEvent(device_id, "h", "room", (StateChange("alarm", name, State(value, stamp)),))


def test_events_for_unknown_devices_and_identical_states_change_nothing() -> None:
    data = HomelyData(home(False, T0))
    assert not data.apply_device_event(event("other", True, T0))
    assert not data.apply_device_event(event("d", False, None))  # same value, no time
    assert data.apply_device_event(event("d", True, None))
    assert data.apply_device_event(event("d", True, T0 + timedelta(seconds=1), name="Tamper"))


def test_state_names_match_case_insensitively() -> None:
    data = HomelyData(home(False, T0))
    data.home.devices["d"].features["report"] = {"Broken": State(False, T0)}
    change = StateChange("report", "broken", State(True, T0 + timedelta(seconds=1)))
    assert data.apply_device_event(DeviceEvent("d", "h", None, (change,)))
    assert data.home.devices["d"].features["report"] == {
        "Broken": State(True, change.state.last_updated)
    }


def test_poll_keeps_newer_pushed_states_and_pushed_alarm() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    data.apply_device_event(event("d", True, T0 + timedelta(seconds=5)))
    data.apply_alarm_event(AlarmEvent("h", "ARMED_AWAY", T0, "Kari", "u"))
    data.home.devices["d"].features["battery"] = {"low": State(True, None)}
    merged = data.merge_poll(home(False, T0, alarm="DISARMED"), alarm_pushed_meanwhile=True)
    device = merged.home.devices["d"]
    assert device.value("alarm", "alarm") is True  # the event was newer than the poll
    assert device.value("battery", "low") is True  # not in the poll: kept
    assert (merged.alarm_state, merged.changed_by) == ("ARMED_AWAY", "Kari")
    polled = data.merge_poll(
        home(False, T0 + timedelta(seconds=9), alarm="DISARMED"), alarm_pushed_meanwhile=False
    )
    assert polled.home.devices["d"].value("alarm", "alarm") is False
    assert polled.alarm_state == "DISARMED"


def test_alarm_events_without_time_apply() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    assert data.apply_alarm_event(AlarmEvent("h", "ARMED_AWAY", T0, None, None))
    assert not data.apply_alarm_event(
        AlarmEvent("h", "DISARMED", T0 - timedelta(seconds=1), None, None)
    )
    assert data.apply_alarm_event(AlarmEvent("h", "BREACHED", None, None, None))
    assert (data.alarm_state, data.alarm_at) == ("BREACHED", T0)
