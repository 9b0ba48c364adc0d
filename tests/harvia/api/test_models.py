"""Tolerant parsing of both the live cloud's and the document's shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.harvia.api import (
    CabinState,
    Device,
    Endpoints,
    HarviaResponseError,
    Telemetry,
)
from custom_components.harvia.api.models import (
    as_bool,
    as_float,
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
    assert as_list.errors == ["E1"]
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
    assert (documented.cabin_id, documented.temperature, documented.humidity) == ("C1", 65.4, 32.1)
    assert Telemetry.from_api({"data": "nope"}) is None
    assert Telemetry.from_api([]) is None
