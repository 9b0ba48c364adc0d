"""The MIC models: both shapes of every field the stacks disagree on; odd values become None."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import math
from typing import Any

import pytest

from custom_components.telenor_mic.api import (
    AwsCredentials,
    EventType,
    Manifest,
    ManifestProblem,
    MicManifestError,
    MicResponseError,
    MicWriteError,
    Position,
    Resource,
    ResourceKind,
    Shadow,
    Thing,
    ThingDetails,
    ThingType,
    User,
    parse_event,
    parse_shadow,
    parse_thing_update_topic,
    thing_update_topic,
)
from custom_components.telenor_mic.api.models import (
    ErrorBody,
    GraphQLAnswer,
    Session,
    as_bool,
    as_float,
    as_object,
    desired_payload,
    event_topics,
    graphql_body,
    load_json,
    observations_body,
    parse_all_things,
    parse_found_things,
    parse_kind,
    parse_observations,
    parse_resources,
    parse_thing_types,
    parse_time,
    thing_update_subscription,
)
from tests.fuzzing import deeply_nested

AT = datetime(2026, 9, 21, 10, 0, tzinfo=UTC)
AT_S = int(AT.timestamp())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (AT_S, AT),
        (AT_S * 1000, AT),
        (str(AT_S * 1000), AT),
        (f"{AT_S}.0", AT),
        ("2026-09-21T10:00:00Z", AT),
        ("2026-09-21T10:00:00", AT),  # no zone: UTC
        ("2026-09-21T12:00:00+02:00", AT),
        ("2026-09-21 10:00:00", AT),
        (0, None),
        (-5, None),
        (1e300, None),
        (float("nan"), None),
        (True, None),
        (None, None),
        ("", None),
        ("2026-13-45", None),
        ("soon", None),
        ("9" * 80, None),
        ([AT_S], None),
        ("0001-01-01T00:00:00+01:00", None),  # beyond datetime's range in UTC
    ],
)
def test_times(raw: Any, expected: datetime | None) -> None:
    assert parse_time(raw) == expected


def test_numbers_and_booleans() -> None:
    assert as_float("21.5") == 21.5
    assert as_float(" -3 ") == -3
    assert as_float("1e3") == 1000
    assert as_float("0x10") is None
    assert as_float("nan") is None
    assert as_float(float("inf")) is None
    assert as_float(10**20) is None
    assert as_float(10**400) is None  # too large for a float at all
    assert as_float(True) is None
    for raw, expected in [(True, True), (0, False), (1.0, True), (2, None), ("ON", True),
                          ("off", False), ("false", False), ("maybe", None), (None, None),
                          (float("nan"), None)]:  # fmt: skip
        assert as_bool(raw) is expected


def test_json_scalar_both_shapes() -> None:
    assert as_object({"a": 1, 2: "x"}) == {"a": 1}
    assert as_object('{"a": 1}') == {"a": 1}
    assert as_object("[1]") is None
    assert as_object("{") is None
    assert as_object(deeply_nested(50)) is None
    assert as_object(json.loads('{"a":' * 40 + "1" + "}" * 40)) is None
    assert as_object(3) is None
    with pytest.raises(MicResponseError):
        load_json(b"\xff")
    with pytest.raises(MicResponseError):
        load_json("x" * 1_000_001)


# --- resources --------------------------------------------------------------------------------
def resource(kind: str, **metadata: Any) -> Resource:
    parsed = Resource.parse({"name": "r", "type": kind, "metadata": metadata})
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("boolean", "on", True),
        ("boolean", 0, False),
        ("boolean", "true", True),
        ("boolean", 7, None),
        ("integer", 3, 3),
        ("integer", "3", 3),
        ("integer", 3.0, 3),
        ("integer", 3.5, 3.5),
        ("integer", "nan", None),
        ("integer", True, None),
        ("number", "21.5", 21.5),
        ("number", float("inf"), None),
        ("number", {"v": 1}, None),
        ("string", "eco", "eco"),
        ("string", 5, "5"),
        ("string", 5.0, "5"),
        ("string", 2.5, "2.5"),
        ("string", True, "true"),
        ("string", float("nan"), None),
        ("string", [1], None),
        ("position", "59.91,10.75", Position(59.91, 10.75)),
        ("position", {"lat": 59.91, "lon": 10.75}, Position(59.91, 10.75)),
        ("position", {"latitude": "59.91", "lng": "10.75"}, Position(59.91, 10.75)),
        ("position", "91,0", None),
        ("position", "1,2,3", None),
        ("position", [1, 2], None),
        ("plasma", "text", "text"),
        ("plasma", 4, 4),
        ("plasma", 4.5, 4.5),
        ("plasma", False, False),
        ("plasma", float("nan"), None),
        ("plasma", {"x": 1}, None),
    ],
)
def test_reading_values(kind: str, raw: Any, expected: Any) -> None:
    read = resource(kind).read(raw)
    assert read == expected
    assert type(read) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("boolean", True, True),
        ("boolean", "off", False),
        ("integer", 21.6, 22),
        ("number", 21.5, 21.5),
        ("number", 21, 21),
        ("number", 21.0, 21.0),
        ("string", "eco", "eco"),
        ("string", 3.0, "3"),
        ("plasma", True, "true"),
    ],
)
def test_encoding_desired_values(kind: str, value: Any, expected: Any) -> None:
    encoded = resource(kind).encode(value)
    assert encoded == expected
    assert type(encoded) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("boolean", "maybe"), ("integer", float("nan")), ("number", True), ("number", "x"),
     ("string", float("inf")), ("position", "1,2")],
)  # fmt: skip
def test_values_that_cannot_be_written(kind: str, value: Any) -> None:
    with pytest.raises(MicWriteError):
        resource(kind).encode(value)


def test_resource_metadata() -> None:
    full = resource("Number", label=" Temp ", unit="°C", isSettable="true", min="5", max=30,
                    step=0.5, values=["a", 1, 1.5, None, "a", ""])  # fmt: skip
    assert full.kind is ResourceKind.NUMBER
    assert (full.label, full.unit, full.settable) == ("Temp", "°C", True)
    assert (full.minimum, full.maximum, full.step) == (5, 30, 0.5)
    assert full.options == ("a", "1", "1.5")
    assert full.raw_type == "Number"
    odd = resource("int", min=9, max=1, step=-1, isSettable=1)
    assert odd.kind is ResourceKind.INTEGER
    assert (odd.minimum, odd.maximum, odd.step, odd.settable) == (None, None, None, True)
    assert Resource.parse({"type": "number"}) is None
    assert Resource.parse("r") is None
    bare = Resource.parse({"name": 7, "metadata": "x"})
    assert bare is not None
    assert (bare.name, bare.kind, bare.raw_type) == ("7", ResourceKind.UNKNOWN, None)
    assert parse_kind(None) is ResourceKind.UNKNOWN
    assert parse_kind(" GEO_POINT ") is ResourceKind.POSITION
    assert [r.name for r in parse_resources([{"name": "a"}, {"name": "a"}, {}, "x"])] == ["a"]
    assert parse_resources("x") == ()


def test_thing_type_merge() -> None:
    rest = ThingType.parse({"id": 12, "label": "Env", "resources": [
        {"name": "t", "type": "number", "metadata": {"min": 0, "max": 10, "label": "T"}},
        {"name": "only-rest", "type": "string"}]})  # fmt: skip
    graph = ThingType.from_graphql("12", {"resources": [
        {"name": "b", "type": "boolean", "metadata": {"isSettable": True}},
        {"name": "t", "type": "plasma", "metadata": {"unit": "C", "isSettable": True}}]})  # fmt: skip
    assert rest is not None
    assert graph is not None
    merged = rest.merged_over(graph)
    assert merged.id == "12"
    assert merged.label == "Env"
    assert [r.name for r in merged.resources] == ["b", "t", "only-rest"]
    t = merged.resource("t")
    assert t is not None
    assert (t.kind, t.unit, t.label, t.minimum, t.settable) == (
        ResourceKind.NUMBER,
        "C",
        "T",
        0,
        True,
    )
    assert merged.resource("nope") is None
    assert ThingType.parse({"label": "no id"}) is None
    assert ThingType.from_graphql("1", None) is None
    assert set(parse_thing_types([{"id": "1"}, {"id": 1}, {"id": None}, 3])) == {"1"}
    with pytest.raises(MicResponseError):
        parse_thing_types({"thingTypes": 3})


# --- things and shadows -----------------------------------------------------------------------
THING_ROW = {"thingName": "env-1", "label": " Sensor ", "domain": "office", "thingType": 12,
             "lastHeardFrom": str(AT_S * 1000), "state": {"temperature": 21.5}}  # fmt: skip


def test_things() -> None:
    thing = Thing.parse(THING_ROW)
    assert thing == Thing("env-1", "Sensor", "office", "12", AT, {"temperature": 21.5})
    text = Thing.parse({**THING_ROW, "state": json.dumps({"on": True}), "lastHeardFrom": None})
    assert text is not None
    assert (text.reported, text.last_heard_from) == ({"on": True}, None)
    assert Thing.parse({**THING_ROW, "state": "garbage", "thingName": ""}) is None
    assert Thing.parse({"state": 1}, fallback_name="x") == Thing("x")
    assert Thing.parse(None) is None
    page = parse_all_things({"allThings": {"total": {"value": 3}, "things": [THING_ROW, None, {}]}})
    assert (len(page.things), page.rows, page.total, page.skipped) == (1, 3, 3, 2)
    empty = parse_all_things({"allThings": {"total": -1, "things": None}})
    assert (empty.rows, empty.total) == (0, None)
    for bad in ({}, {"allThings": []}, {"allThings": {"things": {}}}, None):
        with pytest.raises(MicResponseError):
            parse_all_things(bad)


SHADOW = {
    "state": {"reported": {"t": 21.5, "pos": {"lat": 1, "lon": 2}}, "desired": {"on": True},
              "delta": {"on": True}},
    "metadata": {"reported": {"t": {"timestamp": AT_S}, "pos": {"lat": {"timestamp": AT_S - 5},
                 "lon": {"timestamp": AT_S}}, "x": 3, "y": {"lat": 4}}},
    "timestamp": AT_S + 1,
    "version": 42,
}  # fmt: skip


def test_shadows() -> None:
    shadow = parse_shadow(json.dumps(SHADOW).encode())
    assert shadow.reported == {"t": 21.5, "pos": {"lat": 1, "lon": 2}}
    assert shadow.desired == shadow.delta == {"on": True}
    assert shadow.reported_at == {"t": AT, "pos": AT}
    assert (shadow.version, shadow.timestamp, shadow.last_reported) == (
        42,
        AT + timedelta(seconds=1),
        AT,
    )
    assert parse_shadow(json.dumps(json.dumps(SHADOW))) == shadow  # the JSON scalar as text
    assert parse_shadow(SHADOW) == shadow
    # a thing-update without metadata and version (one stack sends them so)
    bare = parse_shadow('{"state": {"reported": {"t": 1}}}')
    assert bare == Shadow(reported={"t": 1})
    assert bare.last_reported is None
    odd = parse_shadow({"state": {"reported": [1], "desired": None}, "version": -1, "metadata": 3})
    assert odd == Shadow()
    assert parse_shadow({"state": {}, "version": "7"}).version == 7
    for bad in ("[]", "{}", '{"state": 1}', "garbage", deeply_nested(), b"\xff\xfe"):
        with pytest.raises(MicResponseError):
            parse_shadow(bad)


def test_thing_details() -> None:
    raw = {"thingName": "env-1", "label": "L", "domain": "office", "domainTopic": "/demo/office/",
           "thingType": "12", "shadow": SHADOW}  # fmt: skip
    details = ThingDetails.parse(raw)
    assert details is not None
    assert details.domain_topic == "demo/office"
    assert details.thing.reported == SHADOW["state"]["reported"]  # type: ignore[index]
    assert details.thing.last_heard_from == AT
    assert details.shadow is not None
    without = ThingDetails.parse({**raw, "shadow": None, "domainTopic": "demo/+"})
    assert without is not None
    assert (without.shadow, without.domain_topic, without.thing.reported) == (None, None, {})
    assert ThingDetails.parse({**raw, "shadow": "{}"}).shadow is None  # type: ignore[union-attr]
    assert ThingDetails.parse(None) is None
    assert ThingDetails.parse({"shadow": SHADOW}) is None
    assert ThingDetails.parse({"shadow": SHADOW}, fallback_name="n") is not None


def test_searches() -> None:
    found = parse_found_things({"hits": {"total": {"value": 2}, "hits": [
        {"_id": "a", "_source": {"state": '{"x": 1}'}}, {"_source": {}}, "x"]}})  # fmt: skip
    assert [thing.name for thing in found.things] == ["a"]
    assert found.things[0].reported == {"x": 1}
    assert (found.rows, found.total, found.skipped) == (3, 2, 2)
    observations, rows, total = parse_observations({"hits": {"total": 5, "hits": [
        {"_source": {"thingName": "a", "timestamp": AT_S * 1000, "state": {"t": 1}}},
        {"_source": {"thingName": "a", "timestamp": "never"}}, {"_source": 3}, None]}})  # fmt: skip
    assert [(o.thing_name, o.timestamp, o.values) for o in observations] == [("a", AT, {"t": 1})]
    assert (rows, total) == (4, 5)
    assert parse_observations({"hits": {"hits": None}}) == ([], 0, None)
    for bad in ({}, {"hits": []}, {"hits": {"hits": {}}}):
        with pytest.raises(MicResponseError):
            parse_found_things(bad)
    body = observations_body(["a", "b"], AT, AT, 10, 20)
    assert body["size"] == 10
    assert body["from"] == 20


# --- account and bootstrap --------------------------------------------------------------------
BOOT = {"ApiGatewayRootUrl": "https://x.example/", "StackName": "prod", "Region": "eu-west-1",
        "IdentityPool": "eu-west-1:pool", "UserPool": "eu-west-1_boot",
        "IotEndpoint": "a.iot", "IotEndpointATS": "a-ats.iot"}  # fmt: skip


def test_manifests() -> None:
    manifest = Manifest.parse(BOOT, {"ApiKey": "k", "UserPoolId": "eu-west-1_meta"})
    assert manifest.api_base == "https://x.example/prod"
    assert manifest.user_pool == "eu-west-1_meta"  # the stack's own manifest wins
    assert manifest.iot_endpoint == "a-ats.iot"
    assert manifest.identity_pool == "eu-west-1:pool"
    assert Manifest.metadata_url(BOOT) == "https://x.example/prod/metadata/manifest"
    legacy = Manifest.parse({**BOOT, "UserPool": None, "UserPoolId": "p", "IotEndpointATS": None},
                            {"ApiKey": "k", "Region": "eu-north-1"})  # fmt: skip
    assert (legacy.user_pool, legacy.iot_endpoint, legacy.region) == ("p", "a.iot", "eu-north-1")
    with pytest.raises(MicManifestError) as caught:
        Manifest.parse(BOOT, {})
    assert caught.value.reason == ManifestProblem.UNUSABLE
    assert "api_key" in str(caught.value)
    for bad in (
        None,
        {"StackName": "prod"},
        {**BOOT, "StackName": "a/b"},
        {**BOOT, "ApiGatewayRootUrl": "x"},
    ):
        with pytest.raises(MicManifestError):
            Manifest.metadata_url(bad)


def test_users_and_sessions() -> None:
    body = {"user": {"userName": "ada", "domainPath": "/demo/office/", "firstName": " Ada "},
            "credentials": {"identityId": "id", "token": "secret-tok", "refreshToken": ""}}  # fmt: skip
    session = Session.parse(body, with_user=True)
    assert session.user == User("ada", "/demo/office/", first_name="Ada")
    assert session.refresh_token is None
    assert "secret-tok" not in repr(session)
    assert session.user.event_topics == ("event/demo/office", "event/demo/office/#")
    assert event_topics("/") == ("event", "event/#")
    assert User.parse({"userName": "root"}).domain_path == "/"
    for bad in ({}, {"credentials": {"token": 3}}, {"credentials": {"token": "t"}, "user": {}}):
        with pytest.raises(MicResponseError):
            Session.parse(bad, with_user=True)


def test_aws_credentials() -> None:
    body = {"Credentials": {"AccessKeyId": "AK", "SecretKey": "S", "SessionToken": "T",
                            "Expiration": AT_S + 0.5}}  # fmt: skip
    credentials = AwsCredentials.parse(body, AT)
    assert credentials.expiration == AT + timedelta(seconds=0.5)
    assert "S'" not in repr(credentials)
    assert "AK" in repr(credentials)
    for bad in ({}, {"Credentials": {"AccessKeyId": "AK", "SecretKey": "", "SessionToken": "T"}}):
        with pytest.raises(MicResponseError):
            AwsCredentials.parse(bad, AT)


@pytest.mark.parametrize(
    ("body", "message", "key", "params"),
    [
        ({"message": {"name": "LocalizableError", "message": "No", "messageKey": "NOT_AUTHORIZED",
                      "messageParams": {"operation": "UPDATE"}}}, "No", "NOT_AUTHORIZED", {"operation": "UPDATE"}),
        ({"message": "Plain"}, "Plain", None, {}),
        ({"name": "LocalizableError", "message": "Top", "messageKey": "K"}, "Top", "K", {}),
        ({"__type": "com.amazonaws.cognito#NotAuthorizedException", "message": "Expired"}, "Expired",
         "NotAuthorizedException", {}),
        ({"__type": "X", "Message": "Capital"}, "Capital", "X", {}),
        ({"message": {"message": 3}}, "no message", None, {}),
        ("text", "no message", None, {}),
        ({"message": "x" * 500}, "x" * 200, None, {}),
    ],
)  # fmt: skip
def test_error_bodies(body: Any, message: str, key: str | None, params: dict[str, Any]) -> None:
    error = ErrorBody.parse(body)
    assert (error.message, error.key, dict(error.params)) == (message, key, params)


def test_graphql_answers() -> None:
    answer = GraphQLAnswer.parse({"data": {"a": 1}, "errors": [{"message": "E", "path": ["a"]}, 3]})
    assert answer.data == {"a": 1}
    assert [error.message for error in answer.errors] == ["E"]
    assert GraphQLAnswer.parse({"data": None, "errors": "x"}) == GraphQLAnswer({}, ())
    for bad in ([], {"data": [1]}):
        with pytest.raises(MicResponseError):
            GraphQLAnswer.parse(bad)


# --- push -------------------------------------------------------------------------------------
def test_events() -> None:
    event = parse_event(json.dumps({"timestamp": AT_S * 1000, "message": "created",
                                    "classification": "INTERNAL", "type": "thing.create",
                                    "source": {"thingName": "env-1", "thingType": 12, "domain": "office"}}))  # fmt: skip
    assert (event.type, event.raw_type, event.thing_name, event.thing_type, event.domain, event.timestamp) == (
        EventType.THING_CREATE, "thing.create", "env-1", "12", "office", AT,
    )  # fmt: skip
    other = parse_event(b'{"type": "THING_TYPE.CREATE", "source": 3}')
    assert (other.type, other.thing_name, other.timestamp) == (EventType.OTHER, None, None)
    for kind in ("THING.DELETE", "THING.UPDATE"):
        assert parse_event(json.dumps({"type": kind})).type == EventType(kind)
    for bad in ("{}", '{"type": 3}', "[]", "x"):
        with pytest.raises(MicResponseError):
            parse_event(bad)


def test_topics() -> None:
    assert thing_update_topic("/demo/office/", "env-1") == "thing-update/demo/office/env-1"
    assert parse_thing_update_topic("thing-update/demo/office/env-1") == ("demo/office", "env-1")
    assert parse_thing_update_topic("thing-update/demo/env-1") == ("demo", "env-1")
    for topic in ("thing-update/env-1", "event/demo", "thing-update//x", "thing-update/demo/", ""):
        assert parse_thing_update_topic(topic) is None
    for domain, name in (("demo/#", "x"), ("demo", "a/b"), ("", "x"), ("demo", "+"), ("a//b", "x")):
        with pytest.raises(ValueError):
            thing_update_topic(domain, name)
    assert thing_update_subscription("demo/office") == "thing-update/demo/office/#"
    assert thing_update_subscription("demo/#") is None


def test_request_bodies() -> None:
    assert graphql_body("{ a }") == {"query": "{ a }"}
    assert graphql_body("q", {"v": 1}) == {"query": "q", "variables": {"v": 1}}


def test_desired_payload() -> None:
    assert json.loads(desired_payload({"on": True})) == {"state": {"desired": {"on": True}}}
    with pytest.raises(ValueError):
        desired_payload({"t": math.nan})
