"""The Harvia simulator's REST services behave like the live cloud (cloud-facts, Harvia)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import jwt
import pytest
import voluptuous as vol

from simulators.core import SimClock
from simulators.harvia import SCENARIOS, HarviaSimulator
from simulators.harvia.scenario import SCENARIO_SCHEMA
from tests.conftest import StartSimulator

from .conftest import Cloud, open_cloud


async def test_discovery_at_both_paths(http: aiohttp.ClientSession, xenio: Cloud) -> None:
    for path in ("/endpoints", "/prod/endpoints"):
        async with http.get(xenio.server.url + path) as response:
            document = await response.json()
        assert document["endpoints"] == xenio.endpoints
    assert set(xenio.endpoints["GraphQL"]) == {"device", "data", "events"}
    assert (
        xenio.endpoints["GraphQL"]["device"]["https"]
        .replace("appsync-api", "appsync-realtime-api")
        .replace("http://", "ws://")
        == xenio.endpoints["GraphQL"]["device"]["wss"]
    )


async def test_sign_in_refresh_revoke(xenio: Cloud, clock: SimClock) -> None:
    tokens = xenio.tokens
    assert set(tokens) == {"idToken", "accessToken", "refreshToken", "expiresIn"}
    assert tokens["expiresIn"] == 3600
    claims = jwt.decode(tokens["idToken"], options={"verify_signature": False})
    assert claims["email"] == "xenio@harvia.example"
    assert claims["cognito:username"]
    body = {"refreshToken": tokens["refreshToken"], "email": "xenio@harvia.example"}
    status, refreshed = await xenio.call("POST", "generics", "/auth/refresh", json=body)
    assert status == 200
    assert set(refreshed) == {"idToken", "accessToken", "expiresIn"}  # no new refresh token
    assert await xenio.call("POST", "generics", "/auth/revoke", json=body) == (
        200,
        {"success": True},
    )
    assert await xenio.call("POST", "generics", "/auth/refresh", json=body) == (
        401,
        {"error": "NotAuthorizedException", "message": "Refresh Token has been revoked"},
    )
    clock.advance(3600)
    assert await xenio.call("GET", "device", "/devices") == (401, {"message": "Unauthorized"})


@pytest.mark.parametrize(
    ("email", "password", "status", "message"),
    [
        ("xenio@harvia.example", "wrong", 401, "Incorrect username or password."),
        ("nobody@harvia.example", "loyly-2026", 401, "Incorrect username or password."),
        ("xenio@harvia.example", "", 400, "username and password are required"),
    ],
)
async def test_sign_in_errors(
    xenio: Cloud, email: str, password: str, status: int, message: str
) -> None:
    code, body = await xenio.call(
        "POST",
        "generics",
        "/auth/token",
        json={"username": email, "password": password},
        headers={},
    )
    assert (code, body["message"]) == (status, message)


async def test_refresh_token_expires_and_password_change(xenio: Cloud, clock: SimClock) -> None:
    body = {"refreshToken": xenio.tokens["refreshToken"], "email": "xenio@harvia.example"}
    clock.advance(31 * 86400)
    status, answer = await xenio.call("POST", "generics", "/auth/refresh", json=body)
    assert (status, answer["message"]) == (401, "Refresh Token has expired")
    xenio.sim.cloud.change_password("xenio@harvia.example", "new-secret")
    status, _ = await xenio.call(
        "POST",
        "generics",
        "/auth/token",
        json={"username": "xenio@harvia.example", "password": "loyly-2026"},
    )
    assert status == 401


async def test_device_list_pages_and_shapes(
    start_simulator: StartSimulator, http: aiohttp.ClientSession
) -> None:
    cloud = await open_cloud(start_simulator, http, "fifty_saunas.yaml", "spa@harvia.example")
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params = {"nextToken": token} if token else {}
        status, page = await cloud.call("GET", "device", "/devices", params=params)
        assert status == 200
        seen += [d["name"] for d in page["devices"]]
        pages += 1
        if not (token := page["nextToken"]):
            break
    assert pages == 5
    assert len(set(seen)) == 50
    assert seen[0] == "spa-01"
    status, page = await cloud.call("GET", "device", "/devices", params={"maxResults": "50"})
    assert len(page["devices"]) == 50
    assert page["nextToken"] is None
    assert (await cloud.call("GET", "device", "/devices", params={"nextToken": "@@"}))[0] == 400
    assert (await cloud.call("GET", "device", "/devices", params={"maxResults": "x"}))[0] == 400


async def test_document_shape_and_partner_guests(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    scenario = tmp_path / "guests.yaml"
    scenario.write_text(
        "vendor: harvia\npartner_organization_id: org-p\naccounts:\n"
        "  - {email: owner@x.example, password: pw, devices: [s1], device_list_shape: document}\n"
        "  - {email: guest@x.example, password: pw, devices: [s1], partner_guest: true}\n"
        "devices:\n  - {id: s1, type: Xenio}\n"
    )
    server = await start_simulator(HarviaSimulator, scenario)
    owner = await open_cloud(start_simulator, http, "xenio_steamer.yaml", "xenio@harvia.example")
    owner.server = server
    for email, partner, expected in (
        ("owner@x.example", None, [{"deviceId": "s1"}]),
        ("guest@x.example", None, []),
        ("guest@x.example", "org-p", [{"name": "s1"}]),
    ):
        async with http.post(
            server.url + "/rest/generics/auth/token", json={"username": email, "password": "pw"}
        ) as r:
            headers = {"Authorization": "Bearer " + (await r.json())["idToken"]}
        if partner:
            headers["x-harvia-partner-id"] = partner
        async with http.get(server.url + "/rest/device/devices", headers=headers) as r:
            devices = (await r.json())["devices"]
        assert [
            {k: v for k, v in d.items() if k in ("name", "deviceId")} for d in devices
        ] == expected


async def test_federated_account_has_no_password(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    scenario = tmp_path / "apple.yaml"
    scenario.write_text(
        "vendor: harvia\naccounts:\n  - {email: apple@x.example, password: null, devices: [s1]}\n"
        "devices:\n  - {id: s1, type: Xenio}\n"
    )
    server = await start_simulator(HarviaSimulator, scenario)
    async with http.post(
        server.url + "/rest/generics/auth/token",
        json={"username": "apple@x.example", "password": "guess"},
    ) as response:
        assert response.status == 401
        assert "Apple or Google" in (await response.json())["message"]


async def test_fenix_state_quirks(fenix: Cloud) -> None:
    status, c2 = await fenix.call(
        "GET", "device", "/devices/state", params={"deviceId": "fenix-1", "subId": "C2"}
    )
    assert status == 200
    state = c2["state"]
    assert c2["shadowName"] == "C2"
    assert state["activeProfile"] == "1"
    assert state["heater"] == {"on": 0, "state": 0}
    assert state["remoteAllowed"] == 1
    assert c2["connectionState"]["connected"] is True
    _, by_name = await fenix.call(
        "GET", "device", "/devices/state", params={"deviceId": "fenix-1", "cabinName": "Steam room"}
    )
    assert by_name["shadowName"] == "C2"
    body = {"deviceId": "fenix-1", "cabin": {"id": "C1"}, "temperature": 95}
    status, answer = await fenix.call("PATCH", "device", "/devices/target", json=body)
    assert answer == {"deviceId": "fenix-1", "shadowName": "C1", "updated": {"temperature": 95}}
    _, c1 = await fenix.call("GET", "device", "/devices/state", params={"deviceId": "fenix-1"})
    assert c1["state"]["targetTemp"] == 80  # stale, as on real Fenix panels
    assert c1["state"]["profiles"]["0"]["targetTemp"] == 95  # the active profile has the truth
    for params, code in (
        ({"deviceId": "fenix-1", "subId": "C1", "cabinName": "Sauna"}, 400),
        ({"deviceId": "fenix-1", "subId": "C9"}, 404),
        ({"deviceId": "someone-elses"}, 404),
    ):
        assert (await fenix.call("GET", "device", "/devices/state", params=params))[0] == code


async def test_fenix_rejects_steam_commands(fenix: Cloud) -> None:
    for kind in ("STEAMER", "VAPORIZER"):
        status, body = await fenix.call(
            "POST",
            "device",
            "/devices/command",
            json={"deviceId": "fenix-1", "command": {"type": kind, "state": "on"}},
        )
        assert status == 400
        assert body == {
            "error": "Bad Request",
            "message": f"Command '{kind}' is not supported for device type 'Fenix'.",
        }


async def test_a_session_heats_and_ends(xenio: Cloud, clock: SimClock) -> None:
    command = {"deviceId": "xenio-1", "command": {"type": "SAUNA", "state": "on"}}
    assert await xenio.call("POST", "device", "/devices/command", json=command) == (
        200,
        {"handled": True},
    )
    await xenio.call(
        "POST",
        "device",
        "/devices/command",
        json={"deviceId": "xenio-1", "command": {"type": "ADJUST_DURATION", "state": 60}},
    )
    await xenio.call(
        "POST",
        "device",
        "/devices/command",
        json={"deviceId": "xenio-1", "command": {"type": "STEAMER", "state": True}},
    )
    await xenio.call(
        "PATCH", "device", "/devices/target", json={"deviceId": "xenio-1", "humidity": 40}
    )
    started = clock.now()
    _, early_shadow = await xenio.call(
        "GET", "device", "/devices/state", params={"deviceId": "xenio-1"}
    )
    clock.advance(20 * 60)
    _, early = await xenio.call("GET", "data", "/data/latest-data", params={"deviceId": "xenio-1"})
    assert 35 < early["data"]["temp"] < 50  # a 9 kW heater needs most of an hour to reach 80
    assert early["data"]["heaterPower"] == 9000
    assert early["data"]["timeToTarget"] > 20
    clock.advance(30 * 60)
    _, state = await xenio.call("GET", "device", "/devices/state", params={"deviceId": "xenio-1"})
    reported = state["state"]
    assert reported["heater"]["on"] is True
    assert reported["saunaStatus"] == 1
    # A shadow holds its timers as of its last update (the humidity target, 50 minutes ago);
    # the telemetry of each minute carries the fresh ones.
    assert (reported["remainingTime"], state["timestamp"]) == (60, int(started * 1000))
    assert reported["timeToTarget"] == early_shadow["state"]["timeToTarget"]
    _, latest = await xenio.call("GET", "data", "/data/latest-data", params={"deviceId": "xenio-1"})
    assert (latest["data"]["autoOffTime"], latest["data"]["onTime"]) == (10, 50)
    assert latest["data"]["timeToTarget"] < early["data"]["timeToTarget"]
    assert 65 < latest["data"]["temp"] <= 80
    assert latest["data"]["hum"] > 30
    assert latest["data"]["steamOn"] == 1
    clock.advance(11 * 60)
    await xenio.sign_in("xenio@harvia.example")  # the hour-long id token has expired meanwhile
    _, state = await xenio.call("GET", "device", "/devices/state", params={"deviceId": "xenio-1"})
    assert state["state"]["heater"]["on"] is False
    assert state["state"]["steamer"]["on"] is False
    assert state["state"]["saunaStatus"] == 0


@pytest.mark.parametrize(
    ("command", "status", "message"),
    [
        (
            {"type": "SAUNA", "state": "maybe"},
            400,
            "Command state must be on/off, true/false or 1/0.",
        ),
        (
            {"type": "ADJUST_DURATION", "state": 900},
            400,
            "Duration must be between 1 and 240 minutes.",
        ),
        ({"type": "BOGUS", "state": "on"}, 400, "Invalid command type 'BOGUS'."),
        ({"type": "SAUNA"}, 400, "command.type and command.state are required"),
    ],
)
async def test_command_errors(
    xenio: Cloud, command: dict[str, object], status: int, message: str
) -> None:
    code, body = await xenio.call(
        "POST", "device", "/devices/command", json={"deviceId": "xenio-1", "command": command}
    )
    assert (code, body["message"]) == (status, message)


async def test_offline_and_door(xenio: Cloud) -> None:
    on = {"deviceId": "xenio-1", "command": {"type": "SAUNA", "state": "on"}}
    xenio.sim.cloud.set_door("xenio-1", "C1", closed=False)
    status, body = await xenio.call("POST", "device", "/devices/command", json=on)
    assert status == 400
    assert body["failureReason"] == "Remote control not allowed"
    _, state = await xenio.call("GET", "device", "/devices/state", params={"deviceId": "xenio-1"})
    assert state["state"]["remoteAllowed"] == 0
    xenio.sim.cloud.set_door("xenio-1", "C1", closed=True)
    xenio.sim.cloud.set_connected("xenio-1", connected=False)
    status, body = await xenio.call("POST", "device", "/devices/command", json=on)
    assert (status, body) == (
        504,
        {
            "error": "Gateway Timeout",
            "message": "Device unavailable",
            "handled": False,
            "failureReason": "Device unavailable",
        },
    )
    status, _ = await xenio.call(
        "PATCH", "device", "/devices/target", json={"deviceId": "xenio-1", "temperature": 70}
    )
    assert status == 504
    status, _ = await xenio.call(
        "PATCH", "device", "/devices/profile", json={"deviceId": "xenio-1", "profile": "Hot"}
    )
    assert status == 504


async def test_targets_and_profiles(xenio: Cloud) -> None:
    for body, status in (
        ({"deviceId": "xenio-1", "temperature": 120}, 400),
        ({"deviceId": "xenio-1", "temperature": 30}, 400),
        ({"deviceId": "xenio-1", "humidity": 101}, 400),
        ({"deviceId": "xenio-1"}, 400),
        ({"deviceId": "xenio-1", "temperature": "hot"}, 400),
        ({"deviceId": "xenio-1", "temperature": 105, "humidity": 20}, 200),
    ):
        assert (await xenio.call("PATCH", "device", "/devices/target", json=body))[0] == status, (
            body
        )
    for body, index in (({"profile": "Hot"}, 2), ({"profile": "1"}, 1), ({"activeProfile": 3}, 3)):
        status, answer = await xenio.call(
            "PATCH", "device", "/devices/profile", json={"deviceId": "xenio-1", **body}
        )
        assert status == 200
        assert answer["activeProfile"] == index
    assert (
        await xenio.call(
            "PATCH", "device", "/devices/profile", json={"deviceId": "xenio-1", "profile": "Nope"}
        )
    )[0] == 400
    _, state = await xenio.call("GET", "device", "/devices/state", params={"deviceId": "xenio-1"})
    assert state["state"]["activeProfile"] == 3
    assert state["state"]["targetTemp"] == 70


async def test_scheduled_start(fenix: Cloud, clock: SimClock) -> None:
    fenix.sim.cloud.schedule("fenix-1", "C1", 30)
    _, state = await fenix.call("GET", "device", "/devices/state", params={"deviceId": "fenix-1"})
    assert state["state"]["saunaStatus"] == 5
    assert state["state"]["heater"]["on"] == 1  # the panel already says on while waiting
    assert state["state"]["timer"]["startTime"] == int((clock.now() + 1800) * 1000)
    clock.advance(31 * 60)
    _, state = await fenix.call("GET", "device", "/devices/state", params={"deviceId": "fenix-1"})
    assert state["state"]["saunaStatus"] == 1
    assert state["state"]["timer"] == {}


async def test_sensor_has_a_classic_shadow(
    start_simulator: StartSimulator, http: aiohttp.ClientSession
) -> None:
    cloud = await open_cloud(start_simulator, http, "sauna_sensor.yaml", "sensor@harvia.example")
    status, state = await cloud.call(
        "GET", "device", "/devices/state", params={"deviceId": "sensor-1"}
    )
    assert (status, state["shadowName"]) == (200, "classic")
    assert set(state["state"]) == {"temp", "hum", "batteryLevel", "displayName"}
    assert (
        await cloud.call(
            "GET", "device", "/devices/state", params={"deviceId": "sensor-1", "subId": "C1"}
        )
    )[0] == 404
    status, body = await cloud.call(
        "POST",
        "device",
        "/devices/command",
        json={"deviceId": "sensor-1", "command": {"type": "SAUNA", "state": "on"}},
    )
    assert (status, body["message"]) == (
        400,
        "Command 'SAUNA' is not supported for device type 'SaunaSensor'.",
    )
    _, latest = await cloud.call(
        "GET", "data", "/data/latest-data", params={"deviceId": "sensor-1"}
    )
    assert latest["type"] == "SENSOR"
    assert set(latest["data"]) == {"temp", "hum"}


async def test_telemetry_history(xenio: Cloud, clock: SimClock) -> None:
    now_ms = int(clock.now() * 1000)
    params = {
        "deviceId": "xenio-1",
        "cabinId": "C1",
        "startTimestamp": str(now_ms - 6 * 3600_000),
        "endTimestamp": str(now_ms),
    }
    status, first = await xenio.call("GET", "data", "/data/telemetry-history", params=params)
    assert status == 200
    assert len(first["measurements"]) == 72  # every five minutes for six hours
    stamps = [int(m["timestamp"]) for m in first["measurements"]]
    assert stamps == sorted(stamps)
    assert first["nextToken"] is None
    iso = {
        **params,
        "startTimestamp": "2026-01-01T00:00:00.000Z",
        "endTimestamp": "2026-01-02T00:00:00Z",
    }
    assert (await xenio.call("GET", "data", "/data/telemetry-history", params=iso))[1][
        "measurements"
    ] == []
    for bad in ({"endTimestamp": "x"}, {"startTimestamp": str(now_ms + 1)}, {"nextToken": "!"}):
        assert (
            await xenio.call("GET", "data", "/data/telemetry-history", params={**params, **bad})
        )[0] == 400


async def test_history_pages_of_five_hundred(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    scenario = tmp_path / "long.yaml"
    scenario.write_text(
        "vendor: harvia\naccounts:\n  - {email: a@x.example, password: pw, devices: [s1]}\n"
        "devices:\n  - {id: s1, type: Xenio, history_hours: 72}\n"
    )
    cloud = await open_cloud(start_simulator, http, "xenio_steamer.yaml", "xenio@harvia.example")
    server = await start_simulator(HarviaSimulator, scenario)
    async with http.post(
        server.url + "/rest/generics/auth/token", json={"username": "a@x.example", "password": "pw"}
    ) as r:
        cloud.tokens = await r.json()
    cloud.endpoints["RestApi"]["data"]["https"] = server.url + "/rest/data"
    params = {
        "deviceId": "s1",
        "startTimestamp": "0",
        "endTimestamp": str(int(server.ctx.clock.now() * 1000)),
    }
    _, first = await cloud.call("GET", "data", "/data/telemetry-history", params=params)
    _, second = await cloud.call(
        "GET", "data", "/data/telemetry-history", params={**params, "nextToken": first["nextToken"]}
    )
    assert len(first["measurements"]) == 500
    assert len(second["measurements"]) == 864 - 500
    assert SCENARIOS.is_dir()


async def test_door_safety_state_is_one_while_the_door_is_closed(
    xenio: Cloud, clock: SimClock
) -> None:
    """1 = the door's safety circuit is closed (safe), as two independent clients read it."""
    params = {"deviceId": "xenio-1"}
    clock.advance(600)
    _, latest = await xenio.call("GET", "data", "/data/latest-data", params=params)
    assert latest["data"]["doorSafetyState"] == 1
    xenio.sim.cloud.set_door("xenio-1", "C1", closed=False)
    clock.advance(600)
    _, latest = await xenio.call("GET", "data", "/data/latest-data", params=params)
    assert latest["data"]["doorSafetyState"] == 0


