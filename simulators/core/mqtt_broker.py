"""A real MQTT broker (amqtt) embedded in the simulator's event loop, on 127.0.0.1: for the clouds
whose push channel is MQTT. Each simulator brings its own auth and topic plugins; a plugin with a
`gate` attribute is handed the object that answers its questions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
import logging
from typing import Any

from amqtt.broker import Broker  # type: ignore[import-untyped]

STOP_WAIT_S = 5.0
# amqtt and the state machine library under it log every connection at INFO
_CHATTY_LOGGERS = ("amqtt", "transitions")


class _Subscriptions(dict[str, Any]):
    """amqtt 0.12 walks its subscriptions while it awaits (a broadcast checks each target's
    permission) and while it deletes from them (a session going away): with a client coming or
    going meanwhile, the dict changes size during iteration and the broadcast task dies. Its
    walks go over a snapshot instead."""

    def __iter__(self) -> Iterator[str]:
        return iter(list(super().keys()))

    def items(self) -> Any:
        return list(super().items())


class EmbeddedBroker(Broker):  # type: ignore[misc]
    """amqtt's broker, learning the port it listens on and keeping track of its connections
    (so that stopping it leaves no task behind)."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._subscriptions = _Subscriptions()
        self.port = 0
        self.connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}

    @classmethod
    async def started(
        cls, host: str, port: int, plugins: Iterable[str], gate: object
    ) -> EmbeddedBroker:
        """A running broker on `host:port` (0: a free port) with `plugins` (dotted names)."""
        for name in _CHATTY_LOGGERS:
            chatty = logging.getLogger(name)
            if chatty.level == logging.NOTSET:  # unless someone chose a level for it
                chatty.setLevel(logging.WARNING)
        broker = cls(
            {
                "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
                "plugins": {plugin: {} for plugin in plugins},
            }
        )
        for plugin in broker.plugins_manager.plugins:
            if hasattr(plugin, "gate"):
                plugin.gate = gate
        await broker.start()
        return broker

    async def stop(self) -> None:
        """Shut down, with every connection and its task gone."""
        # connections that never sent CONNECT have no session the shutdown would close
        sessions = {(s.remote_address, s.remote_port) for s, _ in self.sessions.values()}
        for writer in self.connections.values():
            peer = writer.get_extra_info("peername")
            if not peer or tuple(peer[:2]) not in sessions:
                writer.transport.abort()
        await self.shutdown()
        tasks = set(self.connections)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=STOP_WAIT_S)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        await self.plugins_manager.wait_fired_events()

    async def _create_server_instance(
        self,
        listener_name: str,
        listener_type: Any,
        address: str | None,
        port: int,
        ssl_context: Any,
    ) -> Any:
        server = await super()._create_server_instance(
            listener_name, listener_type, address, port, ssl_context
        )
        sockets = getattr(server, "sockets", None)
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        return server

    async def stream_connected(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener_name: str
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.connections[task] = writer
        try:
            await super().stream_connected(reader, writer, listener_name)
        finally:
            if task is not None:
                self.connections.pop(task, None)
            if not writer.is_closing():
                writer.close()
