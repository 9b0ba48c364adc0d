"""Any JSON value in any field of a real MIC payload: a result, None, or the client's error.

Shapes from the protocol notes and ../shared/notes/cloud-facts.md; every parsed model's
properties are read too (and every resource reads any value), since entities read them while
Home Assistant writes states.
"""

from __future__ import annotations

from datetime import UTC, datetime
import math
from typing import Any

from hypothesis import given, strategies as st

from custom_components.telenor_mic.api import (
    AwsCredentials,
    Manifest,
    MicManifestError,
    MicResponseError,
    MicWriteError,
    Position,
    Resource,
    Thing,
    ThingDetails,
    ThingType,
    parse_event,
    parse_shadow,
    parse_thing_update_topic,
)
from custom_components.telenor_mic.api.models import (
    ErrorBody,
    GraphQLAnswer,
    Session,
    parse_all_things,
    parse_found_things,
    parse_observations,
    parse_thing_types,
)
from tests.fuzzing import (
    FUZZ_SETTINGS,
    as_json_text,
    json_values,
    mutated,
    parses_or_raises,
    read_every_property,
)

NOW = datetime(2026, 9, 21, 10, tzinfo=UTC)
SHADOW = {
    "state": {"reported": {"t": 21.5, "on": True, "pos": "59.91,10.75"}, "desired": {"on": False},
              "delta": {"on": False}},
    "metadata": {"reported": {"t": {"timestamp": 1790000000}, "pos": {"lat": {"timestamp": 1790000000}}}},
    "timestamp": 1790000001,
    "version": 7,
}  # fmt: skip
THING_ROW = {"thingName": "env-1", "label": "Sensor", "domain": "office", "thingType": "12",
             "lastHeardFrom": "1790000000000", "state": {"t": 21.5, "pos": {"lat": 1, "lng": 2}}}  # fmt: skip
DETAIL = {"thingName": "env-1", "label": "Sensor", "domain": "office", "domainTopic": "demo/office",
          "thingType": "12", "shadow": SHADOW}  # fmt: skip
RESOURCES = [
    {"name": "t", "type": "number", "metadata": {"label": "T", "unit": "C", "isSettable": True,
                                                 "min": 0, "max": 40, "step": 0.5}},
    {"name": "mode", "type": "string", "metadata": {"isSettable": True, "values": ["eco", "comfort"]}},
    {"name": "on", "type": "boolean", "metadata": {"isSettable": True}},
    {"name": "n", "type": "integer"},
    {"name": "pos", "type": "position"},
    {"name": "x", "type": "plasma"},
]  # fmt: skip
EVENT = {"timestamp": 1790000000000, "message": "m", "classification": "INTERNAL",
         "type": "THING.CREATE", "source": {"thingName": "env-1", "thingType": 12, "domain": "office"}}  # fmt: skip
HITS = {"hits": {"total": {"value": 1}, "hits": [
    {"_id": "env-1", "_source": {**THING_ROW, "timestamp": 1790000000000}}]}}  # fmt: skip
LOGIN = {"user": {"userName": "ada", "domainPath": "/demo/", "roleName": "ReadWrite"},
         "credentials": {"identityId": "id", "token": "t", "refreshToken": "r"}}  # fmt: skip
BOOT = {"ApiGatewayRootUrl": "https://x.example", "StackName": "prod", "Region": "eu-west-1",
        "UserPool": "p", "IotEndpointATS": "a-ats.iot"}  # fmt: skip
META = {"ApiKey": "k", "IotEndpointATS": "a-ats.iot", "Region": "eu-west-1", "UserPoolId": "p"}
COGNITO = {"IdentityId": "id", "Credentials": {"AccessKeyId": "A", "SecretKey": "S",
                                               "SessionToken": "T", "Expiration": 1790000000.5}}  # fmt: skip
ERROR = {"message": {"name": "LocalizableError", "message": "No", "messageKey": "NOT_AUTHORIZED",
                     "messageParams": {"operation": "UPDATE"}}}  # fmt: skip


def read_everything(value: Any) -> None:
    """Every property of a model, its nested models, and every value it maps."""
    if isinstance(value, list | tuple):
        for item in value:
            read_everything(item)
        return
    if isinstance(value, dict):
        for item in value.values():
            read_everything(item)
        return
    if hasattr(value, "__dataclass_fields__"):
        read_every_property(value)
        for name in value.__dataclass_fields__:
            read_everything(getattr(value, name))


