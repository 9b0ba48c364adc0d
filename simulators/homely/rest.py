"""The Homely SDK's REST endpoints: OAuth-like tokens, locations and homes, with its errors."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from simulators.core import InvalidBodyError, json_body, json_error

from .cloud import HomelyCloud

API = "/homely"


def error(status: int, message: str | list[str]) -> web.Response:
    """The SDK's (NestJS) error shape."""
    return json_error(status, {"statusCode": status, "message": message})


def too_many_requests(retry_after: int) -> web.Response:
    return json_error(
        429,
        {
            "statusCode": 429,
            "message": "ThrottlerException: Too Many Requests",
            "retryAfter": retry_after,
        },
        headers={"Retry-After": str(retry_after)},
    )


class HomelyRest:
    """Route handlers; the locations and home endpoints need a valid access token."""

    def __init__(self, cloud: HomelyCloud) -> None:
        self.cloud = cloud

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(f"{API}/oauth/token", self.token)
        app.router.add_post(f"{API}/oauth/refresh-token", self.refresh)
        app.router.add_get(f"{API}/locations", self.locations)
        app.router.add_get(f"{API}/home/{{location_id}}", self.home)

    # --- helpers ---------------------------------------------------------------------------
    def _tokens(self, username: str) -> web.Response:
        data = self.cloud.data
        tokens = self.cloud.ctx.tokens
        access = tokens.issue("access", username, data["access_token_lifetime"], as_jwt=True)
        refresh = tokens.issue("refresh", username, data["refresh_token_lifetime"])
        body = {
            "access_token": access.value,
            "expires_in": data["access_token_lifetime"],
            "refresh_expires_in": data["refresh_token_lifetime"],
            "refresh_token": refresh.value,
            "token_type": "bearer",
            "not-before-policy": 1618215605,
            "session_state": access.value[-36:],
            "scope": "",
        }
        if not data["token_refresh_expires_in"]:
            del body["refresh_expires_in"]
        return web.json_response(body, status=201)

    def _limited(self, key: str) -> web.Response | None:
        retry_after = self.cloud.limiter.check(key.lower(), self.cloud.ctx.clock.now())
        return None if retry_after is None else too_many_requests(retry_after)

    @staticmethod
    async def _json(request: web.Request) -> dict[str, Any]:
        """The body, or {} when it is not a JSON object: the fields' checks then answer 400."""
        try:
            return await json_body(request)
        except InvalidBodyError:
            return {}

    def _bearer(self, request: web.Request) -> tuple[str | None, web.Response | None]:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        check = self.cloud.ctx.tokens.check(token, "access")
        if not check.valid or check.subject is None:
            return None, error(401, "Unauthorized")
        return check.subject, self._limited(check.subject)

    # --- auth --------------------------------------------------------------------------------
    async def token(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        missing = [
            f"{name} must be a string"
            for name in ("username", "password")
            if not isinstance(body.get(name), str)
        ]
        if missing:
            return error(400, missing)
        if (limited := self._limited(body["username"])) is not None:
            return limited
        user = self.cloud.user(body["username"])
        if user is None or user.password != body["password"]:
            return error(401, "Invalid user credentials")
        return self._tokens(user.username)

    async def refresh(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if not isinstance(body.get("refresh_token"), str):
            return error(400, ["refresh_token must be a string"])
        tokens = self.cloud.ctx.tokens
        check = tokens.check(body["refresh_token"], "refresh")
        if check.token is not None and (limited := self._limited(check.token.subject)):
            return limited
        if check.status == "expired":
            return error(400, "Refresh token expired")
        if not check.valid or check.subject is None:
            return error(400, "Invalid refresh token")
        tokens.revoke(body["refresh_token"])  # refresh tokens rotate
        return self._tokens(check.subject)

    # --- SDK endpoints -------------------------------------------------------------------------
    async def locations(self, request: web.Request) -> web.Response:
        username, failure = self._bearer(request)
        if failure is not None or username is None:
            return failure or error(401, "Unauthorized")
        user = self.cloud.user(username)
        assert user is not None
        partner = self.cloud.data.get("partner_code")
        return web.json_response(
            [
                {
                    "name": home.name,
                    "role": "ADMIN",
                    "userId": user.user_id,
                    "locationId": home.location_id,
                    "gatewayserial": home.gateway_serial,
                    **({} if partner is None else {"partnerCode": partner}),
                }
                for home in self.cloud.homes_of(user)
            ]
        )

    async def home(self, request: web.Request) -> web.Response:
        username, failure = self._bearer(request)
        if failure is not None or username is None:
            return failure or error(401, "Unauthorized")
        user = self.cloud.user(username)
        assert user is not None
        location_id = request.match_info["location_id"]
        if location_id not in user.homes or location_id not in self.cloud.homes:
            return error(403, f"User {user.user_id} has no access to location {location_id}")
        body = self.cloud.homes[location_id].as_json("ADMIN")
        return web.json_response(self.cloud.overrides.apply(body))
