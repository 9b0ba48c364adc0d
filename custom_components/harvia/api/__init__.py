"""Async client for the MyHarvia cloud (REST, tokens and AppSync push). No Home Assistant here:
this package is publishable on its own."""

from .client import DEFAULT_DISCOVERY_URL, HarviaClient
from .exceptions import (
    HarviaAuthError,
    HarviaCommandError,
    HarviaConnectionError,
    HarviaDeviceUnavailableError,
    HarviaError,
    HarviaInvalidValueError,
    HarviaNoPasswordError,
    HarviaRateLimitError,
    HarviaRemoteNotAllowedError,
    HarviaResponseError,
    HarviaUnsupportedError,
)
from .models import (
    CabinState,
    Command,
    Countdown,
    Device,
    Endpoints,
    MeasurementUpdate,
    Profile,
    StateUpdate,
    Telemetry,
)
from .push import HarviaPush

__all__ = [
    "DEFAULT_DISCOVERY_URL",
    "CabinState",
    "Command",
    "Countdown",
    "Device",
    "Endpoints",
    "HarviaAuthError",
    "HarviaClient",
    "HarviaCommandError",
    "HarviaConnectionError",
    "HarviaDeviceUnavailableError",
    "HarviaError",
    "HarviaInvalidValueError",
    "HarviaNoPasswordError",
    "HarviaPush",
    "HarviaRateLimitError",
    "HarviaRemoteNotAllowedError",
    "HarviaResponseError",
    "HarviaUnsupportedError",
    "MeasurementUpdate",
    "Profile",
    "StateUpdate",
    "Telemetry",
]
