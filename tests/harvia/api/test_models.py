"""Tolerant parsing of both the live cloud's and the document's shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.harvia.api import (
    CabinState,
    Countdown,
    Device,
    Endpoints,
    HarviaResponseError,
    Telemetry,
)
from custom_components.harvia.api.models import (
    as_bool,
    as_float,
    as_int,
    newest,
    parse_json_object,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (0, False),
        (1, True),
        ("on", True),
        ("OFF", False),
        ("1", True),
        ("maybe", None),
        (None, None),
    ],
)
def test_as_bool(value: object, expected: bool | None) -> None:
    assert as_bool(value) is expected


def test_numbers_json_and_timestamps() -> None:
    assert as_float("3.5") == 3.5
    assert as_float(True) is None
    assert as_float("x") is None
    # Non-finite numbers are no reading (and cannot become minutes or an int).
    assert as_float(float("nan")) is None
    assert as_float("inf") is None
    assert as_int("-Infinity") is None
    assert as_int("1e999") is None
    assert parse_json_object('{"a": 1}') == {"a": 1}
    assert parse_json_object("[1]") is None
    assert parse_json_object(3) is None
    assert parse_timestamp("1700000000000") == datetime.fromtimestamp(1_700_000_000, UTC)
    assert parse_timestamp("2025-01-01T00:00:00.000Z") == datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_timestamp("2025-01-01T00:00:00") == datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_timestamp("soon") is None
    assert parse_timestamp(None) is None


def test_endpoints_derive_the_realtime_url() -> None:
    document = {"endpoints": {"RestApi": {n: {"https": f"https://{n}.example/prod/"} for n in ("generics", "device", "data")},
                              "GraphQL": {"device": {"https": "https://abc.appsync-api.eu-central-1.amazonaws.com/graphql"},
                                          "broken": "x"}}}  # fmt: skip
    endpoints = Endpoints.from_document(document)
    assert endpoints.device == "https://device.example/prod"
    assert (
        endpoints.graphql["device"].wss
        == "wss://abc.appsync-realtime-api.eu-central-1.amazonaws.com/graphql"
    )
    assert endpoints.graphql["device"].host == "abc.appsync-api.eu-central-1.amazonaws.com"
    assert set(endpoints.graphql) == {"device"}
    assert endpoints.partner_organization_id is None
    with pytest.raises(HarviaResponseError):
        Endpoints.from_document({"endpoints": {}})


def test_device_shapes() -> None:
    assert Device.from_api({"name": "a", "type": "Fenix"}) == Device("a", "Fenix", {})
    assert Device.from_api(
        {"deviceId": "b", "attr": [{"key": "serialNumber", "value": 7}, {"bad": 1}]}
    ) == Device("b", "unknown", {"serialNumber": "7"})
    assert Device.from_api({"id": "c", "type": "SaunaSensor"}).is_sensor  # type: ignore[union-attr]
    assert Device.from_api({"type": "x"}) is None
    assert Device.from_api("junk") is None


def test_cabin_state_variants() -> None:
    fenix = CabinState.from_shadow(
        "C1",
        {"heater": {"on": 1, "state": 0}, "activeProfile": "3", "light": {"on": 0},
         "profiles": {"3": {"name": "Eco", "targetTemp": 70}, "x": {}, "1": "bad"},
         "timer": {"startTime": 1700000000000}, "saunaStatus": 5, "remoteAllowed": 0},
    )  # fmt: skip
    assert fenix.heater_on is True
    assert fenix.light_on is False
    assert fenix.active_profile == 3
    assert fenix.active is not None
    assert fenix.active.target_temp == 70
    assert fenix.waiting_for_start
    assert fenix.scheduled_start == datetime.fromtimestamp(1_700_000_000, UTC)
    assert fenix.remote_allowed is False
    assert fenix.fan_on is None
    assert not fenix.has_steamer
    as_list = CabinState.from_shadow(
        "C1", {"profiles": [{"name": "A"}], "activeProfile": 0, "errors": ["E1"]}
    )
    assert [p.name for p in as_list.profiles] == ["A"]
    offline = CabinState.from_shadow("C1", None, '{"targetTemp": 75}')
    assert offline.target_temp == 75
    assert CabinState.from_shadow("C1", "garbage").raw == {}


def test_telemetry_keys_of_both_shapes() -> None:
    live = Telemetry.from_api(
        {
            "subId": "C2",
            "timestamp": "1700000000000",
            "data": '{"temp": 80, "hum": 12, "heatOn": 1}',
        }
    )
    assert live is not None
    assert (live.cabin_id, live.temperature, live.humidity, live.heating) == ("C2", 80, 12, True)
    documented = Telemetry.from_api(
        {"timestamp": "2025-01-01T00:00:00.000Z", "data": {"temperature": 65.4, "humidity": 32.1}}
    )
    assert documented is not None
    # No subId: the item does not say which cabin (the caller knows when it asked for one).
    assert (documented.cabin_id, documented.temperature, documented.humidity) == (None, 65.4, 32.1)
    asked = Telemetry.from_api({"data": {"temp": 60}}, "C2")
    assert asked is not None
    assert asked.cabin_id == "C2"
    assert Telemetry.from_api({"data": "nope"}) is None
    assert Telemetry.from_api([]) is None


def test_device_rows_without_type_or_attributes() -> None:
    """Rows in real client fixtures: the id in `name`, the sauna's name in `displayName`."""
    row = Device.from_api({"name": "fenix-1", "displayName": "Villa sauna"})
    assert row is not None
    assert (row.device_id, row.name, row.declared_type, row.model) == (
        "fenix-1", "Villa sauna", None, None,
    )  # fmt: skip
    assert row.declared_fenix is None  # the shadow has to tell
    assert not row.is_sensor
    typed = Device.from_api(
        {"name": "x", "type": "Xenio", "attr": [{"key": "name", "value": "Attr name"}],
         "displayName": "Row name"}
    )  # fmt: skip
    assert typed is not None
    assert (typed.name, typed.declared_fenix, typed.model) == ("Attr name", False, "Xenio")


