"""The things API over real sockets: GraphQL (aliases, pagination, errors, both JSON scalar
shapes), thing types, things/find, observations/find, domain scoping, read-only writes and
malformed rows."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import aiohttp
import pytest

from simulators.core import SimulatorServer, parse_scenario
from simulators.telenor_mic import SCENARIOS, TelenorMicSimulator
from simulators.telenor_mic.scenario import SCENARIO_SCHEMA
from tests.conftest import StartSimulator

from .conftest import OWNER_THINGS, Api, sign_in

START_MS = 1_790_000_000_000
ROW = "thingName label domain thingType lastHeardFrom state"


async def _malformed(
    http: aiohttp.ClientSession, url: str, thing: str, shape: str, count: int = 1
) -> None:
    body = {"shape": shape, "count": count}
    async with http.post(f"{url}/_sim/telenor_mic/things/{thing}/malformed", json=body) as r:
        assert r.status == 200, await r.text()


# --- GraphQL ---------------------------------------------------------------------------------------
async def test_all_things_pages_through_what_the_user_sees(owner: Api) -> None:
    first = await owner.graphql(f"{{ allThings(size: 4) {{ total things {{ {ROW} }} }} }}")
    assert first["data"]["allThings"]["total"] == len(OWNER_THINGS)
    rows = first["data"]["allThings"]["things"]
    assert [r["thingName"] for r in rows] == OWNER_THINGS[:4]
    second = await owner.graphql(
        "query($from: Int) { allThings(size: 4, from: $from) { things { thingName } } }",
        {"from": 4},
    )
    assert [r["thingName"] for r in second["data"]["allThings"]["things"]] == OWNER_THINGS[4:]
    default = await owner.graphql("{ allThings { things { thingName } } }")
    assert len(default["data"]["allThings"]["things"]) == 6  # size 10 by default
    pump = next(r for r in rows if r["thingName"] == "field-pump")
    assert pump == {
        "thingName": "field-pump",
        "label": "Field pump",
        "domain": "field",
        "thingType": "17",
        "lastHeardFrom": str(START_MS - 20_000),  # its 30 s cycle began 20 s ago
        "state": {"on": True, "speed": 60, "mode": "auto", "flow": pump["state"]["flow"]},
    }
    assert 24 < pump["state"]["flow"] < 26  # 60 % of 42 l/min, give or take


async def test_aliased_thing_details_with_shadows_and_not_found(owner: Api) -> None:
    answer = await owner.graphql(
        """{
          t0: thing(thingName: "field-pump") { thingName domain domainTopic thingType shadow }
          t1: thing(thingName: "van-tracker") { thingName domainTopic shadow }
          t2: thing(thingName: "no-such-thing") { thingName }
          t3: thing(thingName: "showroom-pump") { thingName }
          r: thingTypeResources(thingTypeId: "17") { resources { name type metadata { label unit isSettable } } }
        }"""
    )
    data = answer["data"]
    assert data["t0"]["domainTopic"] == "demo/field"
    shadow = data["t0"]["shadow"]
    assert set(shadow) == {"state", "metadata", "timestamp", "version"}
    assert shadow["state"]["reported"]["speed"] == 60
    assert "desired" not in shadow["state"]
    assert "delta" not in shadow["state"]
    assert shadow["metadata"]["reported"]["flow"] == {"timestamp": 1_789_999_980}
    assert shadow["version"] > 1000  # a day of reports behind it
    assert shadow["timestamp"] == 1_790_000_000
    position = data["t1"]["shadow"]["state"]["reported"]["position"]
    assert set(position) == {"lat", "lon"}
    # not found, and outside the user's domain (the showroom is not below /demo/)
    assert data["t2"] is None
    assert data["t3"] is None
    assert answer["errors"] == [
        {"message": "THING_NOT_FOUND", "path": ["t2"]},
        {"message": "THING_NOT_FOUND", "path": ["t3"]},
    ]
    assert data["r"]["resources"][1] == {
        "name": "speed",
        "type": "integer",
        "metadata": {"label": "Speed", "unit": "%", "isSettable": True},
    }


async def test_graphql_errors(owner: Api) -> None:
    answer = await owner.graphql("{ allThings { nonsense } }")
    assert answer["data"] is None
    assert "nonsense" in answer["errors"][0]["message"]
    status, body = await owner.call("POST", "/graphql", {"variables": {}})
    assert status == 400
    assert body == {"errors": [{"message": "Must provide query string."}]}
    answer = await owner.graphql(
        '{ thingTypeResources(thingTypeId: "999") { resources { name } } }'
    )
    assert answer["errors"] == [{"message": "THING_TYPE_NOT_FOUND", "path": ["thingTypeResources"]}]


async def test_the_other_stack_writes_json_as_strings_and_iso_times(lab: Api) -> None:
    answer = await lab.graphql(
        "{ allThings { total things { thingName lastHeardFrom state } } "
        'd: thing(thingName: "lab-lamp") { domainTopic shadow } }'
    )
    rows = answer["data"]["allThings"]["things"]
    assert [r["thingName"] for r in rows] == ["lab-sensor", "lab-lamp"]
    assert rows[0]["lastHeardFrom"] == "2026-09-21T14:13:00.000Z"
    assert isinstance(rows[0]["state"], str)
    assert json.loads(rows[0]["state"])["door"] is False
    shadow = json.loads(answer["data"]["d"]["shadow"])
    assert shadow["state"]["reported"] == {
        "on": False,
        "level": 70,
        "scene": "focus",
        "message": "Experiment running",
    }
    assert answer["data"]["d"]["domainTopic"] == "lab"


# --- thing types and search ------------------------------------------------------------------------
async def test_thing_types_carry_rest_metadata(owner: Api, lab: Api) -> None:
    status, types = await owner.call("GET", "/thingtypes")
    assert status == 200
    assert [t["id"] for t in types] == ["12", "17", "23", "31"]
    pump = types[1]
    assert (pump["label"], pump["domain"]) == ("Pump", "root")
    resources = {r["name"]: r for r in pump["resources"]}
    assert resources["speed"] == {
        "name": "speed",
        "type": "integer",
        "metadata": {
            "isSettable": True,
            "label": "Speed",
            "unit": "%",
            "min": 0.0,
            "max": 100.0,
            "step": 1.0,
        },
    }
    assert resources["mode"]["metadata"]["values"] == ["auto", "eco", "boost"]
    assert resources["flow"]["metadata"] == {"isSettable": False, "label": "Flow", "unit": "l/min"}
    sensor = {r["name"]: r for r in types[0]["resources"]}
    assert sensor["firmware"]["type"] == "version"  # a type the client does not know
    status, types = await lab.call("GET", "/thingtypes")
    assert [t["id"] for t in types] == ["5", "6"]


async def test_things_find(owner: Api, lab: Api) -> None:
    async def find(query: Any, **extra: Any) -> Any:
        status, body = await owner.call("POST", "/things/find", {"query": query, **extra})
        assert status == 200, body
        return body["hits"]

    hits = await find({"match_all": {}}, size=100)
    assert hits["total"] == {"value": 6}
    assert [h["_id"] for h in hits["hits"]] == OWNER_THINGS
    hits = await find({"term": {"thingType": "23"}})
    assert [h["_source"]["thingName"] for h in hits["hits"]] == ["tractor-tracker", "van-tracker"]
    source = hits["hits"][0]["_source"]
    assert set(source) == {"thingName", "label", "domain", "thingType", "state", "lastHeardFrom"}
    assert isinstance(source["state"]["position"], str)
    assert source["lastHeardFrom"] == START_MS - 20_000
    hits = await find(
        {
            "bool": {
                "filter": [
                    {"terms": {"domain": ["office"]}},
                    {"term": {"thingType": {"value": "12"}}},
                ]
            }
        }
    )
    assert [h["_id"] for h in hits["hits"]] == ["office-climate", "meeting-room-climate"]
    hits = await find({"match_all": {}}, size=2, **{"from": 2})
    assert [h["_id"] for h in hits["hits"]] == OWNER_THINGS[2:4]
    assert hits["total"] == {"value": 6}
    status, body = await owner.call("POST", "/things/find", {"query": {"fuzzy": {"x": 1}}})
    assert status == 400
    assert body["message"]["messageKey"] == "INVALID_QUERY"
    status, body = await lab.call("POST", "/things/find", {"query": {"match_all": {}}})
    assert body["hits"]["total"] == 2  # this stack counts hits as a bare number


async def test_observations_need_a_time_range_and_come_in_time_order(
    mic: SimulatorServer, owner: Api
) -> None:
    async def find(body: dict[str, Any]) -> tuple[int, Any]:
        return await owner.call("POST", "/observations/find", body)

    status, body = await find({"query": {"terms": {"thingName": ["field-pump"]}}})
    assert status == 400
    assert body["message"]["messageKey"] == "INVALID_QUERY"
    names = {"terms": {"thingName": ["field-pump", "office-climate"]}}
    last_10_min = {"range": {"timestamp": {"gte": START_MS - 600_000, "lte": START_MS}}}
    status, body = await find({"query": {"bool": {"filter": [names, last_10_min]}}, "size": 100})
    assert status == 200
    hits = [h["_source"] for h in body["hits"]["hits"]]
    assert body["hits"]["total"] == {"value": 30}  # 20 pump reports (30 s), 10 climate (60 s)
    assert [h["timestamp"] for h in hits] == sorted(h["timestamp"] for h in hits)
    assert {h["thingName"] for h in hits} == {"field-pump", "office-climate"}
    pump = [h for h in hits if h["thingName"] == "field-pump"]
    assert set(pump[0]["state"]) == {"on", "speed", "mode", "flow"}
    # a day of history back-filled: 2880 pump reports
    day = {"range": {"timestamp": {"gte": START_MS - 86_400_000, "lte": START_MS}}}
    status, body = await find(
        {"query": {"bool": {"filter": [{"term": {"thingName": "field-pump"}}, day]}}, "size": 5000,
         "sort": [{"timestamp": {"order": "desc"}}]}
    )  # fmt: skip
    assert body["hits"]["total"] == {"value": 2880}
    hits = body["hits"]["hits"]
    assert len(hits) == 1000  # a page holds 1000 at most
    assert hits[0]["_source"]["timestamp"] == START_MS - 20_000  # newest first
    # new reports are recorded as the clock moves on, with what the thing did meanwhile
    mic.ctx.clock.advance(120)
    later = {"range": {"timestamp": {"gt": START_MS, "lte": "2026-09-21T14:15:00Z"}}}
    status, body = await find(
        {"query": {"bool": {"filter": [{"term": {"thingName": "field-pump"}}, later]}}}
    )
    assert [h["_source"]["timestamp"] for h in body["hits"]["hits"]] == [
        START_MS + 10_000, START_MS + 40_000, START_MS + 70_000, START_MS + 100_000
    ]  # fmt: skip
    # other clauses are checked on each observation; the showroom is not the user's
    status, body = await find(
        {"query": {"bool": {"must": [day], "should": [{"exists": {"field": "state.position"}}],
                            "minimum_should_match": 1}}, "size": 1}
    )  # fmt: skip
    assert body["hits"]["total"] == {"value": 2 * 1440}
    status, body = await find(
        {"query": {"bool": {"filter": [{"term": {"thingName": "showroom-pump"}}, day]}}}
    )
    assert body["hits"]["total"] == {"value": 0}


# --- scoping and writes ----------------------------------------------------------------------------
async def test_a_subdomain_user_sees_its_branch_only(viewer: Api) -> None:
    answer = await viewer.graphql("{ allThings { total things { thingName domain } } }")
    assert answer["data"]["allThings"] == {
        "total": 2,
        "things": [
            {"thingName": "showroom-climate", "domain": "showroom"},
            {"thingName": "showroom-pump", "domain": "showroom"},
        ],
    }
    status, _ = await viewer.call("GET", "/things/field-pump")
    assert status == 404


async def test_read_only_users_may_not_write(viewer: Api, owner: Api) -> None:
    for method, body in (("PUT", {"label": "Mine now"}), ("DELETE", None)):
        status, answer = await viewer.call(method, "/things/showroom-pump", body)
        assert status == 400, method
        assert answer == {
            "message": {
                "name": "LocalizableError",
                "message": f"Not authorized to {method.replace('PUT', 'UPDATE')} THING",
                "messageKey": "NOT_AUTHORIZED",
                "messageParams": {
                    "operation": "UPDATE" if method == "PUT" else "DELETE",
                    "objectType": "THING",
                },
            }
        }
    status, answer = await owner.call("PUT", "/things/nothing-here", {"label": "x"})
    assert status == 404
    assert answer["message"]["messageKey"] == "THING_NOT_FOUND"
    status, answer = await owner.call("PUT", "/things/office-climate", {"label": "Open office"})
    assert (status, answer["label"]) == (200, "Open office")
    status, answer = await owner.call("PUT", "/things/office-climate", {"label": 7})
    assert status == 400
    assert answer["message"]["messageKey"] == "INVALID_PARAMETER"
    status, _ = await owner.call("DELETE", "/things/meeting-room-climate")
    assert status == 200
    status, _ = await owner.call("GET", "/things/meeting-room-climate")
    assert status == 404


async def test_a_stack_can_refuse_writes_with_403(
    start_simulator: StartSimulator, clock: Any, http: aiohttp.ClientSession
) -> None:
    raw: dict[str, Any] = {
        "stacks": [
            {
                "name": "prod", "hostnames": ["ro.mic.example"], "api_key": "k" * 40,
                "user_pool": "eu-west-1_RoPool001", "identity_pool": "eu-west-1:x",
                "iot_endpoint": "ro", "dialect": {"not_authorized_status": 403},
                "domains": [{"name": "d"}],
                "thing_types": [{"id": "1", "label": "T", "resources": [{"name": "x", "type": "number"}]}],
                "users": [{"username": "ro", "password": "pw", "role": "ReadOnly", "domain": "d"}],
                "things": [{"name": "t", "domain": "d", "thing_type": "1"}],
            }
        ]
    }  # fmt: skip
    scenario = parse_scenario(raw, SCENARIO_SCHEMA, "telenor_mic")
    server = await start_simulator(TelenorMicSimulator, scenario, clock=clock)
    api = await sign_in(http, server.url, "ro.mic.example", "ro", "pw")
    status, body = await api.call("DELETE", "/things/t")
    assert status == 403
    assert body["message"]["messageKey"] == "NOT_AUTHORIZED"


# --- malformed rows --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", ["nan", "huge", "types", "deep", "missing"])
async def test_malformed_rows_hit_one_thing(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api, shape: str
) -> None:
    await _malformed(http, mic.url, "field-pump", shape, count=2)
    async with http.post(
        owner.base + "/graphql",
        json={
            "query": f'{{ allThings {{ things {{ {ROW} }} }} t: thing(thingName: "field-pump") {{ shadow }} }}'
        },
        headers=owner.headers,
    ) as response:
        text = await response.text()
    if shape == "deep":
        with pytest.raises(RecursionError):
            json.loads(text)
        return
    body = json.loads(text)
    rows = {r["thingName"]: r for r in body["data"]["allThings"]["things"]}
    assert rows["office-climate"]["state"]["temperature"] == pytest.approx(20, abs=3)
    pump, shadow = rows["field-pump"], body["data"]["t"]["shadow"]
    if shape == "nan":
        assert not math.isfinite(pump["state"]["flow"])
    elif shape == "huge":
        assert pump["state"]["speed"] == 1e308
        assert shadow["version"] == 1e308
    elif shape == "types":
        assert pump["lastHeardFrom"] == "yesterday"
        assert not isinstance(pump["state"]["on"], bool)
        assert shadow["version"] == "seven"
    else:
        assert pump["state"] is None
        assert pump["lastHeardFrom"] is None
        assert shadow is None
    # used up: the next answer is well-formed
    again = await owner.graphql('{ t: thing(thingName: "field-pump") { shadow } }')
    assert again["data"]["t"]["shadow"]["state"]["reported"]["speed"] == 60


async def test_malformed_search_hit(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api
) -> None:
    await _malformed(http, mic.url, "van-tracker", "types")
    status, body = await owner.call(
        "POST", "/things/find", {"query": {"term": {"thingType": "23"}}}
    )
    assert status == 200
    broken = body["hits"]["hits"][1]["_source"]
    assert broken["thingName"] == "van-tracker"
    assert broken["lastHeardFrom"] == "yesterday"
    async with http.delete(f"{mic.url}/_sim/telenor_mic/things/van-tracker/malformed") as r:
        assert await r.json() == {"cleared": False}  # count 1: already used up


async def test_scale_scenario_loads_fast(
    start_simulator: StartSimulator, clock: Any, http: aiohttp.ClientSession
) -> None:
    started = time.perf_counter()
    server = await start_simulator(TelenorMicSimulator, SCENARIOS / "scale.yaml", clock=clock)
    assert time.perf_counter() - started < 2.0
    api = await sign_in(http, server.url, "scale.mic.example", "fleet-manager", "five-hundred-1")
    answer = await api.graphql("{ allThings(size: 500, from: 450) { total things { thingName } } }")
    assert answer["data"]["allThings"]["total"] == 500
    names = [t["thingName"] for t in answer["data"]["allThings"]["things"]]
    assert names[0] == "fleet-0451"
    assert len(names) == 50  # 100 a page at most
    hour = {"range": {"timestamp": {"gte": START_MS - 3_600_000, "lte": START_MS}}}
    status, body = await api.call("POST", "/observations/find", {"query": hour, "size": 10})
    assert status == 200
    assert 500 * 59 <= body["hits"]["total"]["value"] <= 500 * 61
