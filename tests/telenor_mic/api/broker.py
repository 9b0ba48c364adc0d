"""A real MQTT broker (amqtt, TCP on 127.0.0.1) behind an aiohttp websocket endpoint, as AWS IoT
looks to the MIC client: `GET /mqtt?<SigV4 presigned query>` (subprotocol `mqtt`), checked with
botocore, then MQTT 3.1.1 in binary frames, bridged byte for byte to the broker.

Like AWS IoT, the bridge closes the connection on a publish the user may not make (instead of
acknowledging it), and the broker answers a subscription outside the user's tree with 0x80.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote

from aiohttp import WSMsgType, web
from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from custom_components.telenor_mic.api.sigv4 import EMPTY_PAYLOAD_HASH
from simulators.core.mqtt_broker import EmbeddedBroker

HOST = "127.0.0.1"
PUBLISH = 3


class IotQueryAuth(SigV4QueryAuth):
    """botocore's presigner as AWS IoT's websocket wants it: the payload hash of an empty body
    (botocore's query signer would use UNSIGNED-PAYLOAD)."""

    def payload(self, request: Any) -> str:
        return EMPTY_PAYLOAD_HASH


def botocore_signature(host: str, query: dict[str, str], secret: str, region: str) -> str:
    """The signature botocore's SigV4 code computes for the presigned query as received (all of
    it but the signature and the session token, which AWS IoT takes after signing), for the
    Host header as received."""
    params = {
        k: v for k, v in query.items() if k not in ("X-Amz-Signature", "X-Amz-Security-Token")
    }
    request = AWSRequest(
        method="GET",
        url=f"http://{host}/mqtt?"
        + "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in params.items()),
    )
    request.context["timestamp"] = query.get("X-Amz-Date", "")
    access_key = query.get("X-Amz-Credential", "").split("/", 1)[0]
    service = query.get("X-Amz-Credential", "///").split("/")[3]
    auth = IotQueryAuth(Credentials(access_key, secret), service, region)
    canonical = auth.canonical_request(request)
    return str(auth.signature(auth.string_to_sign(request, canonical), request))


def mqtt_packets(buffer: bytearray) -> Iterator[bytes]:
    """Whole MQTT packets taken off the front of `buffer` (the rest stays for later)."""
    while len(buffer) >= 2:
        multiplier, length, index = 1, 0, 1
        while True:
            if index >= len(buffer):
                return
            byte = buffer[index]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            index += 1
            if not byte & 0x80:
                break
        end = index + length
        if len(buffer) < end:
            return
        packet = bytes(buffer[:end])
        del buffer[:end]
        yield packet


def publish_topic(packet: bytes) -> str | None:
    """The topic of a PUBLISH packet, None for any other packet."""
    if packet[0] >> 4 != PUBLISH:
        return None
    index = 1
    while packet[index] & 0x80:
        index += 1
    index += 1
    size = int.from_bytes(packet[index : index + 2], "big")
    return packet[index + 2 : index + 2 + size].decode()


class AllowAll(BaseAuthPlugin):  # type: ignore[misc]
    """AWS IoT authenticates the websocket, not the MQTT CONNECT."""

    async def authenticate(self, *, session: Session) -> bool:
        return True


class TopicGate(BaseTopicPlugin):  # type: ignore[misc]
    gate: IotBroker | None = None

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool:
        gate = self.gate
        if gate is None or action != Action.SUBSCRIBE:
            return True
        return not any((topic or "").startswith(prefix) for prefix in gate.refused_subscriptions)


@dataclass
class Credential:
    secret: str
    token: str
    expires: float  # the fake cloud's clock


@dataclass
class IotBroker:
    """The broker and the websocket endpoint in front of it."""

    region: str = "eu-west-1"
    credentials: dict[str, Credential] = field(default_factory=dict)  # by access key
    refused_subscriptions: set[str] = field(default_factory=set)
    denied_publishes: set[str] = field(default_factory=set)  # topic prefixes
    refuse_all: bool = False
    published: list[tuple[str, bytes]] = field(default_factory=list)  # what clients published
    connects: list[dict[str, str]] = field(default_factory=list)  # accepted presigned queries
    refusals: list[str] = field(default_factory=list)
    sockets: set[web.WebSocketResponse] = field(default_factory=set)
    clock: Any = None
    _broker: EmbeddedBroker | None = None
    _bridges: set[asyncio.Task[Any]] = field(default_factory=set)

    async def start(self) -> None:
        plugins = (f"{__name__}.AllowAll", f"{__name__}.TopicGate")
        broker = await EmbeddedBroker.started(HOST, 0, plugins, self)
        self._broker = broker

    async def stop(self) -> None:
        await self.drop_all()
        broker, self._broker = self._broker, None
        if broker is None:
            return
        await broker.stop()

    async def broadcast(self, topic: str, payload: bytes | str) -> None:
        """A thing (or the cloud) publishes."""
        assert self._broker is not None
        data = payload.encode() if isinstance(payload, str) else payload
        await self._broker.internal_message_broadcast(topic, data, 0)

    async def drop_all(self) -> None:
        """Close every websocket (the cloud drops its connections)."""
        for socket in list(self.sockets):
            await socket.close()
        if self._bridges:
            await asyncio.wait(set(self._bridges), timeout=5)

    def _refuse(self, why: str) -> web.Response:
        self.refusals.append(why)
        return web.Response(status=403, text=why)

    def _check(self, request: web.Request) -> web.Response | None:
        """AWS IoT's checks of the presigned query, against the Host header it received."""
        if self.refuse_all:
            return self._refuse("refused")
        query = {key: values[0] for key, values in parse_qs(request.query_string).items()}
        access_key = query.get("X-Amz-Credential", "").split("/", 1)[0]
        credential = self.credentials.get(access_key)
        if credential is None:
            return self._refuse("unknown access key")
        if query.get("X-Amz-Security-Token") != credential.token:
            return self._refuse("session token missing or wrong")
        if self.clock is not None and self.clock() >= credential.expires:
            return self._refuse("credentials expired")
        expected = botocore_signature(request.host, query, credential.secret, self.region)
        if query.get("X-Amz-Signature") != expected:
            return self._refuse("bad signature")
        self.connects.append(query)
        return None

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        refusal = self._check(request)
        if refusal is not None:
            return refusal
        assert self._broker is not None
        socket = web.WebSocketResponse(protocols=("mqtt",))
        await socket.prepare(request)
        reader, writer = await asyncio.open_connection(HOST, self._broker.port)
        self.sockets.add(socket)
        task = asyncio.current_task()
        assert task is not None
        self._bridges.add(task)
        try:
            upstream = asyncio.ensure_future(self._upstream(socket, writer))
            downstream = asyncio.ensure_future(self._downstream(reader, socket))
            await asyncio.wait((upstream, downstream), return_when=asyncio.FIRST_COMPLETED)
            for part in (upstream, downstream):
                part.cancel()
                with suppress(asyncio.CancelledError, ConnectionError):
                    await part
        finally:
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()
            await socket.close()
            self.sockets.discard(socket)
            self._bridges.discard(task)
        return socket

    async def _upstream(self, socket: web.WebSocketResponse, writer: asyncio.StreamWriter) -> None:
        buffer = bytearray()
        async for message in socket:
            if message.type != WSMsgType.BINARY:
                break
            buffer.extend(message.data)
            for packet in mqtt_packets(buffer):
                topic = publish_topic(packet)
                if topic is not None:
                    if any(topic.startswith(prefix) for prefix in self.denied_publishes):
                        return  # AWS IoT closes the connection on a refused publish
                    self.published.append((topic, packet))
                writer.write(packet)
            await writer.drain()

    @staticmethod
    async def _downstream(reader: asyncio.StreamReader, socket: web.WebSocketResponse) -> None:
        while data := await reader.read(65536):
            await socket.send_bytes(data)
