"""Shared fixtures. Tests talk to real local servers, so sockets are enabled (127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

# Import this repository's custom_components before Home Assistant's loader mounts the test
# config dir of pytest-homeassistant-custom-component, whose own package would shadow ours.
import custom_components  # noqa: F401
from simulators.core import CloudSimulator, Scenario, SimulatorServer
from simulators.testing import running_simulator

type StartSimulator = Callable[..., Awaitable[SimulatorServer]]

# pytest-homeassistant-custom-component turns on SQL echo at import; it floods the CI log.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def _real_local_sockets(socket_enabled: None) -> None:
    """pytest-homeassistant blocks sockets; ours are real, and stay on 127.0.0.1."""


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session for talking to simulators from tests."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def start_simulator() -> AsyncIterator[StartSimulator]:
    """Start simulators in the test's event loop; all of them stop when the test ends.

    `await start_simulator(HarviaSimulator, scenario_path_or_none, clock=..., seed=...)`
    """
    async with AsyncExitStack() as stack:

        async def start(
            simulator_cls: type[CloudSimulator],
            scenario: Scenario | Path | None = None,
            **options: Any,
        ) -> SimulatorServer:
            return await stack.enter_async_context(
                running_simulator(simulator_cls, scenario, **options)
            )

        yield start
