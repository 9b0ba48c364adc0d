"""Constants of the Telenor Managed IoT Cloud integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "telenor_mic"
MANUFACTURER: Final = "Telenor Managed IoT Cloud"

CONF_MANIFEST_URL: Final = "manifest_url"
CONF_AWS_ENDPOINT: Final = "aws_endpoint"

# Polling: the main source while MQTT is down; a slow watchdog and resync while it works.
FALLBACK_INTERVAL: Final = timedelta(seconds=60)
WATCHDOG_INTERVAL: Final = timedelta(minutes=15)
# Thing types (resources, labels) change rarely: read again this often.
THING_TYPES_REFRESH: Final = timedelta(hours=6)
# A desired write counts as done when the thing reports the value within this time.
WRITE_CONFIRM_TIMEOUT: Final = 15.0
# Without MQTT a write's result is read back this often until confirmed.
WRITE_READ_BACK_INTERVAL: Final = 2.0
# How far back the import of observations into long-term statistics reaches: to fill the hours
# Home Assistant was down, and (shorter: every report is one row to download, and MIC offers no
# hourly aggregates) for a sensor that has no statistics yet.
STATISTICS_LOOKBACK: Final = timedelta(days=2)
STATISTICS_FIRST_IMPORT: Final = timedelta(hours=6)
# Things per observations request (each may hold many reports per hour).
STATISTICS_THINGS_PER_QUERY: Final = 10
