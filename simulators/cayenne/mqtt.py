"""Cayenne's MQTT side: an amqtt broker embedded in the simulator's event loop.

Clients sign in as the platform hands credentials out (`POST /v1.1/clients`: username = its
`id`, password = its `clear_secret`, any client id) and may subscribe and publish under their own
tree `v1/{username}/...` only. Topics: `v1/{username}/things/{thingId}/data/{channel}`
(`type,unit=value`, the capitalised type, or a bare value), `.../data/json` (a JSON array of
{channel, value, type, unit}), `.../cmd/{channel}` (`seq,value`) and `.../response` (`ok,seq` or
`error,seq=message`).

The simulated things listen through one internal client subscribed to every cmd topic, so a
command reaches a thing through the broker whether the REST API or a client published it. What
things send (their values on every report cycle, actuator changes, responses) the broker
publishes itself, QoS 0 and not retained (a thing's values are live data, nothing documents
retained messages), in order, from one sender task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import suppress
import itertools
import json
import logging
import secrets
from typing import Any

import aiomqtt
from amqtt.contexts import Action  # type: ignore[import-untyped]
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin  # type: ignore[import-untyped]
from amqtt.session import Session  # type: ignore[import-untyped]

from simulators.core import PushConnection, SimContext
from simulators.core.mqtt_broker import EmbeddedBroker

from .cloud import Account, CayenneCloud, CommandOutcome
from .malformed import Frame, mqtt_frame
from .things import Channel, Thing, Value

_LOGGER = logging.getLogger(__name__)

HOST = "127.0.0.1"
TOPIC_VERSION = "v1"
COMMANDS = f"{TOPIC_VERSION}/+/things/+/cmd/+"  # what the internal things client hears
COMMAND_WAIT_S = 2.0  # how long a REST command waits for the thing to have heard it
RECONNECT_S = 0.5
_PLUGINS = (f"{__name__}.CayenneAuthPlugin", f"{__name__}.CayenneTopicPlugin")


def _number(value: float) -> str:
    """`21.5`, `1` (integers without a decimal point), as devices write them."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _same(given: object, secret: str) -> bool:
    """A password check in constant time (any text the client sent, or none)."""
    if isinstance(given, str):
        given = given.encode()
    if not isinstance(given, bytes):
        return False
    return secrets.compare_digest(given, secret.encode())


def _json_value(value: Value) -> Value | int:
    if isinstance(value, dict) or not value.is_integer():
        return value
    return int(value)


def _json_channel(channel: str) -> int | str:
    """data/json items carry numeric channels as numbers, as the platform's examples do."""
    return int(channel) if channel.isdigit() else channel


class CayenneAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Credentials from POST /v1.1/clients; connections registered with the push hub."""

    gate: CayenneMqtt | None = None

    async def authenticate(self, *, session: Session) -> bool:
        return self.gate is not None and self.gate.authenticate(session)

    async def on_broker_client_disconnected(
        self, *, client_id: str, client_session: Session
    ) -> None:
        if self.gate is not None:
            self.gate.disconnected(client_session)


class CayenneTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Each client in its own tree `v1/{username}/...`."""

    gate: CayenneMqtt | None = None

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool:
        return self.gate is not None and self.gate.allowed(session, topic, action)


