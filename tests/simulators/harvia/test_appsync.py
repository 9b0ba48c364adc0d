"""AppSync GraphQL over HTTP and the realtime protocol, driven by gql's own AppSync transport."""

from __future__ import annotations

import asyncio
import base64
from contextlib import suppress
import json
from typing import Any
from urllib.parse import urlparse

import aiohttp
from gql import Client, gql
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
from gql.transport.exceptions import (
    TransportClosed,
    TransportQueryError,
    TransportServerError,
)
import jwt
import pytest
from websockets.exceptions import ConnectionClosed

from simulators.core import SimClock
from tests.conftest import StartSimulator
from tests.helpers import until

from .conftest import Cloud, open_cloud

STATES = (
    "subscription S($r: ID!) { devicesStatesUpdateFeed(receiver: $r) { receiver item {"
    " deviceId shadowName desired reported timestamp connectionState { connected } } } }"
)
MEASUREMENTS = (
    "subscription M($r: ID!) { devicesMeasurementsUpdateFeed(receiver: $r) { item {"
    " deviceId subId timestamp sessionId type data } } }"
)


def subscribe(session: Any, query: str, receiver: str) -> Any:
    return session.subscribe(gql(query), variable_values={"r": receiver})


async def first(agen: Any, within: float = 5) -> Any:
    return await asyncio.wait_for(agen.__anext__(), within)


async def registered(cloud: Cloud, service: str, field: str, receiver: str) -> None:
    """Wait until the cloud has registered a subscription, so that what follows reaches it."""
    subscribers = cloud.sim.appsync.services[service].subscribers
    await until(lambda: bool(subscribers.get((field, receiver))), what=f"{field}({receiver})")


async def test_state_feed_by_device_id(xenio: Cloud) -> None:
    async with xenio.realtime("device") as session:
        feed = subscribe(session, STATES, "xenio-1")
        pending = asyncio.ensure_future(first(feed))
        await registered(xenio, "device", "devicesStatesUpdateFeed", "xenio-1")
        await xenio.call("POST", "device", "/devices/command",
                         json={"deviceId": "xenio-1", "command": {"type": "LIGHTS", "state": "on"}})  # fmt: skip
        notice = (await pending)["devicesStatesUpdateFeed"]
        assert notice["receiver"] == "xenio-1"
        item = notice["item"]
        assert item["shadowName"] == "C1"
        assert json.loads(item["reported"])["light"] == {"on": True}
        assert json.loads(item["desired"]) == {"targetTemp": 80.0, "targetHum": 10.0}
        xenio.sim.cloud.set_connected("xenio-1", connected=False)
        offline = (await first(feed))["devicesStatesUpdateFeed"]["item"]
        assert offline["reported"] == "null"
        assert offline["connectionState"] == {"connected": False}
        await feed.aclose()


async def test_receiver_as_cognito_username_receives_nothing(xenio: Cloud) -> None:
    username = jwt.decode(xenio.tokens["idToken"], options={"verify_signature": False})[
        "cognito:username"
    ]
    async with xenio.realtime("device") as session:
        received: list[Any] = []

        async def collect() -> None:
            async for notice in subscribe(session, STATES, username):
                received.append(notice)  # noqa: PERF401  (kept as it arrives, until cancelled)

        collecting = asyncio.ensure_future(collect())
        await registered(xenio, "device", "devicesStatesUpdateFeed", username)
        xenio.sim.cloud.set_door("xenio-1", "C1", closed=False)
        await asyncio.sleep(0.5)  # the test is that nothing arrives within this window
        collecting.cancel()  # gql ends the subscription (sends `stop`) when cancelled
        with suppress(asyncio.CancelledError):
            await collecting
    assert received == []


async def test_another_users_device_is_refused(xenio: Cloud) -> None:
    async with xenio.realtime("device") as session:
        with pytest.raises(TransportQueryError, match="Not Authorized"):
            await first(subscribe(session, STATES, "fenix-1"))


async def test_invalid_subscription_is_an_error(xenio: Cloud) -> None:
    bad = gql('subscription { devicesStatesUpdateFeed(receiver: "xenio-1") { nonsense } }')
    async with xenio.realtime("device") as session:
        with pytest.raises(TransportQueryError, match="nonsense"):
            await first(session.subscribe(bad))


async def test_measurement_feed_while_heating(xenio: Cloud, clock: SimClock) -> None:
    await xenio.call("POST", "device", "/devices/command",
                     json={"deviceId": "xenio-1", "command": {"type": "SAUNA", "state": "on"}})  # fmt: skip
    async with xenio.realtime("data") as session:
        feed = subscribe(session, MEASUREMENTS, "xenio-1")
        pending = asyncio.ensure_future(first(feed))
        await registered(xenio, "data", "devicesMeasurementsUpdateFeed", "xenio-1")
        clock.advance(61)
        item = (await pending)["devicesMeasurementsUpdateFeed"]["item"]
        assert item["subId"] == "C1"
        assert item["type"] == "HEATER"
        data = json.loads(item["data"])
        assert data["heatOn"] == 1
        assert data["temp"] > 21
        await feed.aclose()


