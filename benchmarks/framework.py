"""Baseline cost of the simulator framework itself (request log and fault middleware).

The vendor benchmarks measure push-to-state latency through these servers; this baseline says
how much of that is the simulator's own share.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import time

import aiohttp
from aiohttp import web
import voluptuous as vol

from simulators.core import CloudSimulator, parse_scenario
from simulators.testing import running_simulator

from .metrics import Metric, benchmark, percentile

REQUESTS = 2000
CONCURRENCY = 8


class PingCloud(CloudSimulator):
    """A cloud with one cheap endpoint, so only the framework is measured."""

    vendor = "ping"
    scenario_schema = vol.Schema({})
    default_scenario = Path()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/ping/{n}", self._ping)

    async def _ping(self, request: web.Request) -> web.Response:
        return web.json_response({"n": request.match_info["n"]})


@benchmark("framework")
async def framework_round_trip() -> list[Metric]:
    scenario = parse_scenario({}, PingCloud.scenario_schema, "ping")
    async with running_simulator(PingCloud, scenario) as server, aiohttp.ClientSession() as http:
        latencies: list[float] = []
        for n in range(REQUESTS):
            started = time.perf_counter()
            async with http.get(f"{server.url}/ping/{n}") as response:
                await response.read()
            latencies.append((time.perf_counter() - started) * 1000)

        async def worker(count: int) -> None:
            for n in range(count):
                async with http.get(f"{server.url}/ping/{n}") as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(worker(REQUESTS // CONCURRENCY) for _ in range(CONCURRENCY)))
        throughput = REQUESTS / (time.perf_counter() - started)
        logged = server.ctx.log.count("GET /ping/{n}")
    return [
        Metric("simulator HTTP round trip p50", percentile(latencies, 50), "ms"),
        Metric("simulator HTTP round trip p99", percentile(latencies, 99), "ms"),
        Metric(f"simulator throughput ({CONCURRENCY} clients)", throughput, "req/s"),
        Metric("requests in the simulator's log", logged, "requests", f"= {2 * REQUESTS}"),
    ]
