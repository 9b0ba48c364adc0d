"""The Cayenne simulator's MQTT broker over real sockets, with aiomqtt as the client: sign-in,
the topic tree's access rules, things reporting in their four formats, commands from REST and
from clients, push faults and malformed messages."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import aiohttp
import aiomqtt
import pytest

from custom_components.cayenne.api import (
    Command,
    DataMessage,
    Response,
    TopicKind,
    parse_message,
)
from simulators.cayenne import SCENARIOS, CayenneSimulator
from simulators.cayenne.scenario import SCENARIO_SCHEMA
from simulators.core import SimClock, SimulatorServer, load_scenario, parse_scenario
from simulators.testing import SimulatorAdmin, running_simulator
from tests.conftest import StartSimulator
from tests.helpers import until

from .conftest import (
    BOARD,
    EMAIL,
    LORA,
    MOTION,
    PI,
    TRACKER,
    TRY_EMAIL,
    Inbox,
    call,
    login,
    mqtt_client,
    mqtt_credentials,
    token,
)


def _data(topic: str, payload: bytes) -> list[DataMessage]:
    """A data message as the integration's parser reads it (fails when it cannot)."""
    parsed = parse_message(topic, payload)
    assert parsed is not None, (topic, payload)
    kind, message = parsed
    assert kind.kind in (TopicKind.DATA, TopicKind.JSON)
    assert isinstance(message, list)
    return message


def _response(payload: bytes) -> Response:
    parsed = parse_message("v1/u/things/t/response", payload)
    assert parsed is not None, payload
    assert isinstance(parsed[1], Response)
    return parsed[1]


async def _admin(http: aiohttp.ClientSession, url: str, path: str, body: Any = None) -> Any:
    async with http.post(f"{url}/_sim/cayenne{path}", json=body or {}) as response:
        assert response.status in (200, 201), await response.text()
        return await response.json()


async def _connect_fails(sim: CayenneSimulator, username: str, password: str) -> str:
    """The broker's refusal, as the client reports it."""
    with pytest.raises(aiomqtt.MqttCodeError) as refused:
        async with aiomqtt.Client(
            sim.mqtt_host, sim.mqtt_port, username=username, password=password
        ):
            pass
    return str(refused.value.rc)


