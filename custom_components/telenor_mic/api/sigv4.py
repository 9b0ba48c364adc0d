"""AWS Signature Version 4 query signing (a presigned URL) for AWS IoT's MQTT websocket.

Signed as AWS IoT expects it from browsers and device SDKs: method GET, only the `host` header
signed, the payload hash that of an empty body, and the session token appended after signing
(AWS IoT does not accept it inside the signature). Standard library only.
"""

from __future__ import annotations

from datetime import UTC, datetime
import hashlib
import hmac
from urllib.parse import parse_qsl, quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
DEFAULT_SERVICE = "iotdevicegateway"
EMPTY_PAYLOAD_HASH = hashlib.sha256(b"").hexdigest()
MAX_EXPIRES = 7 * 24 * 3600
# A default port is not part of the Host header (paho, browsers), so not of the signature.
_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


def _encode(value: str) -> str:
    """RFC 3986 percent-encoding, as SigV4 canonicalises query keys and values."""
    return quote(value, safe="-_.~")


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signed_host(url: str) -> str:
    """The Host header a client sends for `url`: lower-case, without a default port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret_key}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def presign_url(
    url: str,
    *,
    access_key: str,
    secret_key: str,
    session_token: str | None,
    region: str,
    service: str = DEFAULT_SERVICE,
    now: datetime,
    expires: int | None = None,
) -> str:
    """`url` (ws, wss, http or https; any query it has is signed too) with the SigV4 query
    parameters, the signature, and then the session token. `now` without a zone is UTC."""
    if expires is not None and not 1 <= expires <= MAX_EXPIRES:
        raise ValueError(f"expires must be between 1 and {MAX_EXPIRES} seconds")
    parts = urlsplit(url)
    moment = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    scope = f"{date}/{region}/{service}/aws4_request"
    params = parse_qsl(parts.query, keep_blank_values=True)
    params += [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{access_key}/{scope}"),
        ("X-Amz-Date", amz_date),
    ]
    if expires is not None:
        params.append(("X-Amz-Expires", str(expires)))
    params.append(("X-Amz-SignedHeaders", "host"))
    query = "&".join(
        f"{key}={value}"
        for key, value in sorted((_encode(key), _encode(value)) for key, value in params)
    )
    canonical_request = "\n".join(
        (
            "GET",
            quote(parts.path or "/", safe="/~"),
            query,
            f"host:{signed_host(url)}\n",
            "host",
            EMPTY_PAYLOAD_HASH,
        )
    )
    string_to_sign = "\n".join(
        (ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest())
    )
    signature = hmac.new(
        signing_key(secret_key, date, region, service), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    query += f"&X-Amz-Signature={signature}"
    if session_token:
        query += f"&X-Amz-Security-Token={_encode(session_token)}"
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}?{query}"
