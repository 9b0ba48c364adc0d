"""Checking an AWS Signature Version 4 presigned URL, as AWS IoT's device gateway does for
MQTT over websockets.

The client signs `GET /mqtt` with the query parameters X-Amz-Algorithm, -Credential, -Date,
-SignedHeaders (and optionally -Expires), signed header `host`, payload hash = SHA-256 of the
empty string; it appends X-Amz-Signature, and then X-Amz-Security-Token, which is therefore not
part of what was signed. The signature is recomputed here from the request as received.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import hashlib
import hmac
from urllib.parse import quote, unquote_plus

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "iotdevicegateway"
TERMINATOR = "aws4_request"
MAX_SKEW_S = 15 * 60  # X-Amz-Date this far from the server's clock at most
MAX_EXPIRES_S = 7 * 86400
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
SIGNATURE = "X-Amz-Signature"
SECURITY_TOKEN = "X-Amz-Security-Token"  # noqa: S105  (a parameter name)
_REQUIRED = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", SIGNATURE)


class PresignError(ValueError):
    """Why a presigned URL is refused."""


@dataclass(frozen=True, slots=True)
class Presigned:
    access_key: str
    signed_at: datetime
    scope: str  # <yyyymmdd>/<region>/<service>/aws4_request
    region: str
    service: str
    signed_headers: tuple[str, ...]
    expires: int | None
    signature: str
    session_token: str | None
    canonical_query: str  # what the client signed: every parameter but the last two


def _uri_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def _parameters(raw_query: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Every (name, value) decoded, and the X-Amz-* ones by name (each at most once)."""
    params: list[tuple[str, str]] = []
    for pair in raw_query.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            params.append((unquote_plus(key), unquote_plus(value)))  # a bare + is a space
    found: dict[str, str] = {}
    for key, value in params:
        if key.startswith("X-Amz-"):
            if key in found:
                raise PresignError(f"{key} appears twice")
            found[key] = value
    missing = [key for key in _REQUIRED if not found.get(key)]
    if missing:
        raise PresignError(f"missing {', '.join(missing)}")
    return params, found


def _expires(found: dict[str, str]) -> int | None:
    raw = found.get("X-Amz-Expires")
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_EXPIRES_S:
        raise PresignError("X-Amz-Expires must be 1 to 604800 seconds")
    return int(raw)


def parse(raw_query: str) -> Presigned:
    """Read the presigned parameters from a raw (still percent-encoded) query string."""
    params, found = _parameters(raw_query)
    if found["X-Amz-Algorithm"] != ALGORITHM:
        raise PresignError(f"unsupported algorithm {found['X-Amz-Algorithm']}")
    try:
        signed_at = datetime.strptime(found["X-Amz-Date"], DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise PresignError("X-Amz-Date is not yyyymmddTHHMMSSZ") from None
    access_key, slash, scope = found["X-Amz-Credential"].partition("/")
    parts = scope.split("/")
    if not slash or not access_key or len(parts) != 4 or parts[3] != TERMINATOR:
        raise PresignError("X-Amz-Credential is not <key>/<date>/<region>/<service>/aws4_request")
    if parts[0] != found["X-Amz-Date"][:8]:
        raise PresignError("the credential scope's date is not X-Amz-Date's")
    signed = tuple(found["X-Amz-SignedHeaders"].split(";"))
    if "host" not in signed or list(signed) != sorted(signed):
        raise PresignError("X-Amz-SignedHeaders must be sorted and include host")
    canonical = "&".join(
        f"{_uri_encode(k)}={_uri_encode(v)}"
        for k, v in sorted(params)
        if k not in (SIGNATURE, SECURITY_TOKEN)
    )
    return Presigned(
        access_key=access_key,
        signed_at=signed_at,
        scope=scope,
        region=parts[1],
        service=parts[2],
        signed_headers=signed,
        expires=_expires(found),
        signature=found[SIGNATURE].lower(),
        session_token=found.get(SECURITY_TOKEN),
        canonical_query=canonical,
    )


def check_time(presigned: Presigned, wall_now: float) -> None:
    """Refuse a signature made too far from now, or one whose X-Amz-Expires has passed."""
    signed = presigned.signed_at.timestamp()
    if abs(wall_now - signed) > MAX_SKEW_S:
        raise PresignError("Signature expired or not yet current (X-Amz-Date)")
    if presigned.expires is not None and wall_now > signed + presigned.expires:
        raise PresignError("Signature expired (X-Amz-Expires)")


def _canonical_headers(headers: Mapping[str, str], names: tuple[str, ...]) -> str:
    lines = []
    for name in names:
        value = headers.get(name)
        if value is None:
            raise PresignError(f"signed header {name} is missing from the request")
        lines.append(f"{name}:{' '.join(value.split())}\n")
    return "".join(lines)


def signature(
    presigned: Presigned, secret_key: str, method: str, path: str, headers: Mapping[str, str]
) -> str:
    """The signature the client should have sent for this request."""
    canonical_request = "\n".join(
        (
            method.upper(),
            quote(path or "/", safe="/-_.~"),
            presigned.canonical_query,
            _canonical_headers(headers, presigned.signed_headers),
            ";".join(presigned.signed_headers),
            EMPTY_SHA256,
        )
    )
    string_to_sign = "\n".join(
        (
            ALGORITHM,
            presigned.signed_at.strftime(DATE_FORMAT),
            presigned.scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        )
    )
    key = f"AWS4{secret_key}".encode()
    for part in presigned.scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(
    presigned: Presigned, secret_key: str, method: str, path: str, headers: Mapping[str, str]
) -> None:
    expected = signature(presigned, secret_key, method, path, headers)
    if not hmac.compare_digest(expected, presigned.signature):
        raise PresignError("The request signature we calculated does not match")