async def test_bad_token_in_url_is_a_connection_error(xenio: Cloud) -> None:
    with pytest.raises(TransportServerError, match="Unauthorized"):
        async with xenio.realtime("device", token="not-a-token"):
            pass


async def test_expired_token_closes_the_connection(xenio: Cloud, clock: SimClock) -> None:
    async with xenio.realtime("device") as session:
        feed = subscribe(session, STATES, "xenio-1")
        pending = asyncio.ensure_future(first(feed))
        await registered(xenio, "device", "devicesStatesUpdateFeed", "xenio-1")
        clock.advance(3601)
        with pytest.raises((TransportServerError, TransportClosed)):
            await pending


async def test_malformed_frames(xenio: Cloud) -> None:
    async with xenio.realtime("device") as session:
        feed = subscribe(session, STATES, "xenio-1")
        pending = asyncio.ensure_future(first(feed))
        await registered(xenio, "device", "devicesStatesUpdateFeed", "xenio-1")
        xenio.server.ctx.push.corrupt_next(1)
        xenio.sim.cloud.set_door("xenio-1", "C1", closed=False)
        broken = (await pending)["devicesStatesUpdateFeed"]["item"]["reported"]
        with pytest.raises(json.JSONDecodeError):
            json.loads(broken)
        xenio.sim.cloud.set_door("xenio-1", "C1", closed=True)
        good = (await first(feed))["devicesStatesUpdateFeed"]["item"]["reported"]
        assert json.loads(good)["remoteAllowed"] == 1
        await feed.aclose()


async def test_dropped_and_refused_push(xenio: Cloud) -> None:
    async with xenio.realtime("device") as session:
        feed = subscribe(session, STATES, "xenio-1")
        pending = asyncio.ensure_future(first(feed))
        await registered(xenio, "device", "devicesStatesUpdateFeed", "xenio-1")
        assert await xenio.server.ctx.push.drop_all() == 1
        with pytest.raises(ConnectionClosed):  # the server closed the websocket
            await pending
    xenio.server.ctx.push.refuse_for(60)
    with pytest.raises(Exception):  # noqa: B017  (the handshake is refused with HTTP 503)
        async with xenio.realtime("device"):
            pass


async def test_raw_protocol_frames(http: aiohttp.ClientSession, xenio: Cloud) -> None:
    """What gql hides: ack payload, keep-alives, stop/complete, and the header check."""
    graphql = xenio.endpoints["GraphQL"]["device"]
    host = graphql["https"].split("/")[2]
    auth = {"host": host, "Authorization": f"Bearer {xenio.tokens['idToken']}"}
    header = base64.b64encode(json.dumps(auth).encode()).decode()
    url = f"{graphql['wss']}?header={header}&payload=e30="
    async with http.ws_connect(url, protocols=("graphql-ws",)) as ws:
        assert ws.protocol == "graphql-ws"
        await ws.send_json({"type": "connection_init"})
        assert await ws.receive_json() == {
            "type": "connection_ack",
            "payload": {"connectionTimeoutMs": 300000},
        }
        assert await ws.receive_json() == {"type": "ka"}
        query = json.dumps(
            {"query": 'subscription { devicesStatesUpdateFeed(receiver: "xenio-1") { receiver } }'}
        )
        await ws.send_json(
            {
                "id": "a",
                "type": "start",
                "payload": {"data": query, "extensions": {"authorization": auth}},
            }
        )
        assert await ws.receive_json() == {"type": "start_ack", "id": "a"}
        await ws.send_json(
            {"id": "b", "type": "start", "payload": {"data": query, "extensions": {}}}
        )
        assert (await ws.receive_json())["payload"]["errors"][0][
            "errorType"
        ] == "UnauthorizedException"
        await ws.send_json(
            {
                "id": "c",
                "type": "start",
                "payload": {"data": "{", "extensions": {"authorization": auth}},
            }
        )
        assert (await ws.receive_json())["payload"]["errors"][0]["message"].startswith(
            "Invalid subscription"
        )
        await ws.send_str("garbage")
        assert (await ws.receive_json())["type"] == "error"
        await ws.send_json({"id": "a", "type": "stop"})
        assert await ws.receive_json() == {"type": "complete", "id": "a"}
    wrong_host = base64.b64encode(json.dumps({**auth, "host": "elsewhere"}).encode()).decode()
    async with http.ws_connect(
        f"{graphql['wss']}?header={wrong_host}&payload=e30=", protocols=("graphql-ws",)
    ) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json())["type"] == "connection_error"


