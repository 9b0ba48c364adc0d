"""Client of the Homely SDK (REST and Socket.IO); no Home Assistant imports."""

from .client import DEFAULT_BASE_URL, HomelyClient, RateLimitGate
from .exceptions import (
    HomelyAccessError,
    HomelyAuthError,
    HomelyConnectionError,
    HomelyError,
    HomelyRateLimitError,
    HomelyRequestError,
    HomelyResponseError,
)
from .models import (
    AlarmEvent,
    Device,
    DeviceEvent,
    Event,
    Home,
    Location,
    State,
    StateChange,
    is_pending_alarm_state,
    parse_event,
)
from .push import HomelyPush

__all__ = [
    "DEFAULT_BASE_URL",
    "AlarmEvent",
    "Device",
    "DeviceEvent",
    "Event",
    "Home",
    "HomelyAccessError",
    "HomelyAuthError",
    "HomelyClient",
    "HomelyConnectionError",
    "HomelyError",
    "HomelyPush",
    "HomelyRateLimitError",
    "HomelyRequestError",
    "HomelyResponseError",
    "Location",
    "RateLimitGate",
    "State",
    "StateChange",
    "is_pending_alarm_state",
    "parse_event",
]
