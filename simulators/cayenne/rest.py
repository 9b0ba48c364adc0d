"""Cayenne's HTTP side: the Keycloak and legacy token endpoints and the platform's v1.1 API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from simulators.core import MalformedItems, TokenStatus, json_error, json_http_error

from . import malformed
from .cloud import Account, CayenneCloud
from .datatypes import datatypes_json
from .things import Thing, iso_ms

OIDC_TOKEN = "/auth/realms/cayenne/protocol/openid-connect/token"  # noqa: S105
LEGACY_TOKEN = "/oauth/token"  # noqa: S105
API = "/v1.1"
ISSUER = "/auth/realms/cayenne"
# summaries?type=...: how far back each one looks, and how many points it gives at most
SUMMARY_WINDOWS = {
    "minute": 3600.0,
    "hour": 86400.0,
    "day": 7 * 86400.0,
    "week": 28 * 86400.0,
    "month": 365 * 86400.0,
    "year": 5 * 365 * 86400.0,
}
MAX_POINTS = 200

# what PUT /v1.1/jobs/{id} takes: field -> (JSON type, how Joi names it)
_JOB_FIELDS: dict[str, tuple[type, str]] = {
    "active": (bool, "a boolean"),
    "enabled": (bool, "a boolean"),
    "title": (str, "a string"),
    "config": (dict, "an object"),
    "notifications": (list, "an array"),
    "http_push": (list, "an array"),
    "actions": (list, "an array"),
}

# (account, thing, channel, value): publish the command to the thing through the broker
type CommandSender = Callable[[Account, Thing, str, float], Awaitable[None]]


def platform_error(
    status: int, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    """The platform's error body (hapi/Boom: statusCode, error, message)."""
    return json_error(status, _boom(status, message), headers=headers)


def _boom(status: int, message: str) -> dict[str, Any]:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    return {"statusCode": status, "error": reason, "message": message}


_ERRORS: dict[int, type[web.HTTPError]] = {
    400: web.HTTPBadRequest,
    401: web.HTTPUnauthorized,
    404: web.HTTPNotFound,
}


def platform_failure(status: int, message: str) -> web.HTTPError:
    """`platform_error` as an exception, to raise from a handler or its helpers."""
    return json_http_error(_ERRORS[status], _boom(status, message))


def oauth_failure(status: int, error: str, description: str) -> web.HTTPError:
    return json_http_error(_ERRORS[status], {"error": error, "error_description": description})


async def _fields(request: web.Request, *, json_allowed: bool) -> dict[str, str] | None:
    """The request's parameters: a form, or (legacy) JSON; None when unreadable."""
    raw = await request.text()
    if json_allowed and request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        return {str(k): str(v) for k, v in body.items() if isinstance(v, str | int | float)}
    return dict(parse_qsl(raw, keep_blank_values=True))


def _answer(body: Any, *, broken: bool) -> web.Response:
    """JSON as the platform writes it, or as a misbehaving one does (NaN, deep nesting)."""
    if not broken:
        return web.json_response(body)
    return web.Response(text=malformed.render(body), content_type="application/json")