async def test_live_shapes(start_simulator: StartSimulator, http: aiohttp.ClientSession) -> None:
    cloud = await open_cloud(start_simulator, http, "live_shapes.yaml", "live@harvia.example")
    _, page = await cloud.call("GET", "device", "/devices")
    assert page["devices"] == [
        {"name": "fenix-1", "displayName": "Villa sauna"},
        {"name": "xenio-1", "displayName": "Cabin sauna"},
    ]
    cloud.sim.cloud.schedule("xenio-1", "C1", 30)
    _, xenio = await cloud.call("GET", "device", "/devices/state", params={"deviceId": "xenio-1"})
    assert xenio["state"]["activeProfile"] == "0"  # a string, next to boolean flags
    assert xenio["state"]["light"] == {"on": False}
    assert xenio["state"]["timer"]["startTime"].endswith("Z")  # ISO 8601, not epoch millis
    _, fenix = await cloud.call("GET", "device", "/devices/state", params={"deviceId": "fenix-1"})
    assert fenix["state"]["profiles"]["0"]["heater"] == {"on": 0}
    assert fenix["state"]["heater"] == {"on": 0, "state": 0}
    _, latest = await cloud.call(
        "GET", "data", "/data/latest-data", params={"deviceId": "xenio-1", "cabinId": "C1"}
    )
    assert set(latest) == {"data", "timestamp"}


