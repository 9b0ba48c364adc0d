"""AWS AppSync as Harvia uses it: GraphQL over HTTPS and the realtime websocket protocol.

Queries are parsed, validated and executed by graphql-core against each service's schema, so a
client that asks for a field the service lacks gets the error AppSync would give. The realtime
endpoint speaks AppSync's `graphql-ws` dialect: the JWT and host in the URL's base64 `header`,
connection_init -> connection_ack {connectionTimeoutMs}, start (with its own authorization
extension) -> start_ack, data, ka keep-alives, stop -> complete, and error frames.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from dataclasses import dataclass, field
import json
import logging
from typing import Any

from aiohttp import WSMsgType, web
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    build_schema,
    graphql,
    parse,
    subscribe,
    validate,
)
import voluptuous as vol

from simulators.core import InvalidBodyError, PushHub, json_body, json_error

_LOGGER = logging.getLogger(__name__)

CONNECTION_TIMEOUT_MS = 300_000
GRAPHQL_PATH = "/appsync-api/{service}/graphql"
REALTIME_PATH = "/appsync-realtime-api/{service}/graphql"
UNAUTHORIZED = "UnauthorizedException"

# Who a token belongs to, or None when the token is not valid for this cloud.
type Authorize = Callable[[str | None], str | None]


@dataclass(slots=True)
class _Subscriber:
    queue: asyncio.Queue[dict[str, Any]]
    account: str


@dataclass(slots=True)
class AppSyncService:
    """One AppSync API (device, data, events): a schema, resolvers, subscribers."""

    name: str
    schema: GraphQLSchema
    root: Callable[[str], Any]  # account -> object whose methods resolve Query/Mutation fields
    can_receive: Callable[[str, str, str], bool]  # (account, field, receiver) -> allowed
    subscribers: dict[tuple[str, str], list[_Subscriber]] = field(default_factory=dict)

    @classmethod
    def from_sdl(
        cls,
        name: str,
        sdl: str,
        root: Callable[[str], Any],
        can_receive: Callable[[str, str, str], bool],
    ) -> AppSyncService:
        return cls(name, build_schema(sdl), root, can_receive)

    def publish(self, field_name: str, receiver: str, notice: dict[str, Any]) -> int:
        """Deliver `notice` to every subscription of `field_name(receiver: ...)`."""
        targets = self.subscribers.get((field_name, receiver), [])
        for subscriber in targets:
            subscriber.queue.put_nowait({field_name: notice})
        return len(targets)

    async def _source(self, field_name: str, receiver: str, account: str) -> AsyncIterator[Any]:
        subscriber = _Subscriber(asyncio.Queue(), account)
        key = (field_name, receiver)
        self.subscribers.setdefault(key, []).append(subscriber)
        try:
            while True:
                yield await subscriber.queue.get()
        finally:
            self.subscribers[key].remove(subscriber)

    def subscribe_resolver(self, account: str) -> Callable[..., AsyncIterator[Any]]:
        def resolve(_root: Any, info: Any, **args: Any) -> AsyncIterator[Any]:
            receiver = str(args.get("receiver", ""))
            if not self.can_receive(account, info.field_name, receiver):
                raise GraphQLError("Not Authorized to access " + info.field_name)
            return self._source(info.field_name, receiver, account)

        return resolve


# A GraphQL-over-HTTP request; graphql-core itself reports a query that does not parse.
GRAPHQL_REQUEST = vol.Schema(
    {vol.Required("query"): object, vol.Optional("variables"): object}, extra=vol.ALLOW_EXTRA
)


def _decoded_header(request: web.Request) -> dict[str, Any]:
    """The base64 JSON `header` query parameter of a realtime connection ({} if unreadable)."""
    try:
        header = json.loads(base64.b64decode(request.query.get("header", "")))
    except (ValueError, binascii.Error):
        return {}
    return header if isinstance(header, dict) else {}


def _appsync_error(status: int, error_type: str, message: str) -> web.Response:
    return json_error(status, {"errors": [{"errorType": error_type, "message": message}]})


def _errors(result: ExecutionResult | list[GraphQLError]) -> list[dict[str, Any]]:
    errors = result.errors or [] if isinstance(result, ExecutionResult) else result
    return [{"errorType": "GraphQLError", "message": e.message} for e in errors]


class AppSyncServer:
    """Serves the HTTP and realtime endpoints of several AppSync services."""

    def __init__(self, push: PushHub, authorize: Authorize, keepalive_s: float) -> None:
        self.push = push
        self.authorize = authorize
        self.keepalive_s = keepalive_s
        self.services: dict[str, AppSyncService] = {}
        self.sessions: set[_RealtimeSession] = set()
        self.corrupt: Callable[[dict[str, Any]], dict[str, Any]] = lambda data: data
        # Set: a corrupted frame's whole text goes through it instead (a frame that is not JSON).
        self.corrupt_envelope: Callable[[str], str] | None = None

    def add(self, service: AppSyncService) -> None:
        self.services[service.name] = service

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(GRAPHQL_PATH, self._http)
        app.router.add_get(REALTIME_PATH, self._realtime)

    def _service(self, request: web.Request) -> AppSyncService:
        service = self.services.get(request.match_info["service"])
        if service is None:
            raise web.HTTPNotFound
        return service

    # --- GraphQL over HTTP -------------------------------------------------------------
    async def _http(self, request: web.Request) -> web.Response:
        service = self._service(request)
        account = self.authorize(request.headers.get("Authorization"))
        if account is None:
            return _appsync_error(401, UNAUTHORIZED, "You are not authorized to make this call.")
        try:
            body = await json_body(request, GRAPHQL_REQUEST)
        except InvalidBodyError:
            return _appsync_error(400, "MalformedHttpRequestException", "Invalid request body")
        query, variables = body["query"], body.get("variables") or {}
        result = await graphql(
            service.schema, query, root_value=service.root(account), variable_values=variables
        )
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = _errors(result)
        return web.json_response(payload)

    # --- realtime ------------------------------------------------------------------------
    @staticmethod
    def api_hosts(request: web.Request, service: AppSyncService) -> set[str]:
        """The `host` values AWS accepts in the realtime header: the API host the client was
        given. Clients take it from the realtime URL or derive it from the GraphQL URL (scheme
        and `/graphql` stripped), which with our path-routed URLs keeps the service's path."""
        graphql_url_host = request.host + GRAPHQL_PATH.format(service=service.name)
        return {request.host, graphql_url_host.removesuffix("/graphql")}

    def _header_account(self, request: web.Request, service: AppSyncService) -> str | None:
        header = _decoded_header(request)
        try:
            payload = json.loads(base64.b64decode(request.query.get("payload", "")))
        except (ValueError, binascii.Error):
            return None
        host = header.get("host")
        if (
            payload != {}
            or not isinstance(host, str)
            or host not in self.api_hosts(request, service)
        ):
            return None
        return self.authorize(header.get("Authorization"))

    async def _realtime(self, request: web.Request) -> web.StreamResponse:
        service = self._service(request)
        if not self.push.accepting():
            raise web.HTTPServiceUnavailable
        ws = web.WebSocketResponse(protocols=("graphql-ws",), autoping=True)
        await ws.prepare(request)
        account = self._header_account(request, service)
        token = _decoded_header(request)
        connection = self.push.register(ws.close, account, service=service.name)
        session = _RealtimeSession(self, service, ws, account, token.get("Authorization"))
        self.sessions.add(session)
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
            self.push.unregister(connection)
            await session.close()
        return ws

    async def expire_sessions(self) -> int:
        """Close every realtime connection whose URL token is no longer valid."""
        stale = [s for s in self.sessions if self.authorize(s.authorization) is None]
        for session in stale:
            await session.expire()
        return len(stale)


