"""Constants of the Cayenne (myDevices) integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "cayenne"
MANUFACTURER: Final = "myDevices"

CONF_APP_KEY: Final = "app_key"
CONF_APP_SECRET: Final = "app_secret"  # noqa: S105
CONF_AUTH_FLOW: Final = "auth_flow"
CONF_AUTH_URL: Final = "auth_url"
CONF_API_URL: Final = "api_url"
CONF_MQTT_HOST: Final = "mqtt_host"
CONF_MQTT_PORT: Final = "mqtt_port"
CONF_MQTT_TLS: Final = "mqtt_tls"

# Polling: the main source while MQTT is down; a slow watchdog and resync while it works.
FALLBACK_INTERVAL: Final = timedelta(seconds=60)
WATCHDOG_INTERVAL: Final = timedelta(minutes=15)
# Every channel's latest value is read again this often, whatever push and last_online say.
FULL_RESYNC: Final = timedelta(hours=1)
# At most this many telemetry requests at once (an account may have hundreds of channels).
MAX_PARALLEL_REQUESTS: Final = 4
# A command counts as done when the thing reports the new value within this time.
COMMAND_CONFIRM_TIMEOUT: Final = 15.0
