"""The SigV4 presigner against botocore's (a test dependency only: the client never imports it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from unittest.mock import patch
from urllib.parse import parse_qs, quote, urlsplit

from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import pytest

from custom_components.telenor_mic.api.sigv4 import presign_url, signed_host

from .broker import IotQueryAuth, botocore_signature

NOW = datetime(2026, 3, 1, 12, 34, 56, tzinfo=UTC)
HOSTS = [
    ("wss://a1b2c3d4e5-ats.iot.eu-west-1.amazonaws.com/mqtt", "https://a1b2c3d4e5-ats.iot.eu-west-1.amazonaws.com/mqtt"),
    ("wss://a1b2c3d4e5-ats.iot.eu-west-1.amazonaws.com:443/mqtt", "https://a1b2c3d4e5-ats.iot.eu-west-1.amazonaws.com/mqtt"),
    ("wss://localstack.example:4566/mqtt", "https://localstack.example:4566/mqtt"),
    ("ws://127.0.0.1:8123/mqtt", "http://127.0.0.1:8123/mqtt"),
    ("ws://127.0.0.1:80/mqtt", "http://127.0.0.1/mqtt"),
    ("wss://Upper.Example.COM/mqtt", "https://upper.example.com/mqtt"),
]  # fmt: skip
SECRETS = [
    ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FwoGZXIvYXdzEJr//////////wEaD+abc=="),
    ("ASIA0001", "se/cr+et==", "a+b/c=d e&f"),
    ("ASIA0002", "plain", ""),
]  # fmt: skip


def botocore_url(
    url: str, access: str, secret: str, region: str, expires: int, now: datetime
) -> str:
    """botocore's presigned URL for the same request (no token: AWS IoT takes it after signing)."""
    request = AWSRequest(method="GET", url=url)
    auth = IotQueryAuth(Credentials(access, secret), "iotdevicegateway", region, expires=expires)
    with patch("botocore.auth.get_current_datetime", return_value=now.replace(tzinfo=None)):
        auth.add_auth(request)
    return str(request.url)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.mark.parametrize(("url", "boto_url"), HOSTS)
@pytest.mark.parametrize(("access", "secret", "token"), SECRETS)
@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1"])
def test_signatures_match_botocore(
    url: str, boto_url: str, access: str, secret: str, token: str, region: str
) -> None:
    mine = presign_url(url, access_key=access, secret_key=secret, session_token=token or None,
                       region=region, now=NOW, expires=300)  # fmt: skip
    theirs = botocore_url(boto_url, access, secret, region, 300, NOW)
    ours = query(mine)
    expected = query(theirs)
    assert ours.pop("X-Amz-Security-Token", "") == token
    assert ours == expected
    # the token comes last, after the signature, percent-encoded
    signed = mine.split("&X-Amz-Security-Token=")[0]
    assert signed.endswith("&X-Amz-Signature=" + expected["X-Amz-Signature"])
    if token:
        assert mine.endswith("&X-Amz-Security-Token=" + quote(token, safe=""))
    assert mine.startswith(url.split("/mqtt")[0] + "/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&")


@pytest.mark.parametrize(("url", "boto_url"), HOSTS)
def test_without_expires_botocore_canonicalisation_agrees(url: str, boto_url: str) -> None:
    """The client signs without X-Amz-Expires (as AWS IoT's examples do); botocore's own
    canonical request and signing code, fed the same query, gives the same signature."""
    mine = presign_url(url, access_key="AK", secret_key="s/k+", session_token="t+/=",
                       region="eu-west-1", now=NOW)  # fmt: skip
    params = query(mine)
    assert "X-Amz-Expires" not in params
    assert params["X-Amz-Signature"] == botocore_signature(
        signed_host(url), params, "s/k+", "eu-west-1"
    )


def test_signing_details() -> None:
    local = datetime(2026, 3, 1, 13, 34, 56, tzinfo=timezone(timedelta(hours=1)))
    naive = NOW.replace(tzinfo=None)
    urls = {presign_url("wss://h/mqtt", access_key="A", secret_key="S", session_token=None,
                        region="r", now=moment) for moment in (NOW, local, naive)}  # fmt: skip
    assert len(urls) == 1  # the same moment, however given
    (url,) = urls
    assert "X-Amz-Security-Token" not in url
    assert query(url)["X-Amz-Date"] == "20260301T123456Z"
    later = presign_url("wss://h/mqtt", access_key="A", secret_key="S", session_token=None,
                        region="r", now=NOW + timedelta(seconds=1))  # fmt: skip
    assert query(later)["X-Amz-Signature"] != query(url)["X-Amz-Signature"]
    extra = presign_url("wss://h/mqtt?client=1", access_key="A", secret_key="S",
                        session_token=None, region="r", now=NOW)  # fmt: skip
    assert query(extra)["client"] == "1"  # a query the URL had is kept, and signed
    assert query(extra)["X-Amz-Signature"] != query(url)["X-Amz-Signature"]
    bare = presign_url(
        "ws://h", access_key="A", secret_key="S", session_token=None, region="r", now=NOW
    )
    assert bare.startswith("ws://h/?")
    assert signed_host("wss://[::1]:8443/mqtt") == "[::1]:8443"
    for expires in (0, 7 * 24 * 3600 + 1):
        with pytest.raises(ValueError):
            presign_url("wss://h/mqtt", access_key="A", secret_key="S", session_token=None,
                        region="r", now=NOW, expires=expires)  # fmt: skip
