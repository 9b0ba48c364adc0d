"""MQTT over the presigned websocket with aiomqtt as the client: thing updates, a desired state
round trip, a silent thing's pending delta, life-cycle events, the access rules, push faults,
expiring credentials and malformed messages."""

from __future__ import annotations

import asyncio
from contextlib import suppress
import json
from typing import Any

import aiohttp
import aiomqtt
import pytest

from simulators.core import SimulatorServer
from simulators.testing import SimulatorAdmin
from tests.helpers import until

from .conftest import (
    Api,
    Inbox,
    aws_credentials,
    handshake,
    mqtt_client,
    presign,
    websocket_url,
)

PUMP_TOPIC = "thing-update/demo/field/field-pump"
PLUG_TOPIC = "thing-update/demo/field/greenhouse-plug"
BARRIER = "thing-update/demo/barrier"


async def _admin(
    http: aiohttp.ClientSession, url: str, method: str, path: str, body: Any = None
) -> Any:
    async with http.request(method, f"{url}/_sim/telenor_mic{path}", json=body) as response:
        assert response.status in (200, 201), await response.text()
        return await response.json()


async def _shadow(api: Api, thing: str) -> dict[str, Any]:
    answer = await api.graphql(f'{{ t: thing(thingName: "{thing}") {{ shadow }} }}')
    shadow: dict[str, Any] = answer["data"]["t"]["shadow"]
    return shadow


async def test_things_publish_their_reports(mic: SimulatorServer, owner: Api) -> None:
    async with mqtt_client(mic, owner, "thing-update/demo/#") as inbox:
        await until(lambda: len(mic.ctx.push.connections) == 1)
        (connection,) = mic.ctx.push.connections
        assert (connection.account, connection.info["stack"]) == ("demo-owner", "prod")
        version = (await _shadow(owner, "field-pump"))["version"]
        mic.ctx.clock.advance(30)
        (update,) = await inbox.wait_for(PUMP_TOPIC)
        assert update == {
            "state": {"reported": {"flow": update["state"]["reported"]["flow"]}},
            "metadata": {"reported": {"flow": {"timestamp": 1_790_000_010}}},
            "version": version + 1,
            "timestamp": 1_790_000_010,
        }
        mic.ctx.clock.advance(30)  # the climate sensor's minute is up
        climate = await inbox.wait_for("thing-update/demo/office/office-climate")
        assert set(climate[0]["state"]["reported"]) == {
            "temperature", "humidity", "co2", "battery", "firmware"
        }  # fmt: skip
        # an admin report goes out at once, position in the thing's own shape
        await _admin(
            owner.http, mic.url, "POST",
            "/things/tractor-tracker/reported", {"values": {"position": "59.9,10.7"}},
        )  # fmt: skip
        *_cycle, moved = await inbox.wait_for("thing-update/demo/field/tractor-tracker", 2)
        assert moved["state"]["reported"] == {"position": "59.9,10.7"}
    await until(lambda: not mic.ctx.push.connections, what="the connection to go")


async def test_a_desired_state_is_applied_and_reported_back(
    mic: SimulatorServer, owner: Api
) -> None:
    async with mqtt_client(mic, owner, PUMP_TOPIC) as inbox:
        before = (await _shadow(owner, "field-pump"))["version"]
        desired = {"state": {"desired": {"speed": 80, "mode": "boost", "on": "yes"}}}
        await inbox.client.publish(PUMP_TOPIC, json.dumps(desired), qos=1)
        messages = await inbox.wait_for(PUMP_TOPIC, count=2)
        assert messages[0] == desired  # everyone subscribed hears the desired state itself
        report = messages[1]
        # "yes" is no boolean: the pump reads back what it has
        assert report["state"]["reported"] == {"speed": 80, "mode": "boost", "on": True}
        assert report["version"] == before + 2  # the desired update, then the report
    shadow = await _shadow(owner, "field-pump")
    assert shadow["state"]["reported"]["speed"] == 80
    assert "desired" not in shadow["state"]
    assert "delta" not in shadow["state"]
    assert shadow["version"] == report["version"]
    # the flow follows the new speed from the next report on
    mic.ctx.clock.advance(30)
    state = (await _shadow(owner, "field-pump"))["state"]["reported"]
    assert state["flow"] == pytest.approx(42 * 0.8, abs=1)
    # out-of-range numbers are clamped
    async with mqtt_client(mic, owner, PUMP_TOPIC) as inbox:
        await inbox.client.publish(PUMP_TOPIC, json.dumps({"state": {"desired": {"speed": 250}}}))
        (_, report) = await inbox.wait_for(PUMP_TOPIC, count=2)
        assert report["state"]["reported"] == {"speed": 100}


