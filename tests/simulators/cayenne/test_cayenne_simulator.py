"""The Cayenne simulator over real sockets: tokens, things, telemetry, commands, rules, faults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp
import jwt
import pytest

from simulators import registry
from simulators.cayenne import SCENARIOS, CayenneSimulator
from simulators.cayenne.rest import LEGACY_TOKEN
from simulators.cayenne.scenario import SCENARIO_SCHEMA
from simulators.core import SimClock, SimulatorServer, load_scenario
from simulators.testing import SimulatorAdmin

from .conftest import (
    APP_KEY,
    APP_SECRET,
    EMAIL,
    LISTED,
    LORA,
    OLD,
    PASSWORD,
    PI,
    TRY_EMAIL,
    call,
    login,
    token,
)


def test_registered_and_demo_scenario_loads() -> None:
    assert registry.simulator_class("cayenne") is CayenneSimulator
    scenario = load_scenario(SCENARIOS / "demo.yaml", SCENARIO_SCHEMA, "cayenne")
    assert scenario.name == "demo"


async def test_demo_and_try_it_entries(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    admin = SimulatorAdmin(http, cayenne.url)
    answers = {
        "auth_flow": "openid",
        "auth_url": cayenne.url,
        "api_url": cayenne.url,
        "mqtt_host": "127.0.0.1",
        "mqtt_port": sim.mqtt_port,
        "mqtt_tls": False,
    }
    assert await admin.demo_entries() == [
        {
            "domain": "cayenne",
            "title": EMAIL,
            "steps": [
                {"email": EMAIL, "password": PASSWORD, "app_key": APP_KEY,
                 "app_secret": APP_SECRET, **answers}
            ],
        }
    ]  # fmt: skip
    assert await admin.try_it_entries() == [
        {
            "domain": "cayenne",
            "title": TRY_EMAIL,
            "steps": [
                {"email": TRY_EMAIL, "password": "try-things-1",
                 "app_key": "2b7d9f41-3c6e-4a8b-9d0f-1e3a5c7b9d2f",
                 "app_secret": "7e1c4a9f2d6b8e0a3c5f7d9b1e4a6c8f0d2b4e6a", **answers}
            ],
        }
    ]  # fmt: skip
    urls = (await admin.health())["urls"]
    assert (urls["mqtt_host"], urls["mqtt_port"]) == ("127.0.0.1", str(sim.mqtt_port))
    assert sim.mqtt_port > 0
    # the try-it account signs in and sees its own things only
    status, body = await token(
        http,
        cayenne.url,
        username=TRY_EMAIL,
        password="try-things-1",
        client_id="2b7d9f41-3c6e-4a8b-9d0f-1e3a5c7b9d2f",
        client_secret="7e1c4a9f2d6b8e0a3c5f7d9b1e4a6c8f0d2b4e6a",
    )
    assert status == 200
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    _, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
    assert [t["name"] for t in things] == ["Garden Pi", "Pool sensor"]


# --- OpenID Connect (Keycloak) ------------------------------------------------------------------
async def test_openid_password_and_refresh(
    cayenne: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    status, body = await token(http, cayenne.url)
    assert status == 200
    assert {
        "access_token",
        "expires_in",
        "refresh_expires_in",
        "refresh_token",
        "token_type",
    } <= set(body)
    assert (body["expires_in"], body["refresh_expires_in"], body["token_type"]) == (
        300,
        1800,
        "Bearer",
    )
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
    assert claims["exp"] - claims["iat"] == 300
    status, renewed = await token(
        http, cayenne.url, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert status == 200
    assert renewed["access_token"] != body["access_token"]
    # refresh tokens rotate: the old one is spent
    status, error = await token(
        http, cayenne.url, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert (status, error["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"password": "wrong"}, 401, "invalid_grant"),
        ({"username": "nobody@example.com"}, 401, "invalid_grant"),
        ({"client_id": "not-an-app"}, 401, "invalid_client"),
        ({"client_secret": "wrong"}, 401, "unauthorized_client"),
        ({"grant_type": "client_magic"}, 400, "unsupported_grant_type"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "garbage"}, 400, "invalid_grant"),
    ],
)
async def test_openid_errors(
    cayenne: SimulatorServer,
    http: aiohttp.ClientSession,
    overrides: dict[str, str],
    status: int,
    error: str,
) -> None:
    got, body = await token(http, cayenne.url, **overrides)
    assert (got, body["error"]) == (status, error)
    assert body["error_description"]


async def test_openid_wants_a_form(cayenne: SimulatorServer, http: aiohttp.ClientSession) -> None:
    url = cayenne.url + "/auth/realms/cayenne/protocol/openid-connect/token"
    body = {"grant_type": "password", "username": EMAIL, "password": PASSWORD}
    status, answer = await call(http, "POST", url, json=body)
    assert (status, answer["error"]) == (400, "invalid_request")


async def test_expired_refresh_token(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    _, body = await token(http, cayenne.url)
    clock.advance(1801)
    status, error = await token(
        http, cayenne.url, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert (status, error) == (
        400,
        {"error": "invalid_grant", "error_description": "Token is not active"},
    )


# --- legacy /oauth/token -----------------------------------------------------------------------
async def test_legacy_password_and_refresh(
    cayenne: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    body = {"grant_type": "password", "email": EMAIL, "password": PASSWORD, "client_id": APP_KEY}
    status, tokens = await call(http, "POST", cayenne.url + LEGACY_TOKEN, json=body)
    assert status == 200
    assert set(tokens) == {"access_token", "refresh_token"}  # as the 2017 document shows
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    status, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
    assert status == 200
    assert things
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": APP_KEY,
    }
    status, renewed = await call(http, "POST", cayenne.url + LEGACY_TOKEN, json=refresh)
    assert status == 200
    assert renewed["access_token"] != tokens["access_token"]
    # the document's curl example sends a form; that works too
    form = {"grant_type": "password", "email": EMAIL, "password": PASSWORD, "client_id": APP_KEY}
    status, _ = await call(http, "POST", cayenne.url + LEGACY_TOKEN, data=form)
    assert status == 200


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"password": "wrong"}, 401, "invalid_grant"),
        ({"client_id": "other"}, 401, "invalid_client"),
        ({"email": ""}, 400, "invalid_request"),
        ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
    ],
)
async def test_legacy_errors(
    cayenne: SimulatorServer,
    http: aiohttp.ClientSession,
    changes: dict[str, str],
    status: int,
    error: str,
) -> None:
    body = {"grant_type": "password", "email": EMAIL, "password": PASSWORD, "client_id": APP_KEY}
    got, answer = await call(http, "POST", cayenne.url + LEGACY_TOKEN, json=body | changes)
    assert (got, answer["error"]) == (status, error)


# --- bearer tokens on the platform ---------------------------------------------------------------
async def test_missing_wrong_expired_and_revoked_tokens_answer_401(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    url = cayenne.url + "/v1.1/things"
    status, body = await call(http, "GET", url)
    assert (status, body) == (
        401,
        {"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"},
    )
    status, body = await call(http, "GET", url, {"Authorization": "Bearer nonsense"})
    assert (status, body["message"]) == (401, "Invalid token")
    headers = await login(http, cayenne.url)
    assert (await call(http, "GET", url, headers))[0] == 200
    clock.advance(301)
    status, body = await call(http, "GET", url, headers)
    assert (status, body["message"]) == (401, "Token expired")
    headers = await login(http, cayenne.url)
    admin = SimulatorAdmin(http, cayenne.url)
    async with http.post(f"{cayenne.url}/_sim/tokens/revoke", json={"account": EMAIL}) as response:
        assert (await response.json())["revoked"] >= 2
    assert (await call(http, "GET", url, headers))[0] == 401
    assert (await admin.health())["vendor"] == "cayenne"


# --- things, children, telemetry -----------------------------------------------------------------
async def test_things_lists_active_things_with_children(
    cayenne: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    headers = await login(http, cayenne.url)
    status, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
    assert status == 200
    assert [t["id"] for t in things] == LISTED  # the DEACTIVATED Arduino is left out
    assert OLD not in LISTED
    status, pi = await call(http, "GET", f"{cayenne.url}/v1.1/things/{PI}", headers)
    assert status == 200
    assert (pi["name"], pi["status"], pi["active"]) == ("Raspberry Pi", "ACTIVE", 1)
    assert {
        "id",
        "name",
        "device_type_id",
        "parent_id",
        "hardware_id",
        "properties",
        "children",
        "active",
        "status",
        "last_online",
    } <= set(pi)
    channels = {c["properties"]["channel"]: c for c in pi["children"]}
    assert {k: (c["data_type"], c["unit"]) for k, c in channels.items()} == {
        "1": ("temp", "c"),
        "2": ("rel_hum", "p"),
        "3": ("lum", "lux"),
        "4": ("relay", "d"),
        "5": ("lt_lum", "p"),
    }
    assert all(c["parent_id"] == PI for c in pi["children"])
    status, old = await call(http, "GET", f"{cayenne.url}/v1.1/things/{OLD}", headers)
    assert (status, old["status"]) == (200, "DEACTIVATED")
    status, missing = await call(http, "GET", f"{cayenne.url}/v1.1/things/nope", headers)
    assert (status, missing["statusCode"], missing["error"]) == (404, 404, "Not Found")


async def _child(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], thing: str, channel: str
) -> str:
    _, body = await call(http, "GET", f"{url}/v1.1/things/{thing}", headers)
    child_id: str = next(c["id"] for c in body["children"] if c["properties"]["channel"] == channel)
    return child_id


async def _latest(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], thing: str, child: str
) -> Any:
    status, body = await call(
        http,
        "GET",
        f"{url}/v1.1/telemetry/{thing}/sensors/{child}/summaries",
        headers,
        params={"type": "latest"},
    )
    assert status == 200
    return body


async def test_latest_values_drift_with_the_clock(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    headers = await login(http, cayenne.url)
    temp = await _child(http, cayenne.url, headers, PI, "1")
    humidity = await _child(http, cayenne.url, headers, PI, "2")
    first = await _latest(http, cayenne.url, headers, PI, temp)
    assert len(first) == 1
    assert set(first[0]) >= {"v", "ts"}
    assert 18.5 <= first[0]["v"] <= 24.5
    datetime.fromisoformat(first[0]["ts"])  # ISO 8601
    assert 0 <= (await _latest(http, cayenne.url, headers, PI, humidity))[0]["v"] <= 100
    clock.advance(6 * 3600)
    headers = await login(http, cayenne.url)
    later = await _latest(http, cayenne.url, headers, PI, temp)
    assert later[0]["v"] != first[0]["v"]
    assert later[0]["ts"] > first[0]["ts"]
    # the LoRa node reports on a ten-minute cycle; its battery drains
    battery = await _child(http, cayenne.url, headers, LORA, "5")
    level = (await _latest(http, cayenne.url, headers, LORA, battery))[0]["v"]
    assert 90 < level < 96


async def test_history(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    headers = await login(http, cayenne.url)
    temp = await _child(http, cayenne.url, headers, PI, "1")
    url = f"{cayenne.url}/v1.1/telemetry/{PI}/sensors/{temp}/summaries"
    status, rows = await call(http, "GET", url, headers, params={"type": "minute"})
    assert status == 200
    assert len(rows) > 10
    assert [r["ts"] for r in rows] == sorted(r["ts"] for r in rows)
    now_ms = int(clock.now() * 1000)
    status, rows = await call(
        http,
        "GET",
        url,
        headers,
        params={"type": "custom", "startDate": str(now_ms - 600_000), "endDate": str(now_ms)},
    )
    assert status == 200
    assert 1 <= len(rows) <= 41
    status, error = await call(http, "GET", url, headers, params={"type": "fortnight"})
    assert (status, error["error"]) == (400, "Bad Request")
    status, _ = await call(
        http,
        "GET",
        f"{cayenne.url}/v1.1/telemetry/{PI}/sensors/nope/summaries",
        headers,
        params={"type": "latest"},
    )
    assert status == 404


# --- commands --------------------------------------------------------------------------------------
async def test_command_switches_the_relay_and_dims(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    headers = await login(http, cayenne.url)
    relay = await _child(http, cayenne.url, headers, PI, "4")
    assert (await _latest(http, cayenne.url, headers, PI, relay))[0]["v"] == 0
    cmd = f"{cayenne.url}/v1.1/things/{PI}/cmd"
    status, body = await call(http, "POST", cmd, headers, json={"channel": "4", "value": 1})
    assert (status, body) == (200, {"success": True})
    assert (await _latest(http, cayenne.url, headers, PI, relay))[0]["v"] == 1
    status, _ = await call(http, "POST", cmd, headers, json={"channel": 5, "value": 75})
    assert status == 200
    assert sim.state_json()[EMAIL]["things"][PI]["channels"]["5"] == 75
    # the platform accepts a command a thing refuses; the thing keeps its real state
    status, body = await call(http, "POST", cmd, headers, json={"channel": "4", "value": 7})
    assert (status, body) == (200, {"success": True})
    assert (await _latest(http, cayenne.url, headers, PI, relay))[0]["v"] == 1
    for bad in ({"value": 1}, {"channel": "4"}, {"channel": "4", "value": "on"}, [1]):
        status, error = await call(http, "POST", cmd, headers, json=bad)
        assert (status, error["statusCode"]) == (400, 400), bad
    status, _ = await call(
        http,
        "POST",
        f"{cayenne.url}/v1.1/things/nope/cmd",
        headers,
        json={"channel": "4", "value": 1},
    )
    assert status == 404


# --- MQTT credentials, thing types, rules ------------------------------------------------------------
async def test_clients_types_and_rules(
    cayenne: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    headers = await login(http, cayenne.url)
    status, client = await call(http, "POST", cayenne.url + "/v1.1/clients", headers)
    assert status == 200
    assert set(client) == {"id", "clear_secret"}
    assert (await call(http, "POST", cayenne.url + "/v1.1/clients", headers))[1] == client
    status, types = await call(http, "GET", cayenne.url + "/v1.1/things/types", headers)
    assert status == 200
    assert "raspberrypi" in {t["id"] for t in types}
    status, rules = await call(http, "GET", cayenne.url + "/v1.1/rules", headers)
    assert status == 200
    assert [(r["title"], r["enabled"]) for r in rules] == [
        ("Fan on when warm", True),
        ("Battery low", False),
    ]
    rule_url = f"{cayenne.url}/v1.1/rules/{rules[1]['id']}"
    status, body = await call(http, "PUT", rule_url, headers, json={"enabled": True})
    assert (status, body) == (200, {"success": True})
    status, rule = await call(http, "GET", rule_url, headers)
    assert (status, rule["enabled"], rule["title"]) == (200, True, "Battery low")
    status, _ = await call(http, "PUT", rule_url, headers, json={"enabled": "yes"})
    assert status == 400
    assert (await call(http, "GET", f"{cayenne.url}/v1.1/rules/nope", headers))[0] == 404


# --- admin and faults ---------------------------------------------------------------------------------
async def test_admin_removes_and_takes_things_offline(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    headers = await login(http, cayenne.url)
    async with http.post(
        f"{cayenne.url}/_sim/cayenne/things/{LORA}/status", json={"status": "DEACTIVATED"}
    ) as r:
        assert r.status == 200
    _, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
    assert [t["id"] for t in things] == [thing for thing in LISTED if thing != LORA]
    async with http.post(
        f"{cayenne.url}/_sim/cayenne/things/{PI}/online", json={"online": False}
    ) as r:
        assert r.status == 200
    _, before = await call(http, "GET", f"{cayenne.url}/v1.1/things/{PI}", headers)
    clock.advance(120)
    _, after = await call(http, "GET", f"{cayenne.url}/v1.1/things/{PI}", headers)
    assert after["last_online"] == before["last_online"]
    async with http.post(
        f"{cayenne.url}/_sim/cayenne/things/{PI}/channels/1", json={"value": 30}
    ) as r:
        assert (await r.json())["value"] == 30


async def test_http_faults_latency_and_request_log(
    cayenne: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    headers = await login(http, cayenne.url)
    admin = SimulatorAdmin(http, cayenne.url)
    url = cayenne.url + "/v1.1/things"
    async with http.post(
        f"{cayenne.url}/_sim/faults/http", json={"status": 503, "path": "/v1.1/things", "count": 1}
    ) as r:
        assert r.status == 201
    status, body = await call(http, "GET", url, headers)
    assert (status, body["statusCode"], body["error"]) == (503, 503, "Service Unavailable")
    async with http.post(f"{cayenne.url}/_sim/faults/http", json={"status": 429, "count": 1}) as r:
        assert r.status == 201
    async with http.get(url, headers=headers) as response:
        assert (response.status, response.headers["Retry-After"]) == (429, "30")
    async with http.post(
        f"{cayenne.url}/_sim/faults/latency", json={"seconds": 0.2, "count": 1}
    ) as r:
        assert r.status == 201
    started = datetime.now(UTC)
    assert (await call(http, "GET", url, headers))[0] == 200
    assert (datetime.now(UTC) - started).total_seconds() >= 0.2
    log = await admin.requests()
    assert log["by_endpoint"]["GET /v1.1/things"] == 3
    assert [e["fault"] for e in log["recent"] if e["path"] == "/v1.1/things"] == [
        "http 503",
        "http 429",
        None,
    ]
