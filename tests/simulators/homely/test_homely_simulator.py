"""The Homely simulator: SDK endpoints, errors, rate limit, live feed and behaving homes."""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any

import aiohttp
import pytest
import voluptuous as vol

from simulators.core import SimClock, SimulatorServer
from simulators.homely import SCENARIOS, HomelySimulator
from simulators.homely.scenario import SCENARIO_SCHEMA
from simulators.testing import SimulatorAdmin
from tests.helpers import until

from .conftest import HOME, KARI, Listen, login


async def get(http: aiohttp.ClientSession, url: str, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.get(url, headers=headers) as response:
        return response.status, await response.json()


async def test_login_locations_and_home(
    homely: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    tokens = await login(http, homely.url)
    assert (tokens["expires_in"], tokens["refresh_expires_in"], tokens["token_type"]) == (
        60,
        1800,
        "bearer",
    )
    status, locations = await get(http, f"{homely.url}/homely/locations", tokens["access_token"])
    assert status == 200
    assert locations[0]["locationId"] == HOME
    assert set(locations[0]) == {"name", "role", "userId", "locationId", "gatewayserial"}
    status, home = await get(http, f"{homely.url}/homely/home/{HOME}", tokens["access_token"])
    assert status == 200
    assert (home["name"], home["alarmState"], len(home["devices"])) == (
        "Solbakken 12",
        "DISARMED",
        16,
    )
    han = next(d for d in home["devices"] if d["modelName"] == "EMI Norwegian HAN")
    assert han["features"]["metering"]["states"]["summationdelivered"]["value"] == 769670
    window = next(d for d in home["devices"] if d["name"] == "Kjøkken vindu")
    assert window["features"]["battery"]["states"]["defect"] == {}  # a state without a value
    cellar = next(d for d in home["devices"] if d["name"] == "Kjeller")
    assert "setup" in cellar["features"]  # features vary within one model
    assert cellar["features"]["battery"]["states"]["voltage"]["value"] == 2.62


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"username": "kari@homely.example"}, 400, ["password must be a string"]),
        ({}, 400, ["username must be a string", "password must be a string"]),
        ({"username": "kari@homely.example", "password": "nope"}, 401, "Invalid user credentials"),
    ],
)
async def test_login_errors(
    homely: SimulatorServer,
    http: aiohttp.ClientSession,
    body: dict[str, str],
    status: int,
    message: Any,
) -> None:
    async with http.post(f"{homely.url}/homely/oauth/token", json=body) as response:
        assert response.status == status
        assert await response.json() == {"statusCode": status, "message": message}


