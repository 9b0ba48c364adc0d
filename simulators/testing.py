"""Helpers for tests and benchmarks: run a simulator in-process, or drive one over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from .core import ADMIN_PREFIX, CloudSimulator, Scenario, SimClock, SimulatorServer


@asynccontextmanager
async def running_simulator(
    simulator_cls: type[CloudSimulator],
    scenario: Scenario | Path | None = None,
    *,
    clock: SimClock | None = None,
    seed: int | None = 0,
    tick_interval: float = 0.05,
) -> AsyncIterator[SimulatorServer]:
    """Start a simulator on an ephemeral port in this event loop; stop it afterwards."""
    server = SimulatorServer(
        simulator_cls, scenario, clock=clock, seed=seed, tick_interval=tick_interval
    )
    async with server:
        yield server


class SimulatorAdmin:
    """The admin endpoints of a running simulator, for code that only has its URL."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/") + ADMIN_PREFIX

    async def _call(self, method: str, path: str, json: Any = None) -> Any:
        async with self._session.request(method, self._base + path, json=json) as response:
            response.raise_for_status()
            return await response.json()

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/health")
        return result

    async def state(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", "/state")
        return result

    async def demo_entries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/demo")
        return result

    async def try_it_entries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._call("GET", "/demo/try")
        return result

    async def requests(self, last: int = 100) -> dict[str, Any]:
        result: dict[str, Any] = await self._call("GET", f"/requests?last={last}")
        return result

    async def count(self, endpoint: str | None = None) -> int:
        log = await self.requests(last=0)
        total: int = log["total"] if endpoint is None else log["by_endpoint"].get(endpoint, 0)
        return total

    async def clear_requests(self) -> None:
        await self._call("DELETE", "/requests")

    async def http_fault(self, status: int, **options: Any) -> None:
        """Options: path, method, probability, count, body, headers."""
        await self._call("POST", "/faults/http", {"status": status, **options})

    async def latency(self, seconds: float, **options: Any) -> None:
        """Options: path, method, count."""
        await self._call("POST", "/faults/latency", {"seconds": seconds, **options})

    async def clear_faults(self) -> None:
        await self._call("DELETE", "/faults")

    async def drop_push(self, account: str | None = None) -> int:
        body = {} if account is None else {"account": account}
        result: dict[str, int] = await self._call("POST", "/push/drop", body)
        return result["dropped"]

    async def refuse_push(self, seconds: float) -> None:
        await self._call("POST", "/push/refuse", {"seconds": seconds})

    async def malformed_push(self, frames: int) -> None:
        await self._call("POST", "/push/malformed", {"frames": frames})

    async def revoke_tokens(self, account: str | None = None) -> int:
        body = {} if account is None else {"account": account}
        result: dict[str, int] = await self._call("POST", "/tokens/revoke", body)
        return result["revoked"]

    async def advance(self, seconds: float) -> float:
        result: dict[str, float] = await self._call("POST", "/clock", {"advance": seconds})
        return result["now"]

    async def set_speed(self, speed: float) -> None:
        await self._call("POST", "/clock", {"speed": speed})
