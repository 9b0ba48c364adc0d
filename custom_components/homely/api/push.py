"""Homely's live feed over Socket.IO: one connection per home, renewed with a fresh token."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
import logging
import re
import time
from typing import Any
from urllib.parse import quote

import aiohttp
import socketio
from socketio.exceptions import ConnectionError as SocketConnectionError

from .backoff import Backoff
from .client import HomelyClient
from .exceptions import HomelyError, HomelyResponseError
from .logfilters import install_filters
from .models import Event, parse_event

_LOGGER = logging.getLogger(__name__)
# The sockets' own logging, under the libraries' names that the manifest lists (`socketio`,
# `engineio`), so that users turn it on there. Not their `.client` loggers: a client created
# elsewhere with default settings sets those to ERROR and gives them a handler of their own.
_SOCKETIO_LOGGER = logging.getLogger("socketio.homely")
_ENGINEIO_LOGGER = logging.getLogger("engineio.homely")
# The access token in the connection URL (which the libraries log), in headers and error texts.
TOKEN_PATTERN = re.compile(r"(token=|Bearer(?:%20|\s+))[^&\s'\"]+", re.IGNORECASE)
# python-socketio and engineio log every packet and connection step at INFO, which Home
# Assistant shows by default: one line per event would flood its log.
install_filters(
    (_LOGGER.name, _SOCKETIO_LOGGER.name, _ENGINEIO_LOGGER.name),
    TOKEN_PATTERN,
    info_as_debug=(_SOCKETIO_LOGGER.name, _ENGINEIO_LOGGER.name),
)

RETRY_MIN = 5.0  # seconds before reconnecting after the server closed or refused the socket
RETRY_MAX = 300.0
STABLE_AFTER = 60.0  # a connection that lasted this long resets the backoff
RECONNECT_DELAY = 2.0  # python-socketio's first retry after a transport drop (then doubling)
RECONNECT_DELAY_MAX = 120.0


class HomelyPush:
    """Keeps a Socket.IO connection to one home and hands every event to `on_event`.

    python-socketio reconnects after transport drops (with backoff, asking for a fresh URL and so a
    fresh token each time); after a server-side disconnect ("io server disconnect", e.g. following
    an `exception` for a bad token) it does not, so `run` starts a new connection itself.
    """

    def __init__(
        self,
        client: HomelyClient,
        session: aiohttp.ClientSession,
        location_id: str,
        on_event: Callable[[Event], None],
        on_connection: Callable[[bool], None],
    ) -> None:
        self._client = client
        self._session = session
        self._location_id = location_id
        self._on_event = on_event
        self._on_connection = on_connection
        self.connected = False
        self.connects = 0
        self.events = 0
        self.malformed = 0
        self.last_exception: str | None = None
        self._warned: set[str] = set()
        self._stop = asyncio.Event()
        self._finished = asyncio.Event()
        self._finished.set()  # not running yet

    async def _url(self) -> str:
        """The URL with a current token; asked for at every connection attempt."""
        try:
            token = await self._client.async_access_token()
        except HomelyError as err:
            # python-socketio treats ValueError as a failed attempt and keeps its backoff going.
            raise ValueError(f"no token for the Homely socket: {err}") from err
        query = f"locationId={quote(self._location_id)}&token={quote('Bearer ' + token)}"
        return f"{self._client.base_url}/?{query}"

    def _new_socket(self) -> socketio.AsyncClient:
        sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=RECONNECT_DELAY,
            reconnection_delay_max=RECONNECT_DELAY_MAX,
            randomization_factor=0.5,
            handle_sigint=False,
            http_session=self._session,
            logger=_SOCKETIO_LOGGER,
            engineio_logger=_ENGINEIO_LOGGER,
        )
        sio.on("connect", self._connected)
        sio.on("disconnect", self._disconnected)
        sio.on("event", self._event)
        sio.on("exception", self._exception)
        return sio

    async def run(self) -> None:
        """Connect and stay connected until `stop()` (or until cancelled)."""
        backoff = Backoff(RETRY_MIN, RETRY_MAX)
        self._finished.clear()
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                await self._connection()
                if self._stop.is_set():
                    return
                if time.monotonic() - started > STABLE_AFTER:
                    backoff.reset()
                # Not before the account's rate limit is over (the URL needs a token); the
                # backoff's jitter on top keeps the homes of one account from all asking then.
                wait = self._client.gate.remaining() + backoff.next_delay()
                _LOGGER.debug("Reconnecting the Homely socket in %.0f s", wait)
                await self._unless_stopped(asyncio.sleep(wait))
        finally:
            self._finished.set()

    async def stop(self) -> None:
        """Close the socket through python-socketio's own API and let `run` end.

        Cancelling `run` instead would cancel engine.io's reader, which it awaits inside
        `wait()`: the client would stay `disconnecting` for good, in engine.io's global list of
        connected clients, and keep everything it calls back (this object, the coordinator and
        its data) alive.
        """
        self._stop.set()
        await self._finished.wait()

    async def _connection(self) -> None:
        """One Socket.IO client, from connecting until it closes for good or `stop()`."""
        sio = self._new_socket()
        closed: asyncio.Task[None] | None = None
        try:
            connecting = await self._unless_stopped(
                sio.connect(self._url, transports=["websocket"], wait_timeout=15)
            )
            if connecting.done():
                connecting.result()
                # In a task of its own, so that neither stop() nor a cancellation of `run`
                # reaches engine.io's reader through it.
                closed = asyncio.create_task(sio.wait(), name="homely socket wait")
                await self._unless_stopped(asyncio.shield(closed))
        except (SocketConnectionError, ValueError) as err:
            _LOGGER.debug("Homely socket connection failed: %s", err)
        except asyncio.CancelledError:
            self._stop.set()  # shutting down: nobody to tell about the disconnect
            raise
        except Exception:  # a bug must not end live updates for good: log it, reconnect
            _LOGGER.exception("Unexpected error in the Homely socket")
        finally:
            await asyncio.shield(self._close(sio, closed))

    async def _unless_stopped[T](self, work: Awaitable[T]) -> asyncio.Future[T]:
        """Run `work` until it ends or `stop()` is called, whichever comes first; a `work`
        still running then is cancelled. Returns it, to read its result when it is done."""
        task = asyncio.ensure_future(work)
        stopping = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait((task, stopping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not task.done():
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        return task

    async def _close(self, sio: socketio.AsyncClient, closed: asyncio.Task[None] | None) -> None:
        try:
            await sio.shutdown()  # disconnects, or ends python-socketio's reconnection attempts
            if sio.eio.state != "disconnected":  # cancelled between transport and namespace
                await sio.eio.disconnect()
            if closed is not None:
                # engine.io's reader has ended; wait() may still sleep a second before it
                # returns, which need not hold up an unload.
                closed.cancel()
                with suppress(asyncio.CancelledError):
                    await closed
        finally:
            # engineio closes a session it still holds when garbage-collected; this one is
            # borrowed.
            sio.eio.http = None
            self._set_connected(False)

    # --- handlers ---------------------------------------------------------------------------------
    async def _connected(self) -> None:
        self.connects += 1
        self.last_exception = None
        self._set_connected(True)

    async def _disconnected(self, *_reason: Any) -> None:
        self._set_connected(False)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            if not self._stop.is_set():
                self._on_connection(connected)

    async def _exception(self, data: Any) -> None:
        message = data.get("message") if isinstance(data, dict) else data
        self.last_exception = str(message)
        _LOGGER.warning("The Homely socket refused the connection: %s", message)

    async def _event(self, data: Any) -> None:
        try:
            event = parse_event(data)
        except HomelyResponseError as err:
            self.malformed += 1
            self._warn_once("malformed", "Skipping a malformed Homely event: %s", err)
            return
        if event is None:
            kind = data.get("type") if isinstance(data, dict) else None
            self._warn_once(f"type:{kind}", "Ignoring Homely events of unknown type %s", kind)
            return
        self.events += 1
        try:
            self._on_event(event)
        except Exception:  # a bug in applying one event must not end the feed or hide the next
            self.malformed += 1
            if "apply" not in self._warned:
                _LOGGER.exception("Could not apply a Homely event; skipping it")
            self._warned.add("apply")

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        level = logging.DEBUG if key in self._warned else logging.WARNING
        self._warned.add(key)
        _LOGGER.log(level, message, *args)