class CayenneRest:
    def __init__(self, cloud: CayenneCloud, send_command: CommandSender | None = None) -> None:
        self.cloud = cloud
        self.ctx = cloud.ctx
        self.send_command = send_command
        self.malformed = MalformedItems()

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_post(OIDC_TOKEN, self.oidc_token)
        r.add_post(LEGACY_TOKEN, self.legacy_token)
        r.add_get(f"{API}/things", self.things)
        r.add_get(f"{API}/things/types", self.thing_types)
        r.add_get(f"{API}/things/{{thing_id}}", self.thing)
        r.add_post(f"{API}/things/{{thing_id}}/cmd", self.command)
        r.add_get(f"{API}/telemetry/{{thing_id}}/sensors/{{child_id}}/summaries", self.summaries)
        r.add_post(f"{API}/clients", self.clients)
        r.add_get(f"{API}/rules", self.rules)
        r.add_get(f"{API}/rules/{{rule_id}}", self.rule)
        r.add_put(f"{API}/rules/{{rule_id}}", self.update_rule)
        r.add_get(f"{API}/jobs", self.jobs)
        r.add_get(f"{API}/jobs/{{job_id}}", self.job)
        r.add_put(f"{API}/jobs/{{job_id}}", self.update_job)
        r.add_get(f"{API}/ui/datatypes", self.datatypes)

    # --- tokens ----------------------------------------------------------------------------
    def _issue(self, account: Account, *, legacy: bool) -> dict[str, Any]:
        data = self.cloud.data
        tokens = self.ctx.tokens
        access_life = data["access_token_lifetime"]
        refresh_life = data["refresh_token_lifetime"]
        session = f"{account.account_id[:8]}-{int(self.ctx.clock.now())}"
        claims = {
            "sub": account.account_id,
            "iss": ISSUER,
            "azp": account.app_key,
            "typ": "Bearer",
            "email": account.email,
            "preferred_username": account.email.lower(),
            "given_name": account.first_name,
            "family_name": account.last_name,
            "session_state": session,
        }
        subject = account.email.lower()
        access = tokens.issue("access", subject, access_life, as_jwt=True, claims=claims)
        refresh_kind = "legacy_refresh" if legacy else "refresh"
        refresh = tokens.issue(
            refresh_kind,
            subject,
            refresh_life,
            as_jwt=True,
            claims={**claims, "typ": "Refresh"},
        )
        if legacy:  # the 2017 document's answer: the two tokens, nothing more
            return {"access_token": access.value, "refresh_token": refresh.value}
        return {
            "access_token": access.value,
            "expires_in": access_life,
            "refresh_expires_in": refresh_life,
            "refresh_token": refresh.value,
            "token_type": "Bearer",
            "not-before-policy": 0,
            "session_state": session,
            "scope": "email profile",
        }

    def _refresh(self, value: str, kind: str, *, legacy: bool) -> web.Response:
        check = self.ctx.tokens.check(value, kind)
        account = self.cloud.account(check.subject or "") if check.subject else None
        if check.status is TokenStatus.EXPIRED:
            raise oauth_failure(400, "invalid_grant", "Token is not active")
        if check.status is TokenStatus.REVOKED:
            raise oauth_failure(400, "invalid_grant", "Session not active")
        if not check.valid or account is None:
            raise oauth_failure(400, "invalid_grant", "Invalid refresh token")
        self.ctx.tokens.revoke(value)  # refresh tokens rotate
        return web.json_response(self._issue(account, legacy=legacy))

    async def oidc_token(self, request: web.Request) -> web.Response:
        fields = await _fields(request, json_allowed=False)
        if fields is None or request.content_type != "application/x-www-form-urlencoded":
            raise oauth_failure(400, "invalid_request", "Missing form parameter: grant_type")
        grant = fields.get("grant_type")
        if not grant:
            raise oauth_failure(400, "invalid_request", "Missing form parameter: grant_type")
        apps = self.cloud.by_app_key(fields.get("client_id", ""))
        if not apps:
            raise oauth_failure(
                401, "invalid_client", "Invalid client or Invalid client credentials"
            )
        if fields.get("client_secret") != apps[0].app_secret:
            raise oauth_failure(401, "unauthorized_client", "Invalid client secret")
        if grant == "password":
            account = self.cloud.account(fields.get("username", ""))
            if account is None or account not in apps or account.password != fields.get("password"):
                raise oauth_failure(401, "invalid_grant", "Invalid user credentials")
            return web.json_response(self._issue(account, legacy=False))
        if grant == "refresh_token":
            if not fields.get("refresh_token"):
                raise oauth_failure(400, "invalid_request", "Missing form parameter: refresh_token")
            return self._refresh(fields["refresh_token"], "refresh", legacy=False)
        raise oauth_failure(400, "unsupported_grant_type", "Unsupported grant_type")

    async def legacy_token(self, request: web.Request) -> web.Response:
        fields = await _fields(request, json_allowed=True)
        if fields is None:
            raise oauth_failure(400, "invalid_request", "Invalid JSON body")
        grant = fields.get("grant_type")
        apps = self.cloud.by_app_key(fields.get("client_id", ""))
        if grant not in ("password", "refresh_token"):
            raise oauth_failure(
                400, "unsupported_grant_type", "grant_type must be password or refresh_token"
            )
        if not apps or (
            "client_secret" in fields and fields["client_secret"] != apps[0].app_secret
        ):
            raise oauth_failure(401, "invalid_client", "Invalid client_id")
        if grant == "refresh_token":
            if not fields.get("refresh_token"):
                raise oauth_failure(400, "invalid_request", "refresh_token is required")
            return self._refresh(fields["refresh_token"], "legacy_refresh", legacy=True)
        if not fields.get("email") or not fields.get("password"):
            raise oauth_failure(400, "invalid_request", "email and password are required")
        account = self.cloud.account(fields["email"])
        if account is None or account not in apps or account.password != fields["password"]:
            raise oauth_failure(401, "invalid_grant", "Invalid email or password")
        return web.json_response(self._issue(account, legacy=True))

    # --- platform ------------------------------------------------------------------------------
    def _account(self, request: web.Request) -> Account:
        header = request.headers.get("Authorization", "")
        if not header:
            raise platform_failure(401, "Missing authentication")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        check = self.ctx.tokens.check(token, "access")
        if check.status is TokenStatus.EXPIRED:
            raise platform_failure(401, "Token expired")
        account = self.cloud.account(check.subject or "") if check.valid else None
        if account is None:
            raise platform_failure(401, "Invalid token")
        return account

    def _thing(self, request: web.Request) -> tuple[Account, Thing]:
        account = self._account(request)
        thing = account.things.get(request.match_info["thing_id"])
        if thing is None or not thing.present(self.ctx.clock.now()):
            raise platform_failure(404, "Thing not found")
        return account, thing

    def _row(self, account: Account, thing: Thing, now: float) -> tuple[dict[str, Any], bool]:
        """A thing's JSON, broken if a malformed fault is set on it (and whether it is)."""
        row = thing.as_json(now, account.children_of(thing))
        shape = self.malformed.take(thing.thing_id)
        return (row, False) if shape is None else (malformed.thing_row(shape, row), True)

    async def things(self, request: web.Request) -> web.Response:
        account = self._account(request)
        now = self.ctx.clock.now()
        rows = [
            self._row(account, t, now)
            for t in account.things.values()
            if t.present(now) and t.status_at(now) == "ACTIVE"
        ]
        broken = any(is_broken for _, is_broken in rows)
        return _answer([row for row, _ in rows], broken=broken)

    async def thing_types(self, request: web.Request) -> web.Response:
        account = self._account(request)
        types = sorted({t.device_type_id for t in account.things.values()})
        return web.json_response(
            [
                {"id": t, "name": t, "manufacturer": "", "model": "", "category": "module"}
                for t in types
            ]
        )

    async def thing(self, request: web.Request) -> web.Response:
        account, thing = self._thing(request)
        row, broken = self._row(account, thing, self.ctx.clock.now())
        return _answer(row, broken=broken)

    async def command(self, request: web.Request) -> web.Response:
        account, thing = self._thing(request)
        try:
            body = await request.json()
        except ValueError:
            raise platform_failure(400, "Invalid request payload JSON format") from None
        if not isinstance(body, dict):
            raise platform_failure(400, '"value" must be an object')
        channel, value = body.get("channel"), body.get("value")
        if not isinstance(channel, str | int) or isinstance(channel, bool) or channel == "":
            raise platform_failure(400, 'child "channel" fails because ["channel" is required]')
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise platform_failure(400, 'child "value" fails because ["value" is required]')
        try:
            number = float(value)
        except ValueError:
            raise platform_failure(
                400, 'child "value" fails because ["value" must be a number]'
            ) from None
        # The platform publishes `seq,value` on the thing's cmd topic and answers at once; the
        # thing decides (and answers on its response topic).
        if self.send_command is not None:
            await self.send_command(account, thing, str(channel), number)
        else:
            self.cloud.command(account, thing, str(channel), str(value), self.ctx.clock.now())
        return web.json_response({"success": True})

    async def summaries(self, request: web.Request) -> web.Response:
        _account, thing = self._thing(request)
        child_id = request.match_info["child_id"]
        channel = next((c for c in thing.channels.values() if c.child_id == child_id), None)
        if channel is None:
            raise platform_failure(404, "Sensor not found")
        kind = request.query.get("type", "")
        now = self.ctx.clock.now()
        if kind == "latest":
            value, at = thing.reading(channel, now)
            return self._rows(thing, [{"v": value, "ts": iso_ms(at), "unit": channel.unit}])
        if kind == "custom":
            try:
                start = float(request.query["startDate"]) / 1000
                end = min(float(request.query["endDate"]) / 1000, now)
            except (KeyError, ValueError):
                raise platform_failure(
                    400, "startDate and endDate are required for type custom"
                ) from None
        elif kind in SUMMARY_WINDOWS:
            start, end = now - SUMMARY_WINDOWS[kind], now
        else:
            raise platform_failure(
                400,
                f'child "type" fails because ["type" must be one of '
                f"[latest, custom, {', '.join(SUMMARY_WINDOWS)}]]",
            )
        start = max(start, thing.created - SUMMARY_WINDOWS["hour"])
        if thing.appears_at is not None:
            start = max(start, thing.appears_at)
        # nothing after the thing's last report (offline, removed)
        end = min(end, thing.reading_time(now) + thing.report_every_s / 2)
        if end <= start:
            return self._rows(thing, [])
        cycle = thing.report_every_s
        step = max(cycle, (end - start) / MAX_POINTS)
        points: list[dict[str, Any]] = []
        at = end
        while at >= start and len(points) < MAX_POINTS:
            points.append({"v": channel.value_at(at, cycle), "ts": iso_ms(at // cycle * cycle)})
            at -= step
        return self._rows(thing, points[::-1])

    def _rows(self, thing: Thing, rows: list[dict[str, Any]]) -> web.Response:
        shape = self.malformed.take(thing.thing_id)
        if shape is None:
            return web.json_response(rows)
        return _answer(malformed.summary_rows(shape, rows), broken=True)

    async def clients(self, request: web.Request) -> web.Response:
        account = self._account(request)
        return web.json_response(self.cloud.mqtt_client(account))

    async def rules(self, request: web.Request) -> web.Response:
        account = self._account(request)
        return web.json_response(list(account.rules.values()))

    async def rule(self, request: web.Request) -> web.Response:
        account = self._account(request)
        rule = account.rules.get(request.match_info["rule_id"])
        if rule is None:
            raise platform_failure(404, "Rule not found")
        return web.json_response(rule)

    async def update_rule(self, request: web.Request) -> web.Response:
        account = self._account(request)
        rule = account.rules.get(request.match_info["rule_id"])
        if rule is None:
            raise platform_failure(404, "Rule not found")
        try:
            body = await request.json()
        except ValueError:
            raise platform_failure(400, "Invalid request payload JSON format") from None
        if not isinstance(body, dict):
            raise platform_failure(400, '"value" must be an object')
        if "enabled" in body and not isinstance(body["enabled"], bool):
            raise platform_failure(
                400, 'child "enabled" fails because ["enabled" must be a boolean]'
            )
        if "title" in body and not isinstance(body["title"], str):
            raise platform_failure(400, 'child "title" fails because ["title" must be a string]')
        for key in ("enabled", "title", "triggers", "actions", "notifications", "http_push"):
            if key in body:
                rule[key] = body[key]
        rule["updated_at"] = int(self.ctx.clock.now() * 1000)
        return web.json_response({"success": True})

    async def jobs(self, request: web.Request) -> web.Response:
        account = self._account(request)
        return web.json_response([self.cloud.job_json(job) for job in account.jobs.values()])

    def _job(self, request: web.Request) -> dict[str, Any]:
        account = self._account(request)
        job = account.jobs.get(request.match_info["job_id"])
        if job is None:
            raise platform_failure(404, "Job not found")
        return job

    async def job(self, request: web.Request) -> web.Response:
        return web.json_response(self.cloud.job_json(self._job(request)))

    async def update_job(self, request: web.Request) -> web.Response:
        """The document's job carries `active`; `enabled` (the rules' word) is taken too."""
        job = self._job(request)
        try:
            body = await request.json()
        except ValueError:
            raise platform_failure(400, "Invalid request payload JSON format") from None
        if not isinstance(body, dict):
            raise platform_failure(400, '"value" must be an object')
        for key, (kind, name) in _JOB_FIELDS.items():
            if key in body and not isinstance(body[key], kind):
                raise platform_failure(400, f'child "{key}" fails because ["{key}" must be {name}]')
        if "enabled" in body:
            job["active"] = body["enabled"]
        if "active" in body:
            job["active"] = body["active"]
        for key in ("title", "notifications", "http_push", "actions"):
            if key in body:
                job[key] = body[key]
        if "config" in body:
            job["config"] = {**job["config"], **body["config"]}
        job["updated_at"] = iso_ms(self.ctx.clock.now())
        job["__v"] += 1
        return web.json_response({"success": True})

    async def datatypes(self, request: web.Request) -> web.Response:
        self._account(request)
        return web.json_response(datatypes_json())
