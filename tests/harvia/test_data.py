"""data.py: pushes applied in place, polls merged with what pushes brought, freshness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.harvia.api import (
    CabinState,
    Device,
    MeasurementUpdate,
    StateUpdate,
    Telemetry,
)
from custom_components.harvia.const import STALE_AFTER
from custom_components.harvia.data import CabinReading, HarviaData

XENIO = Device("xenio-1", "Xenio", {})
FENIX = Device("fenix-1", "Fenix", {"stats.totalSessions.C1": "1", "stats.totalSessions.C2": "2"})
AT = datetime(2026, 9, 21, 16, 0, tzinfo=UTC)
STALE_S = STALE_AFTER.total_seconds()


def shadow(cabin: str = "C1", version: int | None = None, **state: object) -> CabinState:
    return CabinState.from_shadow(
        cabin, state or {"targetTemp": 80}, connected=True, version=version
    )


def measurement(temp: float, at: datetime | None = AT, cabin: str | None = "C1") -> Telemetry:
    return Telemetry(cabin, at, {"temp": temp})


def polled(*readings: CabinReading, started: float = 100.0, now: float = 101.0) -> HarviaData:
    return HarviaData().merge_poll(readings, started, now)


def test_a_push_is_applied_in_place_and_names_its_cabin_and_device() -> None:
    data = polled(CabinReading(XENIO, "C1", shadow(version=3), measurement(20)))
    cabin = data.cabins[("xenio-1", "C1")]
    assert data.apply_state(StateUpdate("xenio-1", shadow(version=4, targetTemp=90)), 200) == {
        ("xenio-1", "C1"),
        "xenio-1",
    }
    assert data.cabins[("xenio-1", "C1")] is cabin
    assert cabin.target_temperature == 90
    assert data.apply_measurement(MeasurementUpdate("xenio-1", measurement(30)), 201)
    assert cabin.temperature == 30


def test_older_notices_are_ignored() -> None:
    data = polled(CabinReading(XENIO, "C1", shadow(version=5), measurement(20)))
    assert data.apply_state(StateUpdate("xenio-1", shadow(version=4, targetTemp=60)), 200) == set()
    earlier = measurement(99, AT - timedelta(minutes=1))
    assert data.apply_measurement(MeasurementUpdate("xenio-1", earlier), 200) == set()
    cabin = data.cabins[("xenio-1", "C1")]
    assert (cabin.target_temperature, cabin.temperature) == (80, 20)


def test_the_cabin_a_notice_is_about() -> None:
    data = polled(
        CabinReading(FENIX, "C1", shadow("C1")),
        CabinReading(FENIX, "C2", shadow("C2")),
        CabinReading(XENIO, "C1", shadow()),
    )
    # A measurement that names no cabin cannot be placed on a two-cabin controller ...
    unnamed = MeasurementUpdate("fenix-1", measurement(70, cabin=None))
    assert data.apply_measurement(unnamed, 200) == set()
    # ... but fits a one-cabin one.
    assert data.apply_measurement(MeasurementUpdate("xenio-1", measurement(70, cabin=None)), 200)
    assert data.apply_state(StateUpdate("fenix-1", shadow("C2", targetTemp=50)), 200) == {
        ("fenix-1", "C2"),
        "fenix-1",
    }
    assert data.cabins[("fenix-1", "C1")].target_temperature == 80
    assert data.apply_state(StateUpdate("unknown", shadow()), 200) == set()


def test_an_offline_notice_without_a_shadow_keeps_the_last_one() -> None:
    data = polled(CabinReading(XENIO, "C1", shadow(targetTemp=75)))
    offline = CabinState.from_shadow("C1", None, connected=False)
    assert data.apply_state(StateUpdate("xenio-1", offline), 200)
    cabin = data.cabins[("xenio-1", "C1")]
    assert (cabin.connected, cabin.target_temperature) == (False, 75)


def test_a_push_during_a_poll_wins_over_the_poll_part_by_part() -> None:
    data = polled(CabinReading(XENIO, "C1", shadow(targetTemp=80), measurement(20)))
    data.apply_state(StateUpdate("xenio-1", shadow(targetTemp=95)), 300)  # while the poll ran
    data.apply_measurement(MeasurementUpdate("xenio-1", measurement(25)), 250)  # before it
    poll = CabinReading(XENIO, "C1", shadow(targetTemp=80), measurement(40))
    merged = data.merge_poll([poll], 260, 310)
    cabin = merged.cabins[("xenio-1", "C1")]
    assert cabin.target_temperature == 95  # pushed after the poll started
    assert cabin.temperature == 40  # pushed before: the poll is newer


def test_an_unreadable_cabin_keeps_its_values_for_a_bound() -> None:
    data = polled(CabinReading(XENIO, "C1", shadow(targetTemp=80)))
    unreadable = CabinReading(XENIO, "C1")
    data = data.merge_poll([unreadable], 1000, 1001)
    cabin = data.cabins[("xenio-1", "C1")]
    assert (cabin.target_temperature, cabin.stale) == (80, False)
    data = data.merge_poll([unreadable], 1000 + STALE_S - 2, 1000 + STALE_S - 1)
    assert not data.cabins[("xenio-1", "C1")].stale
    data = data.merge_poll([unreadable], 1000 + STALE_S - 1, 1000 + STALE_S)
    assert data.cabins[("xenio-1", "C1")].stale
    assert data.cabins[("xenio-1", "C1")].target_temperature == 80
    # A push reads it again: fresh at once, and a later failure counts from anew.
    data.apply_state(StateUpdate("xenio-1", shadow(targetTemp=70)), 2000)
    assert not data.cabins[("xenio-1", "C1")].stale
    data = data.merge_poll([unreadable], 2100, 2101)
    assert not data.cabins[("xenio-1", "C1")].stale
    # Read by a poll again: fresh.
    data = data.merge_poll([CabinReading(XENIO, "C1", shadow())], 2200 + STALE_S, 2201 + STALE_S)
    assert not data.cabins[("xenio-1", "C1")].stale
    assert data.cabins[("xenio-1", "C1")].unreadable_since is None


def test_a_push_while_a_poll_could_not_read_keeps_the_cabin_fresh() -> None:
    data = polled(CabinReading(XENIO, "C1", shadow()))
    data = data.merge_poll([CabinReading(XENIO, "C1")], 0, 1)
    data.apply_state(StateUpdate("xenio-1", shadow(targetTemp=60)), 5 + STALE_S)
    data = data.merge_poll([CabinReading(XENIO, "C1")], 4 + STALE_S, 6 + STALE_S)
    cabin = data.cabins[("xenio-1", "C1")]
    assert (cabin.stale, cabin.unreadable_since, cabin.target_temperature) == (False, None, 60)


def test_what_a_poll_holds() -> None:
    data = polled(
        CabinReading(FENIX, "C1", shadow("C1")),
        CabinReading(FENIX, "C2", shadow("C2")),
        CabinReading(XENIO, "C1"),  # never read: nothing to show, but still in the account
    )
    assert list(data.cabins) == [("fenix-1", "C1"), ("fenix-1", "C2")]
    assert set(data.devices) == {"fenix-1", "xenio-1"}
    assert data.identifiers() == {"fenix-1", "xenio-1", "fenix-1/C1", "fenix-1/C2"}
    data = data.merge_poll([CabinReading(XENIO, "C1", shadow())], 200, 201)  # the Fenix left
    assert list(data.cabins) == [("xenio-1", "C1")]
    assert data.identifiers() == {"xenio-1", "xenio-1/C1"}
