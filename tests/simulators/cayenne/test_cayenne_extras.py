"""The Cayenne simulator's REST extras over real sockets: data types, jobs, GPS, motion and
counter channels, things that come and go, malformed answers and the hundred-thing scenario."""

from __future__ import annotations

from datetime import UTC, datetime
import json
import math
from typing import Any

import aiohttp
import pytest

from simulators.cayenne import SCENARIOS, CayenneSimulator
from simulators.cayenne.cloud import CayenneCloud
from simulators.cayenne.scenario import SCENARIO_SCHEMA
from simulators.cayenne.things import stable_id
from simulators.core import SimClock, SimulatorServer, load_scenario
from tests.conftest import StartSimulator

from .conftest import (
    BOARD,
    BORROWED,
    EMAIL,
    GATEWAY,
    GREENHOUSE,
    LISTED,
    LORA,
    MOTION,
    PI,
    TRACKER,
    call,
    login,
    mqtt_client,
    mqtt_credentials,
    token,
)


async def _child(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], thing: str, channel: str
) -> str:
    _, body = await call(http, "GET", f"{url}/v1.1/things/{thing}", headers)
    child_id: str = next(c["id"] for c in body["children"] if c["properties"]["channel"] == channel)
    return child_id


async def _summaries(
    http: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    thing: str,
    child: str,
    kind: str = "latest",
) -> Any:
    status, body = await call(
        http,
        "GET",
        f"{url}/v1.1/telemetry/{thing}/sensors/{child}/summaries",
        headers,
        params={"type": kind},
    )
    assert status == 200, body
    return body


# --- data types -----------------------------------------------------------------------------------------
async def test_datatypes(cayenne: SimulatorServer, http: aiohttp.ClientSession) -> None:
    url = cayenne.url + "/v1.1/ui/datatypes"
    status, body = await call(http, "GET", url)
    assert (status, body["statusCode"]) == (401, 401)
    status, types = await call(http, "GET", url, await login(http, cayenne.url))
    assert status == 200
    units = {t["data_type"]: [u["unit"] for u in t["units"]] for t in types}
    assert units["temp"] == ["c", "f", "k"]
    assert units["batt"] == ["p", "v"]
    assert units["voltage"] == ["v", "mv"]
    for data_type, unit in {
        "rel_hum": "p", "lum": "lux", "bp": "hpa", "current": "a", "pow": "w",
        "energy": "kwh", "co2": "ppm", "soil_moist": "p", "rain_level": "mm",
        "wind_speed": "kmh", "prox": "d", "motion": "d", "digital_sensor": "d",
        "analog_sensor": "null", "counter": "null", "rssi": "dbm", "snr": "db", "gps": "m",
        "relay": "d", "lt_lum": "p", "digital_actuator": "d", "hvac_temp": "c",
    }.items():  # fmt: skip
        assert unit in units[data_type], data_type
    for kind in ("press", "analog_actuator", "switch", "valve", "motor", "lt_switch_act"):
        assert kind in units
    temp = next(t for t in types if t["data_type"] == "temp")
    assert temp["name"] == "Temperature"
    assert temp["units"][0] == {"unit": "c", "label": "Celsius", "symbol": "°C"}


