"""Cognito Identity's GetCredentialsForIdentity: an identity plus its user pool id token in,
temporary AWS credentials (for the IoT websocket) out. They expire on the simulated clock."""

from __future__ import annotations

import base64
from dataclasses import dataclass
import json
import secrets
import string
from typing import Any

from aiohttp import web

from simulators.core import SimContext, TokenStatus

from .cloud import MicCloud
from .model import User

TARGET_PREFIX = "AWSCognitoIdentityService."
GET_CREDENTIALS = "GetCredentialsForIdentity"
CONTENT_TYPE = "application/x-amz-json-1.1"
_KEY_ALPHABET = string.ascii_uppercase + "234567"


@dataclass(slots=True, eq=False)
class AwsCredentials:
    access_key_id: str
    secret_key: str
    session_token: str
    expiration: float  # simulated epoch seconds
    user: User

    def expired(self, now: float) -> bool:
        return now >= self.expiration


def _session_token() -> str:
    """Long base64 like an STS session token, always with the characters (+ / =) a client
    must URL-encode when it appends the token to the presigned URL."""
    head = base64.b64encode(secrets.token_bytes(120)).decode()
    tail = base64.b64encode(secrets.token_bytes(100)).decode()
    return f"IQoJb3JpZ2luX2Vj{head}+/{tail}"


class CredentialStore:
    """The temporary credentials handed out, by access key id."""

    def __init__(self, ctx: SimContext, lifetime: float) -> None:
        self.ctx = ctx
        self.lifetime = lifetime
        self.by_key: dict[str, AwsCredentials] = {}

    def issue(self, user: User) -> AwsCredentials:
        credentials = AwsCredentials(
            access_key_id="ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)),
            secret_key=base64.b64encode(secrets.token_bytes(30)).decode(),
            session_token=_session_token(),
            expiration=self.ctx.clock.now() + self.lifetime,
            user=user,
        )
        self.by_key[credentials.access_key_id] = credentials
        return credentials

    def get(self, access_key_id: str) -> AwsCredentials | None:
        return self.by_key.get(access_key_id)

    def expire(self, username: str | None = None) -> list[AwsCredentials]:
        """Let the credentials (of one user) expire now."""
        now = self.ctx.clock.now()
        expired = [
            c
            for c in self.by_key.values()
            if not c.expired(now) and (username is None or c.user.username.lower() == username)
        ]
        for credentials in expired:
            credentials.expiration = now
        return expired


class CognitoError(Exception):
    """An answer of Cognito's own error shape: `{"__type", "message"?}`, HTTP 400."""

    def __init__(self, kind: str, message: str | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.message = message

    def response(self) -> web.Response:
        body: dict[str, Any] = {"__type": self.kind}
        if self.message is not None:
            body["message"] = self.message
        return web.json_response(body, status=400, content_type=CONTENT_TYPE)


class CognitoIdentity:
    def __init__(self, cloud: MicCloud, credentials: CredentialStore) -> None:
        self.cloud = cloud
        self.ctx = cloud.ctx
        self.credentials = credentials

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("X-Amz-Target", "") != TARGET_PREFIX + GET_CREDENTIALS:
            return CognitoError("UnknownOperationException").response()
        try:
            identity_id, logins = _parameters(await request.text())
            user = self._authorize(identity_id, logins)
        except CognitoError as err:
            return err.response()
        issued = self.credentials.issue(user)
        return web.json_response(
            {
                "IdentityId": identity_id,
                "Credentials": {
                    "AccessKeyId": issued.access_key_id,
                    "SecretKey": issued.secret_key,
                    "SessionToken": issued.session_token,
                    "Expiration": float(issued.expiration),
                },
            },
            content_type=CONTENT_TYPE,
        )

    def _authorize(self, identity_id: str, logins: dict[str, Any]) -> User:
        """The identity's user, if `logins` holds a live id token of it from its user pool."""
        user = self.cloud.identity(identity_id)
        if user is None:
            raise CognitoError("ResourceNotFoundException", f"Identity '{identity_id}' not found.")
        if not logins:
            raise CognitoError(
                "NotAuthorizedException",
                "Logins don't match. Please include at least one valid login for this identity "
                "or identity pool.",
            )
        token = logins.get(user.stack.login_provider)
        if not isinstance(token, str):
            raise CognitoError(
                "NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName"
            )
        check = self.ctx.tokens.check(token, "id")
        if check.status in (TokenStatus.EXPIRED, TokenStatus.REVOKED):
            raise CognitoError("NotAuthorizedException", "Invalid login token. Token expired.")
        issuer = check.token.claims.get("iss") if check.token is not None else None
        if not check.valid or issuer != user.stack.issuer:
            raise CognitoError(
                "NotAuthorizedException",
                "Invalid login token. Not a valid OpenId Connect identity token.",
            )
        if check.subject != user.username.lower():
            raise CognitoError(
                "NotAuthorizedException", f"Access to Identity '{identity_id}' is forbidden."
            )
        return user


def _parameters(text: str) -> tuple[str, dict[str, Any]]:
    """IdentityId and Logins from the request body."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    identity_id = body.get("IdentityId") if isinstance(body, dict) else None
    logins = body.get("Logins", {}) if isinstance(body, dict) else None
    if not isinstance(identity_id, str) or not identity_id or not isinstance(logins, dict):
        raise CognitoError(
            "InvalidParameterException",
            "1 validation error detected: Value null at 'identityId' failed to satisfy "
            "constraint: Member must not be null",
        )
    return identity_id, logins
