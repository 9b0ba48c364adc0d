"""CayenneClient against a fake cloud on 127.0.0.1: both sign-ins, tokens, data, failures."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from custom_components.cayenne.api import (
    AuthFlow,
    CayenneAuthError,
    CayenneClient,
    CayenneCommandError,
    CayenneConnectionError,
    CayenneRateLimitError,
    CayenneResponseError,
    DataType,
    Unit,
    auth_token_url,
)
from custom_components.cayenne.api.client import retry_after
from tests.fuzzing import deeply_nested

from .conftest import APP_KEY, EMAIL, LORA, OIDC_PATH, PASSWORD, PI, Clock, FakeCayenne, MakeClient

THINGS = "GET /v1.1/things"


async def test_openid_sign_in_is_form_encoded_with_the_app_credentials(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client()
    things = await client.async_get_things()
    assert [t.thing_id for t in things] == [PI, LORA]  # DEACTIVATED and id-less ones left out
    method, path, form, headers = cloud.requests[0]
    assert (method, path) == ("POST", OIDC_PATH)
    assert form == {
        "grant_type": "password", "username": EMAIL, "password": PASSWORD,
        "client_id": APP_KEY, "client_secret": "app-secret-1",
    }  # fmt: skip
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    _, _, _, api_headers = cloud.requests[1]
    assert api_headers["Authorization"].startswith("Bearer ")
    assert api_headers["X-API-Version"] == "1.0"
    assert client.account_id == "account-42"
    await client.async_get_things()
    assert client.sign_ins == 1  # the token is reused


async def test_legacy_sign_in_sends_json_with_email(
    cloud: FakeCayenne, make_client: MakeClient, clock: Clock
) -> None:
    client = make_client(flow=AuthFlow.LEGACY)
    assert client.token_url == f"{cloud.url}/oauth/token"
    await client.async_get_things()
    _, path, body, _ = cloud.requests[0]
    assert path == "/oauth/token"
    assert body["email"] == EMAIL
    assert body["grant_type"] == "password"
    cloud.fault("GET", "/v1.1/things", 401)  # renewed through the legacy refresh grant
    await client.async_get_things()
    assert (client.sign_ins, client.refreshes) == (1, 1)
    assert cloud.requests[-2][2] == {
        "grant_type": "refresh_token", "refresh_token": "r0",
        "client_id": APP_KEY, "client_secret": "app-secret-1",
    }  # fmt: skip
    clock.advance(3600)  # no expires_in, no exp claim: an hour assumed, then a new sign-in
    await client.async_get_things()
    assert client.sign_ins == 2


def test_token_url_setting() -> None:
    assert auth_token_url("https://accounts.mydevices.com/", AuthFlow.OPENID) == (
        "https://accounts.mydevices.com" + OIDC_PATH
    )
    assert auth_token_url("https://x/custom/token", AuthFlow.LEGACY) == "https://x/custom/token"
    client = CayenneClient(None, "e", "p", "k", "s", auth_flow="legacy")  # type: ignore[arg-type]
    assert client.token_url == "https://auth.mydevices.com/oauth/token"
    assert client.api_url == "https://platform.mydevices.com"


async def test_tokens_are_renewed_before_expiry(
    cloud: FakeCayenne, make_client: MakeClient, clock: Clock
) -> None:
    client = make_client()
    await client.async_get_things()
    clock.advance(250)  # within the last minute of the 300 s token: refresh first
    await client.async_get_things()
    assert (client.sign_ins, client.refreshes) == (1, 1)
    assert cloud.calls[THINGS] == 2  # nothing was rejected
    clock.advance(2000)  # the refresh token expired too: sign in again
    await client.async_get_things()
    assert (client.sign_ins, client.refreshes) == (2, 1)


async def test_a_revoked_token_is_renewed_once(cloud: FakeCayenne, make_client: MakeClient) -> None:
    client = make_client()
    await client.async_get_things()
    cloud.revoke()  # the refresh token is refused too: sign in again
    await client.async_get_things()
    assert client.sign_ins == 2
    assert cloud.calls[THINGS] == 3


async def test_a_refused_fresh_token_is_transient_not_auth(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client()
    cloud.fault("GET", "/v1.1/things", 401, count=2)
    with pytest.raises(CayenneConnectionError) as caught:
        await client.async_get_things()
    assert not isinstance(caught.value, CayenneAuthError)
    assert not client.credentials_rejected
    assert (await client.async_get_things())[0].thing_id == PI


async def test_401_then_rejected_password_is_an_auth_error(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client()
    await client.async_get_things()
    cloud.revoke()
    cloud.password = "changed"
    with pytest.raises(CayenneAuthError, match="Invalid user credentials"):
        await client.async_get_things()


@pytest.mark.parametrize("flow", list(AuthFlow))
async def test_a_rejected_password_is_sent_once(
    cloud: FakeCayenne, make_client: MakeClient, flow: AuthFlow
) -> None:
    client = make_client(password="wrong", flow=flow)
    for _ in range(3):
        with pytest.raises(CayenneAuthError):
            await client.async_get_things()
    assert client.credentials_rejected
    token_path = OIDC_PATH if flow is AuthFlow.OPENID else "/oauth/token"
    assert cloud.calls[f"POST {token_path}"] == 1
    assert cloud.calls[THINGS] == 0


async def test_wrong_app_secret_is_an_auth_error(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client(app_secret="nope")
    with pytest.raises(CayenneAuthError, match="Invalid client credentials"):
        await client.async_login()
    assert client.credentials_rejected


async def test_transient_token_failures_are_never_auth_errors(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client()
    cloud.fault("POST", OIDC_PATH, 500)
    with pytest.raises(CayenneConnectionError) as caught:
        await client.async_login()
    assert not isinstance(caught.value, CayenneAuthError)
    cloud.fault("POST", OIDC_PATH, 200, body="<html>")
    with pytest.raises(CayenneResponseError):
        await client.async_login()
    cloud.fault("POST", OIDC_PATH, 200, body='{"access_token": "x", "expires_in": "soon"}')
    with pytest.raises(CayenneResponseError):
        await client.async_login()
    cloud.fault("POST", OIDC_PATH, 400, body='{"error": "invalid_request"}')
    with pytest.raises(CayenneConnectionError):
        await client.async_login()
    assert not client.credentials_rejected
    await client.async_login()


async def test_unreachable_cloud(http: aiohttp.ClientSession) -> None:
    client = CayenneClient(http, EMAIL, PASSWORD, APP_KEY, "s", auth_url="http://127.0.0.1:9")
    with pytest.raises(CayenneConnectionError):
        await client.async_login()


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured(
    cloud: FakeCayenne, make_client: MakeClient, clock: Clock, status: int
) -> None:
    client = make_client()
    await client.async_login()
    cloud.fault("GET", "/v1.1/things", status, headers={"Retry-After": "120"})
    with pytest.raises(CayenneRateLimitError) as caught:
        await client.async_get_things()
    assert caught.value.retry_after == 120
    clock.advance(60)
    with pytest.raises(CayenneRateLimitError) as held:  # held back without asking the cloud
        await client.async_get_things()
    assert held.value.retry_after == pytest.approx(60)
    assert cloud.calls[THINGS] == 1
    clock.advance(61)
    assert len(await client.async_get_things()) == 2


async def test_503_without_retry_after_is_transient(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client()
    cloud.fault("GET", "/v1.1/things", 503)
    with pytest.raises(CayenneConnectionError) as caught:
        await client.async_get_things()
    assert not isinstance(caught.value, CayenneRateLimitError)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, None), ("", None), ("30", 30.0), ("0", 1.0), ("nan", None), ("99999", 3600.0),
     ("Mon, 21 Sep 2026 10:01:00 GMT", 60.0), ("tomorrow", None)],
)  # fmt: skip
def test_retry_after_headers(header: str | None, seconds: float | None) -> None:
    assert retry_after(header, datetime(2026, 9, 21, 10, 0, tzinfo=UTC)) == seconds


async def test_thing_with_children_per_channel(make_client: MakeClient) -> None:
    client = make_client()
    thing = await client.async_get_thing(PI)
    assert (thing.name, thing.hardware_id, thing.is_active) == ("Raspberry Pi", "hw-1", True)
    assert thing.properties == {"location": "garage"}
    assert thing.last_online == datetime(2026, 9, 21, 14, 13, 20, tzinfo=UTC)
    assert sorted(thing.channels) == ["1", "2", "3", "9"]
    temp, hum, relay, odd = (thing.channels[c] for c in ("1", "2", "3", "9"))
    assert (temp.child_id, temp.data_type, temp.unit) == (
        "c-temp",
        DataType.TEMPERATURE,
        Unit.CELSIUS,
    )
    assert (hum.data_type, hum.unit) == (DataType.HUMIDITY, Unit.PERCENT)
    assert (relay.data_type, relay.is_actuator, relay.unit) == (DataType.RELAY, True, Unit.DIGITAL)
    assert (odd.data_type, odd.raw_type) == (DataType.UNKNOWN, "plasma_flux")
    assert thing.skipped_children == 2
    with pytest.raises(CayenneResponseError, match="404"):
        await client.async_get_thing("missing")


async def test_latest_value_and_history(cloud: FakeCayenne, make_client: MakeClient) -> None:
    client = make_client()
    latest = await client.async_get_latest(PI, "c-temp")
    assert latest is not None
    assert latest.value == 21.5
    assert latest.timestamp == datetime(2026, 9, 21, 10, 0, tzinfo=UTC)
    assert cloud.requests[-1][1] == f"/v1.1/telemetry/{PI}/sensors/c-temp/summaries?type=latest"
    cloud.latest = []
    assert await client.async_get_latest(PI, "c-temp") is None
    cloud.latest = [{"v": "NaN", "ts": 1790000000000}]
    nan = await client.async_get_latest(PI, "c-temp")
    assert nan is not None
    assert nan.value is None
    history = await client.async_get_history(PI, "c-temp", summary="hour")
    assert [r.value for r in history] == [22, 21, 20]  # in time order; rows without v or ts skipped
    start, end = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 2, tzinfo=UTC)
    await client.async_get_history(PI, "c-temp", start=start, end=end)
    assert "type=custom&startDate=1788220800000&endDate=1788307200000" in cloud.requests[-1][1]


async def test_commands_mqtt_credentials_and_rules(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client()
    await client.async_send_command(PI, "3", 1)
    assert cloud.requests[-1][:3] == (
        "POST",
        f"/v1.1/things/{PI}/cmd",
        {"channel": "3", "value": 1},
    )
    with pytest.raises(CayenneCommandError, match="Channel not found"):
        await client.async_send_command(PI, "99", 1)
    with pytest.raises(CayenneCommandError):
        await client.async_send_command(PI, "3", float("nan"))
    credentials = await client.async_get_mqtt_credentials()
    assert (credentials.username, credentials.password) == ("mqtt-user", "mqtt-secret")
    assert "mqtt-secret" not in repr(credentials)
    rules = await client.async_get_rules()
    assert [(r.rule_id, r.title, r.enabled) for r in rules] == [
        ("r1", "Too hot", True), ("r2", "Night", False),
    ]  # fmt: skip
    await client.async_set_rule_enabled("r1", False)
    assert cloud.requests[-1][:3] == ("PUT", "/v1.1/rules/r1", {"enabled": False})
    with pytest.raises(CayenneCommandError, match="no such rule"):
        await client.async_set_rule_enabled("r9", True)


@pytest.mark.parametrize(
    "body",
    ["not json", '{"things": 5}', '{"things": NaN}', '"text"', deeply_nested(), deeply_nested(40)],
)
async def test_unreadable_things_list_is_a_response_error(
    cloud: FakeCayenne, make_client: MakeClient, body: str
) -> None:
    client = make_client()
    cloud.fault("GET", "/v1.1/things", 200, body=body)
    with pytest.raises(CayenneResponseError):
        await client.async_get_things()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/v1.1/things/{PI}", '{"id": 5.5}'),
        (f"/v1.1/things/{PI}", "[]"),
        ("/v1.1/rules", '{"rules": "none"}'),
        ("/v1.1/clients", '{"id": null}'),
        ("/v1.1/telemetry", "{"),
    ],
)
async def test_unreadable_answers_raise_only_the_clients_error(
    cloud: FakeCayenne, make_client: MakeClient, path: str, body: str
) -> None:
    client = make_client()
    method = "POST" if path == "/v1.1/clients" else "GET"
    cloud.fault(method, path, 200, body=body)
    calls = {
        f"/v1.1/things/{PI}": lambda: client.async_get_thing(PI),
        "/v1.1/rules": client.async_get_rules,
        "/v1.1/clients": client.async_get_mqtt_credentials,
        "/v1.1/telemetry": lambda: client.async_get_latest(PI, "c-temp"),
    }
    with pytest.raises(CayenneResponseError):
        await calls[path]()


def test_client_is_independent_of_home_assistant() -> None:
    package = Path(__file__).parents[3] / "custom_components" / "cayenne" / "api"
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.startswith("homeassistant") for n in names), source


async def test_a_bad_thing_is_skipped_not_fatal(
    cloud: FakeCayenne, make_client: MakeClient
) -> None:
    client = make_client()
    cloud.fault(
        "GET", "/v1.1/things", 200, body=f'[NaN, {{"id": "{PI}", "name": 5}}, [1], {{"id": {{}}}}]'
    )
    things = await client.async_get_things()
    assert [(t.thing_id, t.name) for t in things] == [(PI, None)]
