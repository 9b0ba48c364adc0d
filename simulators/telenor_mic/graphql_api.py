"""POST /graphql: the things API's schema, executed by graphql-core (aliases, variables and
fragments work as on any GraphQL server). Users see the things of their domain branch; a thing
outside it reads as not found."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, build_schema, graphql_sync

from simulators.core import MalformedItems, SimContext

from . import malformed, views
from .model import Stack, User

SDL = """
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
MAX_PAGE = 100


class GraphqlApi:
    """The schema of one stack (stacks differ in how the JSON scalar is written)."""

    def __init__(self, ctx: SimContext, stack: Stack, faults: MalformedItems) -> None:
        self.ctx = ctx
        self.stack = stack
        self.faults = faults
        self.schema = build_schema(SDL)
        if stack.dialect.json_scalar == "string":
            # this stack sends state and shadow as JSON text in a string
            self.schema.type_map["JSON"].serialize = malformed.render  # type: ignore[attr-defined]

    def execute(
        self,
        user: User,
        query: str,
        variables: dict[str, Any] | None,
        operation: str | None = None,
    ) -> dict[str, Any]:
        result = graphql_sync(
            self.schema,
            query,
            root_value=self._root(user),
            variable_values=variables,
            operation_name=operation,
        )
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [_error(e) for e in result.errors]
        return answer

    def _broken(self, name: str, row: dict[str, Any]) -> dict[str, Any]:
        shape = self.faults.take(name)
        return row if shape is None else malformed.thing_row(shape, row)

    def _root(self, user: User) -> dict[str, Callable[..., Any]]:
        stack, dialect = self.stack, self.stack.dialect

        def all_things(_info: Any, **args: Any) -> dict[str, Any]:
            size = max(0, min(int(args.get("size") or 0), MAX_PAGE))
            start = max(0, int(args.get("from") or 0))
            things = stack.visible_things(user)
            rows = [
                self._broken(t.name, views.thing_row(t, dialect))
                for t in things[start : start + size]
            ]
            return {"total": len(things), "things": rows}

        def thing(_info: Any, thingName: str) -> dict[str, Any]:  # noqa: N803  (GraphQL's name)
            found = stack.things.get(thingName)
            if found is None or not user.sees(found.domain):
                raise GraphQLError("THING_NOT_FOUND")
            return self._broken(found.name, views.thing_detail(found, self.ctx.clock.now()))

        def thing_type_resources(_info: Any, thingTypeId: str) -> dict[str, Any]:  # noqa: N803
            found = next((t for t in stack.visible_types(user) if t.type_id == thingTypeId), None)
            if found is None:
                raise GraphQLError("THING_TYPE_NOT_FOUND")
            return views.graphql_resources(found)

        return {
            "allThings": all_things,
            "thing": thing,
            "thingTypeResources": thing_type_resources,
        }


def _error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = {"message": error.message}
    if error.path is not None:
        formatted["path"] = list(error.path)
    return formatted