async def test_documented_shapes_keep_their_envelope(xenio: Cloud) -> None:
    _, page = await xenio.call("GET", "device", "/devices")
    assert {"name", "type", "attr"} <= set(page["devices"][0])
    _, latest = await xenio.call("GET", "data", "/data/latest-data", params={"deviceId": "xenio-1"})
    assert {"type", "subId", "shadowName", "data", "timestamp"} <= set(latest)


async def test_a_scenario_without_graphql_endpoints(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    scenario = tmp_path / "polling.yaml"
    scenario.write_text(
        "vendor: harvia\ngraphql: false\naccounts:\n"
        "  - {email: a@x.example, password: pw, devices: [s1]}\n"
        "devices:\n  - {id: s1, type: Xenio}\n"
    )
    server = await start_simulator(HarviaSimulator, scenario)
    async with http.get(f"{server.url}/endpoints") as response:
        endpoints = (await response.json())["endpoints"]
    assert "GraphQL" not in endpoints
    assert "RestApi" in endpoints


def test_shape_options_are_validated() -> None:
    base = {"accounts": [], "devices": []}
    assert SCENARIO_SCHEMA(base)["shapes"]["device_rows"] == "typed"
    assert SCENARIO_SCHEMA({**base, "shapes": "live"})["shapes"]["timers"] == "iso"
    assert (
        SCENARIO_SCHEMA({**base, "shapes": {"timers": "iso"}})["shapes"]["device_rows"] == "typed"
    )
    for wrong in ("lively", {"timers": "unix"}, {"colour": "red"}):
        with pytest.raises(vol.Invalid):
            SCENARIO_SCHEMA({**base, "shapes": wrong})
