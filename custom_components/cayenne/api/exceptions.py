"""Errors of the Cayenne client. Only `CayenneAuthError` means the credentials are wrong."""

from __future__ import annotations


class CayenneError(Exception):
    """Base class."""


class CayenneConnectionError(CayenneError):
    """The cloud could not be reached or answered with a transient error (5xx, timeout)."""


class CayenneResponseError(CayenneConnectionError):
    """The cloud answered with something this client cannot read."""


class CayenneRateLimitError(CayenneConnectionError):
    """HTTP 429, or 503 with a Retry-After: ask again no sooner than `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(f"{message}; retry after {retry_after:.0f} s")
        self.retry_after = retry_after


class CayenneAuthError(CayenneError):
    """The cloud rejected the credentials: email and password, or App Key and App Secret."""


class CayenneCommandError(CayenneError):
    """The cloud refused a command or a rule change; `message` is the cloud's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
