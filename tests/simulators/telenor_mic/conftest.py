"""Fixtures for the Telenor MIC simulator's tests: a running demo cloud, a signed-in API client,
Cognito credentials and botocore-presigned websocket URLs, and an MQTT inbox over websockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
import json
from typing import Any
from unittest.mock import patch
from urllib.parse import quote, urlsplit

import aiohttp
import aiomqtt
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import pytest

from simulators.core import SimClock, SimulatorServer
from simulators.telenor_mic import SCENARIOS, TelenorMicSimulator
from tests.conftest import StartSimulator
from tests.helpers import until

DEMO_HOST = "demo.mic.example"
LAB_HOST = "lab.mic.example"
OWNER, OWNER_PASSWORD = "demo-owner", "mic-demo-2026"
VIEWER, VIEWER_PASSWORD = "showroom-viewer", "look-dont-touch-1"
LAB_ADMIN, LAB_PASSWORD = "lab-admin", "lab-root-2026"
TARGET = "AWSCognitoIdentityService.GetCredentialsForIdentity"
# what demo-owner sees (the root of /demo/), in scenario order
OWNER_THINGS = [
    "office-climate",
    "meeting-room-climate",
    "field-pump",
    "tractor-tracker",
    "van-tracker",
    "greenhouse-plug",
]


@pytest.fixture
def clock() -> SimClock:
    return SimClock(start=1_790_000_000.0, speed=0)


@pytest.fixture
async def mic(start_simulator: StartSimulator, clock: SimClock) -> SimulatorServer:
    return await start_simulator(TelenorMicSimulator, SCENARIOS / "demo.yaml", clock=clock)


@pytest.fixture
def sim(mic: SimulatorServer) -> TelenorMicSimulator:
    assert isinstance(mic.simulator, TelenorMicSimulator)
    return mic.simulator


async def call(
    http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Any]:
    async with http.request(method, url, **kwargs) as response:
        text = await response.text()
        return response.status, json.loads(text) if text else None


@dataclass
class Api:
    """One user's view of a stack: the manifest's API base and key, and its tokens."""

    http: aiohttp.ClientSession
    base: str  # {ApiGatewayRootUrl}/{StackName}
    api_key: str
    manifest: dict[str, Any]
    login: dict[str, Any]

    @property
    def token(self) -> str:
        token: str = self.login["credentials"]["token"]
        return token

    @property
    def identity_id(self) -> str:
        identity: str = self.login["credentials"]["identityId"]
        return identity

    @property
    def headers(self) -> dict[str, str]:
        return {
            "x-api-key": self.api_key,
            "Authorization": self.token,
            "identityId": self.identity_id,
        }

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return await call(self.http, method, self.base + path, json=body, headers=self.headers)

    async def graphql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        status, answer = await self.call("POST", "/graphql", body)
        assert status == 200, answer
        return answer


async def sign_in(
    http: aiohttp.ClientSession, url: str, host: str, username: str, password: str
) -> Api:
    """Bootstrap as the integration does: manifest, stack manifest, login."""
    status, manifest = await call(http, "GET", f"{url}/prod/manifest/", params={"hostname": host})
    assert status == 200, manifest
    base = f"{manifest['ApiGatewayRootUrl']}/{manifest['StackName']}"
    status, stack = await call(http, "GET", f"{base}/metadata/manifest")
    assert status == 200, stack
    status, login = await call(
        http,
        "POST",
        f"{base}/auth/login",
        json={"userName": username, "password": password},
        headers={"x-api-key": stack["ApiKey"]},
    )
    assert status == 200, login
    return Api(http, base, stack["ApiKey"], {**manifest, **stack}, login)


@pytest.fixture
async def owner(mic: SimulatorServer, http: aiohttp.ClientSession) -> Api:
    return await sign_in(http, mic.url, DEMO_HOST, OWNER, OWNER_PASSWORD)


@pytest.fixture
async def viewer(mic: SimulatorServer, http: aiohttp.ClientSession) -> Api:
    return await sign_in(http, mic.url, DEMO_HOST, VIEWER, VIEWER_PASSWORD)


@pytest.fixture
async def lab(mic: SimulatorServer, http: aiohttp.ClientSession) -> Api:
    return await sign_in(http, mic.url, LAB_HOST, LAB_ADMIN, LAB_PASSWORD)


# --- Cognito and presigning -------------------------------------------------------------------------
async def get_credentials(
    api: Api, url: str, *, logins: dict[str, str] | None = None, identity: str | None = None
) -> tuple[int, dict[str, Any]]:
    pool = api.manifest.get("UserPool") or api.manifest["UserPoolId"]
    body = {
        "IdentityId": identity or api.identity_id,
        "Logins": (
            logins
            if logins is not None
            else {f"cognito-idp.{api.manifest['Region']}.amazonaws.com/{pool}": api.token}
        ),
    }
    headers = {"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"}
    return await call(api.http, "POST", url + "/", data=json.dumps(body), headers=headers)


async def aws_credentials(api: Api, url: str) -> dict[str, Any]:
    status, body = await get_credentials(api, url)
    assert status == 200, body
    credentials: dict[str, Any] = body["Credentials"]
    return credentials


def presign(
    url: str,
    credentials: dict[str, Any],
    *,
    region: str = "eu-west-1",
    signed_at: datetime | None = None,
    expires: int = 3600,
) -> str:
    """botocore signs (without the token), then the session token is appended."""
    request = AWSRequest(method="GET", url=url)
    signer = SigV4QueryAuth(
        Credentials(credentials["AccessKeyId"], credentials["SecretKey"]),
        "iotdevicegateway",
        region,
        expires=expires,
    )
    if signed_at is None:
        signer.add_auth(request)
    else:
        with patch("botocore.auth.get_current_datetime", return_value=signed_at):
            signer.add_auth(request)
    token = quote(credentials["SessionToken"], safe="")
    return f"{request.url}&X-Amz-Security-Token={token}"


def websocket_url(mic: SimulatorServer) -> str:
    return mic.url.replace("http://", "ws://") + "/mqtt"


async def handshake(http: aiohttp.ClientSession, url: str) -> int:
    """The HTTP status of a websocket upgrade (101 when accepted)."""
    try:
        async with http.ws_connect(url, protocols=("mqtt",)) as ws:
            await ws.close()
            return 101
    except aiohttp.WSServerHandshakeError as err:
        return err.status


# --- MQTT over websockets ---------------------------------------------------------------------------
class Inbox:
    """What one MQTT client receives, collected in the background."""

    def __init__(self, client: aiomqtt.Client, sim: TelenorMicSimulator) -> None:
        self.client = client
        self.sim = sim
        self.messages: list[tuple[str, bytes]] = []
        self.closed: BaseException | None = None
        self._barriers = 0

    async def collect(self) -> None:
        try:
            async for message in self.client.messages:
                payload = message.payload
                assert isinstance(payload, bytes | bytearray)
                self.messages.append((message.topic.value, bytes(payload)))
        except aiomqtt.MqttError as err:
            self.closed = err

    def on(self, topic: str) -> list[Any]:
        """JSON payloads received on `topic`."""
        return [json.loads(p) for t, p in self.messages if t == topic]

    async def wait_for(self, topic: str, count: int = 1, within: float = 5.0) -> list[Any]:
        await until(lambda: len(self.on(topic)) >= count, within, what=f"{count} on {topic}")
        return self.on(topic)

    async def settle(self, barrier_topic: str) -> None:
        """Everything the cloud sent so far has arrived: a message of our own, published once
        the simulator handed all of its messages to the broker, comes back after them."""
        await until(lambda: self.sim.idle, what="the simulator's MQTT senders to be idle")
        self._barriers += 1
        topic = f"{barrier_topic}/{self._barriers}"
        await self.client.subscribe(topic)
        await self.client.publish(topic, b"{}")
        await self.wait_for(topic)


@asynccontextmanager
async def mqtt_client(
    mic: SimulatorServer, api: Api, *filters: str, credentials: dict[str, Any] | None = None
) -> AsyncIterator[Inbox]:
    """An aiomqtt client over the presigned websocket, subscribed to `filters`."""
    credentials = credentials or await aws_credentials(api, mic.url)
    parts = urlsplit(presign(websocket_url(mic), credentials))
    assert parts.hostname is not None
    assert parts.port is not None
    async with aiomqtt.Client(
        parts.hostname,
        parts.port,
        transport="websockets",
        websocket_path=f"{parts.path}?{parts.query}",
    ) as client:
        for topic_filter in filters:
            granted = await client.subscribe(topic_filter)
            assert [code.value for code in granted] == [0], topic_filter
        assert isinstance(mic.simulator, TelenorMicSimulator)
        inbox = Inbox(client, mic.simulator)
        task = asyncio.create_task(inbox.collect())
        try:
            yield inbox
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
