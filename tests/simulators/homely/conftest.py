"""Fixtures for the Homely simulator's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import socketio

from simulators.core import SimClock, SimulatorServer
from simulators.homely import SCENARIOS, HomelySimulator
from tests.conftest import StartSimulator

HOME = "182bb447-8fa3-4fab-aa1a-5f01d15d6b59"
KARI = ("kari@homely.example", "hjemme-2026")


@pytest.fixture
def clock() -> SimClock:
    return SimClock(start=1_790_000_000.0, speed=0)


@pytest.fixture
def scenario() -> str:
    return "typical_home.yaml"


@pytest.fixture
async def homely(
    start_simulator: StartSimulator, clock: SimClock, scenario: str
) -> SimulatorServer:
    return await start_simulator(HomelySimulator, SCENARIOS / scenario, clock=clock)


@pytest.fixture
def sim(homely: SimulatorServer) -> HomelySimulator:
    assert isinstance(homely.simulator, HomelySimulator)
    return homely.simulator


async def login(
    http: aiohttp.ClientSession, url: str, user: tuple[str, str] = KARI
) -> dict[str, Any]:
    body = {"username": user[0], "password": user[1]}
    async with http.post(f"{url}/homely/oauth/token", json=body) as response:
        assert response.status == 201
        result: dict[str, Any] = await response.json()
        return result


type Listen = Callable[..., Awaitable[tuple[socketio.AsyncClient, list[Any], list[Any]]]]


@pytest.fixture
async def listen(homely: SimulatorServer, http: aiohttp.ClientSession) -> AsyncIterator[Listen]:
    """Connect a plain python-socketio client; returns (client, events, exceptions)."""
    clients: list[socketio.AsyncClient] = []

    async def connect(location: str = HOME, token: str | None = None) -> Any:
        if token is None:
            token = (await login(http, homely.url))["access_token"]
        client = socketio.AsyncClient(handle_sigint=False, reconnection=False)
        events: list[Any] = []
        exceptions: list[Any] = []
        client.on("event", events.append)
        client.on("exception", exceptions.append)
        await client.connect(
            f"{homely.url}/?locationId={location}&token=Bearer%20{token}",
            transports=["websocket"],
        )
        clients.append(client)
        return client, events, exceptions

    yield connect
    for client in clients:
        await client.shutdown()