# --- sign-in ------------------------------------------------------------------------------------------
async def test_broker_signs_in_with_the_platforms_credentials(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    account = sim.cloud.account(EMAIL)
    assert account is not None
    assert username == account.mqtt_username
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#"):
        await until(lambda: len(cayenne.ctx.push.connections) == 1)
        (connection,) = cayenne.ctx.push.connections
        assert connection.account == EMAIL
    await until(lambda: not cayenne.ctx.push.connections, what="the connection to go")
    assert await _connect_fails(sim, username, "wrong") == "Not authorized"
    assert await _connect_fails(sim, "no-such-user", password) == "Not authorized"
    assert await _connect_fails(sim, "", "") == "Not authorized"
    assert await _connect_fails(sim, username, "pässwörd") == "Not authorized"


async def test_rotated_secret_stops_working_and_drops_connections(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    username, old = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, old, f"v1/{username}/things/+/data/#") as inbox:
        await until(lambda: len(cayenne.ctx.push.connections) == 1)
        answer = await _admin(http, cayenne.url, "/mqtt/credentials/rotate", {"account": EMAIL})
        assert answer == {"rotated": [EMAIL], "dropped": 1}
        await until(lambda: inbox.closed is not None, what="the client to be dropped")
    assert await _connect_fails(sim, username, old) == "Not authorized"
    again, new = await mqtt_credentials(http, cayenne.url)
    assert (again, new != old) == (username, True)
    async with mqtt_client(sim, username, new, f"v1/{username}/things/+/data/#"):
        pass


# --- access rules ---------------------------------------------------------------------------------------
async def test_clients_use_their_own_tree_only(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
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
    _, other = await call(http, "POST", cayenne.url + "/v1.1/clients", headers)
    async with (
        mqtt_client(sim, username, password) as mine,
        mqtt_client(sim, other["id"], other["clear_secret"], f"v1/{other['id']}/#") as theirs,
    ):
        for refused in (f"v1/{other['id']}/things/+/data/#", "#", "v1/+/things/#", "v1"):
            granted = await mine.client.subscribe(refused)
            assert [code.value for code in granted] == [0x80], refused
        granted = await mine.client.subscribe(f"v1/{username}/things/+/data/#")
        assert [code.value for code in granted] == [0]
        # a publish into someone else's tree is dropped; their own goes through
        await mine.client.publish(f"v1/{other['id']}/things/x/data/1", b"temp,c=99")
        await theirs.client.publish(f"v1/{other['id']}/things/y/data/1", b"temp,c=1")
        await theirs.wait_for("/things/y/data/1")
        await theirs.settle()
        assert theirs.on("/things/x/data/1") == []
        # the switch that refuses every subscription, for the integration's fallback
        assert await _admin(http, cayenne.url, "/mqtt/subscriptions", {"refuse": True}) == {
            "refuse": True
        }
        granted = await mine.client.subscribe(f"v1/{username}/things/{PI}/response")
        assert [code.value for code in granted] == [0x80]
        await _admin(http, cayenne.url, "/mqtt/subscriptions", {"refuse": False})
        granted = await mine.client.subscribe(f"v1/{username}/things/{PI}/response")
        assert [code.value for code in granted] == [0]


# --- things report ----------------------------------------------------------------------------------------
async def test_things_publish_in_their_formats(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#") as inbox:
        clock.advance(600)  # one report cycle for every thing, the LoRa node's ten minutes too
        messages = await inbox.settle()
        state = sim.state_json()[EMAIL]["things"]

        def published(thing: str) -> list[tuple[str, bytes]]:
            return [(t, p) for t, p in messages if f"/things/{thing}/" in t]

        # typed: temp,c=21.5, one message per channel, the values REST shows
        pi = published(PI)
        assert [t.rsplit("/", 1)[1] for t, _ in pi] == ["1", "2", "3", "4", "5"]
        for topic, payload in pi:
            (message,) = _data(topic, payload)
            assert message.value == state[PI]["channels"][message.channel]
        (temperature,) = _data(*pi[0])
        assert (temperature.raw_type, temperature.raw_unit) == ("temp", "c")
        assert pi[0][1] == f"temp,c={state[PI]['channels']['1']}".encode()
        assert pi[3][1] == b"relay,d=0"
        # capitalised: Temp,f=50.3
        board = dict(published(BOARD))
        assert len(board) == 25
        first = _data(f"v1/{username}/things/{BOARD}/data/0", board[f"v1/{username}/things/{BOARD}/data/0"])  # fmt: skip
        assert (first[0].raw_type, first[0].raw_unit) == ("Temp", "f")
        base = f"v1/{username}/things/{BOARD}/data"
        assert board[f"{base}/24"] == b"Xyz,null=7"
        assert board[f"{base}/16"].startswith(b"Counter,null=")
        assert board[f"{base}/6"].startswith(b"Energy,kwh=")
        # bare: 0 or 1
        ((topic, payload),) = published(MOTION)
        (motion,) = _data(topic, payload)
        assert (payload in (b"0", b"1"), motion.raw_type) == (True, None)
        # json: one data/json message with every channel
        ((topic, payload),) = published(LORA)
        assert topic.endswith("/data/json")
        lora = _data(topic, payload)
        assert {(m.channel, m.raw_type, m.raw_unit) for m in lora} == {
            ("5", "batt", "p"),
            ("100", "rssi", "dbm"),
            ("101", "snr", "db"),
        }
        # a position only travels in data/json, as an object
        ((topic, payload),) = published(TRACKER)
        items = {item["channel"]: item for item in json.loads(payload)}
        assert items[1]["type"] == "gps"
        assert items[1]["unit"] == "m"
        assert set(items[1]["value"]) == {"lat", "lng", "alt"}
        assert items[1]["value"] == state[TRACKER]["channels"]["1"]
        assert "2" in [m.channel for m in _data(topic, payload)]


async def test_things_publish_qos_0_not_retained(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password) as inbox:
        granted = await inbox.client.subscribe(f"v1/{username}/things/{PI}/data/#", qos=1)
        assert [code.value for code in granted] == [1]
        clock.advance(15)
        await inbox.wait_for(f"/things/{PI}/data/5")
        assert set(inbox.flags) == {(0, False)}
    # a client that subscribes later gets nothing until the next report: nothing is retained
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#") as late:
        assert await late.settle() == []


async def test_offline_and_removed_things_are_silent(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#") as inbox:
        await _admin(http, cayenne.url, f"/things/{PI}/online", {"online": False})
        await _admin(http, cayenne.url, f"/things/{MOTION}/status", {"status": "DEACTIVATED"})
        clock.advance(60)
        messages = await inbox.settle()
        assert not [t for t, _ in messages if f"/things/{PI}/" in t or f"/things/{MOTION}/" in t]
        assert [t for t, _ in messages if f"/things/{BOARD}/" in t]  # the others report


# --- commands ---------------------------------------------------------------------------------------------
async def test_rest_command_reaches_the_thing_through_the_broker(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    headers = await login(http, cayenne.url)
    cmd = f"{cayenne.url}/v1.1/things/{PI}/cmd"
    async with mqtt_client(sim, username, password, f"v1/{username}/things/{PI}/#") as inbox:
        status, body = await call(http, "POST", cmd, headers, json={"channel": "4", "value": 1})
        assert (status, body) == (200, {"success": True})
        assert sim.state_json()[EMAIL]["things"][PI]["channels"]["4"] == 1  # REST shows it
        (command,) = await inbox.wait_for(f"/things/{PI}/cmd/4")
        parsed = parse_message(f"v1/{username}/things/{PI}/cmd/4", command)
        assert parsed is not None
        assert isinstance(parsed[1], Command)
        seq = parsed[1].seq
        assert parsed[1].number == 1
        (answer,) = await inbox.wait_for(f"/things/{PI}/response")
        assert answer == f"ok,{seq}".encode()
        assert await inbox.wait_for(f"/things/{PI}/data/4") == [b"relay,d=1"]
        # a value the relay cannot take: the platform says success, the thing says no
        status, body = await call(http, "POST", cmd, headers, json={"channel": "4", "value": 2})
        assert (status, body) == (200, {"success": True})
        answers = await inbox.wait_for(f"/things/{PI}/response", 2)
        refusal = _response(answers[1])
        assert (refusal.ok, int(refusal.seq) > int(seq)) == (False, True)
        assert refusal.message == "invalid value 2 for relay"
        await inbox.settle()
        assert inbox.on(f"/things/{PI}/data/4") == [b"relay,d=1"]
        assert sim.state_json()[EMAIL]["things"][PI]["channels"]["4"] == 1


async def test_mqtt_command_from_a_client(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    headers = await login(http, cayenne.url)
    base = f"v1/{username}/things"
    async with mqtt_client(sim, username, password, f"{base}/+/response", f"{base}/+/data/#") as inbox:  # fmt: skip
        await inbox.client.publish(f"{base}/{PI}/cmd/5", b"abc-7,60")
        assert await inbox.wait_for(f"/things/{PI}/response") == [b"ok,abc-7"]
        assert await inbox.wait_for(f"/things/{PI}/data/5") == [b"lt_lum,p=60"]
        child = next(
            c["id"]
            for c in (await call(http, "GET", f"{cayenne.url}/v1.1/things/{PI}", headers))[1][
                "children"
            ]
            if c["properties"]["channel"] == "5"
        )
        _, latest = await call(
            http,
            "GET",
            f"{cayenne.url}/v1.1/telemetry/{PI}/sensors/{child}/summaries",
            headers,
            params={"type": "latest"},
        )
        assert latest[0]["v"] == 60
        # refusals: a sensor, a locked valve, an unknown channel, a value that is no number
        for thing, channel, payload, message in (
            (PI, "1", b"s1,30", "channel 1 is not an actuator"),
            (BOARD, "20", b"s2,1", "channel 20 is locked"),
            (BOARD, "99", b"s3,1", "unknown channel 99"),
            (BOARD, "21", b"s4,fast", "invalid value fast"),
        ):
            count = len(inbox.on(f"/things/{thing}/response"))
            await inbox.client.publish(f"{base}/{thing}/cmd/{channel}", payload)
            answer = _response((await inbox.wait_for(f"/things/{thing}/response", count + 1))[-1])
            assert (answer.ok, answer.seq, answer.message) == (False, payload[:2].decode(), message)  # fmt: skip
        # the capitalised board answers its analog actuator in its own format
        await inbox.client.publish(f"{base}/{BOARD}/cmd/18", b"s5,45")
        assert await inbox.wait_for(f"/things/{BOARD}/data/18") == [b"Analog_actuator,null=45"]
        # a thing that is offline hears nothing and answers nothing
        await _admin(http, cayenne.url, f"/things/{MOTION}/online", {"online": False})
        await inbox.client.publish(f"{base}/{MOTION}/cmd/1", b"s6,1")
        messages = await inbox.settle()
        assert not [t for t, _ in messages if f"/things/{MOTION}/" in t]


async def test_command_to_an_offline_thing_gets_no_answer(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    headers = await login(http, cayenne.url)
    await _admin(http, cayenne.url, f"/things/{PI}/online", {"online": False})
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/response") as inbox:
        status, body = await call(
            http, "POST", f"{cayenne.url}/v1.1/things/{PI}/cmd", headers,
            json={"channel": "4", "value": 1},
        )  # fmt: skip
        assert (status, body) == (200, {"success": True})
        status, _ = await call(
            http, "POST", f"{cayenne.url}/v1.1/things/{BOARD}/cmd", headers,
            json={"channel": "17", "value": 1},
        )  # fmt: skip
        await inbox.wait_for(f"/things/{BOARD}/response")
        assert inbox.on(f"/things/{PI}/response") == []
    assert sim.state_json()[EMAIL]["things"][PI]["channels"]["4"] == 0


# --- push faults and malformed messages -------------------------------------------------------------------
async def test_push_drop_and_refuse(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    admin = SimulatorAdmin(http, cayenne.url)
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#") as inbox:
        await until(lambda: len(cayenne.ctx.push.connections) == 1)
        assert await admin.drop_push("someone@else.example") == 0
        assert await admin.drop_push(EMAIL) == 1
        await until(lambda: inbox.closed is not None, what="the client to be dropped")
    await admin.refuse_push(60)
    assert await _connect_fails(sim, username, password) == "Not authorized"
    clock.advance(61)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#"):
        await until(lambda: len(cayenne.ctx.push.connections) == 1)
        assert await admin.drop_push() == 1


def _broken(topic: str, payload: bytes) -> bool:
    return parse_message(topic, payload) is None


@pytest.mark.parametrize(
    ("shape", "looks"),
    [
        ("garbage", lambda topic, payload: payload.startswith(b"\xff")),
        ("text", lambda topic, payload: payload.endswith(b"=abc")),
        ("huge", lambda topic, payload: payload.endswith(b"=1e308")),
        ("json", lambda topic, payload: topic.endswith("/data/json")),
        ("topic", lambda topic, payload: topic.endswith("/data")),
    ],
)
async def test_malformed_mqtt_messages(
    cayenne: SimulatorServer,
    http: aiohttp.ClientSession,
    sim: CayenneSimulator,
    clock: SimClock,
    shape: str,
    looks: Any,
) -> None:
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/#") as inbox:
        await _admin(http, cayenne.url, "/mqtt/malformed", {"frames": 2, "shape": shape})
        clock.advance(30)
        messages = await inbox.settle()
        broken = [(t, p) for t, p in messages if _broken(t, p)]
        assert len(broken) == 2, broken
        assert all(looks(t, p) for t, p in broken[:1]), broken
        good = len(messages) - 2
        assert good > 10
        clock.advance(30)  # the budget is spent: everything is well-formed again
        later = (await inbox.settle())[len(messages) :]
        assert later
        assert not [m for m in later if _broken(*m)]
    if shape == "garbage":
        with pytest.raises(UnicodeDecodeError):
            broken[0][1].decode()
    if shape == "json":
        second = broken[1][1]
        assert second.count(b"[") > 1000  # nested beyond any JSON reader's recursion limit


async def test_generic_malformed_push_frames(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    admin = SimulatorAdmin(http, cayenne.url)
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#") as inbox:
        await admin.malformed_push(3)
        clock.advance(15)
        messages = await inbox.settle()
        broken = [(t, p) for t, p in messages if _broken(t, p)]
        assert len(broken) == 3
        assert all(p.startswith(b"\xff") for _, p in broken)
        stats = cayenne.ctx.push.stats
        assert stats.malformed_sent == 3
        assert stats.frames_sent == len(messages)


async def test_frames_count_only_while_a_client_listens(
    cayenne: SimulatorServer, http: aiohttp.ClientSession, sim: CayenneSimulator, clock: SimClock
) -> None:
    """The malformed budget is for clients: things reporting to nobody do not spend it."""
    admin = SimulatorAdmin(http, cayenne.url)
    await admin.malformed_push(1)
    clock.advance(600)
    await until(lambda: sim.mqtt.idle)
    assert cayenne.ctx.push.stats.frames_sent == 0
    username, password = await mqtt_credentials(http, cayenne.url)
    async with mqtt_client(sim, username, password, f"v1/{username}/things/+/data/#") as inbox:
        clock.advance(15)
        messages = await inbox.settle()
        assert len([m for m in messages if _broken(*m)]) == 1


# --- broker life cycle ------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_broker_port_from_the_scenario(start_simulator: StartSimulator) -> None:
    port = _free_port()
    demo = load_scenario(SCENARIOS / "demo.yaml", SCENARIO_SCHEMA, "cayenne")
    raw = {**demo.data, "mqtt_port": port}
    server = await start_simulator(
        CayenneSimulator, parse_scenario(raw, SCENARIO_SCHEMA, "cayenne")
    )
    assert isinstance(server.simulator, CayenneSimulator)
    assert server.simulator.mqtt_port == port
    assert server.simulator.urls()["mqtt_port"] == str(port)


async def test_stop_closes_the_broker_and_leaves_no_task(http: aiohttp.ClientSession) -> None:
    before = asyncio.all_tasks()
    clock = SimClock(start=1_790_000_000.0, speed=0)
    async with running_simulator(CayenneSimulator, SCENARIOS / "demo.yaml", clock=clock) as server:
        sim = server.simulator
        assert isinstance(sim, CayenneSimulator)
        port = sim.mqtt_port
        username, password = await mqtt_credentials(http, server.url)
        client = aiomqtt.Client(sim.mqtt_host, port, username=username, password=password)
        await client.__aenter__()
        await client.subscribe(f"v1/{username}/things/+/data/#")
        inbox = Inbox(client, sim, username)
        collector = asyncio.create_task(inbox.collect())
        clock.advance(15)
        await inbox.wait_for("/data/1")
    # the simulator stopped with the client still connected: the client lost its connection
    await until(lambda: inbox.closed is not None, what="the client to notice")
    await collector
    await client.__aexit__(None, None, None)
    with pytest.raises(OSError):  # nothing listens on the broker's port any more
        await asyncio.open_connection("127.0.0.1", port)
    await until(
        lambda: not (asyncio.all_tasks() - before - {asyncio.current_task()}),
        what="no task left behind",
    )
