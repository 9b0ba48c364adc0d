"""Client of the Homely SDK (REST and Socket.IO); no Home Assistant imports."""

from .alarm import AlarmMode, alarm_mode, is_pending_alarm_state
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
    DeviceKind,
    Event,
    Home,
    Location,
    Reading,
    State,
    StateChange,
    parse_event,
)
from .push import HomelyPush

__all__ = [
    "DEFAULT_BASE_URL",
    "AlarmEvent",
    "AlarmMode",
    "Device",
    "DeviceEvent",
    "DeviceKind",
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
    "Reading",
    "State",
    "StateChange",
    "alarm_mode",
    "is_pending_alarm_state",
    "parse_event",
]
