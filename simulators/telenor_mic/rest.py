"""Each stack's Cloud REST API behind API Gateway (x-api-key on every call, the Cognito id
token in Authorization on authenticated ones): the routes, and the things endpoints.

Each stack's API lives under `/{StackName}`; a path API Gateway does not know answers 403
"Missing Authentication Token", as it does for real.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from simulators.core import MalformedItems

from . import errors, history, malformed, search, views
from .auth import UserPoolAuth, json_object
from .bootstrap import MANIFEST_PATHS, Bootstrap
from .cloud import MicCloud
from .graphql_api import GraphqlApi
from .model import Stack, User
from .things import Thing

MAX_SEARCH_WINDOW = 10_000  # Elasticsearch's index.max_result_window
MAX_OBSERVATIONS = 1000

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type StackHandler = Callable[[web.Request, Stack], Awaitable[web.StreamResponse]]
type UserHandler = Callable[[web.Request, User], Awaitable[web.StreamResponse]]


def _count(value: object, default: int, name: str) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise errors.invalid_query(f"[{name}] must be zero or more")
    return value


def _answer(body: Any, *, broken: bool) -> web.Response:
    if not broken:
        return web.json_response(body)
    return web.Response(text=malformed.render(body), content_type="application/json")


class MicRest:
    def __init__(self, cloud: MicCloud, faults: MalformedItems) -> None:
        self.cloud = cloud
        self.ctx = cloud.ctx
        self.faults = faults
        self.graphql = {name: GraphqlApi(self.ctx, s, faults) for name, s in cloud.stacks.items()}
        self.bootstrap = Bootstrap(cloud)
        self.auth = UserPoolAuth(self.ctx, cloud.data)

    def add_routes(self, app: web.Application) -> None:
        r = app.router
        for path in MANIFEST_PATHS:
            r.add_get(path, self.bootstrap.manifest)
        for stack in self.cloud.stacks.values():
            base = f"/{stack.name}"
            metadata = self.bootstrap
            r.add_get(f"{base}/metadata/manifest", self._stack(stack, metadata.stack_manifest))
            r.add_get(f"{base}/metadata/swagger", self._stack(stack, metadata.swagger))
            r.add_post(f"{base}/auth/login", self._keyed(stack, self.auth.login))
            r.add_post(f"{base}/auth/refresh", self._keyed(stack, self.auth.refresh))
            r.add_post(f"{base}/graphql", self._authed(stack, self.run_graphql))
            r.add_get(f"{base}/thingtypes", self._authed(stack, self.thing_types))
            r.add_post(f"{base}/things/find", self._authed(stack, self.find_things))
            r.add_get(f"{base}/things/{{thingName}}", self._authed(stack, self.get_thing))
            r.add_put(f"{base}/things/{{thingName}}", self._authed(stack, self.update_thing))
            r.add_delete(f"{base}/things/{{thingName}}", self._authed(stack, self.delete_thing))
            r.add_post(f"{base}/observations/find", self._authed(stack, self.find_observations))
            r.add_route("*", f"{base}/{{tail:.*}}", self.unknown_path)

    # --- API Gateway in front --------------------------------------------------------------------
    @staticmethod
    def _stack(stack: Stack, handler: StackHandler) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await handler(request, stack)

        return handle

    def _keyed(self, stack: Stack, handler: StackHandler) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            if request.headers.get("x-api-key") != stack.api_key:
                raise errors.gateway_error(403, errors.FORBIDDEN)
            return await handler(request, stack)

        return handle

    def _authed(self, stack: Stack, handler: UserHandler) -> Handler:
        async def handle(request: web.Request, stack: Stack) -> web.StreamResponse:
            return await handler(request, self.auth.authorize(request, stack))

        return self._keyed(stack, handle)

    async def unknown_path(self, _request: web.Request) -> web.Response:
        raise errors.gateway_error(403, errors.MISSING_TOKEN)

    # --- things ----------------------------------------------------------------------------------
    async def run_graphql(self, request: web.Request, user: User) -> web.Response:
        body = await json_object(request)
        query, variables = body.get("query"), body.get("variables")
        if not isinstance(query, str) or not query.strip():
            return web.json_response(
                {"errors": [{"message": "Must provide query string."}]}, status=400
            )
        if variables is not None and not isinstance(variables, dict):
            return web.json_response(
                {"errors": [{"message": "Variables must be provided as an Object."}]}, status=400
            )
        operation = body.get("operationName")
        answer = self.graphql[user.stack.name].execute(
            user, query, variables, operation if isinstance(operation, str) else None
        )
        return _answer(answer, broken=True)  # rows may carry NaN or deep nesting

    async def thing_types(self, _request: web.Request, user: User) -> web.Response:
        return web.json_response([views.thing_type_row(t) for t in user.stack.visible_types(user)])

    def _visible(self, user: User, name: str) -> Thing:
        thing = user.stack.things.get(name)
        if thing is None or not user.sees(thing.domain):
            raise errors.thing_not_found(name)
        return thing

    def _writable(self, user: User, name: str, operation: str) -> Thing:
        """A thing the user may change: not found outside its branch, refused when read-only."""
        thing = self._visible(user, name)
        if user.read_only:
            raise errors.not_authorized(
                operation, "THING", user.stack.dialect.not_authorized_status
            )
        return thing

    def _row(self, thing: Thing, row: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        shape = self.faults.take(thing.name)
        return (row, False) if shape is None else (malformed.thing_row(shape, row), True)

    async def get_thing(self, request: web.Request, user: User) -> web.Response:
        thing = self._visible(user, request.match_info["thingName"])
        row, broken = self._row(thing, views.thing_detail(thing, self.ctx.clock.now()))
        return _answer(row, broken=broken)

    async def update_thing(self, request: web.Request, user: User) -> web.Response:
        thing = self._writable(user, request.match_info["thingName"], "UPDATE")
        body = await json_object(request)
        label = body.get("label", thing.label)
        if not isinstance(label, str) or not label.strip():
            raise errors.localizable(
                "label must be a non-empty string", "INVALID_PARAMETER", prop="label"
            )
        self.cloud.relabel(user.stack, thing, label)
        return web.json_response(views.thing_detail(thing, self.ctx.clock.now()))

    async def delete_thing(self, request: web.Request, user: User) -> web.Response:
        thing = self._writable(user, request.match_info["thingName"], "DELETE")
        self.cloud.remove_thing(user.stack, thing)
        return web.json_response({})

    async def find_things(self, request: web.Request, user: User) -> web.Response:
        body = await json_object(request)
        size, start = _count(body.get("size"), 10, "size"), _count(body.get("from"), 0, "from")
        if start + size > MAX_SEARCH_WINDOW:
            raise errors.invalid_query(
                f"Result window is too large: from + size > {MAX_SEARCH_WINDOW}"
            )
        try:
            matches = search.compile_query(body.get("query", {"match_all": {}}))
        except search.QueryError as err:
            raise errors.invalid_query(str(err)) from None
        dialect = user.stack.dialect
        found = [
            (t, source)
            for t in user.stack.visible_things(user)
            if matches(source := views.search_source(t, dialect))
        ]
        hits, broken = [], False
        for thing, source in found[start : start + size]:
            row, is_broken = self._row(thing, source)
            broken |= is_broken
            hits.append({"_id": thing.name, "_source": row})
        total: Any = len(found) if dialect.hits_total == "number" else {"value": len(found)}
        return _answer({"hits": {"total": total, "hits": hits}}, broken=broken)

    async def find_observations(self, request: web.Request, user: User) -> web.Response:
        body = await json_object(request)
        size = min(_count(body.get("size"), 10, "size"), MAX_OBSERVATIONS)
        start = _count(body.get("from"), 0, "from")
        try:
            query = search.observation_query(body.get("query"))
        except search.QueryError as err:
            raise errors.invalid_query(str(err)) from None
        descending = _descending(body.get("sort"))
        things = [
            t
            for t in user.stack.visible_things(user)
            if query.thing_names is None or t.name in query.thing_names
        ]
        if query.rest is None:
            total = sum(history.count(t, query.window) for t in things)
            chosen = history.page(things, query.window, start, size, descending=descending)
            docs = [history.observation(thing, at) for at, thing in chosen]
        else:  # every observation has to be looked at
            everything = history.page(
                things, query.window, 0, MAX_SEARCH_WINDOW * 10, descending=descending
            )
            matching = [
                doc
                for doc in (history.observation(thing, at) for at, thing in everything)
                if query.rest(doc)
            ]
            total, docs = len(matching), matching[start : start + size]
        hits = [
            {"_id": f"{doc['thingName']}-{doc['timestamp']}", "_source": _fields(doc, body)}
            for doc in docs
        ]
        return web.json_response({"hits": {"total": {"value": total}, "hits": hits}})


def _descending(sort: object) -> bool:
    """Whether the sort asks for the newest observations first (ascending otherwise)."""
    items = sort if isinstance(sort, list) else [sort]
    for item in items:
        if isinstance(item, str) and item.startswith(search.TIMESTAMP):
            return item.endswith(":desc")
        if isinstance(item, Mapping) and search.TIMESTAMP in item:
            order = item[search.TIMESTAMP]
            if isinstance(order, Mapping):
                order = order.get("order")
            return bool(order == "desc")
    return False


def _fields(doc: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """_source filtering: the paths listed in the request's `_source`, if it lists any."""
    wanted = body.get("_source")
    if not isinstance(wanted, list) or not all(isinstance(p, str) for p in wanted):
        return doc
    kept: dict[str, Any] = {}
    for path in wanted:
        value = search.lookup(doc, path)
        if value is None:
            continue
        *parents, leaf = path.split(".")
        target = kept
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return kept
