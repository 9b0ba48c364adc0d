"""Constants of the Homely integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "homely"

CONF_BASE_URL: Final = "base_url"
CONF_LOCATION_ID: Final = "location_id"

# Polling: a slow watchdog and resync while the socket is healthy (some installations stream
# only part of the features), the main source while it is not.
WATCHDOG_INTERVAL: Final = timedelta(minutes=10)
FALLBACK_INTERVAL: Final = timedelta(seconds=60)
# How long the socket alone keeps the data fresh after polls began to fail: three missed
# watchdog polls. Without the socket a failed poll makes the data stale at once.
STALE_AFTER: Final = timedelta(minutes=30)

MANUFACTURER: Final = "Homely"
