"""Homely's live feed: a Socket.IO server at the API's origin, one room per home."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
import logging
from typing import Any
from urllib.parse import parse_qs
import uuid

from aiohttp import web
import socketio

from simulators.core import PushConnection, PushHub

from .malformed import malformed_frame

_LOGGER = logging.getLogger(__name__)

# (token, location id) -> account name when the pair may listen, else an error message
type Authorize = Callable[[str, str], tuple[str | None, str]]


class HomelySocketServer:
    """Checks `locationId` and `token=Bearer <access token>` in the query; streams events."""

    def __init__(self, push: PushHub, authorize: Authorize, payload_key: str) -> None:
        self.push = push
        self.authorize = authorize
        self.payload_key = payload_key
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
        self.sio.on("connect", self._connect)
        self.sio.on("disconnect", self._disconnect)
        self._connections: dict[str, PushConnection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.malformed_sent = 0

    def attach(self, app: web.Application) -> None:
        self.sio.attach(app, socketio_path="socket.io")

    async def _connect(self, sid: str, environ: dict[str, Any], _auth: Any = None) -> bool:
        if not self.push.accepting():
            return False
        query = parse_qs(environ.get("QUERY_STRING", ""))
        location = (query.get("locationId") or [""])[0]
        token = (query.get("token") or [""])[0]
        if token.lower().startswith("bearer"):
            token = token[6:].strip()
        try:
            uuid.UUID(location)
        except ValueError:
            self._reject(sid, "locationId must be a UUID")
            return True
        account, error = self.authorize(token, location)
        if account is None:
            self._reject(sid, error)
            return True
        await self.sio.enter_room(sid, location)
        request = environ.get("aiohttp.request")
        transport = request.transport if request is not None else None
        self._connections[sid] = self.push.register(
            lambda: self._drop(sid, transport), account, location=location, sid=sid
        )
        return True

    def _reject(self, sid: str, message: str) -> None:
        """As the live server does: accept, send `exception`, then disconnect server-side."""

        async def reject() -> None:
            await asyncio.sleep(0.05)  # after the connect handshake has completed
            await self.sio.emit("exception", {"status": "error", "message": message}, to=sid)
            await self.sio.disconnect(sid)

        task = asyncio.get_running_loop().create_task(reject())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drop(self, sid: str, transport: asyncio.BaseTransport | None) -> None:
        """A network drop: the TCP connection goes away without a Socket.IO goodbye."""
        if transport is not None:
            transport.abort()  # type: ignore[attr-defined]
        else:
            await self.sio.eio.disconnect(sid)

    async def _disconnect(self, sid: str, *_reason: Any) -> None:
        connection = self._connections.pop(sid, None)
        if connection is not None:
            self.push.unregister(connection)

    async def server_disconnect(self, message: str = "Unauthorized") -> int:
        """`exception`, then 'io server disconnect' for every client (clients must reconnect)."""
        sids = list(self._connections)
        for sid in sids:
            await self.sio.emit("exception", {"status": "error", "message": message}, to=sid)
            await self.sio.disconnect(sid)
        return len(sids)

    async def publish(self, location_id: str, event: dict[str, Any]) -> None:
        for connection in list(self._connections.values()):
            if connection.info["location"] != location_id:
                continue
            if self.push.frame_sent():
                frame = malformed_frame(event, self.malformed_sent)
                self.malformed_sent += 1
                await self.sio.emit("event", frame, to=connection.info["sid"])
                continue
            body = {"type": event["type"], self.payload_key: event["data"]}
            await self.sio.emit("event", body, to=connection.info["sid"])

    async def publish_frame(self, location_id: str, frame: Any) -> None:
        """Send `frame` as it is, as an `event` message (a malformed one, from a test)."""
        for connection in list(self._connections.values()):
            if connection.info["location"] == location_id:
                self.push.frame_sent()
                await self.sio.emit("event", frame, to=connection.info["sid"])

    def listeners(self, location_id: str) -> int:
        return sum(1 for c in self._connections.values() if c.info["location"] == location_id)

    async def stop(self) -> None:
        for task in list(self._tasks):
            with suppress(asyncio.CancelledError):
                await task
        with suppress(Exception):
            await self.sio.shutdown()
