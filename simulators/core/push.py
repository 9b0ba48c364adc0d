"""Bookkeeping shared by the vendors' push servers, and the push-side faults.

Each push server (AppSync websocket, Socket.IO, MQTT) registers its live connections here so a
test can drop them all, refuse reconnects for a while, or corrupt the next frames it sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import logging
from typing import Any

from .clock import SimClock

_LOGGER = logging.getLogger(__name__)

type CloseCallback = Callable[[], Awaitable[object]]


@dataclass(slots=True)
class PushConnection:
    """One client connection of a push server."""

    connection_id: int
    account: str | None
    close: CloseCallback
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PushStats:
    connects: int = 0
    refused: int = 0
    dropped: int = 0
    frames_sent: int = 0
    malformed_sent: int = 0


class PushHub:
    """Live push connections of one simulated cloud, and the faults that act on them."""

    def __init__(self, clock: SimClock) -> None:
        self._clock = clock
        self._connections: dict[int, PushConnection] = {}
        self._next_id = 1
        self._refuse_until = 0.0
        self._malformed_budget = 0
        self.stats = PushStats()

    # --- connections -----------------------------------------------------------------------
    def accepting(self) -> bool:
        """False while reconnects are being refused; push servers ask before accepting."""
        if self._clock.now() < self._refuse_until:
            self.stats.refused += 1
            return False
        return True

    def register(
        self, close: CloseCallback, account: str | None = None, **info: Any
    ) -> PushConnection:
        connection = PushConnection(self._next_id, account, close, info)
        self._next_id += 1
        self._connections[connection.connection_id] = connection
        self.stats.connects += 1
        return connection

    def unregister(self, connection: PushConnection) -> None:
        self._connections.pop(connection.connection_id, None)

    @property
    def connections(self) -> list[PushConnection]:
        return list(self._connections.values())

    # --- faults ------------------------------------------------------------------------------
    async def drop_all(self, account: str | None = None) -> int:
        """Close every connection (of one account); returns how many were closed."""
        victims = [c for c in self.connections if account is None or c.account == account]
        for connection in victims:
            self.unregister(connection)
            try:
                await connection.close()
            except (ConnectionError, RuntimeError, asyncio.CancelledError):  # already gone
                _LOGGER.debug("push connection %s was already closed", connection.connection_id)
        self.stats.dropped += len(victims)
        return len(victims)

    def refuse_for(self, seconds: float) -> None:
        """Refuse new connections for `seconds` of simulated time (0 accepts again at once)."""
        self._refuse_until = self._clock.now() + seconds

    @property
    def refusing_until(self) -> float:
        return self._refuse_until

    def corrupt_next(self, frames: int) -> None:
        """The next `frames` frames sent by push servers are malformed."""
        self._malformed_budget = max(0, frames)

    def frame_sent(self) -> bool:
        """Count one outgoing frame; True when the push server must send it malformed."""
        self.stats.frames_sent += 1
        if self._malformed_budget > 0:
            self._malformed_budget -= 1
            self.stats.malformed_sent += 1
            return True
        return False

    def clear_faults(self) -> None:
        self._refuse_until = 0.0
        self._malformed_budget = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "connections": len(self._connections),
            "refusing_until": self._refuse_until
            if self._refuse_until > self._clock.now()
            else None,
            "malformed_pending": self._malformed_budget,
            "stats": {
                "connects": self.stats.connects,
                "refused": self.stats.refused,
                "dropped": self.stats.dropped,
                "frames_sent": self.stats.frames_sent,
                "malformed_sent": self.stats.malformed_sent,
            },
        }