# --- jobs ---------------------------------------------------------------------------------------------------
async def test_jobs_list_read_and_switch(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    headers = await login(http, cayenne.url)
    status, jobs = await call(http, "GET", cayenne.url + "/v1.1/jobs", headers)
    assert status == 200
    assert [(j["title"], j["active"]) for j in jobs] == [
        ("Desk lamp on at dusk", True),
        ("Weekly valve flush", False),
    ]
    lamp = jobs[0]
    assert {
        "_id", "updated_at", "created_at", "title", "account_id", "next_runtime", "__v",
        "config", "notifications", "http_push", "actions", "active",
    } == set(lamp)  # fmt: skip
    assert lamp["config"] == {
        "type": "interval",
        "interval": 1,
        "unit": "day",
        "start_date": "2026-01-01 16:00",
        "tz": "Europe/Oslo",
    }
    assert lamp["actions"][0]["channel"] == "5"
    assert lamp["actions"][0]["_id"]
    # every day at 16:00 in Oslo: the next run is within a day, at 15:00 UTC (winter time)
    upcoming = datetime.fromisoformat(lamp["next_runtime"])
    now = datetime.fromtimestamp(cayenne.ctx.clock.now(), UTC)
    assert 0 < (upcoming - now).total_seconds() <= 86400
    assert (upcoming.hour, upcoming.minute) in ((15, 0), (14, 0))
    flush_url = f"{cayenne.url}/v1.1/jobs/{jobs[1]['_id']}"
    status, body = await call(http, "PUT", flush_url, headers, json={"active": True})
    assert (status, body) == (200, {"success": True})
    status, flush = await call(http, "GET", flush_url, headers)
    assert (status, flush["active"], flush["__v"]) == (200, True, 1)
    # the rules' word works too
    status, _ = await call(http, "PUT", flush_url, headers, json={"enabled": False})
    assert status == 200
    assert sim.state_json()[EMAIL]["jobs"][jobs[1]["_id"]] is False
    for bad in ({"active": "yes"}, {"enabled": 1}, {"title": 5}, {"config": []}, [1]):
        status, error = await call(http, "PUT", flush_url, headers, json=bad)
        assert (status, error["statusCode"]) == (400, 400), bad
    status, error = await call(http, "GET", f"{cayenne.url}/v1.1/jobs/nope", headers)
    assert (status, error["message"]) == (404, "Job not found")
    status, _ = await call(http, "GET", cayenne.url + "/v1.1/jobs")
    assert status == 401


# --- GPS, motion, counters -------------------------------------------------------------------------------
async def test_gps_position_moves_round_its_loop(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    headers = await login(http, cayenne.url)
    _, tracker = await call(http, "GET", f"{cayenne.url}/v1.1/things/{TRACKER}", headers)
    position = next(c for c in tracker["children"] if c["properties"]["channel"] == "1")
    assert (position["data_type"], position["unit"]) == ("gps", "m")
    (first,) = await _summaries(http, cayenne.url, headers, TRACKER, position["id"])
    assert set(first["v"]) == {"lat", "lng", "alt"}
    assert abs(first["v"]["lat"] - 59.9139) < 0.01
    assert abs(first["v"]["lng"] - 10.7522) < 0.02
    assert first["v"]["alt"] == 12.0
    clock.advance(900)  # a quarter of the lap
    headers = await login(http, cayenne.url)
    (later,) = await _summaries(http, cayenne.url, headers, TRACKER, position["id"])
    assert later["v"] != first["v"]
    # 400 m from the centre, always
    for point in (first["v"], later["v"]):
        north = (point["lat"] - 59.9139) * 111_320
        east = (point["lng"] - 10.7522) * 111_320 * math.cos(math.radians(59.9139))
        assert abs(math.hypot(north, east) - 400) < 5
    rows = await _summaries(http, cayenne.url, headers, TRACKER, position["id"], "minute")
    assert len(rows) > 10
    assert all(set(row["v"]) == {"lat", "lng", "alt"} for row in rows)


async def test_motion_fires_on_a_tenth_of_cycles_repeatably(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    headers = await login(http, cayenne.url)
    child = await _child(http, cayenne.url, headers, MOTION, "1")
    now_ms = int(cayenne.ctx.clock.now() * 1000)
    params = {"type": "custom", "startDate": str(now_ms - 2_000_000), "endDate": str(now_ms)}
    url = f"{cayenne.url}/v1.1/telemetry/{MOTION}/sensors/{child}/summaries"
    _, rows = await call(http, "GET", url, headers, params=params)
    values = [row["v"] for row in rows]
    assert set(values) == {0, 1}
    assert 0.04 <= values.count(1) / len(values) <= 0.2
    _, again = await call(http, "GET", url, headers, params=params)
    assert [row["v"] for row in again] == values  # the same cycles fire every time


async def test_counters_only_grow(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    headers = await login(http, cayenne.url)
    energy = await _child(http, cayenne.url, headers, BOARD, "6")
    pulses = await _child(http, cayenne.url, headers, BOARD, "16")
    (start_kwh,) = await _summaries(http, cayenne.url, headers, BOARD, energy)
    (start_pulses,) = await _summaries(http, cayenne.url, headers, BOARD, pulses)
    assert start_kwh["v"] == pytest.approx(132.5, abs=0.01)
    clock.advance(10 * 3600)
    headers = await login(http, cayenne.url)
    (kwh,) = await _summaries(http, cayenne.url, headers, BOARD, energy)
    (count,) = await _summaries(http, cayenne.url, headers, BOARD, pulses)
    assert kwh["v"] == pytest.approx(132.5 + 0.6, abs=0.01)  # 0.06 kWh an hour
    assert count["v"] == pytest.approx(start_pulses["v"] + 360, abs=1)  # 36 pulses an hour
    rows = await _summaries(http, cayenne.url, headers, BOARD, energy, "hour")
    values = [row["v"] for row in rows]
    assert values == sorted(values)
    assert values[-1] > values[0]


# --- things that come and go ---------------------------------------------------------------------------
async def test_things_appear_and_are_removed_on_their_own(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    headers = await login(http, cayenne.url)
    status, _ = await call(http, "GET", f"{cayenne.url}/v1.1/things/{GREENHOUSE}", headers)
    assert status == 404
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#") as inbox:
        clock.advance(1800)
        messages = await inbox.settle()
        assert not [t for t, _ in messages if GREENHOUSE in t]
        assert [t for t, _ in messages if BORROWED in t]
        clock.advance(1800)  # an hour in: the greenhouse sensor joins and reports
        headers = await login(http, cayenne.url)
        _, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
        assert [t["id"] for t in things] == [*LISTED[:-1], GREENHOUSE, BORROWED]
        status, body = await call(http, "GET", f"{cayenne.url}/v1.1/things/{GREENHOUSE}", headers)
        assert (status, body["status"]) == (200, "ACTIVE")
        messages = await inbox.settle()
        assert [t for t, _ in messages if GREENHOUSE in t]
        clock.advance(3600)  # two hours in: the borrowed sensor is removed
        headers = await login(http, cayenne.url)
        _, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
        assert BORROWED not in [t["id"] for t in things]
        status, body = await call(http, "GET", f"{cayenne.url}/v1.1/things/{BORROWED}", headers)
        assert (status, body["status"], body["active"]) == (200, "DEACTIVATED", 0)
        seen = len(await inbox.settle())
        clock.advance(600)
        assert not [t for t, _ in (await inbox.settle())[seen:] if BORROWED in t]


async def test_admin_adds_and_removes_things(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    spec = {
        "name": "Shed sensor",
        "report_every_s": 20,
        "mqtt_format": "bare",
        "parent": "LoRa gateway",
        "channels": [{"channel": 3, "type": "temp", "unit": "c", "value": 8}],
    }
    async with http.post(f"{cayenne.url}/_sim/cayenne/accounts/{EMAIL}/things", json=spec) as r:
        assert r.status == 201
        thing_id = (await r.json())["id"]
    async with http.post(f"{cayenne.url}/_sim/cayenne/accounts/nobody/things", json=spec) as r:
        assert r.status == 404
    async with http.post(
        f"{cayenne.url}/_sim/cayenne/accounts/{EMAIL}/things", json={"channels": []}
    ) as r:
        assert r.status == 400
    headers = await login(http, cayenne.url)
    _, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
    assert [t["id"] for t in things][-1] == thing_id
    _, gateway = await call(http, "GET", f"{cayenne.url}/v1.1/things/{GATEWAY}", headers)
    assert thing_id in [c["id"] for c in gateway["children"]]
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/{thing_id}/#") as inbox:
        clock.advance(20)
        assert await inbox.wait_for("/data/3") == [b"8"]
    async with http.delete(f"{cayenne.url}/_sim/cayenne/things/{thing_id}") as r:
        assert (await r.json())["status"] == "DEACTIVATED"
    _, things = await call(http, "GET", cayenne.url + "/v1.1/things", headers)
    assert thing_id not in [t["id"] for t in things]


# --- malformed answers ---------------------------------------------------------------------------------------
async def _raw(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> str:
    async with http.get(url, headers=headers) as response:
        assert response.status == 200
        return await response.text()


@pytest.mark.parametrize("shape", ["nan", "huge", "types", "deep", "missing"])
async def test_one_things_rest_answers_served_malformed(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, shape: str
) -> None:
    headers = await login(http, cayenne.url)
    things_url = cayenne.url + "/v1.1/things"
    healthy = json.loads(await _raw(http, things_url, headers))
    fault_url = f"{cayenne.url}/_sim/cayenne/things/{BOARD}/malformed"
    async with http.post(fault_url, json={"shape": shape}) as r:
        assert r.status == 200
    text = await _raw(http, things_url, headers)
    if shape == "deep":
        with pytest.raises(RecursionError):
            json.loads(text)
        assert text.startswith("[" + json.dumps(healthy[0]))  # the Pi's row is whole
        assert text.count('{"children":[') > 5000
    else:
        rows = json.loads(text)
        board = rows[LISTED.index(BOARD)]
        assert [r for r in rows if r["id"] != BOARD] == [r for r in healthy if r["id"] != BOARD]
        if shape == "nan":
            assert math.isnan(board["last_online"])
            assert "NaN" in text
        elif shape == "huge":
            assert board["last_online"] == 1e308
        elif shape == "types":
            assert board["id"] == BOARD
            assert isinstance(board["name"], dict)
            assert isinstance(board["children"][0]["properties"]["channel"], dict)
            assert isinstance(board["children"][0]["data_type"], int)
        elif shape == "missing":
            assert "children" not in board
    # the single thing and its channels' summaries too; other things are untouched
    single = await _raw(http, f"{things_url}/{BOARD}", headers)
    assert single != json.dumps(healthy[LISTED.index(BOARD)])
    pi_child = await _child(http, cayenne.url, headers, PI, "1")
    assert len(await _summaries(http, cayenne.url, headers, PI, pi_child)) == 1
    board_child = next(c["id"] for c in healthy[LISTED.index(BOARD)]["children"])
    latest = await _raw(
        http,
        f"{cayenne.url}/v1.1/telemetry/{BOARD}/sensors/{board_child}/summaries?type=latest",
        headers,
    )
    if shape == "deep":
        with pytest.raises(RecursionError):
            json.loads(latest)
    else:
        (row,) = json.loads(latest)
        expected = {
            "nan": lambda r: r["v"] == "NaN",
            "huge": lambda r: r["v"] == 1e308,
            "types": lambda r: isinstance(r["v"], list) and isinstance(r["ts"], int),
            "missing": lambda r: "v" not in r and "ts" in r,
        }[shape]
        assert expected(row), row
    async with http.delete(fault_url) as r:
        assert await r.json() == {"cleared": True}
    assert json.loads(await _raw(http, f"{things_url}/{BOARD}", headers))["children"]


async def test_malformed_answers_count_down_and_clear_with_the_faults(
    cayenne: SimulatorServer, http: aiohttp.ClientSession
) -> None:
    headers = await login(http, cayenne.url)
    url = f"{cayenne.url}/v1.1/things/{LORA}"
    fault_url = f"{cayenne.url}/_sim/cayenne/things/{LORA}/malformed"
    async with http.post(fault_url, json={"shape": "missing", "count": 2}) as r:
        assert r.status == 200
    assert "children" not in json.loads(await _raw(http, url, headers))
    assert "children" not in json.loads(await _raw(http, url, headers))
    assert "children" in json.loads(await _raw(http, url, headers))
    async with http.post(fault_url, json={"shape": "huge"}) as r:
        assert r.status == 200
    async with http.post(fault_url, json={"shape": "square"}) as r:
        assert r.status == 400
    async with http.delete(f"{cayenne.url}/_sim/faults") as r:
        assert r.status == 200
    assert json.loads(await _raw(http, url, headers))["last_online"] != 1e308


# --- many things -------------------------------------------------------------------------------------------------
async def test_scale_scenario_has_a_hundred_things_with_stable_ids(
    start_simulator: StartSimulator, http: aiohttp.ClientSession
) -> None:
    clock = SimClock(start=1_790_000_000.0, speed=0)
    server = await start_simulator(CayenneSimulator, SCENARIOS / "scale.yaml", clock=clock)
    sim = server.simulator
    assert isinstance(sim, CayenneSimulator)
    form = {
        "username": "fleet@cayenne.example",
        "password": "hundred-things-1",
        "client_id": "0c4e8a12-5f7b-4d9e-8a1c-3e5f7b9d1a2c",
        "client_secret": "9d3b7f1e5a2c8e4b6d0f2a4c6e8b0d2f4a6c8e0b",
    }
    status, body = await token(http, server.url, **form)
    assert status == 200
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    _, things = await call(http, "GET", server.url + "/v1.1/things", headers)
    assert len(things) == 100
    assert [t["name"] for t in things[:2]] == ["Sensor 001", "Sensor 002"]
    account_id = "7c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    assert things[0]["id"] == stable_id(account_id, "Sensor 001")
    again = CayenneCloud(
        server.ctx, load_scenario(SCENARIOS / "scale.yaml", SCENARIO_SCHEMA, "cayenne").data
    )
    (account,) = again.accounts.values()
    assert list(account.things) == [t["id"] for t in things]
    # all of them report over MQTT
    _, client = await call(http, "POST", server.url + "/v1.1/clients", headers)
    async with mqtt_client(
        sim, client["id"], client["clear_secret"], f"v1/{client['id']}/things/+/data/#"
    ) as inbox:
        clock.advance(60)
        messages = await inbox.settle()
    assert len(messages) == 400
    assert len({topic.split("/")[3] for topic, _ in messages}) == 100
