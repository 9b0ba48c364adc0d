"""Fixtures for the Harvia simulator's tests: a running cloud and a signed-in REST client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import aiohttp
from gql import Client
from gql.transport.appsync_auth import AppSyncJWTAuthentication
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
import pytest

from simulators.core import SimClock, SimulatorServer
from simulators.harvia import SCENARIOS, HarviaSimulator
from tests.conftest import StartSimulator


@dataclass
class Cloud:
    """A signed-in view of a running Harvia simulator."""

    server: SimulatorServer
    http: aiohttp.ClientSession
    endpoints: dict[str, Any]
    tokens: dict[str, Any]

    @property
    def sim(self) -> HarviaSimulator:
        assert isinstance(self.server.simulator, HarviaSimulator)
        return self.server.simulator

    def url(self, service: str, path: str) -> str:
        return self.endpoints["RestApi"][service]["https"] + path

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['idToken']}"}

    async def call(self, method: str, service: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        kwargs.setdefault("headers", self.auth)
        async with self.http.request(method, self.url(service, path), **kwargs) as response:
            return response.status, await response.json()

    async def sign_in(self, email: str, password: str = "loyly-2026") -> None:
        async with self.http.post(
            self.url("generics", "/auth/token"), json={"username": email, "password": password}
        ) as response:
            self.tokens = await response.json()

    def realtime(self, service: str, token: str | None = None) -> Client:
        graphql = self.endpoints["GraphQL"][service]
        auth = AppSyncJWTAuthentication(
            host=urlparse(graphql["https"]).netloc, jwt=f"Bearer {token or self.tokens['idToken']}"
        )
        return Client(transport=AppSyncWebsocketsTransport(url=graphql["wss"], auth=auth))


async def open_cloud(
    start_simulator: StartSimulator,
    http: aiohttp.ClientSession,
    scenario: str,
    email: str,
    password: str = "loyly-2026",
    clock: SimClock | None = None,
) -> Cloud:
    server = await start_simulator(HarviaSimulator, SCENARIOS / scenario, clock=clock or SimClock())
    async with http.get(f"{server.url}/endpoints") as response:
        endpoints = (await response.json())["endpoints"]
    cloud = Cloud(server, http, endpoints, {})
    await cloud.sign_in(email, password)
    return cloud


@pytest.fixture
def clock() -> SimClock:
    return SimClock(start=1_790_000_000.0, speed=0)  # moves only when a test advances it


@pytest.fixture
async def fenix(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, clock: SimClock
) -> Cloud:
    return await open_cloud(
        start_simulator, http, "fenix_two_cabins.yaml", "fenix@harvia.example", clock=clock
    )


@pytest.fixture
async def xenio(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, clock: SimClock
) -> Cloud:
    return await open_cloud(
        start_simulator, http, "xenio_steamer.yaml", "xenio@harvia.example", clock=clock
    )
