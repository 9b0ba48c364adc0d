"""Runs one vendor simulator as an aiohttp server on 127.0.0.1, with the admin endpoints."""

from __future__ import annotations

import asyncio
from contextlib import suppress
import logging
from pathlib import Path
import random
import time
from types import TracebackType
from typing import Any, Self

from aiohttp import web
import voluptuous as vol

from .clock import SimClock
from .faults import FaultInjector
from .http import admin_body
from .push import PushHub
from .request_log import LoggedRequest, RequestLog
from .scenario import Scenario, load_scenario
from .simulator import CloudSimulator, SimContext
from .tokens import TokenStore

_LOGGER = logging.getLogger(__name__)

ADMIN_PREFIX = "/_sim"


def _endpoint(request: web.Request) -> str:
    """'METHOD /route/{template}' so that requests for different ids count together."""
    route = request.match_info.route
    resource = route.resource if route is not None else None
    template = resource.canonical if resource is not None else request.path
    return f"{request.method} {template}"


class SimulatorServer:
    """A vendor simulator listening on a local port; usable as an async context manager."""

    def __init__(
        self,
        simulator_cls: type[CloudSimulator],
        scenario: Scenario | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: SimClock | None = None,
        seed: int | None = None,
        tick_interval: float = 1.0,
    ) -> None:
        if scenario is None:
            scenario = simulator_cls.default_scenario
        if isinstance(scenario, Path):
            scenario = load_scenario(scenario, simulator_cls.scenario_schema, simulator_cls.vendor)
        clock = clock or SimClock()
        rng = random.Random(seed)  # noqa: S311  (simulation, not cryptography)
        self.ctx = SimContext(
            clock=clock,
            faults=FaultInjector(rng),
            log=RequestLog(),
            push=PushHub(clock),
            tokens=TokenStore(clock),
            rng=rng,
        )
        self.simulator = simulator_cls(self.ctx, scenario)
        self._host = host
        self._port = port
        self._tick_interval = tick_interval
        self._runner: web.AppRunner | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._remove_clock_listener: Any = None

    @property
    def vendor(self) -> str:
        return self.simulator.vendor

    @property
    def url(self) -> str:
        if not self.ctx.base_url:
            raise RuntimeError("the simulator is not running")
        return self.ctx.base_url

    # --- life cycle ----------------------------------------------------------------------
    async def start(self) -> str:
        """Listen and start the device clock; returns the base URL."""
        app = web.Application(middlewares=[self._observe])
        self._add_admin_routes(app)
        self.simulator.add_routes(app)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.ctx.base_url = f"http://{self._host}:{port}"
        await self.simulator.async_start()
        self._remove_clock_listener = self.ctx.clock.add_listener(self._step)
        self._ticker = asyncio.create_task(self._tick(), name=f"{self.vendor} simulator clock")
        _LOGGER.debug("%s simulator listening on %s", self.vendor, self.ctx.base_url)
        return self.ctx.base_url

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._remove_clock_listener is not None:
            self._remove_clock_listener()
            self._remove_clock_listener = None
        await self.simulator.async_stop()
        await self.ctx.push.drop_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.ctx.base_url = ""

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _step(self, now: float) -> None:
        try:
            self.simulator.step(now)
        except Exception:
            _LOGGER.exception("%s simulator step failed", self.vendor)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._tick_interval)
            self._step(self.ctx.clock.now())

    # --- request log and HTTP faults -----------------------------------------------------
    @web.middleware
    async def _observe(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith(ADMIN_PREFIX):
            response: web.StreamResponse = await handler(request)
            return response
        started = time.perf_counter()
        at = self.ctx.clock.now()
        faults = self.ctx.faults
        delay = faults.take_latency(request.method, request.path)
        if delay:
            await asyncio.sleep(delay)
        fault = faults.take_http(request.method, request.path)
        fault_name = None
        if fault is not None:
            response = self.simulator.error_response(fault.status, fault.body)
            response.headers.update(fault.headers)
            fault_name = f"http {fault.status}"
        else:
            try:
                response = await handler(request)
            except web.HTTPException as err:
                self._record(request, at, started, err.status, None)
                raise
        self._record(request, at, started, response.status, fault_name)
        return response

    def _record(
        self, request: web.Request, at: float, started: float, status: int, fault: str | None
    ) -> None:
        self.ctx.log.record(
            LoggedRequest(
                at=at,
                method=request.method,
                path=request.path,
                endpoint=_endpoint(request),
                status=status,
                duration_ms=(time.perf_counter() - started) * 1000,
                fault=fault,
            )
        )

    # --- admin endpoints -----------------------------------------------------------------
    def _add_admin_routes(self, app: web.Application) -> None:
        p = ADMIN_PREFIX
        app.router.add_get(f"{p}/health", self._health)
        app.router.add_get(f"{p}/state", self._state)
        app.router.add_get(f"{p}/demo", self._demo)
        app.router.add_get(f"{p}/demo/try", self._demo_try)
        app.router.add_get(f"{p}/requests", self._requests)
        app.router.add_delete(f"{p}/requests", self._clear_requests)
        app.router.add_get(f"{p}/faults", self._faults)
        app.router.add_post(f"{p}/faults/{{kind}}", self._add_fault)
        app.router.add_delete(f"{p}/faults", self._clear_faults)
        app.router.add_get(f"{p}/push", self._push)
        app.router.add_post(f"{p}/push/drop", self._drop_push)
        app.router.add_post(f"{p}/push/refuse", self._refuse_push)
        app.router.add_post(f"{p}/push/malformed", self._malformed_push)
        app.router.add_post(f"{p}/tokens/revoke", self._revoke_tokens)
        app.router.add_get(f"{p}/clock", self._clock)
        app.router.add_post(f"{p}/clock", self._set_clock)

    async def _health(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "vendor": self.vendor,
                "scenario": self.simulator.scenario.name,
                "clock": self.ctx.clock.now(),
                "urls": self.simulator.urls(),
            }
        )

    async def _state(self, _: web.Request) -> web.Response:
        return web.json_response(self.simulator.state_json())

    async def _demo(self, _: web.Request) -> web.Response:
        return web.json_response(self.simulator.demo_entries())

    async def _demo_try(self, _: web.Request) -> web.Response:
        return web.json_response(self.simulator.try_it_entries())

    async def _requests(self, request: web.Request) -> web.Response:
        last = int(request.query.get("last", "100"))
        return web.json_response(self.ctx.log.as_json(last))

    async def _clear_requests(self, _: web.Request) -> web.Response:
        self.ctx.log.clear()
        return web.json_response({"total": 0})

    async def _faults(self, _: web.Request) -> web.Response:
        return web.json_response({**self.ctx.faults.as_json(), "push": self.ctx.push.as_json()})

    async def _add_fault(self, request: web.Request) -> web.Response:
        raw = await admin_body(request)
        try:
            self.ctx.faults.add_from_json(request.match_info["kind"], raw)
        except vol.Invalid as err:
            raise web.HTTPBadRequest(text=f"invalid fault: {err}") from err
        return web.json_response(self.ctx.faults.as_json(), status=201)

    async def _clear_faults(self, _: web.Request) -> web.Response:
        self.ctx.faults.clear()
        self.ctx.push.clear_faults()
        self.simulator.clear_faults()
        return web.json_response(self.ctx.faults.as_json())

    async def _push(self, _: web.Request) -> web.Response:
        return web.json_response(self.ctx.push.as_json())

    async def _drop_push(self, request: web.Request) -> web.Response:
        body = await admin_body(request, vol.Schema({vol.Optional("account"): str}))
        dropped = await self.ctx.push.drop_all(body.get("account"))
        return web.json_response({"dropped": dropped})

    async def _refuse_push(self, request: web.Request) -> web.Response:
        schema = vol.Schema({vol.Required("seconds"): vol.All(vol.Coerce(float), vol.Range(min=0))})
        body = await admin_body(request, schema)
        self.ctx.push.refuse_for(body["seconds"])
        return web.json_response(self.ctx.push.as_json())

    async def _malformed_push(self, request: web.Request) -> web.Response:
        schema = vol.Schema({vol.Required("frames"): vol.All(int, vol.Range(min=0))})
        body = await admin_body(request, schema)
        self.ctx.push.corrupt_next(body["frames"])
        return web.json_response(self.ctx.push.as_json())

    async def _revoke_tokens(self, request: web.Request) -> web.Response:
        body = await admin_body(request, vol.Schema({vol.Optional("account"): str}))
        revoked = self.ctx.tokens.revoke_subject(body.get("account"))
        return web.json_response({"revoked": revoked})

    async def _clock(self, _: web.Request) -> web.Response:
        return web.json_response({"now": self.ctx.clock.now(), "speed": self.ctx.clock.speed})

    async def _set_clock(self, request: web.Request) -> web.Response:
        schema = vol.Schema(
            {
                vol.Optional("advance"): vol.All(vol.Coerce(float), vol.Range(min=0)),
                vol.Optional("speed"): vol.All(vol.Coerce(float), vol.Range(min=0)),
            }
        )
        body = await admin_body(request, schema)
        if "speed" in body:
            self.ctx.clock.set_speed(body["speed"])
        if "advance" in body:
            self.ctx.clock.advance(body["advance"])
        return await self._clock(request)