@pytest.mark.parametrize(
    ("shadow", "fenix"),
    [
        ({"heater": {"on": 1, "state": 0}}, True),
        ({"heater": {"on": False}, "profiles": {"0": {"heater": {"on": 0}}}}, True),
        ({"heater": {"on": True, "state": "heating"}, "activeProfile": "2"}, False),
        ({"profiles": {"0": {"heater": {"on": False}, "light": {"on": False}}}}, False),
        ({}, False),
    ],
)
def test_a_fenix_is_told_by_its_number_flags(shadow: dict[str, object], fenix: bool) -> None:
    assert CabinState.from_shadow("C1", shadow).reports_like_fenix is fenix


def test_iso_timers_and_string_profile_with_boolean_flags() -> None:
    state = CabinState.from_shadow(
        "C1",
        {"activeProfile": "1", "heater": {"on": True}, "saunaStatus": 5,
         "profiles": {"1": {"name": "Soft", "targetTemp": 60}},
         "timer": {"startTime": "2026-09-21T15:00:00.000Z", "readyTime": "2026-09-21T15:40:00.000Z"}},
    )  # fmt: skip
    assert state.active is not None
    assert state.active.name == "Soft"
    assert state.scheduled_start == datetime(2026, 9, 21, 15, tzinfo=UTC)


def test_countdowns_come_from_the_newer_source() -> None:
    at = datetime(2026, 9, 21, 15, tzinfo=UTC)
    shadow = CabinState.from_shadow("C1", {"remainingTime": 180, "timeToTarget": 43}, updated=at)
    telemetry = Telemetry.from_api(
        {"timestamp": "2026-09-21T15:05:00Z", "data": {"autoOffTime": 175, "timeToTarget": 38}}
    )
    assert telemetry is not None
    assert shadow.remaining_time == Countdown(180, at)
    assert telemetry.remaining_time == Countdown(175, at + timedelta(minutes=5))
    assert newest(shadow.remaining_time, telemetry.remaining_time) == telemetry.remaining_time
    assert newest(shadow.time_to_target, None) == shadow.time_to_target
    assert newest(None, None) is None
    unstamped = Countdown(10, None)
    assert newest(unstamped, shadow.time_to_target) == shadow.time_to_target
    assert newest(Countdown(1, at), Countdown(2, at)) == Countdown(1, at)  # a tie: the first
    later = at + timedelta(minutes=7)
    assert telemetry.remaining_time is not None
    assert telemetry.remaining_time.ends_at(later) == at + timedelta(minutes=180)
    # A stamp from the future (clocks disagree) or none at all counts from now.
    assert Countdown(5, later).ends_at(at) == at + timedelta(minutes=5)
    assert unstamped.ends_at(at) == at + timedelta(minutes=10)
    documented = Telemetry.from_api({"data": {"remainingTime": 12, "autoOffTime": 99}})
    assert documented is not None
    assert documented.remaining_time == Countdown(12, None)


@pytest.mark.parametrize("minutes", [10**9, -(10**9), 1e300])
def test_countdowns_out_of_any_range_are_unknown(minutes: float) -> None:
    """A count no session has would overflow the countdown sensors' datetime arithmetic."""
    shadow = CabinState.from_shadow("C1", {"remainingTime": minutes, "timeToTarget": minutes})
    telemetry = Telemetry.from_api({"data": {"remainingTime": minutes}})
    assert telemetry is not None
    assert shadow.remaining_time is None
    assert shadow.time_to_target is None
    assert telemetry.remaining_time is None


def test_door_safety_state_one_means_closed() -> None:
    closed = Telemetry.from_api({"data": {"doorSafetyState": 1}})
    opened = Telemetry.from_api({"data": {"doorSafetyState": 0}})
    silent = Telemetry.from_api({"data": {"temp": 20}})
    assert closed is not None
    assert opened is not None
    assert silent is not None
    assert (closed.reports_door, closed.door_closed) == (True, True)
    assert (opened.reports_door, opened.door_closed) == (True, False)
    assert (silent.reports_door, silent.door_closed) == (False, None)


def test_endpoints_without_graphql_support_no_push() -> None:
    rest = {n: {"https": f"https://{n}.example"} for n in ("generics", "device", "data")}
    assert not Endpoints.from_document({"endpoints": {"RestApi": rest}}).supports_push
    with_data_only = {"RestApi": rest, "GraphQL": {"data": {"https": "https://d.example/graphql"}}}
    assert not Endpoints.from_document({"endpoints": with_data_only}).supports_push
    full = {"RestApi": rest, "GraphQL": {"device": {"https": "https://d.example/graphql"}}}
    assert Endpoints.from_document({"endpoints": full}).supports_push
