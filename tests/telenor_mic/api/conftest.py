"""Client tests run against a small fake of Telenor MIC on 127.0.0.1 (real sockets).

The fake answers as /tmp protocol notes and ../shared/specs describe the cloud: both manifests,
`/auth/login` and `/auth/refresh` with JWTs on the fake's clock, GraphQL executed by
graphql-core (aliases included), `GET /thingtypes`, `POST /things/find` and
`/observations/find` (Elasticsearch shapes), Cognito's GetCredentialsForIdentity, and (with the
`iot` fixture) the SigV4-presigned MQTT websocket in front of a real amqtt broker. `faults`
serve any status, body or header instead; switches choose between the shapes the stacks send.
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
import itertools
import json
import time
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import graphql
import pytest

from custom_components.telenor_mic.api import MicClient

from .broker import Credential, IotBroker

HOST = "demo.mic.example.com"
USER = "ada"
PASSWORD = "mic-2026/secret"
API_KEY = "api-key-0123456789"
REGION = "eu-west-1"
USER_POOL = "eu-west-1_AbCdEf"
IDENTITY_POOL = "eu-west-1:11111111-2222-3333-4444-555555555555"
IDENTITY_ID = "eu-west-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
IOT_ENDPOINT = "a1b2c3d4e5-ats.iot.eu-west-1.amazonaws.com"
STACK = "prod"
T0_MS = 1_790_000_000_000  # observations start here
OFFICE = "demo/office"
THING_COUNT = 130  # more than a page of allThings

SCHEMA = """
scalar JSON
type Query {
  allThings(size: Int = 10, from: Int = 0): ThingList
  thing(thingName: String!): ThingDetail
  thingTypeResources(thingTypeId: String!): ThingTypeResources
}
type ThingList { total: Int, things: [Thing] }
type Thing { thingName: String, label: String, domain: String, thingType: String,
             lastHeardFrom: String, state: JSON }
type ThingDetail { thingName: String, label: String, domain: String, domainTopic: String,
                   thingType: String, shadow: JSON }