def check_resource(resource: Resource, values: list[Any]) -> None:
    for raw in values:
        read = resource.read(raw)
        if isinstance(read, float):
            assert math.isfinite(read)
        if isinstance(read, Position):
            assert abs(read.latitude) <= 90
            assert abs(read.longitude) <= 180
        if isinstance(raw, bool | int | float | str):
            try:
                encoded = resource.encode(raw)
            except MicWriteError:
                continue
            assert not isinstance(encoded, float) or math.isfinite(encoded)


@FUZZ_SETTINGS
@given(mutated(SHADOW))
def test_shadows(document: Any) -> None:
    shadow = parses_or_raises(
        lambda: parse_shadow(as_json_text(document).encode()), MicResponseError
    )
    read_everything(shadow)
    if isinstance(document, dict):
        read_everything(parses_or_raises(lambda: parse_shadow(document), MicResponseError))
    read_everything(
        parses_or_raises(
            lambda: parse_shadow(as_json_text(as_json_text(document))), MicResponseError
        )
    )


@FUZZ_SETTINGS
@given(mutated(THING_ROW), mutated(DETAIL))
def test_things_and_details(row: Any, detail: Any) -> None:
    read_everything(Thing.parse(row))
    read_everything(ThingDetails.parse(detail))
    read_everything(ThingDetails.parse(detail, fallback_name="env-1"))


@FUZZ_SETTINGS
@given(mutated({"allThings": {"total": 3, "things": [THING_ROW, THING_ROW]}}), mutated(HITS))
def test_pages(data: Any, hits: Any) -> None:
    read_everything(parses_or_raises(lambda: parse_all_things(data), MicResponseError))
    read_everything(parses_or_raises(lambda: parse_found_things(hits), MicResponseError))
    read_everything(parses_or_raises(lambda: parse_observations(hits), MicResponseError))


@FUZZ_SETTINGS
@given(mutated(RESOURCES), st.lists(json_values, max_size=6))
def test_resources_read_any_value(rows: Any, values: list[Any]) -> None:
    thing_type = ThingType.from_graphql("12", {"resources": rows})
    rest = ThingType.parse({"id": "12", "label": "L", "resources": rows})
    for candidate in (thing_type, rest):
        read_everything(candidate)
    if thing_type is not None and rest is not None:
        merged = rest.merged_over(thing_type)
        read_everything(merged)
        for resource in merged.resources:
            check_resource(resource, [*values, 21.5, "on", "59.9,10.7", True, 3])
    read_everything(parses_or_raises(lambda: parse_thing_types(rows), MicResponseError))


@FUZZ_SETTINGS
@given(
    mutated(EVENT), st.text(max_size=40) | st.binary(max_size=40) | json_values.map(as_json_text)
)
def test_events_and_any_payload(event: Any, payload: str | bytes) -> None:
    read_everything(parses_or_raises(lambda: parse_event(as_json_text(event)), MicResponseError))
    read_everything(parses_or_raises(lambda: parse_event(payload), MicResponseError))
    read_everything(parses_or_raises(lambda: parse_shadow(payload), MicResponseError))


@FUZZ_SETTINGS
@given(
    mutated(LOGIN),
    mutated(COGNITO),
    mutated(ERROR),
    mutated({"data": {"t0": DETAIL}, "errors": [{"message": "E"}]}),
)
def test_account_answers(login: Any, cognito: Any, error: Any, graphql: Any) -> None:
    read_everything(
        parses_or_raises(lambda: Session.parse(login, with_user=True), MicResponseError)
    )
    read_everything(parses_or_raises(lambda: AwsCredentials.parse(cognito, NOW), MicResponseError))
    read_everything(ErrorBody.parse(error))
    read_everything(parses_or_raises(lambda: GraphQLAnswer.parse(graphql), MicResponseError))


@FUZZ_SETTINGS
@given(mutated(BOOT), mutated(META))
def test_manifests(boot: Any, meta: Any) -> None:
    read_everything(parses_or_raises(lambda: Manifest.parse(boot, meta), MicManifestError))
    parses_or_raises(lambda: Manifest.metadata_url(boot), MicManifestError)


@FUZZ_SETTINGS
@given(st.text(max_size=60))
def test_any_topic(topic: str) -> None:
    parsed = parse_thing_update_topic(topic)
    if parsed is not None:
        assert all(parsed)