async def test_graphql_over_http(http: aiohttp.ClientSession, xenio: Cloud) -> None:
    url = xenio.endpoints["GraphQL"]["device"]["https"]
    query = '{ usersDevicesList { devices { id type attr { key value } } } devicesStatesGet(deviceId: "xenio-1") { shadowName reported } }'
    async with http.post(url, json={"query": query}, headers=xenio.auth) as response:
        body = await response.json()
    assert body["data"]["usersDevicesList"]["devices"][0]["id"] == "xenio-1"
    assert json.loads(body["data"]["devicesStatesGet"]["reported"])["displayName"] == "Cabin sauna"
    mutation = 'mutation { devicesCommandsSend(deviceId: "xenio-1", command: {type: FAN}, params: "{\\"state\\": true}") { response failureReason } }'
    async with http.post(url, json={"query": mutation}, headers=xenio.auth) as response:
        assert (await response.json())["data"]["devicesCommandsSend"] == {
            "response": True,
            "failureReason": None,
        }
    async with http.post(url, json={"query": "{ nothing }"}, headers=xenio.auth) as response:
        assert "nothing" in (await response.json())["errors"][0]["message"]
    async with http.post(url, json={"query": "{ usersDevicesList { nextToken } }"}) as response:
        assert response.status == 401
    async with http.post(url, data="{", headers=xenio.auth) as response:
        assert response.status == 400
    data_url = xenio.endpoints["GraphQL"]["data"]["https"]
    async with http.post(data_url, json={"query": '{ devicesMeasurementsLatest(deviceId: "xenio-1") { subId data } }'},
                         headers=xenio.auth) as response:  # fmt: skip
        assert (await response.json())["data"]["devicesMeasurementsLatest"][0]["subId"] == "C1"
    events_url = xenio.endpoints["GraphQL"]["events"]["https"]
    xenio.sim.cloud.set_door("xenio-1", "C1", closed=False)
    async with http.post(events_url, json={"query": '{ eventsLatest(deviceId: "xenio-1") { type subId } }'},
                         headers=xenio.auth) as response:  # fmt: skip
        assert (await response.json())["data"]["eventsLatest"] == [
            {"type": "DOOR_OPENED", "subId": "C1"}
        ]


async def test_live_measurement_items_lack_the_envelope(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, clock: SimClock
) -> None:
    cloud = await open_cloud(
        start_simulator, http, "live_shapes.yaml", "live@harvia.example", clock=clock
    )
    await cloud.call("POST", "device", "/devices/command",
                     json={"deviceId": "xenio-1", "command": {"type": "SAUNA", "state": "on"}})  # fmt: skip
    async with cloud.realtime("data") as session:
        feed = subscribe(session, MEASUREMENTS, "xenio-1")
        pending = asyncio.ensure_future(first(feed))
        await registered(cloud, "data", "devicesMeasurementsUpdateFeed", "xenio-1")
        clock.advance(61)
        item = (await pending)["devicesMeasurementsUpdateFeed"]["item"]
        assert (item["deviceId"], item["subId"], item["type"], item["sessionId"]) == (
            "xenio-1", None, None, None,
        )  # fmt: skip
        assert json.loads(item["data"])["onTime"] == 1
        await feed.aclose()


@pytest.mark.parametrize("derivation", ["realtime URL", "GraphQL URL without /graphql"])
async def test_realtime_accepts_the_api_host_however_the_client_derived_it(
    xenio: Cloud, derivation: str
) -> None:
    """AWS documents the GraphQL API's host; clients in the wild take it from the GraphQL URL
    by stripping the scheme and `/graphql`, which keeps our path-routed URLs' path."""
    graphql = xenio.endpoints["GraphQL"]["device"]
    host = (
        urlparse(graphql["wss"]).netloc
        if derivation == "realtime URL"
        else graphql["https"].split("://", 1)[1].removesuffix("/graphql")
    )
    auth = AppSyncJWTAuthentication(host=host, jwt=f"Bearer {xenio.tokens['idToken']}")
    client = Client(transport=AppSyncWebsocketsTransport(url=graphql["wss"], auth=auth))
    async with client as session:
        feed = subscribe(session, STATES, "xenio-1")
        pending = asyncio.ensure_future(first(feed))
        await registered(xenio, "device", "devicesStatesUpdateFeed", "xenio-1")
        xenio.sim.cloud.set_door("xenio-1", "C1", closed=False)
        notice = (await pending)["devicesStatesUpdateFeed"]
        assert notice["item"]["deviceId"] == "xenio-1"
        await feed.aclose()
