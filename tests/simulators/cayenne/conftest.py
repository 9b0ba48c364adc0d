"""Fixtures for the Cayenne simulator's tests."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from simulators.cayenne import SCENARIOS, CayenneSimulator
from simulators.cayenne.rest import OIDC_TOKEN
from simulators.core import SimClock, SimulatorServer
from tests.conftest import StartSimulator

EMAIL = "maker@cayenne.example"
PASSWORD = "pi-in-the-sky-2026"
APP_KEY = "8f3c2a10-6d4e-4b7a-9c1f-2e5d7a9b0c31"
APP_SECRET = "3f9d2c7b1a6e4d8f0b5c9a2e7d1f4b6c8a0e3d5f"
PI = "1f3a5c7e-9b2d-4f6a-8c0e-2b4d6f8a0c1e"
LORA = "7c9e1a3b-5d7f-4b9d-a1c3-e5f7091b3d5f"
OLD = "0d2f4b6a-8c1e-4a3c-9e5b-7d9f1b3a5c7e"


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