async def test_a_silent_thing_leaves_its_delta_pending(mic: SimulatorServer, owner: Api) -> None:
    mic.ctx.clock.advance(1800)  # the greenhouse plug goes silent after half an hour
    heard = (await owner.graphql("{ allThings { things { thingName lastHeardFrom } } }"))["data"]
    last = {r["thingName"]: r["lastHeardFrom"] for r in heard["allThings"]["things"]}
    async with mqtt_client(mic, owner, PLUG_TOPIC, BARRIER + "/#") as inbox:
        await inbox.client.publish(PLUG_TOPIC, json.dumps({"state": {"desired": {"on": False}}}))
        await inbox.wait_for(PLUG_TOPIC)
        mic.ctx.clock.advance(120)
        await inbox.settle(BARRIER)
        assert len(inbox.on(PLUG_TOPIC)) == 1  # no report came back
    shadow = await _shadow(owner, "greenhouse-plug")
    assert shadow["state"]["desired"] == {"on": False}
    assert shadow["state"]["delta"] == {"on": False}
    assert shadow["state"]["reported"]["on"] is True
    again = (await owner.graphql("{ allThings { things { thingName lastHeardFrom } } }"))["data"]
    now = {r["thingName"]: r["lastHeardFrom"] for r in again["allThings"]["things"]}
    assert now["greenhouse-plug"] == last["greenhouse-plug"]
    assert now["field-pump"] != last["field-pump"]
    # when it speaks again it applies what is pending
    await _admin(owner.http, mic.url, "POST", "/things/greenhouse-plug/silent", {"silent": False})
    mic.ctx.clock.advance(1)
    shadow = await _shadow(owner, "greenhouse-plug")
    assert shadow["state"]["reported"]["on"] is False
    assert "delta" not in shadow["state"]


async def test_life_cycle_events(mic: SimulatorServer, owner: Api, lab: Api) -> None:
    async with (
        mqtt_client(mic, owner, "event/demo/#", "event/demo", "thing-update/demo/#") as inbox,
        mqtt_client(mic, lab, "event/#", "event") as lab_inbox,
    ):
        spec = {"name": "new-sensor", "thing_type": "12", "label": "New sensor",
                "resources": {"temperature": {"value": 19.5}}}  # fmt: skip
        created = await _admin(owner.http, mic.url, "POST", "/domains/office/things", spec)
        assert created == {"thingName": "new-sensor", "stack": "prod"}
        (event,) = await inbox.wait_for("event/demo/office")
        assert event == {
            "timestamp": 1_790_000_000_000,
            "message": "Thing with name: new-sensor and label: New sensor created",
            "classification": "INTERNAL",
            "type": "THING.CREATE",
            "source": {"thingName": "new-sensor", "thingType": "12", "domain": "office"},
        }
        # never heard from until its first cycle; then it says everything
        answer = await owner.graphql('{ t: thing(thingName: "new-sensor") { shadow } '
                                     'allThings { total } }')  # fmt: skip
        assert answer["data"]["t"]["shadow"] is None
        assert answer["data"]["allThings"]["total"] == 7
        mic.ctx.clock.advance(60)
        (first,) = await inbox.wait_for("thing-update/demo/office/new-sensor")
        assert first["state"]["reported"]["temperature"] == 19.5
        assert first["version"] == 1
        # a label change over REST, and a deletion
        status, _ = await owner.call("PUT", "/things/new-sensor", {"label": "Renamed"})
        assert status == 200
        await _admin(owner.http, mic.url, "DELETE", "/things/new-sensor")
        events = await inbox.wait_for("event/demo/office", count=3)
        assert [e["type"] for e in events] == ["THING.CREATE", "THING.UPDATE", "THING.DELETE"]
        # the other stack's root user hears its own stack's events on `event/lab`
        await _admin(owner.http, mic.url, "POST", "/domains/lab/things",
                     {"name": "lab-2", "thing_type": "5"})  # fmt: skip
        (lab_event,) = await lab_inbox.wait_for("event/lab")
        assert lab_event["source"]["domain"] == "lab"
        assert not lab_inbox.on("event/demo/office")


async def _refused_publish(inbox: Inbox, topic: str, payload: str) -> None:
    """The connection closes before any PUBACK (aiomqtt's publish would wait for it on its
    own, so the test watches the connection)."""
    publish = asyncio.create_task(inbox.client.publish(topic, payload, qos=1))
    await until(lambda: inbox.closed is not None, what="the connection to close")
    assert not publish.done()
    publish.cancel()
    with suppress(asyncio.CancelledError):
        await publish


