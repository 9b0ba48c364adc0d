"""Shared fixtures. Tests talk to real local servers, so sockets are enabled (127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

pytest_plugins = ["pytest_homeassistant_custom_component"]


@pytest.fixture(autouse=True)
def _real_local_sockets(socket_enabled: None) -> None:
    """pytest-homeassistant blocks sockets; ours are real, and stay on 127.0.0.1."""


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session for talking to simulators from tests."""
    async with aiohttp.ClientSession() as session:
        yield session
