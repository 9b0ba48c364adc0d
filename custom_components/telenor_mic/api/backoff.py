"""Reconnect backoff: exponential, with jitter, reset after a connection that held.

One source for every integration (common/ in the repository; scripts/sync_common.py copies it).
"""

from __future__ import annotations

import random


class Backoff:
    """Delays before reconnecting: `minimum`, doubling up to `maximum`, each shortened by up to
    `jitter` (a fraction) so that many clients do not come back at the same moment."""

    def __init__(self, minimum: float, maximum: float, *, jitter: float = 0.5) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.jitter = jitter
        self.failures = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts one more failure."""
        delay = min(self.maximum, self.minimum * 2.0 ** min(self.failures, 32))
        self.failures += 1
        return delay * random.uniform(1.0 - self.jitter, 1.0)  # noqa: S311  (not cryptography)

    def reset(self) -> None:
        """The connection held: the next failure starts from `minimum` again."""
        self.failures = 0
