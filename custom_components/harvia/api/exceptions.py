"""Errors of the MyHarvia client. Only `HarviaAuthError` means the credentials are wrong."""

from __future__ import annotations


class HarviaError(Exception):
    """Base class."""


class HarviaConnectionError(HarviaError):
    """The cloud could not be reached or answered with a transient error (5xx, 429, timeout)."""


class HarviaResponseError(HarviaConnectionError):
    """The cloud answered with something this client cannot read."""


class HarviaRateLimitError(HarviaConnectionError):
    """HTTP 429 or 503 with a Retry-After: ask again no sooner than `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(f"{message}; retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class HarviaAuthError(HarviaError):
    """The cloud rejected the credentials (or the refresh token and then the credentials)."""


class HarviaNoPasswordError(HarviaAuthError):
    """The account signs in with Apple or Google and has no password for this API."""


class HarviaCommandError(HarviaError):
    """A command, target or profile change was refused; `message` is the cloud's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HarviaUnsupportedError(HarviaCommandError):
    """The device type does not support this command (e.g. STEAMER on Fenix)."""


class HarviaDeviceUnavailableError(HarviaCommandError):
    """The device did not acknowledge in time (HTTP 504 'Device unavailable'), after retries."""


class HarviaRemoteNotAllowedError(HarviaCommandError):
    """The sauna refuses remote control (door open or remote control disabled on the panel)."""


class HarviaInvalidValueError(HarviaCommandError):
    """A value outside what the device accepts (temperature, humidity, duration, profile)."""