class _RealtimeSession:
    """One realtime websocket: its subscriptions and keep-alives."""

    def __init__(
        self,
        server: AppSyncServer,
        service: AppSyncService,
        ws: web.WebSocketResponse,
        account: str | None,
        authorization: str | None,
    ) -> None:
        self.server = server
        self.service = service
        self.ws = ws
        self.account = account
        self.authorization = authorization
        self.streams: dict[str, asyncio.Task[None]] = {}
        self.keepalive: asyncio.Task[None] | None = None

    async def send(self, message: dict[str, Any]) -> None:
        await self.send_text(_text(message))

    async def send_text(self, text: str) -> None:
        if not self.ws.closed:
            await self.ws.send_str(text)

    async def run(self) -> None:
        async for msg in self.ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            try:
                message = json.loads(msg.data)
                kind = message["type"]
            except (ValueError, KeyError, TypeError):
                await self.send(
                    {
                        "type": "error",
                        "payload": {
                            "errors": [
                                {"errorType": "UnsupportedOperation", "message": "Invalid message"}
                            ]
                        },
                    }
                )
                continue
            if kind == "connection_init":
                if not await self._init():
                    return
            elif kind == "start":
                await self._start(message)
            elif kind == "stop":
                await self._stop(str(message.get("id")))

    async def _init(self) -> bool:
        if self.account is None:
            await self.send(
                {
                    "type": "connection_error",
                    "payload": {"errors": [{"errorType": UNAUTHORIZED, "message": "Unauthorized"}]},
                }
            )
            await self.ws.close()
            return False
        await self.send(
            {"type": "connection_ack", "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}}
        )
        self.keepalive = asyncio.create_task(self._keepalive())
        return True

    async def _keepalive(self) -> None:
        while not self.ws.closed:
            await self.send({"type": "ka"})
            await asyncio.sleep(self.server.keepalive_s)

    async def _error(self, sub_id: str, error_type: str, message: str) -> None:
        await self.send(
            {
                "type": "error",
                "id": sub_id,
                "payload": {"errors": [{"errorType": error_type, "message": message}]},
            }
        )

    async def _start(self, message: dict[str, Any]) -> None:
        sub_id = str(message.get("id"))
        payload = message.get("payload") or {}
        auth = ((payload.get("extensions") or {}).get("authorization")) or {}
        account = self.server.authorize(auth.get("Authorization"))
        if self.account is None or account != self.account:
            await self._error(sub_id, UNAUTHORIZED, "Valid authorization header not provided.")
            return
        try:
            request = json.loads(payload["data"])
            document = parse(request["query"])
        except (ValueError, KeyError, TypeError, GraphQLError) as err:
            await self._error(sub_id, "GraphQLError", f"Invalid subscription: {err}")
            return
        if problems := validate(self.service.schema, document):
            await self.send(
                {"type": "error", "id": sub_id, "payload": {"errors": _errors(problems)}}
            )
            return
        result = await subscribe(
            self.service.schema,
            document,
            variable_values=request.get("variables") or {},
            subscribe_field_resolver=self.service.subscribe_resolver(self.account),
        )
        if isinstance(result, ExecutionResult):
            await self.send({"type": "error", "id": sub_id, "payload": {"errors": _errors(result)}})
            return
        self.streams[sub_id] = asyncio.create_task(self._forward(sub_id, result))
        await self.send({"type": "start_ack", "id": sub_id})

    async def _forward(self, sub_id: str, results: AsyncIterator[ExecutionResult]) -> None:
        try:
            async for result in results:
                data = result.data or {}
                corrupt = self.server.push.frame_sent()
                if corrupt:
                    data = self.server.corrupt(data)
                message = {"type": "data", "id": sub_id, "payload": {"data": data}}
                if corrupt and self.server.corrupt_envelope is not None:
                    await self.send_text(self.server.corrupt_envelope(_text(message)))
                else:
                    await self.send(message)
        finally:
            with suppress(RuntimeError, AttributeError):
                await results.aclose()  # type: ignore[attr-defined]

    async def _stop(self, sub_id: str) -> None:
        task = self.streams.pop(sub_id, None)
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await self.send({"type": "complete", "id": sub_id})

    async def expire(self) -> None:
        """The token in the URL expired: AppSync ends the connection."""
        await self.send(
            {
                "type": "error",
                "payload": {
                    "errors": [{"errorType": UNAUTHORIZED, "message": "Token has expired."}]
                },
            }
        )
        await self.ws.close()

    async def close(self) -> None:
        tasks = [*self.streams.values(), *([self.keepalive] if self.keepalive else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))
