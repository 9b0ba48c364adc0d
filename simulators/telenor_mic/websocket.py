"""`GET /mqtt`: AWS IoT's MQTT-over-websocket endpoint.

The upgrade is refused (HTTP 403) unless the URL is correctly SigV4-presigned with live
temporary credentials from Cognito and their session token; an accepted socket is bridged,
byte for byte, to the broker of the credentials' stack. A PUBLISH the user may not make (a
read-only role, a topic outside its domain) closes the connection before the broker sees it,
as AWS IoT does; connections close when their credentials expire.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
import hmac
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web

from simulators.core import PushConnection, SimContext

from . import errors, sigv4
from .broker import StackBroker
from .cognito import AwsCredentials, CredentialStore
from .model import User
from .packets import PUBLISH, MalformedPacketError, PacketReader, packet_type, publish_topic
from .topics import allowed

_LOGGER = logging.getLogger(__name__)

PATH = "/mqtt"
SUBPROTOCOL = "mqtt"
INVALID_TOKEN = "The security token included in the request is invalid"  # noqa: S105
EXPIRED_TOKEN = "The security token included in the request is expired"  # noqa: S105
READ_SIZE = 65536
CLOSE_WAIT_S = 2.0  # closing a connection, AWS IoT waits little for the client's goodbye


class BridgedSocket:
    """One accepted websocket and, once the client says something, its TCP connection to the
    broker (a socket that closes without a word never reaches the broker)."""

    def __init__(
        self, ctx: SimContext, ws: web.WebSocketResponse, credentials: AwsCredentials
    ) -> None:
        self.ctx = ctx
        self.ws = ws
        self.credentials = credentials
        self.user: User = credentials.user
        self.connected_at = ctx.clock.now()
        self.local_port = 0
        self.publications = 0
        self._writer: asyncio.StreamWriter | None = None
        self._downstream: asyncio.Task[None] | None = None
        self._closed = asyncio.Event()

    async def run(self, broker: StackBroker, connection: PushConnection) -> None:
        upstream = asyncio.create_task(self._to_broker(broker, connection))
        closed = asyncio.create_task(self._closed.wait())
        try:
            await asyncio.wait({upstream, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            tasks = [t for t in (upstream, closed, self._downstream) if t is not None]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self._writer is not None:
                broker.clients.pop(self.local_port, None)
                self._writer.close()
                with suppress(ConnectionError):
                    await self._writer.wait_closed()
            await self.ws.close()

    async def close(self) -> None:
        """Drop the connection (push faults, expired credentials)."""
        self._closed.set()
        await self.ws.close()

    async def _connect(self, broker: StackBroker, connection: PushConnection) -> None:
        reader, self._writer = await asyncio.open_connection(broker.host, broker.port)
        self.local_port = int(self._writer.get_extra_info("sockname")[1])
        broker.clients[self.local_port] = self  # how the broker knows whose session it is
        connection.info["local_port"] = self.local_port
        self._downstream = asyncio.create_task(self._to_client(reader))

    async def _to_broker(self, broker: StackBroker, connection: PushConnection) -> None:
        packets = PacketReader()
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.BINARY:
                return  # MQTT travels in binary frames only
            try:
                for packet in packets.feed(message.data):
                    if packet_type(packet) == PUBLISH and not self._may_publish(packet):
                        return
                    if self._writer is None:
                        await self._connect(broker, connection)
                    assert self._writer is not None
                    self._writer.write(packet)
            except MalformedPacketError as err:
                _LOGGER.debug("closing %s's connection: %s", self.user.username, err)
                return
            except OSError as err:
                _LOGGER.warning("the MQTT broker of %s is unreachable: %s", broker.stack.name, err)
                return
            if self._writer is not None:
                await self._writer.drain()

    def _may_publish(self, packet: bytes) -> bool:
        topic = publish_topic(packet)
        if self.user.read_only or not allowed(self.user, topic):
            _LOGGER.debug("%s may not publish on %s: closing", self.user.username, topic)
            return False
        self.publications += 1
        return True

    async def _to_client(self, reader: asyncio.StreamReader) -> None:
        """What the broker sends; when it hangs up, the websocket closes too."""
        try:
            while data := await reader.read(READ_SIZE):
                await self.ws.send_bytes(data)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            self._closed.set()

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.user.username,
            "stack": self.user.stack.name,
            "access_key_id": self.credentials.access_key_id,
            "connected_at": self.connected_at,
            "credentials_expire": self.credentials.expiration,
            "publications": self.publications,
        }


class MqttGateway:
    def __init__(
        self, ctx: SimContext, credentials: CredentialStore, brokers: dict[str, StackBroker]
    ) -> None:
        self.ctx = ctx
        self.credentials = credentials
        self.brokers = brokers
        self.sockets: set[BridgedSocket] = set()
        self._closing: set[asyncio.Task[None]] = set()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.handle)

    def _credentials(self, presigned: sigv4.Presigned) -> AwsCredentials:
        """Live credentials the URL names, with their session token and scope."""
        credentials = self.credentials.get(presigned.access_key)
        token = (presigned.session_token or "").encode()
        if credentials is None or not hmac.compare_digest(
            token, credentials.session_token.encode()
        ):
            raise sigv4.PresignError(INVALID_TOKEN)
        if credentials.expired(self.ctx.clock.now()):
            raise sigv4.PresignError(EXPIRED_TOKEN)
        if presigned.service != sigv4.SERVICE or presigned.region != credentials.user.stack.region:
            raise sigv4.PresignError("Credential should be scoped to a valid region or service")
        return credentials

    def _verify(self, request: web.Request) -> AwsCredentials:
        """The credentials a presigned URL was signed with; 403 for anything amiss."""
        try:
            presigned = sigv4.parse(request.rel_url.raw_query_string)
            sigv4.check_time(presigned, time.time())  # the client signs with its wall clock
            credentials = self._credentials(presigned)
            sigv4.verify(
                presigned, credentials.secret_key, request.method, request.path, request.headers
            )
        except sigv4.PresignError as err:
            raise errors.gateway_error(403, str(err)) from None
        return credentials

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self.ctx.push.accepting():
            raise errors.gateway_error(503, "Service Unavailable")
        credentials = self._verify(request)
        broker = self.brokers[credentials.user.stack.name]
        ws = web.WebSocketResponse(
            protocols=(SUBPROTOCOL,), autoping=True, timeout=CLOSE_WAIT_S, compress=False
        )
        await ws.prepare(request)
        socket = BridgedSocket(self.ctx, ws, credentials)
        connection = self.ctx.push.register(
            socket.close,
            account=credentials.user.username,
            stack=credentials.user.stack.name,
            access_key_id=credentials.access_key_id,
        )
        self.sockets.add(socket)
        try:
            await socket.run(broker, connection)
        finally:
            self.sockets.discard(socket)
            self.ctx.push.unregister(connection)
        return ws

    def step(self, now: float) -> None:
        """Connections whose credentials expired are closed."""
        for socket in list(self.sockets):
            if socket.credentials.expired(now):
                self.sockets.discard(socket)
                self._close_later(socket)

    def _close_later(self, socket: BridgedSocket) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a clock moved outside the event loop: the next step closes it
            self.sockets.add(socket)
            return
        task = loop.create_task(socket.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def expire(self, username: str | None) -> tuple[int, int]:
        """Credentials (of one user) expire now; their connections close. Returns (expired
        credentials, closed connections)."""
        expired = self.credentials.expire(username)
        keys = {c.access_key_id for c in expired}
        victims = [s for s in self.sockets if s.credentials.access_key_id in keys]
        for socket in victims:
            self.sockets.discard(socket)
            await socket.close()
        return len(expired), len(victims)

    async def stop(self) -> None:
        for socket in list(self.sockets):
            await socket.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
