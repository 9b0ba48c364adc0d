"""Client tests run against the Homely simulator over real sockets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from custom_components.homely.api import HomelyClient
from simulators.core import SimClock, SimulatorServer
from simulators.homely import SCENARIOS, HomelySimulator
from tests.conftest import StartSimulator

HOME = "182bb447-8fa3-4fab-aa1a-5f01d15d6b59"
CABIN = "232bb400-8fa3-4fab-aa1a-5f01d15d6b62"

type MakeClient = Callable[..., Awaitable[tuple[SimulatorServer, HomelyClient]]]


@pytest.fixture
def clock() -> SimClock:
    return SimClock(start=1_790_000_000.0, speed=0)


@pytest.fixture
def make_client(
    start_simulator: StartSimulator, http: aiohttp.ClientSession, clock: SimClock
) -> MakeClient:
    """A simulator and a client whose token clock is the simulator's clock."""

    async def make(
        scenario: str = "typical_home.yaml",
        username: str = "kari@homely.example",
        password: str = "hjemme-2026",
    ) -> tuple[SimulatorServer, HomelyClient]:
        server = await start_simulator(HomelySimulator, SCENARIOS / scenario, clock=clock)
        client = HomelyClient(http, username, password, base_url=server.url, clock=clock.now)
        return server, client

    return make
