"""Reading a server's Retry-After header, which every cloud client honours.

One source for every integration (common/ in the repository; scripts/sync_common.py copies it).
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime
import math

MAX_RETRY_AFTER_S = 3600.0  # a longer ask is an error on the cloud's side; try hourly then


def retry_after(header: str | None, now: datetime) -> float | None:
    """A Retry-After header's delay in seconds (delta-seconds or an HTTP date), bounded to
    what a poll can sensibly wait; None when absent or unreadable."""
    if not header:
        return None
    try:
        delay = float(header)
    except ValueError:
        try:
            delay = (parsedate_to_datetime(header) - now).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not math.isfinite(delay):
        return None
    return min(max(delay, 1.0), MAX_RETRY_AFTER_S)