async def test_tokens_expire_and_refresh_rotates(
    homely: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    tokens = await login(http, homely.url)
    clock.advance(61)
    status, body = await get(http, f"{homely.url}/homely/locations", tokens["access_token"])
    assert (status, body["message"]) == (401, "Unauthorized")
    url = f"{homely.url}/homely/oauth/refresh-token"
    async with http.post(url, json={"refresh_token": tokens["refresh_token"]}) as response:
        assert response.status == 201
        renewed = await response.json()
    async with http.post(url, json={"refresh_token": tokens["refresh_token"]}) as response:
        assert (response.status, (await response.json())["message"]) == (
            400,
            "Invalid refresh token",
        )
    async with http.post(url, json={}) as response:
        assert (await response.json())["message"] == ["refresh_token must be a string"]
    clock.advance(1801)
    async with http.post(url, json={"refresh_token": renewed["refresh_token"]}) as response:
        assert await response.json() == {"statusCode": 400, "message": "Refresh token expired"}


async def test_another_users_home_is_forbidden(
    start_simulator: Any, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    server = await start_simulator(HomelySimulator, SCENARIOS / "two_homes.yaml", clock=clock)
    token = (await login(http, server.url, ("per@homely.example", "to-hjem-2026")))["access_token"]
    status, body = await get(
        http, f"{server.url}/homely/home/{'0' * 8}-0000-0000-0000-{'0' * 12}", token
    )
    assert status == 403
    assert "has no access to location" in body["message"]


@pytest.mark.parametrize("scenario", ["rate_limited.yaml"])
async def test_rate_limit_blocks_longer_than_announced(
    homely: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    tokens = await login(http, homely.url)
    url = f"{homely.url}/homely/home/{HOME}"
    assert (await get(http, url, tokens["access_token"]))[0] == 200
    assert (await get(http, url, tokens["access_token"]))[0] == 200
    status, body = await get(http, url, tokens["access_token"])
    assert (status, body["retryAfter"]) == (429, 5)
    clock.advance(6)  # what retryAfter says is not enough
    assert (await get(http, url, tokens["access_token"]))[0] == 429
    clock.advance(61)
    tokens = await login(http, homely.url)  # the access token has expired meanwhile
    assert (await get(http, url, tokens["access_token"]))[0] == 200


async def test_socket_streams_alarm_arming(
    homely: SimulatorServer, sim: HomelySimulator, listen: Listen, clock: SimClock
) -> None:
    _client, events, _ = await listen()
    await until(lambda: sim.socket.listeners(HOME) == 1)
    home = sim.cloud.homes[HOME]
    sim.cloud.arm(home, "ARMED_NIGHT", sim.cloud.user(KARI[0]), clock.now())
    await until(lambda: len(events) == 1)
    assert events[0]["data"]["state"] == "ARM_NIGHT_PENDING"
    assert "userName" not in events[0]["data"]
    clock.advance(31)
    await until(lambda: len(events) >= 2)
    final = next(e for e in events if e["data"].get("state") == "ARMED_NIGHT")["data"]
    assert (final["locationId"], final["userName"]) == (HOME, "Kari Nordmann")


async def test_socket_rejects_with_exception_then_disconnects(
    homely: SimulatorServer, listen: Listen
) -> None:
    client, _, exceptions = await listen(location="not-a-uuid")
    await until(lambda: not client.connected)
    assert exceptions == [{"status": "error", "message": "locationId must be a UUID"}]
    client, _, exceptions = await listen(token="expired-or-wrong")
    await until(lambda: not client.connected)
    assert exceptions[0]["message"] == "Unauthorized"


async def test_device_events_have_the_live_shape(
    homely: SimulatorServer, sim: HomelySimulator, listen: Listen, http: aiohttp.ClientSession
) -> None:
    _client, events, _ = await listen()
    await until(lambda: sim.socket.listeners(HOME) == 1)
    admin = SimulatorAdmin(http, homely.url)
    device_id = "a8034720-2a17-4b2a-95f4-eec910cdeddf"
    await admin._call(
        "POST",
        f"/homely/devices/{device_id}/state",
        {"feature": "alarm", "state": "flood", "value": True},
    )
    await until(lambda: len(events) == 1)
    data = events[0]["data"]
    assert data["rootLocationId"] == HOME
    assert data["locationId"] != HOME  # the room
    assert data["change"] == data["changes"][0]
    assert data["changes"][0]["feature"] == "alarm"
    assert data["changes"][0]["value"] is True


async def test_han_energy_grows_with_demand(
    homely: SimulatorServer, sim: HomelySimulator, clock: SimClock
) -> None:
    han = sim.cloud.homes[HOME].devices["1d6d0206-bfcc-4c8b-83f1-c23d7270fe9f"]
    before = han.value("metering", "summationdelivered")
    for _ in range(6):
        clock.advance(600)
    # 1850 W for an hour is 1850 Wh
    assert han.value("metering", "summationdelivered") - before == pytest.approx(1850, abs=2)


async def test_battery_runs_low(sim: HomelySimulator, clock: SimClock) -> None:
    cellar = next(d for d in sim.cloud.homes[HOME].devices.values() if d.name == "Kjeller")
    assert cellar.value("battery", "low") is False
    for _ in range(4):
        clock.advance(86400)
    assert cellar.value("battery", "low") is True
    assert cellar.value("battery", "voltage") < 2.5


async def test_admin_adds_and_removes_devices_and_sends_raw_events(
    homely: SimulatorServer, sim: HomelySimulator, http: aiohttp.ClientSession, listen: Listen
) -> None:
    _client, events, _ = await listen()
    await until(lambda: sim.socket.listeners(HOME) == 1)
    admin = SimulatorAdmin(http, homely.url)
    added = await admin._call(
        "POST", "/homely/homes/Solbakken 12/devices", {"kind": "smoke", "name": "Ny"}
    )
    device_id = added["added"][0]
    assert device_id in sim.cloud.homes[HOME].devices
    await admin._call("POST", f"/homely/devices/{device_id}/online", {"online": False})
    assert sim.cloud.homes[HOME].devices[device_id].online is False
    await admin._call("DELETE", f"/homely/devices/{device_id}")
    assert device_id not in sim.cloud.homes[HOME].devices
    raw = {"type": "alarm-state-changed", "data": {"locationId": HOME, "state": "BREACHED"}}
    await admin._call("POST", f"/homely/homes/{HOME}/events", raw)
    await until(lambda: events == [raw])
    await admin._call("POST", f"/homely/homes/{HOME}/alarm", {"state": "DISARMED", "user": KARI[0]})
    await until(lambda: len(events) == 2)
    state = await admin.state()
    assert state[HOME]["alarm"] == "DISARMED"
    async with http.post(f"{homely.url}/_sim/homely/homes/nowhere/alarm", json={"state": "X"}) as r:
        assert r.status == 404
    assert (await admin._call("POST", "/homely/sockets/disconnect", {}))["disconnected"] == 1


async def test_malformed_frames_and_payload_key(
    homely: SimulatorServer, sim: HomelySimulator, listen: Listen, http: aiohttp.ClientSession
) -> None:
    _client, events, _ = await listen()
    await until(lambda: sim.socket.listeners(HOME) == 1)
    admin = SimulatorAdmin(http, homely.url)
    await admin.malformed_push(1)
    await admin._call("POST", f"/homely/homes/{HOME}/alarm", {"state": "BREACHED"})
    await until(lambda: len(events) == 1)
    assert events[0]["data"]["state"] == 7


async def test_demo_entries_and_errors(
    homely: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    admin = SimulatorAdmin(http, homely.url)
    entries = await admin.demo_entries()
    assert entries[0]["domain"] == "homely"
    assert entries[0]["steps"][0]["base_url"] == homely.url
    await admin.http_fault(429, path="/homely/locations", count=1)
    await admin.http_fault(503, path="/homely/locations", count=1)
    token = (await login(http, homely.url))["access_token"]
    status, body = await get(http, f"{homely.url}/homely/locations", token)
    assert (status, body["retryAfter"]) == (429, 30)
    status, body = await get(http, f"{homely.url}/homely/locations", token)
    assert body == {"statusCode": 503, "message": "Internal server error"}


@pytest.mark.parametrize("scenario", ["two_homes.yaml"])
async def test_demo_adds_each_home_once(sim: HomelySimulator) -> None:
    entries = sim.demo_entries()
    assert [e["title"] for e in entries] == ["Kringsjå", "Hytta"]
    assert entries[1]["steps"][1] == {"location_id": "232bb400-8fa3-4fab-aa1a-5f01d15d6b62"}


@pytest.mark.parametrize("scenario", ["big_home.yaml"])
async def test_big_home_has_200_devices_in_minimal_events(sim: HomelySimulator) -> None:
    (home,) = sim.cloud.homes.values()
    assert len(home.devices) == 200
    assert sim.scenario.data["event_shape"] == "minimal"


LIVE = pytest.mark.parametrize("scenario", ["live_shapes.yaml"])


@LIVE
async def test_live_tokens_locations_and_devices(
    homely: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    tokens = await login(http, homely.url)
    assert "refresh_expires_in" not in tokens
    assert (tokens["expires_in"], tokens["token_type"]) == (60, "bearer")
    status, locations = await get(http, f"{homely.url}/homely/locations", tokens["access_token"])
    assert (status, locations[0]["partnerCode"]) == (200, 1)
    _, home = await get(http, f"{homely.url}/homely/home/{HOME}", tokens["access_token"])
    devices = {d["name"]: d for d in home["devices"]}
    assert devices["Røykvarsler loft"]["modelName"] == "Smoke Alarm"
    assert devices["Soverom vindu"]["features"]["alarm"]["states"]["tamper"]["value"] is False
    assert devices["Ytterdør lås"]["features"]["lock"]["states"]["state"]["value"] is True
    gang_setup = devices["Gang"]["features"]["setup"]["states"]
    assert (gang_setup["appledenable"]["value"], gang_setup["sensitivitylevel"]["value"]) == (
        True,
        2,
    )
    cellar_setup = devices["Kjeller"]["features"]["setup"]["states"]
    assert cellar_setup["sensitivitylevel"]["value"] == 3  # the scenario's own value wins
    thermostat = devices["Bad varmekabel"]["features"]["thermostat"]["states"]
    assert {f"mf4{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15)} <= set(
        thermostat
    )
    assert thermostat["mf409"]["value"] == 55546
    assert "appledenabled" not in json.dumps(home)  # the spelling real devices do not use


@LIVE
async def test_live_arming_sends_the_final_state_then_its_pending_state(
    homely: SimulatorServer, sim: HomelySimulator, listen: Listen, clock: SimClock
) -> None:
    _client, events, _ = await listen()
    await until(lambda: sim.socket.listeners(HOME) == 1)
    home = sim.cloud.homes[HOME]
    sim.cloud.arm(home, "ARMED_NIGHT", sim.cloud.user(KARI[0]), clock.now())
    clock.advance(31)
    await until(lambda: len(alarm_events(events)) == 3)
    pending, final, late = alarm_events(events)
    assert [pending["state"], final["state"], late["state"]] == [
        "ARM_NIGHT_PENDING",
        "ARMED_NIGHT",
        "ARM_NIGHT_PENDING",
    ]
    assert (final["userName"], type(final["eventId"])) == ("Kari Nordmann", int)
    assert "userName" not in late
    stamps = [parse_stamp(final["timestamp"]), parse_stamp(late["timestamp"])]
    assert stamps[1] - stamps[0] == pytest.approx(0.051, abs=0.001)
    assert home.alarm_state == "ARMED_NIGHT"  # the REST view stays armed
    # Without an exit delay: the final state, then the late pending state.
    home.exit_delay_s = 0
    sim.cloud.arm(home, "ARMED_AWAY", sim.cloud.user(KARI[0]), clock.now())
    await until(lambda: len(alarm_events(events)) == 5)
    assert [e["state"] for e in alarm_events(events)[3:]] == ["ARMED_AWAY", "ARM_AWAY_PENDING"]


@pytest.mark.parametrize(
    ("scenario", "final", "exit_delay_state"),
    [
        ("typical_home.yaml", "ARMED_AWAY", "ARM_AWAY_PENDING"),
        ("typical_home.yaml", "ARMED_STAY", "ARM_STAY_PENDING"),
        ("two_homes.yaml", "ARMED_AWAY", "ARMED_AWAY_PENDING"),
        ("two_homes.yaml", "ARMED_NIGHT", "ARMED_NIGHT_PENDING"),
        ("two_homes.yaml", "ARMED_STAY", "ALARM_STAY_PENDING"),
    ],
)
async def test_exit_delay_names_live_or_documented(
    sim: HomelySimulator, clock: SimClock, final: str, exit_delay_state: str
) -> None:
    home = sim.cloud.homes[HOME]
    user = next(iter(sim.cloud.users.values()))
    sim.cloud.arm(home, final, user, clock.now())
    assert home.alarm_state == exit_delay_state
    clock.advance(home.exit_delay_s + 1)
    assert home.alarm_state == final


def test_scenario_defaults_are_the_documented_shapes() -> None:
    scenario = SCENARIO_SCHEMA({"users": [], "homes": [{"name": "Hjem"}]})
    assert scenario["token_refresh_expires_in"] is True
    assert "partner_code" not in scenario
    assert (scenario["alarm_event_id"], scenario["device_shape"]) == ("uuid", "documented")
    assert scenario["alarm_pending_names"] == "live"  # what the simulator has always sent
    assert scenario["homes"][0]["late_pending"] is False


@pytest.mark.parametrize(
    "option",
    [
        {"token_refresh_expires_in": "sometimes"},
        {"partner_code": "one"},
        {"alarm_event_id": "guid"},
        {"alarm_pending_names": "both"},
        {"device_shape": "real"},
        {"homes": [{"name": "Hjem", "late_pending": "yes"}]},
    ],
)
def test_live_shape_options_are_validated(option: dict[str, Any]) -> None:
    with pytest.raises(vol.Invalid):
        SCENARIO_SCHEMA({"users": [], "homes": [{"name": "Hjem"}], **option})


def alarm_events(events: list[Any]) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e["type"] == "alarm-state-changed"]


def parse_stamp(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
