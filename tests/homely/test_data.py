"""How polls and events combine: the newest lastUpdated wins, whichever way it came."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.homely.api import AlarmEvent, Device, DeviceEvent, Home, State, StateChange
from custom_components.homely.const import STALE_AFTER
from custom_components.homely.data import SAME_ARMING_WINDOW, HomelyData

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def home(value: object, stamp: datetime | None, alarm: str = "DISARMED") -> Home:
    device = Device("d", "Gang", "S", "Entrance", True, "Motion Sensor Mini")
    device.features = {"alarm": {"alarm": State(value, stamp)}}
    return Home("h", "Hjem", None, alarm, {"d": device})


def event(
    device_id: str, value: object, stamp: datetime | None, name: str = "alarm"
) -> DeviceEvent:
    return DeviceEvent(device_id, "h", (StateChange("alarm", name, State(value, stamp)),))


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
    assert data.apply_device_event(DeviceEvent("d", "h", (change,)))
    assert data.home.devices["d"].features["report"] == {
        "Broken": State(True, change.state.last_updated)
    }


def test_poll_keeps_newer_pushed_states_and_pushed_alarm() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    data.apply_device_event(event("d", True, T0 + timedelta(seconds=5)))
    data.apply_alarm_event(AlarmEvent("h", "ARMED_AWAY", T0, "Kari", "u"), received=0.0)
    data.home.devices["d"].features["battery"] = {"low": State(True, None)}
    merged = data.merge_poll(
        home(False, T0, alarm="DISARMED"),
        started=-1.0,
        push_connected=True,  # before the event
    )
    device = merged.home.devices["d"]
    assert device.value("alarm", "alarm") is True  # the event was newer than the poll
    assert device.value("battery", "low") is True  # not in the poll: kept
    assert (merged.alarm_state, merged.changed_by) == ("ARMED_AWAY", "Kari")
    polled = data.merge_poll(
        home(False, T0 + timedelta(seconds=9), alarm="DISARMED"),
        started=1.0,  # after the event
        push_connected=True,  # a final state from a poll applies, socket or not
    )
    assert polled.home.devices["d"].value("alarm", "alarm") is False
    assert polled.alarm_state == "DISARMED"


def test_alarm_events_without_time_apply() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    assert data.apply_alarm_event(AlarmEvent("h", "ARMED_AWAY", T0, None, None), received=0.0)
    assert not data.apply_alarm_event(
        AlarmEvent("h", "DISARMED", T0 - timedelta(seconds=1), None, None), received=1.0
    )
    assert data.apply_alarm_event(AlarmEvent("h", "BREACHED", None, None, None), received=2.0)
    assert (data.alarm_state, data.alarm_at) == ("BREACHED", T0)


# As the live socket delivered them: the final state first, its pending state 51 ms later.
FINAL = AlarmEvent("h", "ARMED_NIGHT", T0, "Kari", "u", "48214")
LATE_PENDING = AlarmEvent("h", "ARM_NIGHT_PENDING", T0 + timedelta(milliseconds=51), None, None)


def test_a_final_state_by_a_user_wins_over_its_late_pending_state() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    assert data.apply_alarm_event(FINAL, received=100.0)
    assert not data.apply_alarm_event(LATE_PENDING, received=100.1)
    assert (data.alarm_state, data.changed_by) == ("ARMED_NIGHT", "Kari")


def test_a_final_state_by_a_user_wins_over_a_pending_state_that_came_first() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    assert data.apply_alarm_event(LATE_PENDING, received=100.0)
    assert data.apply_alarm_event(FINAL, received=100.1)  # stamped 51 ms earlier
    assert not data.apply_alarm_event(LATE_PENDING, received=100.2)  # a duplicate
    assert (data.alarm_state, data.changed_by) == ("ARMED_NIGHT", "Kari")


def test_a_pending_state_clearly_later_is_a_new_arming() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    data.apply_alarm_event(FINAL, received=100.0)
    later = SAME_ARMING_WINDOW + timedelta(milliseconds=1)
    rearming = AlarmEvent("h", "ARM_AWAY_PENDING", T0 + later, None, None)
    assert data.apply_alarm_event(rearming, received=100.0 + later.total_seconds())
    assert data.alarm_state == "ARM_AWAY_PENDING"


def test_pending_states_without_a_stamp_are_judged_by_arrival() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    data.apply_alarm_event(FINAL, received=100.0)
    unstamped = AlarmEvent("h", "ARM_NIGHT_PENDING", None, None, None)
    assert not data.apply_alarm_event(unstamped, received=101.0)
    assert data.apply_alarm_event(unstamped, received=100.0 + 60)
    assert data.alarm_state == "ARM_NIGHT_PENDING"


def test_a_final_state_without_a_user_keeps_the_newest_stamp_rule() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    assert data.apply_alarm_event(AlarmEvent("h", "ARMED_NIGHT", T0, None, None), received=100.0)
    assert data.apply_alarm_event(LATE_PENDING, received=100.1)
    assert data.alarm_state == "ARM_NIGHT_PENDING"


def test_a_polled_pending_state_does_not_undo_a_final_event_while_the_socket_is_up() -> None:
    data = HomelyData(home(False, T0), "ARM_NIGHT_PENDING")
    data.apply_alarm_event(FINAL, received=100.0)
    behind = home(False, T0, alarm="ARM_NIGHT_PENDING")
    kept = data.merge_poll(behind, started=200.0, push_connected=True)
    assert (kept.alarm_state, kept.changed_by, kept.alarm_by_user) == ("ARMED_NIGHT", "Kari", True)
    # A poll that agrees keeps the user's final state protected from its late pending state.
    agreed = kept.merge_poll(
        home(False, T0, alarm="ARMED_NIGHT"), started=200.0, push_connected=True
    )
    assert not agreed.apply_alarm_event(LATE_PENDING, received=100.2)
    # Without the socket the poll is the only source: it applies.
    alone = data.merge_poll(behind, started=200.0, push_connected=False)
    assert (alone.alarm_state, alone.alarm_by_user) == ("ARM_NIGHT_PENDING", False)


def test_a_polled_pending_state_replaces_a_final_state_no_user_set() -> None:
    data = HomelyData(home(False, T0), "ARMED_NIGHT")  # from the first poll
    polled = data.merge_poll(
        home(False, T0, alarm="ARM_AWAY_PENDING"), started=200.0, push_connected=True
    )
    assert polled.alarm_state == "ARM_AWAY_PENDING"


def test_an_event_returns_the_keys_it_changed() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    assert data.apply_event(event("d", True, T0 + timedelta(seconds=1)), received=1.0) == {"d"}
    assert data.apply_event(event("d", True, T0 + timedelta(seconds=1)), received=2.0) == set()
    arming = AlarmEvent("h", "ARM_AWAY_PENDING", T0, None, None)
    assert data.apply_event(arming, received=3.0) == {"h"}  # the alarm is the home's
    assert data.alarm_state == "ARM_AWAY_PENDING"


def test_events_of_other_homes_change_nothing() -> None:
    data = HomelyData(home(False, T0), "DISARMED")
    elsewhere = DeviceEvent("d", "cabin", (StateChange("alarm", "alarm", State(True, None)),))
    assert data.apply_event(elsewhere, received=1.0) == set()
    assert not data.is_new_device(elsewhere)
    assert data.apply_event(AlarmEvent("cabin", "BREACHED", T0, None, None), received=1.0) == set()
    assert (data.home.devices["d"].value("alarm", "alarm"), data.alarm_state) == (False, "DISARMED")
    minimal = DeviceEvent("d", None, (StateChange("alarm", "alarm", State(True, None)),))
    assert data.apply_event(minimal, received=2.0) == {"d"}  # no home named: this one's


def test_an_event_of_a_device_the_poll_did_not_list_is_a_new_device() -> None:
    data = HomelyData(home(False, T0))
    assert data.is_new_device(event("new", True, T0))
    assert data.apply_event(event("new", True, T0), received=1.0) == set()
    assert not data.is_new_device(event("d", True, T0))
    assert not data.is_new_device(AlarmEvent("h", "DISARMED", T0, None, None))


def test_the_socket_keeps_data_fresh_after_failed_polls_for_a_bound_only() -> None:
    data = HomelyData(home(False, T0), polled_at=100.0)
    bound = STALE_AFTER.total_seconds()
    assert data.is_fresh(now=100.0 + 10 * bound, last_poll_ok=True, push_connected=False)
    assert not data.is_fresh(now=101.0, last_poll_ok=False, push_connected=False)
    assert data.is_fresh(now=100.0 + bound, last_poll_ok=False, push_connected=True)
    assert not data.is_fresh(now=100.1 + bound, last_poll_ok=False, push_connected=True)
    assert data.fresh_for(now=130.0, last_poll_ok=False, push_connected=True) == bound - 30.0
    merged = data.merge_poll(home(False, T0), started=500.0, push_connected=True)
    assert merged.is_fresh(now=500.0 + bound, last_poll_ok=False, push_connected=True)
