"""The stack's Cognito user pool as the Cloud API exposes it: /auth/login and /auth/refresh,
and the authorizer that reads the id token from Authorization (raw, no "Bearer")."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from simulators.core import SimContext, TokenStatus

from . import errors
from .model import Stack, User, stable_uuid


async def json_object(request: web.Request) -> dict[str, Any]:
    """The JSON object sent; API Gateway's model check refuses anything else."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise errors.gateway_error(400, errors.INVALID_BODY)
    return body


class UserPoolAuth:
    def __init__(self, ctx: SimContext, settings: dict[str, Any]) -> None:
        self.ctx = ctx
        self.id_token_lifetime: float = settings["id_token_lifetime"]
        self.refresh_token_lifetime: float = settings["refresh_token_lifetime"]

    def authorize(self, request: web.Request, stack: Stack) -> User:
        """The user whose live id token the request carries (API Gateway's answers if none)."""
        token = request.headers.get("Authorization", "").strip()
        if not token:
            raise errors.gateway_error(403, errors.FORBIDDEN)
        check = self.ctx.tokens.check(token, "id")
        if check.status in (TokenStatus.EXPIRED, TokenStatus.REVOKED):
            raise errors.gateway_error(401, errors.TOKEN_EXPIRED)
        user = stack.users.get(check.subject or "") if check.valid else None
        if user is None or check.token is None or check.token.claims.get("iss") != stack.issuer:
            raise errors.gateway_error(401, errors.UNAUTHORIZED)
        identity = request.headers.get("identityId")
        if identity is not None and identity != user.identity_id:
            raise errors.gateway_error(403, errors.FORBIDDEN)
        return user

    def _id_token(self, user: User) -> str:
        stack = user.stack
        claims = {
            "sub": user.sub,
            "aud": stable_uuid(stack.user_pool, "app client").replace("-", "")[:26],
            "iss": stack.issuer,
            "cognito:username": user.username,
            "email": user.email,
            "email_verified": True,
            "auth_time": int(self.ctx.clock.now()),
        }
        subject = user.username.lower()
        issued = self.ctx.tokens.issue(
            "id", subject, self.id_token_lifetime, as_jwt=True, claims=claims
        )
        return issued.value

    async def login(self, request: web.Request, stack: Stack) -> web.Response:
        body = await json_object(request)
        user = stack.users.get(str(body.get("userName", "")).lower())
        if user is None or body.get("password") != user.password:
            raise errors.localizable("Incorrect username or password.", "INVALID_CREDENTIALS")
        refresh = self.ctx.tokens.issue(
            "refresh", user.username.lower(), self.refresh_token_lifetime
        )
        operations = ["READ"] if user.read_only else ["READ", "CREATE", "UPDATE", "DELETE"]
        return web.json_response(
            {
                "user": {
                    "userName": user.username,
                    "domainPath": user.domain.path,
                    "domainName": user.domain.name,
                    "roleName": user.role,
                    "firstName": user.first_name,
                    "lastName": user.last_name,
                    "email": user.email,
                    "data": {},
                },
                "credentials": {
                    "identityId": user.identity_id,
                    "token": self._id_token(user),
                    "refreshToken": refresh.value,
                },
                "permissions": {
                    kind: {user.domain.name: operations}
                    for kind in ("THING", "THING_TYPE", "DOMAIN")
                },
            }
        )

    async def refresh(self, request: web.Request, stack: Stack) -> web.Response:
        body = await json_object(request)
        value = body.get("refreshToken")
        check = self.ctx.tokens.check(value if isinstance(value, str) else "", "refresh")
        user = stack.users.get(check.subject or "") if check.valid else None
        if user is None:
            message = {
                TokenStatus.EXPIRED: "Refresh Token has expired",
                TokenStatus.REVOKED: "Refresh Token has been revoked",
            }.get(check.status, "Invalid Refresh Token")
            raise errors.localizable(message, "INVALID_REFRESH_TOKEN")
        # Cognito's refresh hands out a new id token and keeps the refresh token
        return web.json_response(
            {"credentials": {"identityId": user.identity_id, "token": self._id_token(user)}}
        )
