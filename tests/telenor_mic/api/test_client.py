"""MicClient against a fake MIC on 127.0.0.1: bootstrap, tokens, GraphQL, search, Cognito."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import logging
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from custom_components.telenor_mic.api import (
    DEFAULT_MANIFEST_URL,
    ManifestProblem,
    MicAuthError,
    MicClient,
    MicConnectionError,
    MicManifestError,
    MicNotAuthorizedError,
    MicNotFoundError,
    MicRateLimitError,
    MicRequestError,
    MicResponseError,
    MicTooDeepError,
    Position,
    ResourceKind,
    client as client_module,
)
from custom_components.telenor_mic.api.client import app_board_host, jwt_claims, token_lifetime
from tests.fuzzing import deeply_nested

from .conftest import (
    API_KEY,
    HOST,
    IDENTITY_ID,
    IOT_ENDPOINT,
    OFFICE,
    PASSWORD,
    REGION,
    T0_MS,
    THING_COUNT,
    USER,
    USER_POOL,
    Clock,
    FakeMic,
    MakeClient,
    epoch,
    jwt,
    localizable,
)

GRAPHQL = "/prod/graphql"
LOGIN = "/prod/auth/login"
REFRESH = "/prod/auth/refresh"


# --- bootstrap --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/prod/manifest/", "/Prod/manifest"])
async def test_both_manifests_are_read_once(
    cloud: FakeMic, make_client: MakeClient, path: str
) -> None:
    client = make_client(manifest_url=cloud.url + path, host=f"https://{HOST.upper()}/app")
    user = await client.async_login()
    assert user.user_name == USER
    assert user.domain_path == "/demo/"
    assert user.role_name == "ReadWrite"
    assert client.identity_id == IDENTITY_ID
    manifest = client.manifest
    assert manifest is not None
    assert manifest.api_base == f"{cloud.url}/prod"
    assert (manifest.region, manifest.user_pool, manifest.api_key) == (REGION, USER_POOL, API_KEY)
    assert manifest.iot_endpoint == IOT_ENDPOINT
    assert manifest.identity_pool is not None
    assert cloud.requests[0][1] == f"{path}?hostname={HOST}"
    await client.async_get_things()
    await client.async_login()
    assert cloud.calls_to(path) == 1  # bootstrap once
    assert cloud.calls_to("/metadata/manifest") == 1


async def test_a_stack_that_says_user_pool_id(cloud: FakeMic, make_client: MakeClient) -> None:
    cloud.user_pool_key = "UserPoolId"
    client = make_client()
    await client.async_login()
    assert client.manifest is not None
    assert client.manifest.user_pool == USER_POOL


async def test_an_unknown_host(make_client: MakeClient) -> None:
    client = make_client(host="nobody.example.com")
    with pytest.raises(MicManifestError) as caught:
        await client.async_login()
    assert caught.value.reason == ManifestProblem.UNKNOWN_HOST


@pytest.mark.parametrize(
    ("path", "status", "body", "error"),
    [
        ("/prod/manifest/", 200, "not json", MicManifestError),
        ("/prod/manifest/", 200, '{"StackName": "prod"}', MicManifestError),
        (
            "/prod/manifest/",
            200,
            '{"ApiGatewayRootUrl": "ftp://x", "StackName": "prod"}',
            MicManifestError,
        ),
        ("/prod/manifest/", 403, '{"message": "Missing Authentication Token"}', MicManifestError),
        ("/prod/manifest/", 502, "{}", MicConnectionError),
        ("/metadata/manifest", 404, "{}", MicManifestError),
        ("/metadata/manifest", 200, '{"Region": "eu-west-1"}', MicManifestError),
        ("/metadata/manifest", 200, "[]", MicManifestError),
    ],
)
async def test_unusable_manifests(
    cloud: FakeMic,
    make_client: MakeClient,
    path: str,
    status: int,
    body: str,
    error: type[Exception],
) -> None:
    cloud.fault("GET", path, status, body)
    client = make_client()
    with pytest.raises(error) as caught:
        await client.async_login()
    if isinstance(caught.value, MicManifestError):
        assert caught.value.reason == ManifestProblem.UNUSABLE
    assert client.manifest is None
    await client.async_login()  # nothing kept from the failure: it works next time
    assert client.manifest is not None


def test_defaults_and_hosts() -> None:
    client = MicClient(None, " Demo.MIC.example.com ", "u", "p")  # type: ignore[arg-type]
    assert client.host == "demo.mic.example.com"
    assert client.manifest_url == DEFAULT_MANIFEST_URL
    assert client.cognito_url == "https://cognito-identity.eu-west-1.amazonaws.com/"
    assert app_board_host("http://a.example/x/y") == "a.example"
    with pytest.raises(MicConnectionError):
        _ = client.mqtt_url  # no manifest yet


# --- tokens -----------------------------------------------------------------------------------
async def test_sign_in_sends_the_api_key_and_the_raw_token(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client()
    await client.async_get_things()
    assert cloud.bodies(LOGIN) == [{"userName": USER, "password": PASSWORD}]
    _, _, _, headers = cloud.requests[-1]
    assert headers["x-api-key"] == API_KEY
    assert headers["Authorization"].startswith("eyJ")  # the token itself, no "Bearer"
    assert headers["identityId"] == IDENTITY_ID
    assert (client.sign_ins, client.refreshes) == (1, 0)
    assert client.requests == len(cloud.requests)


async def test_a_wrong_password_is_never_sent_again(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client(password="wrong")
    with pytest.raises(MicAuthError, match="Incorrect username or password"):
        await client.async_login()
    assert client.credentials_rejected
    with pytest.raises(MicAuthError):
        await client.async_get_things()
    with pytest.raises(MicAuthError):
        await client.async_get_aws_credentials()
    assert cloud.calls_to(LOGIN) == 1


async def test_tokens_are_renewed_before_expiry(
    cloud: FakeMic, make_client: MakeClient, clock: Clock
) -> None:
    cloud.token_lifetime = 300
    client = make_client()
    await client.async_get_things()
    clock.advance(250)  # within the last minute of the 300 s token: refresh first
    await client.async_get_things()
    assert (client.sign_ins, client.refreshes) == (1, 1)
    assert cloud.bodies(REFRESH) == [{"refreshToken": "refresh-0"}]
    assert not any(status == 401 for status in ())  # nothing was refused on the way


async def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    cloud.rotate_refresh = False
    client = make_client()
    await client.async_login()
    for _ in range(2):
        cloud.expire_tokens()  # 401: refresh once, with the same refresh token each time
        await client.async_get_things()
    assert cloud.bodies(REFRESH) == [{"refreshToken": "refresh-0"}] * 2
    assert (client.sign_ins, client.refreshes) == (1, 2)


async def test_an_expired_token_is_refreshed_and_the_call_retried(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client()
    await client.async_get_things()
    before = cloud.calls_to(GRAPHQL)
    cloud.expire_tokens()
    things = await client.async_get_things()
    assert len(things) == THING_COUNT + 1
    assert client.refreshes == 1
    assert cloud.calls_to(GRAPHQL) == before + 3  # refused once, then both pages


async def test_a_refused_refresh_falls_back_to_the_password(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client()
    await client.async_login()
    cloud.revoke()
    await client.async_get_things()
    assert (client.sign_ins, client.refreshes) == (2, 0)
    assert cloud.calls_to(REFRESH) == 1
    cloud.revoke()
    cloud.password = "changed"  # meanwhile the password changed: that is an auth error
    with pytest.raises(MicAuthError):
        await client.async_get_things()
    assert client.credentials_rejected


async def test_a_forbidden_without_token_is_renewed_too(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault("POST", GRAPHQL, 403, {"message": "Forbidden"})
    await client.async_get_things()
    assert client.refreshes == 1


async def test_a_refused_fresh_token_is_transient_not_auth(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client()
    cloud.fault("POST", GRAPHQL, 401, {"message": "The incoming token has expired"}, count=2)
    with pytest.raises(MicConnectionError) as caught:
        await client.async_get_things()
    assert not isinstance(caught.value, MicAuthError)
    assert not client.credentials_rejected
    assert await client.async_get_things()
    cloud.fault("POST", GRAPHQL, 403, {"message": "Forbidden"}, count=2)
    with pytest.raises(MicConnectionError):
        await client.async_get_things()
    assert client.manifest is None  # perhaps a new API key: the manifest is read again
    assert await client.async_get_things()
    assert cloud.calls_to("/metadata/manifest") == 2


async def test_many_callers_refused_at_once_renew_once(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client()
    await client.async_login()
    cloud.expire_tokens()
    await asyncio.gather(*(client.async_get_thing_details(["env-001"]) for _ in range(5)))
    assert client.refreshes == 1


async def test_login_refused_api_key_reads_the_manifest_again(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    cloud.fault("POST", LOGIN, 403, {"message": "Forbidden"})
    client = make_client()
    with pytest.raises(MicConnectionError):
        await client.async_login()
    assert client.manifest is None
    await client.async_login()
    assert cloud.calls_to("/metadata/manifest") == 2


async def test_other_login_failures(cloud: FakeMic, make_client: MakeClient) -> None:
    cloud.fault("POST", LOGIN, 200, {"credentials": {"token": "t"}})  # no user
    cloud.fault("POST", LOGIN, 200, {"user": {"userName": "u"}, "credentials": {}})  # no token
    cloud.fault("POST", LOGIN, 409, localizable("Busy", "BUSY"))
    client = make_client()
    for error in (MicResponseError, MicResponseError, MicRequestError):
        with pytest.raises(error):
            await client.async_login()
    assert not client.credentials_rejected
    await client.async_login()


def test_token_lifetimes() -> None:
    assert token_lifetime(jwt({"iat": 100, "exp": 400}), wall_now=10**9) == 300  # skew-proof
    assert token_lifetime(jwt({"exp": 1000 + 3600}), wall_now=1000) == 3600
    assert token_lifetime(jwt({"exp": 10}), wall_now=1000) == client_module.MIN_TOKEN_LIFETIME
    assert token_lifetime("not a jwt", 0) == client_module.ASSUMED_TOKEN_LIFETIME
    assert jwt_claims("a.W10.c") == {}  # a list, not claims
    assert jwt_claims("a.!!!.c") == {}


# --- failures ---------------------------------------------------------------------------------
async def test_error_shapes(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault("POST", "/things/find", 400,
                localizable("Not allowed", "NOT_AUTHORIZED", operation="UPDATE", objectType="THING"))  # fmt: skip
    cloud.fault("POST", "/things/find", 403, localizable("Not allowed", "NOT_AUTHORIZED"))
    cloud.fault("POST", "/things/find", 404, {"message": "Not found"})
    cloud.fault("POST", "/things/find", 400, localizable("No such thing", "THING_NOT_FOUND"))
    cloud.fault("POST", "/things/find", 400, {"message": "Plain text"})
    cloud.fault("POST", "/things/find", 400, "")
    with pytest.raises(MicNotAuthorizedError) as refused:
        await client.async_find_things({"match_all": {}})
    assert refused.value.status == 400
    assert refused.value.message_key == "NOT_AUTHORIZED"
    assert refused.value.params == {"operation": "UPDATE", "objectType": "THING"}
    with pytest.raises(MicNotAuthorizedError) as refused:
        await client.async_find_things({"match_all": {}})
    assert refused.value.status == 403
    with pytest.raises(MicNotFoundError):
        await client.async_find_things({"match_all": {}})
    with pytest.raises(MicNotFoundError) as missing:
        await client.async_find_things({"match_all": {}})
    assert missing.value.message == "No such thing"
    with pytest.raises(MicRequestError) as plain:
        await client.async_find_things({"match_all": {}})
    assert (plain.value.message, plain.value.message_key) == ("Plain text", None)
    with pytest.raises(MicRequestError, match="no message"):
        await client.async_find_things({"match_all": {}})
    assert client.refreshes == 0  # a LocalizableError 403 is no token problem


async def test_rate_limits_are_honoured(
    cloud: FakeMic, make_client: MakeClient, clock: Clock
) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault(
        "POST", GRAPHQL, 429, {"message": "Too Many Requests"}, headers={"Retry-After": "30"}
    )
    with pytest.raises(MicRateLimitError) as caught:
        await client.async_get_things()
    assert caught.value.retry_after == 30
    sent = client.requests
    with pytest.raises(MicRateLimitError) as held:
        await client.async_get_things()  # held back without asking
    assert held.value.retry_after == 30
    assert client.requests == sent
    clock.advance(31)
    await client.async_get_things()
    cloud.fault("POST", GRAPHQL, 429, "{}")
    with pytest.raises(MicRateLimitError) as unnamed:
        await client.async_get_things()
    assert unnamed.value.retry_after is None
    await client.async_get_things()  # nothing to hold back for


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, '{"message": "Internal server error"}'), (503, ""), (200, "{not json")],
)  # fmt: skip
async def test_transient_failures(
    cloud: FakeMic, make_client: MakeClient, status: int, body: str
) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault("POST", GRAPHQL, status, body)
    with pytest.raises(MicConnectionError):
        await client.async_get_things()
    assert await client.async_get_things()


@pytest.mark.parametrize("body", [deeply_nested(), "[" * 40 + "]" * 40])
async def test_an_answer_nested_too_deep_is_read_again_in_smaller_pages(
    cloud: FakeMic, make_client: MakeClient, body: str
) -> None:
    client = make_client()
    await client.async_login()
    everything = await client.async_get_things()
    skipped = client.skipped_things  # the fake's own unreadable row
    cloud.fault("POST", GRAPHQL, 200, body)  # once: the halves read
    assert await client.async_get_things() == everything
    assert client.skipped_things == skipped
    for _ in range(400):  # every answer: not one row to blame, the whole list
        cloud.fault("POST", GRAPHQL, 200, body)
    with pytest.raises(MicTooDeepError):
        await client.async_get_things()


async def test_timeouts_and_unreachable_clouds(
    cloud: FakeMic, make_client: MakeClient, http: aiohttp.ClientSession
) -> None:
    client = make_client(request_timeout=0.2)
    await client.async_login()
    cloud.fault("POST", GRAPHQL, 200, "{}", delay=1.0)
    with pytest.raises(MicConnectionError, match="failed"):
        await client.async_get_things()
    nowhere = MicClient(
        http, HOST, USER, PASSWORD, manifest_url="http://127.0.0.1:9/prod/manifest/"
    )
    with pytest.raises(MicConnectionError):
        await nowhere.async_login()


async def test_graphql_errors_without_data(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault("POST", GRAPHQL, 200, {"data": None, "errors": [{"message": "NOT_AUTHORIZED"}]})
    cloud.fault("POST", GRAPHQL, 200, {"data": []})
    cloud.fault("POST", GRAPHQL, 200, {"data": {"allThings": {"things": {"a": 1}}}})
    cloud.fault("POST", GRAPHQL, 200, [])
    for error in (MicRequestError, MicResponseError, MicResponseError, MicResponseError):
        with pytest.raises(error):
            await client.async_get_things()


# --- things -----------------------------------------------------------------------------------
async def test_all_things_pages_until_the_total(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    things = await client.async_get_things()
    assert len(things) == THING_COUNT + 1
    assert client.skipped_things == 1  # the row without a name
    variables = [body["variables"] for body in cloud.bodies(GRAPHQL)]
    assert variables == [{"size": 100, "from": 0}, {"size": 100, "from": 100}]
    first = things[0]
    assert (first.name, first.label, first.domain, first.thing_type) == (
        "env-000", "Sensor 0", "office", "12",
    )  # fmt: skip
    assert first.last_heard_from == epoch(T0_MS)  # milliseconds as text
    assert things[1].last_heard_from == datetime(2026, 9, 21, 10, tzinfo=UTC)  # ISO 8601
    assert first.reported == {"temperature": 20.0, "on": True, "pos": "59.91,10.75"}
    assert things[-1].last_heard_from is None


async def test_a_page_exactly_at_the_total_is_the_last(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    del cloud.things[99 - 1 :]  # 98 things and the unreadable row: one short page
    client = make_client()
    assert len(await client.async_get_things()) == 98
    assert cloud.calls_to(GRAPHQL) == 1
    cloud.things.extend(cloud.things[:1] * 0)
    del cloud.things[:]
    assert await client.async_get_things() == []


async def test_a_cloud_that_ignores_from_stops_paging(
    cloud: FakeMic, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.ignore_from = True
    monkeypatch.setattr(client_module, "MAX_PAGES", 3)
    client = make_client()
    things = await client.async_get_things()
    assert len(things) == 99  # the first page, read three times, each thing once
    assert cloud.calls_to(GRAPHQL) == 3


async def test_the_json_scalar_as_text(cloud: FakeMic, make_client: MakeClient) -> None:
    cloud.json_as_text = True
    client = make_client()
    things = await client.async_get_things()
    assert things[0].reported["temperature"] == 20.0
    details = await client.async_get_thing_details(["env-001"])
    shadow = details["env-001"].shadow
    assert shadow is not None
    assert shadow.reported["on"] is False


async def test_thing_details_are_batched(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    names = [f"env-{i:03d}" for i in range(120)] + ["missing", "env-000", "lab-1"]
    details = await client.async_get_thing_details(names)
    assert cloud.calls_to(GRAPHQL) == 3  # 50 + 50 + 22 aliased queries
    assert "missing" not in details
    assert len(details) == 121
    office = details["env-001"]
    assert office.domain_topic == OFFICE
    assert office.thing.thing_type == "12"
    assert office.shadow is not None
    assert office.shadow.version == 7
    assert office.shadow.desired == {"on": False}
    assert office.shadow.delta == {"on": False}
    assert office.shadow.reported_at["temperature"] == datetime.fromtimestamp(1_790_000_000, UTC)
    assert office.thing.last_heard_from == datetime.fromtimestamp(1_790_000_000, UTC)
    query = cloud.bodies(GRAPHQL)[0]
    assert "t49: thing(thingName: $v49)" in query["query"]
    assert query["variables"]["v0"] == "env-000"
    assert await client.async_get_thing_details([]) == {}
    assert cloud.calls_to(GRAPHQL) == 3


async def test_an_unreadable_thing_detail_is_left_out(
    cloud: FakeMic, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault("POST", GRAPHQL, 200, {"data": {"t0": "garbage", "t1": {"shadow": "{"},
                                                "t2": {"thingName": "c", "shadow": {"state": 1}}}})  # fmt: skip
    details = await client.async_get_thing_details(["a", "b", "c"])
    assert set(details) == {"b", "c"}  # b: its name from the request; shadows unreadable
    assert details["b"].shadow is None
    assert details["c"].shadow is None
    assert "Skipped unreadable MIC thing details of a" in caplog.text


async def test_thing_types_merge_rest_over_graphql(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    types = await client.async_get_thing_types(["12", "13", "14", "99", "12"])
    assert set(types) == {"12", "13", "14"}
    env = types["12"]
    assert env.label == "Environment sensor"
    assert [r.name for r in env.resources] == ["temperature", "on", "mode", "pos", "extra"]
    temperature = env.resource("temperature")
    assert temperature is not None
    assert (temperature.label, temperature.unit) == ("Temperature", "°C")
    assert (temperature.minimum, temperature.maximum, temperature.step) == (-40, 85, 0.5)
    assert not temperature.settable
    mode = env.resource("mode")
    assert mode is not None
    assert mode.settable
    assert mode.options == ("eco", "comfort")
    on = env.resource("on")
    assert on is not None
    assert (on.kind, on.settable, on.label) == (ResourceKind.BOOLEAN, True, "Power")
    pos = env.resource("pos")
    assert pos is not None
    assert pos.read("59.91,10.75") == Position(59.91, 10.75)
    assert types["13"].label is None  # GraphQL only
    assert types["14"].resources[0].kind is ResourceKind.UNKNOWN  # REST only
    assert cloud.calls_to("/thingtypes") == 1
    assert await client.async_get_thing_types([]) == {}


async def test_thing_types_without_rest(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    cloud.fault("GET", "/thingtypes", 403, localizable("Not allowed", "NOT_AUTHORIZED"))
    types = await client.async_get_thing_types(["12"])
    assert types["12"].label is None
    temperature = types["12"].resource("temperature")
    assert temperature is not None
    assert temperature.unit == "C"
    cloud.fault("GET", "/thingtypes", 200, {"thingTypes": "nope"})
    assert (await client.async_get_thing_types(["12"]))["12"].label is None
    cloud.fault("GET", "/thingtypes", 200, {"items": [{"id": "12", "label": "Wrapped"}]})
    assert (await client.async_get_thing_types(["12"]))["12"].label == "Wrapped"


@pytest.mark.parametrize("total_as_object", [False, True])
async def test_find_things_pages(
    cloud: FakeMic, make_client: MakeClient, total_as_object: bool
) -> None:
    cloud.total_as_object = total_as_object
    client = make_client()
    query = {"bool": {"filter": [{"terms": {"thingName": ["env-001", "env-002", "lab-1"]}}]}}
    found = await client.async_find_things(query, size=2)
    assert [thing.name for thing in found] == ["env-001", "env-002", "lab-1"]
    assert [body["from"] for body in cloud.bodies("/things/find")] == [0, 2]
    assert found[2].reported["pos"] == {"lat": 1, "lng": 2}
    assert await client.async_find_things({"term": {"thingType": "nope"}}) == []
    cloud.fault("POST", "/things/find", 200, {"hits": {"hits": [{"_id": "x", "_source": {}}, {}]}})
    found = await client.async_find_things({"match_all": {}})
    assert [thing.name for thing in found] == ["x"]  # the _id names it
    assert client.skipped_things == 1


async def test_observations_page_in_order(cloud: FakeMic, make_client: MakeClient) -> None:
    cloud.total_as_object = True
    client = make_client()
    start, end = epoch(T0_MS), epoch(T0_MS + 29 * 60_000)
    found = await client.async_find_observations(["env-000", "env-001"], start, end, page_size=25)
    assert len(found) == 60
    assert [body["from"] for body in cloud.bodies("/observations/find")] == [0, 25, 50]
    assert found == sorted(found, key=lambda o: o.timestamp)
    assert found[0].thing_name in {"env-000", "env-001"}
    assert found[0].timestamp == start
    assert found[-1].values == {"temperature": 29}
    body = cloud.bodies("/observations/find")[0]
    assert body["query"]["bool"]["filter"][1] == {
        "range": {"timestamp": {"gte": T0_MS, "lte": T0_MS + 29 * 60_000}}
    }
    one = await client.async_find_observations(["env-002"], start, end.replace(tzinfo=None))
    assert len(one) == 30
    assert cloud.bodies("/observations/find")[-1]["query"]["bool"]["filter"][0] == {
        "term": {"thingName": "env-002"}
    }
    assert await client.async_find_observations([], start, end) == []


# --- Cognito and the websocket URL -----------------------------------------------------------
async def test_aws_credentials(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    credentials = await client.async_get_aws_credentials()
    assert credentials.access_key_id.startswith("ASIA")
    assert "/" in credentials.secret_key
    assert credentials.expiration > datetime.now(UTC) + timedelta(minutes=50)
    assert "se/cr" not in repr(credentials)
    method, path, body, headers = cloud.requests[-1]
    assert (method, path) == ("POST", "/")
    assert headers["X-Amz-Target"] == "AWSCognitoIdentityService.GetCredentialsForIdentity"
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert body["IdentityId"] == IDENTITY_ID
    assert list(body["Logins"]) == [f"cognito-idp.{REGION}.amazonaws.com/{USER_POOL}"]


async def test_a_refused_cognito_token_is_renewed_once(
    cloud: FakeMic, make_client: MakeClient
) -> None:
    client = make_client()
    cloud.cognito_refusals = ["NotAuthorizedException"]
    await client.async_get_aws_credentials()
    assert client.refreshes == 1
    cloud.cognito_refusals = ["com.amazonaws#ResourceNotFoundException"]
    await client.async_get_aws_credentials()
    assert client.refreshes == 2
    cloud.cognito_refusals = ["NotAuthorizedException"] * 2
    with pytest.raises(MicConnectionError, match="freshly issued"):
        await client.async_get_aws_credentials()


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        ("InvalidParameterException", MicRequestError),
        ("TooManyRequestsException", MicRateLimitError),
        ("LimitExceededException", MicRateLimitError),
    ],
)
async def test_cognito_errors(
    cloud: FakeMic, make_client: MakeClient, refusal: str, error: type[Exception]
) -> None:
    client = make_client()
    cloud.cognito_refusals = [refusal]
    with pytest.raises(error):
        await client.async_get_aws_credentials()


async def test_cognito_failures(cloud: FakeMic, make_client: MakeClient) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault("POST", "/", 500, {"__type": "InternalErrorException"})
    with pytest.raises(MicConnectionError):
        await client.async_get_aws_credentials()
    cloud.fault("POST", "/", 200, {"Credentials": {"AccessKeyId": "a"}})
    with pytest.raises(MicResponseError):
        await client.async_get_aws_credentials()
    cloud.fault("POST", "/", 200, {"Credentials": {"AccessKeyId": "a", "SecretKey": "s",
                                                   "SessionToken": "t", "Expiration": "soon"}})  # fmt: skip
    credentials = await client.async_get_aws_credentials()
    assert credentials.expiration > datetime.now(UTC) + timedelta(minutes=59)  # an hour assumed
    client.identity_id = None
    with pytest.raises(MicResponseError):
        await client.async_get_aws_credentials()


async def test_websocket_urls(
    cloud: FakeMic, make_client: MakeClient, http: aiohttp.ClientSession
) -> None:
    client = make_client()
    credentials = await client.async_get_aws_credentials()
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    url = client.websocket_url(credentials, now)
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == cloud.url.replace("http", "ws") + "/mqtt"
    )
    query = parse_qs(parts.query)
    assert query["X-Amz-Date"] == ["20260301T120000Z"]
    assert query["X-Amz-Credential"] == [
        f"{credentials.access_key_id}/20260301/{REGION}/iotdevicegateway/aws4_request"
    ]
    assert query["X-Amz-Security-Token"] == [credentials.session_token]
    assert url.endswith(
        "&X-Amz-Security-Token="
        + credentials.session_token.replace("/", "%2F").replace("+", "%2B").replace("=", "%3D")
    )
    assert client.websocket_url(credentials) != url  # signed at the wall clock's time
    secure = make_client(aws_endpoint="https://localstack.example:4566/")
    await secure.async_login()
    assert secure.mqtt_url == "wss://localstack.example:4566/mqtt"
    assert secure.cognito_url == "https://localstack.example:4566/"
    aws = make_client(aws_endpoint=None)
    await aws.async_login()
    assert aws.mqtt_url == f"wss://{IOT_ENDPOINT}/mqtt"
    assert aws.cognito_url == f"https://cognito-identity.{REGION}.amazonaws.com/"
    assert aws.websocket_url(credentials, now).startswith(
        f"wss://{IOT_ENDPOINT}/mqtt?X-Amz-Algorithm="
    )


async def test_secrets_never_reach_the_log(
    cloud: FakeMic, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.telenor_mic")
    client = make_client()
    await client.async_login()
    cloud.expire_tokens()
    await client.async_get_things()
    credentials = await client.async_get_aws_credentials()
    logger = logging.getLogger(client_module.__name__)
    token = client._token
    assert token is not None
    logger.debug("login %s", {"token": token, "refreshToken": "refresh-1", "password": PASSWORD})
    logger.debug("url %s", client.websocket_url(credentials))
    logger.debug(
        'cognito {"SecretKey": "%s", "SessionToken": "%s"}',
        credentials.secret_key,
        credentials.session_token,
    )
    logger.debug("header Authorization: %s", token)
    logger.debug("bare %s", token)
    for secret in (token, "refresh-1", PASSWORD, credentials.secret_key, credentials.session_token):
        assert secret not in caplog.text
    assert "REDACTED" in caplog.text
    assert credentials.access_key_id in caplog.text  # the key id is no secret


async def test_retry_after_as_a_date_and_odd_answers(
    cloud: FakeMic, make_client: MakeClient, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    await client.async_login()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    cloud.fault("POST", GRAPHQL, 429, "{}", headers={"Retry-After": when})
    with pytest.raises(MicRateLimitError) as caught:
        await client.async_get_things()
    assert caught.value.retry_after is not None
    assert 100 < caught.value.retry_after <= 120
    clock.advance(121)
    cloud.fault("POST", GRAPHQL, 429, "{}", headers={"Retry-After": "whenever"})
    with pytest.raises(MicRateLimitError) as unreadable:
        await client.async_get_things()
    assert unreadable.value.retry_after is None
    monkeypatch.setattr(client_module, "MAX_BODY", 10)
    with pytest.raises(MicConnectionError, match="unreadable JSON"):
        await client.async_get_things()
    monkeypatch.setattr(client_module, "MAX_BODY", 20_000_000)

    def broken(data: object) -> object:
        raise TypeError("a bug in a parser")

    monkeypatch.setattr(client_module, "parse_all_things", broken)
    with pytest.raises(MicResponseError, match="unreadable things list"):
        await client.async_get_things()