type ThingTypeResources { resources: [Resource] }
type Resource { name: String, type: String, metadata: ResourceMetadata }
type ResourceMetadata { label: String, unit: String, isSettable: Boolean }
"""

REST_TYPES: list[dict[str, Any]] = [
    {"id": "12", "label": "Environment sensor", "description": "", "domain": "demo",
     "resources": [
         {"name": "temperature", "type": "number",
          "metadata": {"label": "Temperature", "unit": "°C", "min": -40, "max": 85, "step": 0.5}},
         {"name": "mode", "type": "string",
          "metadata": {"isSettable": True, "values": ["eco", "comfort", "eco"]}},
         {"name": "extra", "type": "integer", "metadata": {"label": "Only in REST"}},
     ]},
    {"id": 14, "label": "Only in REST", "resources": [{"name": "x", "type": "plasma"}]},
    {"label": "no id"},
]  # fmt: skip
GRAPHQL_TYPES: dict[str, list[dict[str, Any]]] = {
    "12": [
        {"name": "temperature", "type": "number", "metadata": {"label": "Temp", "unit": "C", "isSettable": False}},
        {"name": "on", "type": "boolean", "metadata": {"label": "Power", "isSettable": True}},
        {"name": "mode", "type": "string", "metadata": {"isSettable": True}},
        {"name": "pos", "type": "position", "metadata": None},
    ],
    "13": [{"name": "level", "type": "integer", "metadata": {"unit": "%", "isSettable": True}}],
}  # fmt: skip


def jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.c2lnbmF0dXJl"


def localizable(message: str, key: str, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "LocalizableError", "message": message, "messageKey": key}
    if params:
        body["messageParams"] = params
    return {"message": body}


@dataclass
class FakeThing:
    name: str
    domain: str
    domain_topic: str
    thing_type: str
    reported: dict[str, Any]
    last_heard: str | None
    label: str | None = None

    def shadow(self) -> dict[str, Any]:
        return {
            "state": {"reported": self.reported, "desired": {"on": False}, "delta": {"on": False}},
            "metadata": {
                "reported": {name: {"timestamp": 1_790_000_000} for name in self.reported}
            },
            "timestamp": 1_790_000_100,
            "version": 7,
        }


def make_things() -> list[FakeThing]:
    things = [
        FakeThing(
            name=f"env-{i:03d}",
            label=f"Sensor {i}",
            domain="office",
            domain_topic=OFFICE,
            thing_type="12",
            reported={"temperature": 20 + i / 10, "on": i % 2 == 0, "pos": "59.91,10.75"},
            # both shapes of lastHeardFrom: epoch milliseconds as text, and ISO 8601
            last_heard=str(T0_MS + i) if i % 2 == 0 else "2026-09-21T10:00:00Z",
        )
        for i in range(THING_COUNT)
    ]
    things.append(
        FakeThing("lab-1", "lab", "demo/lab", "13", {"level": 3, "pos": {"lat": 1, "lng": 2}}, None)
    )
    return things


@dataclass
class Fault:
    method: str
    path: str  # a suffix of the request's path
    status: int
    body: str = "{}"
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 1
    delay: float = 0.0


@dataclass
class FakeMic:
    """The cloud's state and its switches."""

    password: str = PASSWORD
    token_lifetime: float = 3600.0
    credentials_lifetime: float = 3600.0
    offset: float = 0.0  # the fake's clock runs this far ahead of the wall clock
    user_pool_key: str = "UserPool"  # or "UserPoolId", as one stack sends it
    json_as_text: bool = False  # the GraphQL JSON scalar serialised as text
    total_as_object: bool = False  # hits.total as {"value": n}
    rotate_refresh: bool = True  # a refresh hands out a new refresh token
    ignore_from: bool = False  # allThings ignores `from` (and has no total)
    things: list[FakeThing] = field(default_factory=make_things)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> expiry
    refresh_tokens: set[str] = field(default_factory=set)
    cognito_refusals: list[str] = field(default_factory=list)  # __type of the next answers
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)
    iot: IotBroker | None = None
    url: str = ""
    _serial: itertools.count[int] = field(default_factory=itertools.count)

    def now(self) -> float:
        return time.time() + self.offset

    def fault(self, method: str, path: str, status: int, body: Any = None, **kw: Any) -> None:
        text = body if isinstance(body, str) else json.dumps(body if body is not None else {})
        self.faults.append(Fault(method, path, status, text, **kw))

    def revoke(self) -> None:
        self.tokens.clear()
        self.refresh_tokens.clear()

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def calls_to(self, suffix: str) -> int:
        return sum(count for key, count in self.calls.items() if key.endswith(suffix))

    def bodies(self, suffix: str) -> list[Any]:
        return [body for _, path, body, _ in self.requests if path.split("?")[0].endswith(suffix)]

    def _issue(self) -> dict[str, str]:
        n = next(self._serial)
        now = self.now()
        token = jwt({"cognito:username": USER, "iat": int(now), "exp": int(now + self.token_lifetime),
                     "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{USER_POOL}", "n": n})  # fmt: skip
        self.tokens[token] = now + self.token_lifetime
        refresh = f"refresh-{n}"
        self.refresh_tokens.add(refresh)
        return {"identityId": IDENTITY_ID, "token": token, "refreshToken": refresh}

    def valid(self, token: str | None) -> bool:
        return token is not None and self.tokens.get(token, 0) > self.now()

    # --- HTTP --------------------------------------------------------------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.calls[f"{request.method} {request.path}"] += 1
        body: Any = None
        if request.can_read_body:
            text = await request.text()
            body = json.loads(text) if text else None
        self.requests.append((request.method, request.path_qs, body, dict(request.headers)))
        request["body"] = body
        for fault in self.faults:
            if (
                fault.count > 0
                and fault.method == request.method
                and request.path.endswith(fault.path)
            ):
                fault.count -= 1
                if fault.delay:
                    await asyncio.sleep(fault.delay)
                return web.Response(status=fault.status, text=fault.body, headers=fault.headers,
                                    content_type="application/json")  # fmt: skip
        if request.path.startswith(f"/{STACK}/") and "manifest" not in request.path:
            if request.headers.get("x-api-key") != API_KEY:
                return web.json_response({"message": "Forbidden"}, status=403)
            if "/auth/" not in request.path:
                token = request.headers.get("Authorization")
                if not token:
                    return web.json_response({"message": "Forbidden"}, status=403)
                if not self.valid(token) or request.headers.get("identityId") != IDENTITY_ID:
                    return web.json_response(
                        {"message": "The incoming token has expired"}, status=401
                    )
        return await handler(request)

    async def manifest(self, request: web.Request) -> web.Response:
        if request.query.get("hostname") != HOST:
            return web.json_response(
                {"message": f"Manifest not found for hostname {request.query.get('hostname')}"},
                status=404,
            )
        return web.json_response({
            "ApiGatewayRootUrl": self.url, "StackName": STACK, "Region": REGION,
            "IdentityPool": IDENTITY_POOL, "UserPool": USER_POOL,
            "IotEndpoint": IOT_ENDPOINT.replace("-ats", ""), "IotEndpointATS": IOT_ENDPOINT,
        })  # fmt: skip

    async def metadata(self, request: web.Request) -> web.Response:
        return web.json_response({"ApiKey": API_KEY, "IotEndpointATS": IOT_ENDPOINT,
                                  "Region": REGION, self.user_pool_key: USER_POOL})  # fmt: skip

    async def login(self, request: web.Request) -> web.Response:
        body = request["body"] or {}
        if body.get("userName") != USER or body.get("password") != self.password:
            return web.json_response(
                localizable("Incorrect username or password.", "INVALID_CREDENTIALS"), status=400
            )
        return web.json_response({
            "user": {"userName": USER, "domainPath": "/demo/", "domainName": "demo",
                     "roleName": "ReadWrite", "firstName": "Ada", "lastName": "Lovelace",
                     "email": "ada@example.com", "data": {}},
            "credentials": self._issue(),
            "permissions": {},
        })  # fmt: skip

    async def refresh(self, request: web.Request) -> web.Response:
        token = (request["body"] or {}).get("refreshToken")
        if token not in self.refresh_tokens:
            return web.json_response(
                localizable("Invalid refresh token", "INVALID_REFRESH_TOKEN"), status=400
            )
        issued = self._issue()
        if not self.rotate_refresh:
            self.refresh_tokens.discard(issued.pop("refreshToken"))
        return web.json_response({"credentials": issued})

    # --- GraphQL -----------------------------------------------------------------------------
    def _find(self, name: str) -> FakeThing | None:
        return next((thing for thing in self.things if thing.name == name), None)

    def _row(self, thing: FakeThing) -> dict[str, Any]:
        return {"thingName": thing.name, "label": thing.label, "domain": thing.domain,
                "thingType": thing.thing_type, "lastHeardFrom": thing.last_heard,
                "state": thing.reported}  # fmt: skip

    def _root(self) -> dict[str, Any]:
        def all_things(info: Any, size: int = 10, **args: Any) -> dict[str, Any]:
            start = 0 if self.ignore_from else args.get("from", 0)
            size = min(size, 100)
            rows: list[dict[str, Any] | None] = [self._row(t) for t in self.things]
            rows.insert(5, {"thingName": None, "label": "no name"})  # an unreadable row
            return {
                "total": None if self.ignore_from else len(rows),
                "things": rows[start : start + size],
            }

        def thing(info: Any, thingName: str) -> dict[str, Any]:  # noqa: N803
            found = self._find(thingName)
            if found is None:
                raise graphql.GraphQLError("THING_NOT_FOUND")
            return {"thingName": found.name, "label": found.label, "domain": found.domain,
                    "domainTopic": found.domain_topic, "thingType": found.thing_type,
                    "shadow": found.shadow()}  # fmt: skip

        def resources(info: Any, thingTypeId: str) -> dict[str, Any] | None:  # noqa: N803
            rows = GRAPHQL_TYPES.get(thingTypeId)
            return None if rows is None else {"resources": rows}

        return {"allThings": all_things, "thing": thing, "thingTypeResources": resources}

    async def graphql_endpoint(self, request: web.Request) -> web.Response:
        body = request["body"]
        schema = graphql.build_schema(SCHEMA)
        scalar = schema.type_map["JSON"]
        assert isinstance(scalar, graphql.GraphQLScalarType)
        if self.json_as_text:
            scalar.serialize = json.dumps  # type: ignore[method-assign]
        result = await graphql.graphql(
            schema, body["query"], root_value=self._root(), variable_values=body.get("variables")
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        return web.json_response(answer, status=200 if result.data is not None else 400)

    # --- REST --------------------------------------------------------------------------------
    async def thing_types(self, request: web.Request) -> web.Response:
        return web.json_response(REST_TYPES)

    def _matches(self, query: dict[str, Any], row: dict[str, Any]) -> bool:
        if "match_all" in query:
            return True
        if "term" in query:
            ((key, value),) = query["term"].items()
            return row.get(key) == value
        if "terms" in query:
            ((key, values),) = query["terms"].items()
            return row.get(key) in values
        if "range" in query:
            ((key, bounds),) = query["range"].items()
            value = row.get(key, 0)
            return bool(bounds.get("gte", value) <= value <= bounds.get("lte", value))
        if "bool" in query:
            return all(self._matches(part, row) for part in query["bool"].get("filter", []))
        raise ValueError(query)

    def _hits(self, rows: list[dict[str, Any]], body: dict[str, Any], cap: int) -> web.Response:
        size, start = min(body.get("size", 10), cap), body.get("from", 0)
        total: Any = {"value": len(rows), "relation": "eq"} if self.total_as_object else len(rows)
        return web.json_response(
            {"took": 1, "hits": {"total": total, "hits": rows[start : start + size]}}
        )

    async def find_things(self, request: web.Request) -> web.Response:
        body = request["body"]
        rows = [
            {"_id": thing.name, "_source": self._row(thing)}
            for thing in self.things
            if self._matches(
                body["query"],
                {"thingName": thing.name, "thingType": thing.thing_type, "domain": thing.domain},
            )
        ]
        return self._hits(rows, body, 1000)

    async def find_observations(self, request: web.Request) -> web.Response:
        body = request["body"]
        if "range" not in json.dumps(body.get("query")):
            return web.json_response(
                localizable("A timestamp range is required", "INVALID_QUERY"), status=400
            )
        rows = []
        for thing in self.things[:3]:
            for minute in range(60):
                at = T0_MS + minute * 60_000
                row = {"thingName": thing.name, "timestamp": at}
                if self._matches(body["query"], row):
                    rows.append({"_id": f"{thing.name}-{minute}",
                                 "_source": {**row, "state": {"temperature": minute}}})  # fmt: skip
        rows.sort(key=lambda row: (row["_source"]["timestamp"], row["_source"]["thingName"]))
        return self._hits(rows, body, 1000)

    # --- Cognito -----------------------------------------------------------------------------
    async def cognito(self, request: web.Request) -> web.Response:
        def error(kind: str, message: str = "") -> web.Response:
            return web.json_response({"__type": kind, "message": message}, status=400,
                                     content_type="application/x-amz-json-1.1")  # fmt: skip

        if (
            request.headers.get("X-Amz-Target")
            != "AWSCognitoIdentityService.GetCredentialsForIdentity"
        ):
            return error("UnknownOperationException")
        body = request["body"] or {}
        if self.cognito_refusals:
            return error(self.cognito_refusals.pop(0), "refused")
        logins = body.get("Logins")
        if not isinstance(logins, dict) or not body.get("IdentityId"):
            return error("InvalidParameterException", "1 validation error detected")
        if body["IdentityId"] != IDENTITY_ID:
            return error("ResourceNotFoundException", "Identity not found")
        token = logins.get(f"cognito-idp.{REGION}.amazonaws.com/{USER_POOL}")
        if not self.valid(token):
            return error("NotAuthorizedException", "Invalid login token. Token expired.")
        n = next(self._serial)
        access, secret, session = f"ASIA{n:04d}EXAMPLE", f"se/cr+et={n}", f"Fwo/Session+Token=={n}"
        expires = self.now() + self.credentials_lifetime
        if self.iot is not None:
            self.iot.credentials[access] = Credential(secret, session, expires)
        return web.json_response(
            {"IdentityId": IDENTITY_ID, "Credentials": {"AccessKeyId": access, "SecretKey": secret,
             "SessionToken": session, "Expiration": expires}},
            content_type="application/x-amz-json-1.1",
        )  # fmt: skip

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        if self.iot is None:
            return web.Response(status=404)
        return await self.iot.websocket(request)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.middleware])
        for path in ("/prod/manifest", "/prod/manifest/", "/Prod/manifest", "/Prod/manifest/"):
            app.router.add_get(path, self.manifest)
        app.router.add_get(f"/{STACK}/metadata/manifest", self.metadata)
        app.router.add_post(f"/{STACK}/auth/login", self.login)
        app.router.add_post(f"/{STACK}/auth/refresh", self.refresh)
        app.router.add_post(f"/{STACK}/graphql", self.graphql_endpoint)
        app.router.add_get(f"/{STACK}/thingtypes", self.thing_types)
        app.router.add_post(f"/{STACK}/things/find", self.find_things)
        app.router.add_post(f"/{STACK}/observations/find", self.find_observations)
        app.router.add_post("/", self.cognito)
        app.router.add_get("/mqtt", self.websocket)
        return app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


type MakeClient = Callable[..., MicClient]


@pytest.fixture
async def cloud() -> AsyncIterator[FakeMic]:
    fake = FakeMic()
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("")).rstrip("/")
    yield fake
    await server.close()


@pytest.fixture
async def iot(cloud: FakeMic) -> AsyncIterator[IotBroker]:
    broker = IotBroker(region=REGION, clock=cloud.now)
    await broker.start()
    cloud.iot = broker
    yield broker
    await broker.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(cloud: FakeMic, http: aiohttp.ClientSession, clock: Clock) -> MakeClient:
    def make(*, password: str = PASSWORD, host: str = HOST, **options: Any) -> MicClient:
        options.setdefault("manifest_url", f"{cloud.url}/prod/manifest/")
        options.setdefault("aws_endpoint", cloud.url)
        options.setdefault("clock", clock)
        return MicClient(http, host, USER, password, **options)

    return make


def epoch(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
