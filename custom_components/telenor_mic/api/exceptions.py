"""Errors of the Telenor MIC client. Only `MicAuthError` says the user name or password is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class MicError(Exception):
    """Base class."""


class MicConnectionError(MicError):
    """The cloud could not be reached or answered with a transient error (5xx, timeout, a body
    that is not JSON at all)."""


class MicTooDeepError(MicConnectionError):
    """An answer nested beyond what any JSON reader reads: one row of it may be to blame, and a
    smaller page without that row reads."""


class MicRateLimitError(MicConnectionError):
    """HTTP 429: ask again no sooner than `retry_after` seconds (None: the cloud named no delay)."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        if retry_after is not None:
            message = f"{message}; retry after {retry_after:.0f} s"
        super().__init__(message)
        self.retry_after = retry_after


class MicAuthError(MicError):
    """The cloud rejected the user name and password (never transient)."""


class ManifestProblem(StrEnum):
    """Why no API could be found for an App Board host."""

    UNKNOWN_HOST = "unknown_host"  # the manifest service knows no such host
    UNUSABLE = "unusable"  # a manifest came, but without what the client needs


class MicManifestError(MicError):
    """No usable manifest for the App Board host; `reason` is a `ManifestProblem`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class MicResponseError(MicError):
    """A body that does not parse into the model."""


class MicRequestError(MicError):
    """The cloud refused a request with a LocalizableError (or its plain-text form)."""

    def __init__(
        self,
        status: int,
        message: str,
        message_key: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        key = f" [{message_key}]" if message_key else ""
        super().__init__(f"HTTP {status}{key}: {message}")
        self.status = status
        self.message = message
        self.message_key = message_key
        self.params: Mapping[str, object] = dict(params or {})


class MicNotAuthorizedError(MicRequestError):
    """messageKey NOT_AUTHORIZED: the user's role may not do this (a read-only role writing)."""


class MicNotFoundError(MicRequestError):
    """HTTP 404 or a *_NOT_FOUND messageKey."""


class MicWriteError(MicError):
    """A desired-state write was refused, not acknowledged, or cannot be encoded (`reason`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
