"""Constants of the Harvia integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "harvia"

CONF_DISCOVERY_URL: Final = "discovery_url"
CONF_REFRESH_TOKEN: Final = "refresh_token"  # noqa: S105  (a key name, not a secret)

# Polling: a slow watchdog and resync while push is healthy, the main source while it is not.
WATCHDOG_INTERVAL: Final = timedelta(minutes=30)
FALLBACK_INTERVAL: Final = timedelta(seconds=60)
# A sauna the polls cannot read keeps its last values this long, then turns unavailable.
STALE_AFTER: Final = 3 * FALLBACK_INTERVAL

SENSOR_CABIN: Final = "classic"  # a sauna sensor has one classic shadow instead of cabins
PARALLEL_REQUESTS: Final = 4  # REST calls in flight at once during a poll
STATISTICS_LOOKBACK: Final = timedelta(days=7)

SERVICE_START_SESSION: Final = "start_session"
ATTR_TEMPERATURE: Final = "temperature"
ATTR_HUMIDITY: Final = "humidity"
ATTR_DURATION: Final = "duration"
ATTR_PROFILE: Final = "profile"
