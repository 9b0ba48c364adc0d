"""Cognito's GetCredentialsForIdentity and the SigV4 check of the MQTT websocket's presigned
URL: botocore-signed URLs get in, tampered, foreign, skewed and expired ones do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import time
from urllib.parse import quote

import aiohttp
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
import pytest

from simulators.core import SimulatorServer
from simulators.telenor_mic import sigv4

from .conftest import (
    TARGET,
    Api,
    aws_credentials,
    call,
    get_credentials,
    handshake,
    presign,
    websocket_url,
)

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


# --- the verifier against botocore -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("wss://a3demo7mic2sim-ats.iot.eu-west-1.amazonaws.com/mqtt", "FwoGZXIvYXdz+/=token"),
        ("ws://127.0.0.1:8123/mqtt", "a b&c=d%e"),
        ("https://example.com:8443/mqtt", "plain"),
    ],
)
def test_verifier_agrees_with_botocore(url: str, token: str) -> None:
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(Credentials("ASIAEXAMPLE", SECRET), "iotdevicegateway", "eu-west-1").add_auth(
        request
    )
    signed = f"{request.url}&X-Amz-Security-Token={quote(token, safe='')}"
    query = signed.partition("?")[2]
    host = url.split("/")[2].removesuffix(":443")
    presigned = sigv4.parse(query)
    assert presigned.session_token == token
    assert (presigned.access_key, presigned.region, presigned.service, presigned.expires) == (
        "ASIAEXAMPLE", "eu-west-1", "iotdevicegateway", 3600
    )  # fmt: skip
    sigv4.verify(presigned, SECRET, "GET", "/mqtt", {"host": host})
    sigv4.check_time(presigned, time.time())
    for wrong_secret, wrong_host, wrong_path in (
        ("x" + SECRET[1:], host, "/mqtt"),
        (SECRET, host + "x", "/mqtt"),
        (SECRET, host, "/mqtt2"),
    ):
        with pytest.raises(sigv4.PresignError, match="signature"):
            sigv4.verify(presigned, wrong_secret, "GET", wrong_path, {"host": wrong_host})


def test_verifier_refuses_malformed_urls() -> None:
    request = AWSRequest(method="GET", url="ws://h/mqtt")
    SigV4QueryAuth(Credentials("AKID", SECRET), "iotdevicegateway", "eu-west-1").add_auth(request)
    query = request.url.partition("?")[2]
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature"):
        without = "&".join(f"{k}={v}" for k, v in params.items() if k != name)
        with pytest.raises(sigv4.PresignError, match="missing"):
            sigv4.parse(without)
    with pytest.raises(sigv4.PresignError, match="twice"):
        sigv4.parse(query + "&X-Amz-Date=" + params["X-Amz-Date"])
    with pytest.raises(sigv4.PresignError, match="algorithm"):
        sigv4.parse(query.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"))
    presigned = sigv4.parse(query)
    with pytest.raises(sigv4.PresignError, match="not yet current"):
        sigv4.check_time(presigned, time.time() + 16 * 60)
    with pytest.raises(sigv4.PresignError, match="not yet current"):
        sigv4.check_time(presigned, time.time() - 16 * 60)
    short = sigv4.parse(query.replace("X-Amz-Expires=3600", "X-Amz-Expires=60"))
    with pytest.raises(sigv4.PresignError, match="X-Amz-Expires"):
        sigv4.check_time(short, time.time() + 120)


# --- Cognito ----------------------------------------------------------------------------------------
async def test_credentials_for_the_identity(mic: SimulatorServer, owner: Api, lab: Api) -> None:
    async with owner.http.post(
        mic.url + "/",
        json={
            "IdentityId": owner.identity_id,
            "Logins": {"cognito-idp.eu-west-1.amazonaws.com/eu-west-1_DemoPool1": owner.token},
        },
        headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
    ) as response:
        assert response.status == 200
        assert response.content_type == "application/x-amz-json-1.1"
        body = await response.json(content_type=None)
    assert body["IdentityId"] == owner.identity_id
    credentials = body["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert len(credentials["SecretKey"]) == 40
    assert credentials["Expiration"] == 1_790_000_000.0 + 3600
    # the other stack's pool (UserPoolId in its manifest) works the same way
    status, body = await get_credentials(lab, mic.url)
    assert status == 200, body


async def test_cognito_refusals(mic: SimulatorServer, owner: Api, lab: Api) -> None:
    provider = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_DemoPool1"
    cases = [
        ({"identity": "eu-west-1:00000000-0000-0000-0000-000000000000"}, "ResourceNotFoundException"),
        ({"logins": {}}, "NotAuthorizedException"),
        ({"logins": {"cognito-idp.eu-west-1.amazonaws.com/other": owner.token}}, "NotAuthorizedException"),
        ({"logins": {provider: "not-a-token"}}, "NotAuthorizedException"),
        ({"logins": {provider: lab.token}}, "NotAuthorizedException"),
        ({"identity": lab.identity_id, "logins": {provider: owner.token}}, "NotAuthorizedException"),
    ]  # fmt: skip
    for options, kind in cases:
        status, body = await get_credentials(owner, mic.url, **options)
        assert (status, body["__type"]) == (400, kind), options
    status, body = await call(
        owner.http, "POST", mic.url + "/", json={"Logins": {}}, headers={"X-Amz-Target": TARGET}
    )
    assert (status, body["__type"]) == (400, "InvalidParameterException")
    status, body = await call(
        owner.http, "POST", mic.url + "/", json={},
        headers={"X-Amz-Target": "AWSCognitoIdentityService.GetId"},
    )  # fmt: skip
    assert (status, body) == (400, {"__type": "UnknownOperationException"})
    mic.ctx.clock.advance(3601)
    status, body = await get_credentials(owner, mic.url)
    assert (status, body) == (
        400,
        {"__type": "NotAuthorizedException", "message": "Invalid login token. Token expired."},
    )


# --- the websocket's door ------------------------------------------------------------------------
async def test_a_botocore_presigned_url_opens_the_websocket(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api
) -> None:
    credentials = await aws_credentials(owner, mic.url)
    url = presign(websocket_url(mic), credentials)
    assert await handshake(http, url) == 101
    # signed a few minutes off (client clocks drift) is fine
    skewed = datetime.now(UTC) - timedelta(minutes=10)
    assert await handshake(http, presign(websocket_url(mic), credentials, signed_at=skewed)) == 101


async def test_refused_presigned_urls(
    mic: SimulatorServer, http: aiohttp.ClientSession, owner: Api, lab: Api
) -> None:
    credentials = await aws_credentials(owner, mic.url)
    base = websocket_url(mic)
    good = presign(base, credentials)
    signature = good.split("X-Amz-Signature=")[1].split("&")[0]
    tampered = good.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    without_token = good.split("&X-Amz-Security-Token=")[0]
    other_token = without_token + "&X-Amz-Security-Token=" + quote("x" * 300, safe="")
    unencoded_token = without_token + "&X-Amz-Security-Token=" + credentials["SessionToken"]
    foreign = await aws_credentials(lab, mic.url)
    mixed = presign(base, {**credentials, "SessionToken": foreign["SessionToken"]})
    unknown = presign(base, {**credentials, "AccessKeyId": "ASIAUNKNOWN000000000"})
    wrong_secret = presign(base, {**credentials, "SecretKey": foreign["SecretKey"]})
    wrong_region = presign(base, credentials, region="us-east-1")
    late = presign(base, credentials, signed_at=datetime.now(UTC) - timedelta(minutes=16))
    early = presign(base, credentials, signed_at=datetime.now(UTC) + timedelta(minutes=16))
    other_host = presign(base.replace("127.0.0.1", "localhost"), credentials).replace(
        "localhost", "127.0.0.1"
    )
    token_signed = _signed_with_token(base, credentials)
    for name, url in {
        "tampered": tampered,
        "no token": without_token,
        "other token": other_token,
        "token not URL-encoded": unencoded_token,
        "another user's token": mixed,
        "unknown key": unknown,
        "wrong secret": wrong_secret,
        "wrong region": wrong_region,
        "16 minutes late": late,
        "16 minutes early": early,
        "signed for another host": other_host,
        "token signed too": token_signed,
        "no query": base,
    }.items():
        assert await handshake(http, url) == 403, name
    assert await handshake(http, good) == 101
    # credentials expire on the simulated clock
    mic.ctx.clock.advance(3600)
    assert await handshake(http, presign(base, credentials)) == 403


def _signed_with_token(url: str, credentials: dict[str, str]) -> str:
    """botocore's own way (the token inside the signature): not how AWS IoT wants it."""
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(
        Credentials(
            credentials["AccessKeyId"], credentials["SecretKey"], credentials["SessionToken"]
        ),
        "iotdevicegateway",
        "eu-west-1",
    ).add_auth(request)
    return request.url
