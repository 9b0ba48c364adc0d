"""Each stack's AWS IoT message broker: amqtt embedded in the simulator's event loop, listening on
127.0.0.1 for the websocket bridge only.

The broker learns who a connection belongs to from the bridge (by the bridge's local port), so it
grants subscriptions by the Cognito identity's user (SUBACK 0x80 outside its topics). What the
cloud sends (thing reports, life-cycle events) the broker publishes itself, QoS 0 and not
retained, in order, from one sender task; a desired state a client publishes reaches the
cloud's shadow service when the broker passes the message on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
import json
import logging
from typing import Any, Protocol

from amqtt.contexts import Action  # type: ignore[import-untyped]
from amqtt.plugins.base import (  # type: ignore[import-untyped]
    BaseAuthPlugin,
    BasePlugin,
    BaseTopicPlugin,
)
from amqtt.session import Session  # type: ignore[import-untyped]

from simulators.core import SimContext
from simulators.core.mqtt_broker import EmbeddedBroker

from .cloud import Message
from .malformed import mqtt_payload
from .model import Stack, User
from .topics import allowed

_LOGGER = logging.getLogger(__name__)

HOST = "127.0.0.1"
_PLUGINS = (
    f"{__name__}.BridgeAuthPlugin",
    f"{__name__}.IdentityTopicPlugin",
    f"{__name__}.ShadowServicePlugin",
)


class BridgedClient(Protocol):
    """What the broker needs to know of a websocket connection it serves."""

    user: User


@dataclass(slots=True)
class MqttFaults:
    """How the thing-update messages marked malformed (PushHub.corrupt_next) are broken."""

    shape: str = "garbage"
    sent: int = 0


class BridgeAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Only connections the websocket bridge opened (it checked the signature)."""

    gate: StackBroker | None = None

    async def authenticate(self, *, session: Session) -> bool:
        return self.gate is not None and self.gate.client(session) is not None


class IdentityTopicPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Subscriptions and publications within the user's topics."""

    gate: StackBroker | None = None

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool:
        return self.gate is not None and self.gate.allowed(session, topic, action)


class ShadowServicePlugin(BasePlugin):  # type: ignore[misc]
    """Hands what clients publish to the cloud (desired states for the shadows)."""

    gate: StackBroker | None = None

    async def on_broker_message_broadcast(self, *, client_id: str, message: Any) -> None:
        if self.gate is not None and message is not None:
            self.gate.heard(message.topic, bytes(message.data or b""))


class StackBroker:
    def __init__(
        self,
        ctx: SimContext,
        stack: Stack,
        faults: MqttFaults,
        on_publish: Callable[[Stack, str, bytes], None],
    ) -> None:
        self.ctx = ctx
        self.stack = stack
        self.faults = faults
        self.on_publish = on_publish
        self.host = HOST
        self.port = 0
        self.clients: dict[int, BridgedClient] = {}  # by the bridge's local TCP port
        self._broker: EmbeddedBroker | None = None
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None
        self._sending = False

    # --- life cycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        broker = await EmbeddedBroker.started(self.host, 0, _PLUGINS, self)
        self._broker = broker
        self.port = broker.port
        self._sender = asyncio.get_running_loop().create_task(
            self._send(), name=f"telenor_mic {self.stack.name} mqtt sender"
        )

    async def stop(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            with suppress(asyncio.CancelledError):
                await self._sender
            self._sender = None
        broker, self._broker = self._broker, None
        if broker is None:
            return
        await broker.stop()

    # --- the broker's questions ------------------------------------------------------------------
    def client(self, session: Session | None) -> BridgedClient | None:
        port = getattr(session, "remote_port", None)
        return self.clients.get(port) if isinstance(port, int) else None

    def allowed(self, session: Session | None, topic: str | None, action: Action | None) -> bool:
        if action == Action.RECEIVE:
            return True  # what it receives, it subscribed to
        client = self.client(session)
        if client is None or topic is None:
            return False
        if action == Action.PUBLISH and client.user.read_only:
            return False
        return allowed(client.user, topic)

    def heard(self, topic: str, payload: bytes) -> None:
        self.on_publish(self.stack, topic, payload)

    # --- the cloud's messages --------------------------------------------------------------------
    def publish(self, message: Message) -> None:
        self._outbox.put_nowait(message)

    async def _send(self) -> None:
        """One sender keeps messages in the order the cloud sent them."""
        while True:
            message = await self._outbox.get()
            broker = self._broker
            if broker is None:
                continue
            self._sending = True
            try:
                payload = json.dumps(message.document).encode()
                if message.thing_update and self.clients and self.ctx.push.frame_sent():
                    payload = mqtt_payload(
                        self.faults.shape, message.document, self.faults.sent, self.ctx.rng
                    )
                    self.faults.sent += 1
                await broker.internal_message_broadcast(message.topic, payload, 0)
            finally:
                self._sending = False

    @property
    def idle(self) -> bool:
        """Every message the cloud sent so far is with the broker (tests wait for this)."""
        return self._outbox.empty() and not self._sending

    def as_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack.name,
            "host": self.host,
            "port": self.port,
            "running": self._broker is not None,
        }
