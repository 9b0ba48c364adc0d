"""Errors of the Homely SDK client. Only `HomelyAuthError` means the credentials are wrong."""

from __future__ import annotations


class HomelyError(Exception):
    """Base class."""


class HomelyConnectionError(HomelyError):
    """The cloud could not be reached or answered with a transient error (5xx, timeout)."""


class HomelyResponseError(HomelyConnectionError):
    """The cloud answered with something this client cannot read."""


class HomelyRequestError(HomelyConnectionError):
    """HTTP 400: the cloud refused a request as malformed; not a verdict on the credentials."""


class HomelyRateLimitError(HomelyConnectionError):
    """HTTP 429: the client holds back every request until `retry_after` seconds have passed."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited by the Homely cloud; next request in {retry_after:.0f} s")
        self.retry_after = retry_after


class HomelyAuthError(HomelyError):
    """The cloud rejected the username or password."""


class HomelyAccessError(HomelyError):
    """HTTP 403: the user has no access to this home (any more)."""
