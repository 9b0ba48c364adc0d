"""Client tests run against a small fake of the Cayenne cloud on 127.0.0.1 (real sockets).

The fake answers like the live service (../shared/notes/cloud-facts.md): Keycloak's token
endpoint and the legacy `/oauth/token`, things with one child per channel, telemetry summaries,
commands, MQTT credentials and rules; `faults` serve any status, body or header instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import itertools
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.cayenne.api import AuthFlow, CayenneClient

EMAIL = "ada@example.com"
PASSWORD = "cayenne-2026"
APP_KEY = "app-key-1"
APP_SECRET = "app-secret-1"
OIDC_PATH = "/auth/realms/cayenne/protocol/openid-connect/token"
# An unsigned JWT whose `sub` is the account id.
ACCESS_PREFIX = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhY2NvdW50LTQyIn0."

PI = "11111111-0000-0000-0000-000000000001"
LORA = "22222222-0000-0000-0000-000000000002"
THINGS: list[dict[str, Any]] = [
    {
        "id": PI,
        "name": "Raspberry Pi",
        "device_type_id": "rpi",
        "parent_id": None,
        "hardware_id": "hw-1",
        "properties": {"location": "garage", "nested": {"ignored": True}},
        "active": 1,
        "status": "ACTIVE",
        "last_online": 1790000000,
        "children": [
            {"id": "c-temp", "name": "Temperature", "properties": {"channel": 1},
             "data_type": "temp", "unit": "c"},
            {"id": "c-hum", "name": "Humidity", "properties": {"channel": "2", "data_type": "rel_hum", "unit": "p"}},
            {"id": "c-relay", "name": "Relay", "properties": {"channel": "3"}, "data_type": "Relay", "unit": "d"},
            {"id": "c-odd", "name": "Odd", "properties": {"channel": "9"}, "data_type": "plasma_flux"},
            {"id": None, "properties": {"channel": "7"}},
            "not a child",
        ],
    },
    {
        "id": LORA,
        "name": "LoRa node",
        "status": "ACTIVE",
        "children": [{"id": "c-batt", "properties": {"channel": "5"}, "data_type": "batt", "unit": "v"}],
    },
    {"id": "33333333-0000-0000-0000-000000000003", "name": "Old board", "status": "DEACTIVATED"},
    {"name": "no id at all"},
]  # fmt: skip


@dataclass
class Fault:
    method: str
    path: str
    status: int
    body: str = "{}"
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 1


@dataclass
class FakeCayenne:
    expires_in: int = 300
    refresh_expires_in: int = 1800
    password: str = PASSWORD
    app_secret: str = APP_SECRET
    things: list[dict[str, Any]] = field(default_factory=lambda: list(THINGS))
    latest: Any = field(default_factory=lambda: [{"v": 21.5, "ts": "2026-09-21T10:00:00Z"}])
    rules: Any = field(
        default_factory=lambda: [
            {"id": "r1", "title": "Too hot", "enabled": True},
            {"_id": "r2", "title": "Night", "enabled": False},
            {"title": "no id"},
        ]
    )
    access: set[str] = field(default_factory=set)
    refresh: set[str] = field(default_factory=set)
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)
    _serial: itertools.count[int] = field(default_factory=itertools.count)
    url: str = ""

    def revoke(self) -> None:
        self.access.clear()
        self.refresh.clear()

    def fault(self, method: str, path: str, status: int, body: str = "{}", **kw: Any) -> None:
        self.faults.append(Fault(method, path, status, body, **kw))

    def _issue(self) -> dict[str, Any]:
        n = next(self._serial)
        access, refresh = f"{ACCESS_PREFIX}a{n}", f"r{n}"
        self.access.add(access)
        self.refresh.add(refresh)
        return {
            "access_token": access,
            "expires_in": self.expires_in,
            "refresh_expires_in": self.refresh_expires_in,
            "refresh_token": refresh,
            "token_type": "Bearer",
        }

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        key = f"{request.method} {request.path}"
        self.calls[key] += 1
        body: Any = None
        if request.can_read_body:
            body = (
                dict(await request.post())
                if request.content_type == "application/x-www-form-urlencoded"
                else await request.json()
            )
        self.requests.append((request.method, request.path_qs, body, dict(request.headers)))
        request["body"] = body
        for fault in self.faults:
            if (
                fault.count > 0
                and fault.method == request.method
                and request.path.startswith(fault.path)
            ):
                fault.count -= 1
                return web.Response(status=fault.status, text=fault.body, headers=fault.headers,
                                    content_type="application/json")  # fmt: skip
        if request.path.startswith("/v1.1/"):
            auth = request.headers.get("Authorization", "")
            if request.headers.get("X-API-Version") != "1.0":
                return web.json_response({"message": "X-API-Version missing"}, status=400)
            if not auth.startswith("Bearer ") or auth[7:] not in self.access:
                return web.json_response({"message": "Unauthorized"}, status=401)
        return await handler(request)

    async def oidc_token(self, request: web.Request) -> web.Response:
        form = request["body"]
        if form.get("client_id") != APP_KEY or form.get("client_secret") != self.app_secret:
            return web.json_response(
                {"error": "invalid_client", "error_description": "Invalid client credentials"},
                status=401,
            )
        if form.get("grant_type") == "password":
            if form.get("username") != EMAIL or form.get("password") != self.password:
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Invalid user credentials"},
                    status=400,
                )
            return web.json_response(self._issue())
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh:
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "Token is not active"},
                    status=400,
                )
            self.refresh.discard(form["refresh_token"])
            return web.json_response(self._issue())
        return web.json_response({"error": "unsupported_grant_type"}, status=400)

    async def legacy_token(self, request: web.Request) -> web.Response:
        body = request["body"]
        if body.get("grant_type") == "password":
            if body.get("email") != EMAIL or body.get("password") != self.password:
                return web.json_response({"message": "Invalid credentials"}, status=401)
            issued = self._issue()
            return web.json_response(
                {"access_token": issued["access_token"], "refresh_token": issued["refresh_token"]}
            )
        if body.get("refresh_token") in self.refresh:
            return web.json_response({"access_token": self._issue()["access_token"]})
        return web.json_response({"message": "invalid refresh token"}, status=401)

    async def things_list(self, request: web.Request) -> web.Response:
        return web.json_response(
            [{k: v for k, v in t.items() if k != "children"} for t in self.things]
        )

    async def thing(self, request: web.Request) -> web.Response:
        for thing in self.things:
            if thing.get("id") == request.match_info["id"]:
                return web.json_response(thing)
        return web.json_response({"message": "Not found"}, status=404)

    async def summaries(self, request: web.Request) -> web.Response:
        if request.query.get("type") == "latest":
            return web.json_response(self.latest)
        return web.json_response(
            [{"v": 20 + i, "ts": 1790000000000 - i * 3600_000} for i in range(3)]
            + [{"v": "NaN"}, {"v": None, "ts": None}]
        )

    async def command(self, request: web.Request) -> web.Response:
        body = request["body"]
        if body.get("channel") == "99":
            return web.json_response({"message": "Channel not found"}, status=400)
        return web.json_response({"success": True})

    async def clients(self, request: web.Request) -> web.Response:
        return web.json_response({"id": "mqtt-user", "clear_secret": "mqtt-secret"})

    async def rules_list(self, request: web.Request) -> web.Response:
        return web.json_response(self.rules)

    async def rule(self, request: web.Request) -> web.Response:
        if request.match_info["id"] != "r1":
            return web.json_response({"success": False, "message": "no such rule"})
        return web.json_response({"success": True})

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.middleware])
        app.router.add_post(OIDC_PATH, self.oidc_token)
        app.router.add_post("/oauth/token", self.legacy_token)
        app.router.add_get("/v1.1/things", self.things_list)
        app.router.add_get("/v1.1/things/{id}", self.thing)
        app.router.add_get("/v1.1/telemetry/{thing}/sensors/{child}/summaries", self.summaries)
        app.router.add_post("/v1.1/things/{id}/cmd", self.command)
        app.router.add_post("/v1.1/clients", self.clients)
        app.router.add_get("/v1.1/rules", self.rules_list)
        app.router.add_put("/v1.1/rules/{id}", self.rule)
        return app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


type MakeClient = Callable[..., CayenneClient]


@pytest.fixture
async def cloud() -> AsyncIterator[FakeCayenne]:
    fake = FakeCayenne()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(cloud: FakeCayenne, http: aiohttp.ClientSession, clock: Clock) -> MakeClient:
    def make(
        *,
        flow: AuthFlow = AuthFlow.OPENID,
        password: str = PASSWORD,
        app_secret: str = APP_SECRET,
    ) -> CayenneClient:
        return CayenneClient(
            http, EMAIL, password, APP_KEY, app_secret,
            auth_flow=flow, auth_url=cloud.url, api_url=cloud.url, clock=clock,
        )  # fmt: skip

    return make