class CayenneMqtt:
    """The broker, the things' side of MQTT and the MQTT faults."""

    def __init__(self, ctx: SimContext, cloud: CayenneCloud, port: int = 0) -> None:
        self.ctx = ctx
        self.cloud = cloud
        self.host = HOST
        self.port = port
        self.refuse_subscriptions = False
        self.shape = "garbage"  # how frames marked malformed (PushHub.corrupt_next) are broken
        self.malformed_sent = 0
        self._broker: EmbeddedBroker | None = None
        self._internal_user = "simulated-things"
        self._internal_secret = secrets.token_hex(16)
        self._connections: dict[int, PushConnection] = {}  # by id() of the amqtt session
        self._outbox: asyncio.Queue[Frame] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None
        self._sending = False
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._heard: dict[tuple[str, str], asyncio.Future[None]] = {}
        self._seq = itertools.count(1)

    # --- life cycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        broker = await EmbeddedBroker.started(self.host, self.port, _PLUGINS, self)
        self._broker = broker
        self.port = broker.port
        loop = asyncio.get_running_loop()
        self._sender = loop.create_task(self._send(), name="cayenne mqtt sender")
        self._listener = loop.create_task(self._listen(), name="cayenne things listener")
        waiting = loop.create_task(self._listening.wait())
        await asyncio.wait({waiting, self._listener}, return_when=asyncio.FIRST_COMPLETED)
        if not waiting.done():
            waiting.cancel()
            with suppress(asyncio.CancelledError):
                await waiting
        if self._listener.done():  # it could not connect: say why now, not at stop
            await self.stop()
            raise RuntimeError("the simulated things could not connect to the MQTT broker")

    async def stop(self) -> None:
        for task in (self._sender, self._listener):
            if task is not None and not task.done():
                task.cancel()
            if task is not None:
                with suppress(asyncio.CancelledError, aiomqtt.MqttError):
                    await task
        self._sender = self._listener = None
        self._listening.clear()
        for future in self._heard.values():
            if not future.done():
                future.set_result(None)
        self._heard.clear()
        broker, self._broker = self._broker, None
        if broker is None:
            return
        await broker.stop()
        for connection in list(self._connections.values()):
            self.ctx.push.unregister(connection)
        self._connections.clear()

    # --- the broker's questions -------------------------------------------------------------------
    def authenticate(self, session: Session) -> bool:
        if session.username == self._internal_user:
            return _same(session.password, self._internal_secret)
        if not self.ctx.push.accepting():
            return False
        account = self.cloud.by_mqtt_username(session.username)
        if account is None or account.mqtt_secret is None:
            return False
        if not _same(session.password, account.mqtt_secret):
            return False
        self._connections[id(session)] = self.ctx.push.register(
            lambda: self._close(session),
            account=account.email,
            client_id=session.client_id,
            username=session.username,
        )
        return True

    def disconnected(self, session: Session) -> None:
        connection = self._connections.pop(id(session), None)
        if connection is not None:
            self.ctx.push.unregister(connection)

    def allowed(self, session: Session | None, topic: str | None, action: Action | None) -> bool:
        username = session.username if session is not None else None
        if username == self._internal_user or action == Action.RECEIVE:
            return True
        if action == Action.SUBSCRIBE and self.refuse_subscriptions:
            return False
        levels = (topic or "").split("/")
        return len(levels) > 2 and levels[0] == TOPIC_VERSION and levels[1] == username

    async def _close(self, session: Session) -> None:
        """A dropped connection: the broker closes the client's socket."""
        self._connections.pop(id(session), None)
        broker = self._broker
        if broker is None:
            return
        for known, handler in list(broker.sessions.values()):
            if known is session:
                await handler.stop()

    # --- things -----------------------------------------------------------------------------------
    def _frames(
        self, account: Account, thing: Thing, values: Iterable[tuple[Channel, Value]]
    ) -> list[Frame]:
        """A thing's values as it publishes them, in its format; a position only in data/json
        (a text payload cannot carry one)."""
        base = f"{TOPIC_VERSION}/{account.mqtt_username}/things/{thing.thing_id}"
        frames: list[Frame] = []
        items: list[tuple[Channel, Value]] = []
        for channel, value in values:
            if thing.mqtt_format == "json" or isinstance(value, dict):
                items.append((channel, value))
                continue
            payload = _number(value)
            if thing.mqtt_format != "bare":
                kind = channel.data_type
                if thing.mqtt_format == "capitalised":
                    kind = kind[:1].upper() + kind[1:]
                unit = "" if channel.unit is None else f",{channel.unit}"
                payload = f"{kind}{unit}={payload}"
            frames.append(
                Frame(
                    topic=f"{base}/data/{channel.channel}",
                    payload=payload.encode(),
                    base=base,
                    account=account.email,
                    channel=channel.channel,
                    data_type=channel.data_type,
                    unit=channel.unit,
                )
            )
        if items:
            document = [
                {
                    "channel": _json_channel(channel.channel),
                    "value": _json_value(value),
                    "type": channel.data_type,
                    **({} if channel.unit is None else {"unit": channel.unit}),
                }
                for channel, value in items
            ]
            first = items[0][0]
            frames.append(
                Frame(
                    topic=f"{base}/data/json",
                    payload=json.dumps(document).encode(),
                    base=base,
                    account=account.email,
                    channel=first.channel,
                    data_type=first.data_type,
                    unit=first.unit,
                )
            )
        return frames

    def step(self, now: float) -> None:
        """Every thing out there publishes its values when its next report cycle comes."""
        for account in self.cloud.accounts.values():
            for thing in account.things.values():
                cycle = thing.cycle(now)
                if thing.last_report is not None and cycle <= thing.last_report:
                    continue
                thing.last_report = cycle
                if thing.reporting(now) and thing.channels:
                    values = [(c, thing.value(c, now)) for c in thing.channels.values()]
                    self._queue(self._frames(account, thing, values))

    def publish_value(self, account: Account, thing: Thing, channel: Channel) -> None:
        """The thing reports one channel at once (an actuator moved, a value was set)."""
        now = self.ctx.clock.now()
        if thing.reporting(now):
            self._queue(self._frames(account, thing, [(channel, thing.value(channel, now))]))

    def _queue(self, frames: list[Frame]) -> None:
        for frame in frames:
            self._outbox.put_nowait(frame)

    async def _send(self) -> None:
        """One sender keeps messages in the order things sent them."""
        while True:
            frame = await self._outbox.get()
            broker = self._broker
            if broker is None:
                continue
            self._sending = True
            try:
                topic, payload = frame.topic, frame.payload
                if self._has_clients(frame.account) and self.ctx.push.frame_sent():
                    topic, payload = mqtt_frame(
                        self.shape, frame, self.malformed_sent, self.ctx.rng
                    )
                    self.malformed_sent += 1
                await broker.internal_message_broadcast(topic, payload, 0)
            finally:
                self._sending = False

    @property
    def idle(self) -> bool:
        """Every message things sent so far is with the broker (tests wait for this)."""
        return self._outbox.empty() and not self._sending

    def _has_clients(self, account: str) -> bool:
        return any(c.account == account for c in self.ctx.push.connections)

    # --- commands ---------------------------------------------------------------------------------
    async def send_command(
        self, account: Account, thing: Thing, channel: str, value: float
    ) -> None:
        """The platform publishes `seq,value` on the thing's cmd topic (POST .../cmd) and
        waits, briefly, until the thing has heard it."""
        seq = str(next(self._seq))
        topic = f"{TOPIC_VERSION}/{account.mqtt_username}/things/{thing.thing_id}/cmd/{channel}"
        payload = f"{seq},{_number(value)}".encode()
        broker = self._broker
        if broker is None or not self._listening.is_set():
            self._hear(topic, payload)  # no broker running: the thing hears it all the same
            return
        heard = asyncio.get_running_loop().create_future()
        self._heard[(topic, seq)] = heard
        try:
            await broker.internal_message_broadcast(topic, payload, 0)
            with suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(heard), COMMAND_WAIT_S)
        finally:
            self._heard.pop((topic, seq), None)

    async def _listen(self) -> None:
        """The things' side: one client, subscribed to every thing's cmd topics; it connects
        again if it loses the broker (a failure before the first connection is final)."""
        identifier = f"simulated-things-{secrets.token_hex(4)}"
        connected_once = False
        while True:
            client = aiomqtt.Client(
                self.host,
                self.port,
                username=self._internal_user,
                password=self._internal_secret,
                identifier=identifier,
                logger=_LOGGER,
            )
            try:
                async with client:
                    await client.subscribe(COMMANDS, qos=0)
                    self._listening.set()
                    connected_once = True
                    async for message in client.messages:
                        payload = message.payload
                        if isinstance(payload, bytes | bytearray):
                            self._hear(message.topic.value, bytes(payload))
            except aiomqtt.MqttError as err:
                if not connected_once:
                    raise
                _LOGGER.warning("simulated things lost the MQTT broker (%s); reconnecting", err)
            self._listening.clear()
            await asyncio.sleep(RECONNECT_S)

    def _hear(self, topic: str, payload: bytes) -> None:
        """A thing receives `seq,value` on `v1/{username}/things/{thingId}/cmd/{channel}`."""
        levels = topic.split("/")
        try:
            seq, separator, value = payload.decode().partition(",")
        except UnicodeDecodeError:
            return
        seq = seq.strip()
        heard = self._heard.get((topic, seq))
        if heard is not None and not heard.done():
            heard.set_result(None)
        if len(levels) != 6 or levels[2] != "things" or levels[4] != "cmd":
            return
        account = self.cloud.by_mqtt_username(levels[1])
        thing = account.things.get(levels[3]) if account is not None else None
        if account is None or thing is None or not separator or not seq:
            return
        outcome = self.cloud.command(account, thing, levels[5], value.strip(), self.ctx.clock.now())
        if outcome is not None:
            self._respond(account, thing, seq, outcome)

    def _respond(self, account: Account, thing: Thing, seq: str, outcome: CommandOutcome) -> None:
        base = f"{TOPIC_VERSION}/{account.mqtt_username}/things/{thing.thing_id}"
        answer = f"ok,{seq}" if outcome.error is None else f"error,{seq}={outcome.error}"
        channel = thing.channels.get(outcome.channel)
        self._queue(
            [
                Frame(
                    topic=f"{base}/response",
                    payload=answer.encode(),
                    base=base,
                    account=account.email,
                    channel=outcome.channel,
                    data_type=channel.data_type if channel else "unknown",
                    unit=channel.unit if channel else None,
                )
            ]
        )
        if outcome.error is None and channel is not None and outcome.value is not None:
            self._queue(self._frames(account, thing, [(channel, outcome.value)]))

    # --- admin ------------------------------------------------------------------------------------
    async def rotate(self, account: Account) -> int:
        """A new `clear_secret` for the account; its connections are dropped."""
        self.cloud.rotate_mqtt_secret(account)
        return await self.ctx.push.drop_all(account.email)

    def clear_faults(self) -> None:
        self.refuse_subscriptions = False
        self.shape = "garbage"

    def as_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "running": self._broker is not None,
            "refuse_subscriptions": self.refuse_subscriptions,
            "malformed_shape": self.shape,
            "malformed_sent": self.malformed_sent,
            "connections": [{"account": c.account, **c.info} for c in self._connections.values()],
        }
