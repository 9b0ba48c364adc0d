"""Fixtures for the Cayenne simulator's tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import aiohttp
import aiomqtt
import pytest

from simulators.cayenne import SCENARIOS, CayenneSimulator
from simulators.cayenne.rest import OIDC_TOKEN
from simulators.core import SimClock, SimulatorServer
from tests.conftest import StartSimulator
from tests.helpers import until

EMAIL = "maker@cayenne.example"
PASSWORD = "pi-in-the-sky-2026"
APP_KEY = "8f3c2a10-6d4e-4b7a-9c1f-2e5d7a9b0c31"
APP_SECRET = "3f9d2c7b1a6e4d8f0b5c9a2e7d1f4b6c8a0e3d5f"
PI = "1f3a5c7e-9b2d-4f6a-8c0e-2b4d6f8a0c1e"
LORA = "7c9e1a3b-5d7f-4b9d-a1c3-e5f7091b3d5f"
OLD = "0d2f4b6a-8c1e-4a3c-9e5b-7d9f1b3a5c7e"
GATEWAY = "3e5a7c9b-1d3f-4a5c-8e7a-9c1b3d5f7a9c"
TRACKER = "9a1c3e5b-7d9f-4b1d-a3c5-e7f9b1d3f5a7"
MOTION = "4b6d8f0a-2c4e-4f6b-9d1a-3c5e7b9d1f3b"
BOARD = "6c8e0a2d-4f6b-4d8f-b1c3-5e7a9c1e3b5d"
GREENHOUSE = "2d4f6b8e-0a2c-4e6a-8c0e-4a6c8e0b2d4f"  # joins the account after an hour
BORROWED = "8f0b2d4a-6c8e-4b0d-a2c4-6e8a0c2e4b6d"  # removed after two hours
# the things GET /v1.1/things lists at the start, in scenario order
LISTED = [PI, LORA, GATEWAY, TRACKER, MOTION, BOARD, BORROWED]
TRY_EMAIL = "try@cayenne.example"


@pytest.fixture
def clock() -> SimClock:
    return SimClock(start=1_790_000_000.0, speed=0)


@pytest.fixture
async def cayenne(start_simulator: StartSimulator, clock: SimClock) -> SimulatorServer:
    return await start_simulator(CayenneSimulator, SCENARIOS / "demo.yaml", clock=clock)


@pytest.fixture
def sim(cayenne: SimulatorServer) -> CayenneSimulator:
    assert isinstance(cayenne.simulator, CayenneSimulator)
    return cayenne.simulator


async def token(
    http: aiohttp.ClientSession, url: str, **overrides: str
) -> tuple[int, dict[str, Any]]:
    form = {
        "grant_type": "password",
        "username": EMAIL,
        "password": PASSWORD,
        "client_id": APP_KEY,
        "client_secret": APP_SECRET,
        **overrides,
    }
    async with http.post(url + OIDC_TOKEN, data=form) as response:
        return response.status, await response.json()


async def login(http: aiohttp.ClientSession, url: str) -> dict[str, str]:
    status, body = await token(http, url)
    assert status == 200, body
    return {"Authorization": f"Bearer {body['access_token']}", "X-API-Version": "1.0"}


async def call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> tuple[int, Any]:
    async with http.request(method, url, headers=headers or {}, **kwargs) as response:
        return response.status, await response.json(content_type=None)


# --- MQTT -------------------------------------------------------------------------------------------
async def mqtt_credentials(http: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    """(username, password) as the platform hands them out (`POST /v1.1/clients`)."""
    headers = await login(http, url)
    status, body = await call(http, "POST", url + "/v1.1/clients", headers)
    assert status == 200, body
    return body["id"], body["clear_secret"]


class Inbox:
    """What one MQTT client receives, collected in the background."""

    def __init__(self, client: aiomqtt.Client, sim: CayenneSimulator, username: str) -> None:
        self.client = client
        self.sim = sim
        self.username = username
        self.messages: list[tuple[str, bytes]] = []
        self.flags: list[tuple[int, bool]] = []  # (QoS, retained) of each message
        self.closed: BaseException | None = None
        self._barriers = 0

    async def collect(self) -> None:
        try:
            async for message in self.client.messages:
                payload = message.payload
                assert isinstance(payload, bytes | bytearray)
                self.messages.append((message.topic.value, bytes(payload)))
                self.flags.append((message.qos, message.retain))
        except aiomqtt.MqttError as err:
            self.closed = err

    def on(self, suffix: str) -> list[bytes]:
        """Payloads received on topics ending with `suffix`."""
        return [payload for topic, payload in self.messages if topic.endswith(suffix)]

    async def wait_for(self, suffix: str, count: int = 1, within: float = 5.0) -> list[bytes]:
        await until(lambda: len(self.on(suffix)) >= count, within, what=f"{count} on {suffix}")
        return self.on(suffix)

    async def settle(self) -> list[tuple[str, bytes]]:
        """Everything things sent so far has arrived: once the simulator handed it all to the
        broker, a message of our own comes back after it (the broker keeps the order)."""
        await until(lambda: self.sim.mqtt.idle, what="the simulator's MQTT sender to be idle")
        self._barriers += 1
        topic = f"v1/{self.username}/barrier/{self._barriers}"
        if self._barriers == 1:
            await self.client.subscribe(f"v1/{self.username}/barrier/#")
        await self.client.publish(topic, b"barrier")
        await self.wait_for(f"/barrier/{self._barriers}")
        return [m for m in self.messages if "/barrier/" not in m[0]]


@asynccontextmanager
async def mqtt_client(
    sim: CayenneSimulator, username: str, password: str, *filters: str
) -> AsyncIterator[Inbox]:
    """A connected aiomqtt client (subscribed to `filters`) collecting what it receives."""
    async with aiomqtt.Client(
        sim.mqtt_host, sim.mqtt_port, username=username, password=password
    ) as client:
        for topic_filter in filters:
            granted = await client.subscribe(topic_filter)
            assert [code.value for code in granted] == [0], topic_filter
        inbox = Inbox(client, sim, username)
        task = asyncio.create_task(inbox.collect())
        try:
            yield inbox
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
