"""The Harvia simulator's own admin routes (used by tests and the demo) and its hooks."""

from __future__ import annotations

import json

import aiohttp
import pytest

from simulators.harvia import ADMIN
from simulators.harvia.malformed import PUSH_SHAPES, envelope, frame
from simulators.testing import SimulatorAdmin

from .conftest import Cloud


async def test_admin_routes(http: aiohttp.ClientSession, fenix: Cloud) -> None:
    admin = f"{fenix.server.url}/_sim/harvia"
    async with http.post(
        f"{admin}/devices/fenix-1/door", json={"cabin": "C2", "closed": False}
    ) as r:
        assert (await r.json())["cabins"]["C2"]["door_closed"] is False
    async with http.post(f"{admin}/devices/fenix-1/schedule", json={"in_minutes": 15}) as r:
        assert (await r.json())["cabins"]["C1"]["status"] == 5
    async with http.post(f"{admin}/devices/fenix-1/connection", json={"connected": False}) as r:
        assert (await r.json())["connected"] is False
    async with http.post(f"{admin}/devices/nope/connection", json={"connected": False}) as r:
        assert r.status == 404
    async with http.post(f"{admin}/devices/fenix-1/connection", json={"connected": "x"}) as r:
        assert r.status == 400
    new = {"device": {"id": "new-sauna", "type": "Xenio"}, "owners": ["fenix@harvia.example"]}
    async with http.post(f"{admin}/devices", json=new) as r:
        assert (r.status, await r.json()) == (201, {"added": ["new-sauna"]})
    async with http.post(
        f"{admin}/devices", json={"device": {"id": "x", "type": "Toaster"}, "owners": []}
    ) as r:
        assert r.status == 400
    _, devices = await fenix.call("GET", "device", "/devices")
    assert [d["name"] for d in devices["devices"]] == ["fenix-1", "new-sauna"]
    async with http.delete(f"{admin}/devices/fenix-1") as r:
        assert r.status == 200
    async with http.delete(f"{admin}/devices/fenix-1") as r:
        assert r.status == 404
    _, devices = await fenix.call("GET", "device", "/devices")
    assert [d["name"] for d in devices["devices"]] == ["new-sauna"]
    async with http.post(
        f"{admin}/accounts/fenix@harvia.example/password", json={"password": "changed"}
    ) as r:
        assert r.status == 200
    assert (await fenix.call("GET", "device", "/devices"))[0] == 401  # sessions ended with it
    async with http.post(f"{admin}/accounts/nobody@x/password", json={"password": "x"}) as r:
        assert r.status == 404


async def test_state_and_demo_entries(http: aiohttp.ClientSession, fenix: Cloud) -> None:
    admin = SimulatorAdmin(http, fenix.server.url)
    state = await admin.state()
    assert state["fenix-1"]["cabins"]["C2"]["active_profile"] == 1
    assert await admin.demo_entries() == [
        {
            "domain": "harvia",
            "title": "fenix@harvia.example",
            "steps": [
                {"email": "fenix@harvia.example", "password": "loyly-2026",
                 "discovery_url": f"{fenix.server.url}/endpoints"}
            ],
        }
    ]  # fmt: skip
    health = await admin.health()
    assert health["urls"]["endpoints"] == f"{fenix.server.url}/endpoints"


async def test_injected_faults_use_the_clouds_error_shapes(fenix: Cloud) -> None:
    faults = fenix.server.ctx.faults
    for status, body in ((401, {"message": "Unauthorized"}), (429, {"message": "Too Many Requests"}),
                         (504, {"message": "Endpoint request timed out"}),
                         (500, {"message": "Internal server error"})):  # fmt: skip
        faults.add_from_json("http", {"status": status, "count": 1, "path": "/rest/device/devices"})
        assert await fenix.call("GET", "device", "/devices") == (status, body)
    faults.add_from_json(
        "http", {"status": 200, "count": 1, "path": "/rest/device/devices", "body": {"devices": 7}}
    )
    assert await fenix.call("GET", "device", "/devices") == (200, {"devices": 7})


async def test_malformed_answers_on_demand(http: aiohttp.ClientSession, fenix: Cloud) -> None:
    admin = f"{fenix.server.url}{ADMIN}"
    async with http.post(f"{admin}/devices/nope/malformed", json={"shape": "nan"}) as r:
        assert r.status == 404
    async with http.post(f"{admin}/devices/fenix-1/malformed", json={"shape": "odd"}) as r:
        assert r.status == 400
    async with http.post(
        f"{admin}/devices/fenix-1/malformed",
        json={"shape": "nan", "answers": ["state"], "count": 1},
    ) as r:
        assert r.status == 200
    params = {"deviceId": "fenix-1", "subId": "C1"}
    async with http.get(
        fenix.url("device", "/devices/state"), params=params, headers=fenix.auth
    ) as r:
        text = await r.text()
    assert "NaN" in text
    assert json.loads(text)["deviceId"] == "fenix-1"  # ids stay as they were
    status, body = await fenix.call("GET", "device", "/devices/state", params=params)
    assert status == 200
    assert body["state"]  # the count ran out: well-formed again

    async with http.post(f"{admin}/devices/fenix-1/malformed", json={"shape": "deep"}) as r:
        assert r.status == 200
    async with http.get(
        fenix.url("device", "/devices/state"), params=params, headers=fenix.auth
    ) as r:
        with pytest.raises(RecursionError):
            json.loads(await r.text())
    status, body = await fenix.call("GET", "device", "/devices")
    assert [row.get("deviceId", row.get("name")) for row in body["devices"]] == ["fenix-1"]
    async with http.delete(f"{admin}/devices/fenix-1/malformed") as r:
        assert await r.json() == {"cleared": True}

    async with http.post(f"{admin}/push/malformed", json={"frames": 2, "shape": "types"}) as r:
        assert r.status == 200
    assert fenix.sim.push_malformation == "types"
    async with http.post(f"{admin}/push/malformed", json={"frames": 1, "shape": "odd"}) as r:
        assert r.status == 400
    async with http.post(f"{admin}/devices/fenix-1/malformed", json={"shape": "types"}) as r:
        assert r.status == 200
    await SimulatorAdmin(http, fenix.server.url).clear_faults()  # every fault, ours included
    assert not fenix.sim.rest.malformed.by_item
    assert fenix.sim.push_malformation == "truncated"


@pytest.mark.parametrize("shape", [shape for shape in PUSH_SHAPES if shape != "envelope"])
def test_malformed_frames_keep_the_device_id(fenix: Cloud, shape: str) -> None:
    sauna = fenix.sim.cloud.saunas["fenix-1"]
    notice = fenix.sim.cloud.state_notice(sauna, sauna.cabins[0], 0.0)
    broken = frame(shape, {"devicesStatesUpdateFeed": notice})["devicesStatesUpdateFeed"]
    assert broken["item"]["deviceId"] == "fenix-1"
    assert broken["item"] != notice["item"]


def test_an_envelope_malformation_breaks_the_whole_frame_text(fenix: Cloud) -> None:
    sauna = fenix.sim.cloud.saunas["fenix-1"]
    notice = fenix.sim.cloud.state_notice(sauna, sauna.cabins[0], 0.0)
    data = {"devicesStatesUpdateFeed": notice}
    assert frame("envelope", data) == data  # the items stay; the frame's text breaks
    with pytest.raises(json.JSONDecodeError):
        json.loads(envelope(json.dumps({"type": "data", "payload": {"data": data}})))
