"""Fixtures for the simulator framework's own tests."""

from __future__ import annotations

import aiohttp
import pytest

from simulators.core import SimClock, SimulatorServer
from simulators.testing import SimulatorAdmin
from tests.conftest import StartSimulator

from .sample_cloud import SampleCloud


@pytest.fixture
def clock() -> SimClock:
    return SimClock(start=1_700_000_000.0)


@pytest.fixture
async def sample(clock: SimClock, start_simulator: StartSimulator) -> SimulatorServer:
    return await start_simulator(SampleCloud, clock=clock)


@pytest.fixture
def admin(http: aiohttp.ClientSession, sample: SimulatorServer) -> SimulatorAdmin:
    return SimulatorAdmin(http, sample.url)


async def login(
    http: aiohttp.ClientSession, url: str, user: str = "alice@example.com", pw: str = "sauna-time"
) -> dict[str, str]:
    async with http.post(f"{url}/login", json={"username": user, "password": pw}) as response:
        assert response.status == 200
        token = (await response.json())["token"]
    return {"Authorization": f"Bearer {token}"}
