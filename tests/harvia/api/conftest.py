"""Client tests run against the Harvia simulator over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from custom_components.harvia.api import HarviaClient
from simulators.core import SimClock, SimulatorServer
from simulators.harvia import SCENARIOS, HarviaSimulator
from tests.conftest import StartSimulator

type MakeClient = Callable[..., Awaitable[tuple[SimulatorServer, HarviaClient]]]


@pytest.fixture
async def make_client(
    start_simulator: StartSimulator, http: aiohttp.ClientSession
) -> AsyncIterator[MakeClient]:
    async def make(
        scenario: str = "xenio_steamer.yaml",
        email: str = "xenio@harvia.example",
        password: str = "loyly-2026",
        clock: SimClock | None = None,
    ) -> tuple[SimulatorServer, HarviaClient]:
        path = SCENARIOS / scenario if "/" not in scenario else Path(scenario)
        server = await start_simulator(HarviaSimulator, path, clock=clock or SimClock(speed=0))
        client = HarviaClient(http, email, password, discovery_url=f"{server.url}/endpoints")
        client.command_retry_delays = (0.01, 0.01)
        return server, client

    return make