async def test_access_rules(mic: SimulatorServer, owner: Api, viewer: Api, lab: Api) -> None:
    async with mqtt_client(mic, owner) as inbox:
        for refused in (
            "thing-update/#",
            "thing-update/showroom/#",
            "#",
            "event/#",
            "thing-update/+/field/#",
            "$aws/things/x/shadow/update",
        ):
            granted = await inbox.client.subscribe(refused)
            assert [code.value for code in granted] == [0x80], refused
        for allowed in (
            "thing-update/demo/#",
            "thing-update/demo/field/+",
            "event/demo",
            "event/demo/#",
        ):
            granted = await inbox.client.subscribe(allowed)
            assert [code.value for code in granted] == [0], allowed
    # a read-only user may listen, but a publication closes its connection
    desired = json.dumps({"state": {"desired": {"speed": 90}}})
    async with mqtt_client(mic, viewer, "thing-update/showroom/#") as inbox:
        await _refused_publish(inbox, "thing-update/showroom/showroom-pump", desired)
    assert "desired" not in (await _shadow(viewer, "showroom-pump"))["state"]
    # a read-write user publishing outside its domain is closed on too
    async with mqtt_client(mic, owner) as inbox:
        await _refused_publish(inbox, "thing-update/showroom/showroom-pump", desired)
    # a root-domain user may subscribe to anything in its stack; its stack sends bare updates
    async with mqtt_client(mic, lab, "#") as inbox:
        await inbox.client.publish(
            "thing-update/lab/lab-lamp", json.dumps({"state": {"desired": {"level": 44}}})
        )
        (_, report) = await inbox.wait_for("thing-update/lab/lab-lamp", count=2)
        assert report == {"state": {"reported": {"level": 40}}, "timestamp": 1_790_000_000}
        assert not [t for t, _ in inbox.messages if t.startswith("thing-update/demo")]


async def test_push_faults_and_expiring_credentials(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api
) -> None:
    admin = SimulatorAdmin(http, mic.url)
    async with mqtt_client(mic, owner, PUMP_TOPIC) as inbox:
        await until(lambda: len(mic.ctx.push.connections) == 1)
        assert await admin.drop_push("demo-owner") == 1
        await until(lambda: inbox.closed is not None, what="the dropped connection to close")
    credentials = await aws_credentials(owner, mic.url)
    await admin.refuse_push(60)
    assert await handshake(http, presign(websocket_url(mic), credentials)) == 503
    mic.ctx.clock.advance(61)
    credentials = await aws_credentials(owner, mic.url)
    async with mqtt_client(mic, owner, PUMP_TOPIC, credentials=credentials) as inbox:
        info = await _admin(http, mic.url, "GET", "/mqtt")
        assert [c["account"] for c in info["connections"]] == ["demo-owner"]
        assert [b["stack"] for b in info["brokers"]] == ["prod", "dev"]
        answer = await _admin(
            http, mic.url, "POST", "/credentials/expire", {"account": "demo-owner"}
        )
        assert answer == {"expired": 3, "closed": 1}
        await until(lambda: inbox.closed is not None, what="the connection to close")
    assert await handshake(http, presign(websocket_url(mic), credentials)) == 403
    # credentials running out on the simulated clock close their connections too
    fresh = await aws_credentials(owner, mic.url)
    async with mqtt_client(mic, owner, PUMP_TOPIC, credentials=fresh) as inbox:
        mic.ctx.clock.advance(3600)
        await until(lambda: inbox.closed is not None, what="the expired connection to close")


@pytest.mark.parametrize("shape", ["garbage", "truncated", "types", "deep"])
async def test_malformed_thing_updates(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api, shape: str
) -> None:
    async with mqtt_client(mic, owner, PUMP_TOPIC) as inbox:
        await _admin(http, mic.url, "POST", "/mqtt/malformed", {"frames": 1, "shape": shape})
        mic.ctx.clock.advance(30)
        mic.ctx.clock.advance(30)
        await until(lambda: len([t for t, _ in inbox.messages if t == PUMP_TOPIC]) == 2)
        broken, good = (p for t, p in inbox.messages if t == PUMP_TOPIC)
        if shape == "garbage":
            with pytest.raises(UnicodeDecodeError):
                broken.decode()
        elif shape in ("truncated", "deep"):
            with pytest.raises((ValueError, RecursionError)):
                json.loads(broken)
        else:
            assert not isinstance(json.loads(broken)["state"]["reported"].get("flow", 0), float)
        assert "flow" in json.loads(good)["state"]["reported"]
    info = await _admin(http, mic.url, "GET", "/mqtt")
    assert (info["malformed_shape"], info["malformed_sent"]) == (shape, 1)


async def test_mqtt_needs_the_websocket_subprotocol_and_binary_frames(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api
) -> None:
    credentials = await aws_credentials(owner, mic.url)
    async with http.ws_connect(presign(websocket_url(mic), credentials), protocols=("mqtt",)) as ws:
        assert ws.protocol == "mqtt"
        await ws.send_str("hello")
        message = await ws.receive()
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    with pytest.raises(aiomqtt.MqttError):
        async with aiomqtt.Client(
            "127.0.0.1", int(mic.url.rsplit(":", 1)[1]), transport="websockets",
            websocket_path="/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256",
        ):  # fmt: skip
            pass
