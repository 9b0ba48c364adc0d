"""HomelyPush against the simulator's Socket.IO server: events, refusals and reconnects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import logging
from typing import Any

import aiohttp
import pytest
import socketio

from custom_components.homely.api import (
    AlarmEvent,
    DeviceEvent,
    Event,
    HomelyClient,
    HomelyPush,
    push as push_module,
)
from custom_components.homely.api.logfilters import RedactSecrets
from simulators.core import SimClock, SimulatorServer
from simulators.homely import HomelySimulator
from tests.helpers import until

from .conftest import CABIN, HOME, MakeClient


class Listener:
    def __init__(self, client: HomelyClient, http: aiohttp.ClientSession, location: str) -> None:
        self.events: list[Event] = []
        self.connections: list[bool] = []
        self.push = HomelyPush(client, http, location, self.events.append, self.connections.append)


@pytest.fixture
async def running(
    make_client: MakeClient, http: aiohttp.ClientSession
) -> AsyncIterator[Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]]]:
    tasks: list[asyncio.Task[None]] = []

    async def start(location: str = HOME) -> tuple[SimulatorServer, Listener]:
        server, client = await make_client()
        listener = Listener(client, http, location)
        tasks.append(asyncio.create_task(listener.push.run()))
        return server, listener

    yield start  # type: ignore[misc]
    for task in tasks:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def sim_of(server: SimulatorServer) -> HomelySimulator:
    assert isinstance(server.simulator, HomelySimulator)
    return server.simulator


async def test_events_reach_the_listener(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]], clock: SimClock
) -> None:
    server, listener = await running()
    await until(lambda: listener.push.connected)
    assert listener.connections == [True]
    sim = sim_of(server)
    home = sim.cloud.homes[HOME]
    sim.cloud.arm(home, "ARMED_AWAY", sim.cloud.user("kari@homely.example"), clock.now())
    device = next(iter(home.devices.values()))
    sim.cloud.set_state(home, device, "alarm", "alarm", True)
    await until(lambda: len(listener.events) == 2)
    assert isinstance(listener.events[0], AlarmEvent)
    assert isinstance(listener.events[1], DeviceEvent)
    assert listener.events[1].home_id == HOME


async def test_malformed_and_unknown_events_are_skipped(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, listener = await running()
    await until(lambda: listener.push.connected)
    sim = sim_of(server)
    home = sim.cloud.homes[HOME]
    server.ctx.push.corrupt_next(2)
    sim.cloud.emit(HOME, {"type": "device-state-changed", "data": {}})
    sim.cloud.emit(HOME, {"type": "alarm-state-changed", "data": {}})
    sim.cloud.emit(HOME, {"type": "firmware-updated", "data": {}})
    sim.cloud.emit(HOME, {"type": "firmware-updated", "data": {}})
    sim.cloud.set_alarm(home, "DISARMED", None, 0)
    await until(lambda: len(listener.events) == 1)
    assert listener.push.malformed == 2
    warnings = [r.message for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum("malformed" in m for m in warnings) == 1  # logged once
    assert sum("unknown type" in m for m in warnings) == 1


async def test_refused_location_reconnects_with_backoff(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]],
) -> None:
    server, listener = await running(CABIN)
    await until(lambda: server.ctx.log.count("POST /homely/oauth/token") >= 1)
    # The server accepts, sends `exception`, then disconnects: wait for a moment after a refusal
    # (the client keeps retrying, so it is briefly connected again each time).
    await until(
        lambda: listener.push.connects >= 2
        and listener.push.last_exception is not None
        and not listener.push.connected
    )
    assert "has no access" in (listener.push.last_exception or "")


async def test_server_disconnect_reconnects_with_a_fresh_token(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]], clock: SimClock
) -> None:
    server, listener = await running()
    await until(lambda: listener.push.connected)
    clock.advance(120)  # the access token used to connect has expired
    sim = sim_of(server)
    await sim.socket.server_disconnect()
    await until(lambda: listener.push.connects == 2 and listener.push.connected)
    assert listener.connections == [True, False, True]
    assert (
        server.ctx.log.count("POST /homely/oauth/token")
        + server.ctx.log.count("POST /homely/oauth/refresh-token")
        == 2
    )


async def test_transport_drop_is_reconnected_by_python_socketio(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]],
) -> None:
    server, listener = await running()
    await until(lambda: listener.push.connected)
    await server.ctx.push.drop_all()
    await until(lambda: listener.push.connects == 2 and listener.push.connected)


async def test_refused_and_rate_limited_connects_are_retried(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]],
) -> None:
    server, listener = await running()
    await until(lambda: listener.push.connected)
    server.ctx.push.refuse_for(1.5)
    server.ctx.clock.set_speed(1)
    await server.ctx.push.drop_all()
    await until(lambda: server.ctx.push.stats.refused >= 1)
    await until(lambda: listener.push.connected, within=10)


async def test_no_token_no_connection_attempt(
    make_client: MakeClient, http: aiohttp.ClientSession
) -> None:
    server, client = await make_client(password="wrong")
    listener = Listener(client, http, HOME)
    task = asyncio.create_task(listener.push.run())
    await until(lambda: client.credentials_rejected)
    await asyncio.sleep(0.5)  # reconnect attempts every 0.05 s and more
    await listener.push.stop()
    await task
    assert server.ctx.push.stats.connects == 0
    # The rejected password was sent once, not once per reconnect attempt.
    assert server.ctx.log.count("POST /homely/oauth/token") == 1


async def test_tokens_never_reach_the_log(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server, listener = await running()
    await until(lambda: listener.push.connected)
    await server.ctx.push.drop_all()
    await until(lambda: listener.push.connects == 2 and listener.push.connected)
    assert "Attempting WebSocket connection" in caplog.text  # the URL was logged, masked
    assert "token=**REDACTED**" in caplog.text
    for token in server.ctx.tokens.active("access"):
        assert token.value not in caplog.text


def test_redaction_of_headers_and_urls() -> None:
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "GET %s with %s",
        ("/?a=1&token=Bearer%20abc.def&b=2", "Bearer xyz"),
        None,
    )
    RedactSecrets(push_module.TOKEN_PATTERN).filter(record)
    assert record.getMessage() == "GET /?a=1&token=**REDACTED**&b=2 with Bearer **REDACTED**"


async def test_an_unexpected_error_is_logged_and_the_socket_reconnects(
    running: Callable[..., asyncio.Future[tuple[SimulatorServer, Listener]]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    original = socketio.AsyncClient.connect

    async def flaky_connect(self: socketio.AsyncClient, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("surprise")
        await original(self, *args, **kwargs)

    monkeypatch.setattr(socketio.AsyncClient, "connect", flaky_connect)
    _server, listener = await running()
    await until(lambda: listener.push.connected)
    assert "Unexpected error in the Homely socket" in caplog.text
