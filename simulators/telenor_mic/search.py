"""The part of Elasticsearch's query DSL that things/find and observations/find take.

Clauses: match_all, term, terms, range, exists, and bool (must, filter, should, must_not,
minimum_should_match). Fields are document paths (`thingName`, `state.temperature`); a
`.keyword` suffix reads the same field. Anything else is an invalid query, as Elasticsearch
would refuse it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
import math
from typing import Any

from .history import Window

type Predicate = Callable[[Mapping[str, Any]], bool]
TIMESTAMP = "timestamp"
THING_NAME = "thingName"


class QueryError(ValueError):
    """A query this API does not run (answered as a LocalizableError INVALID_QUERY)."""


def _field(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise QueryError("a field name must be a string")
    return name.removesuffix(".keyword")


def lookup(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _single(clause: object, name: str) -> tuple[str, Any]:
    if not isinstance(clause, Mapping) or len(clause) != 1:
        raise QueryError(f"[{name}] query takes exactly one field")
    ((field, value),) = clause.items()
    return _field(field), value


def _clauses(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _matches(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, list):
        return any(_matches(item, wanted) for item in actual)
    return actual == wanted or (isinstance(actual, str | int) and str(actual) == str(wanted))


def compile_query(query: object) -> Predicate:
    """A predicate over documents for an Elasticsearch query."""
    if not isinstance(query, Mapping) or len(query) != 1:
        raise QueryError("a query is an object with exactly one clause")
    ((kind, body),) = query.items()
    if kind == "match_all":
        return lambda _doc: True
    if kind == "term":
        field, wanted = _single(body, "term")
        if isinstance(wanted, Mapping):
            wanted = wanted.get("value")
        return lambda doc: _matches(lookup(doc, field), wanted)
    if kind == "terms":
        field, values = _single(body, "terms")
        if not isinstance(values, list):
            raise QueryError("[terms] takes a list of values")
        return lambda doc: any(_matches(lookup(doc, field), v) for v in values)
    if kind == "exists":
        if not isinstance(body, Mapping):
            raise QueryError("[exists] takes {field}")
        path = _field(body.get("field"))
        return lambda doc: lookup(doc, path) is not None
    if kind == "range":
        field, bounds = _single(body, "range")
        low, high = _bounds(bounds, epoch=field == TIMESTAMP)
        return lambda doc: _in_range(lookup(doc, field), low, high, epoch=field == TIMESTAMP)
    if kind == "bool":
        return _compile_bool(body)
    raise QueryError(f"no [query] registered for [{kind}]")


def _compile_bool(body: object) -> Predicate:
    if not isinstance(body, Mapping):
        raise QueryError("[bool] takes an object")
    unknown = set(body) - {"must", "filter", "should", "must_not", "minimum_should_match"}
    if unknown:
        raise QueryError(f"[bool] query does not support {sorted(unknown)}")
    required = [compile_query(c) for key in ("must", "filter") for c in _clauses(body.get(key, []))]
    excluded = [compile_query(c) for c in _clauses(body.get("must_not", []))]
    optional = [compile_query(c) for c in _clauses(body.get("should", []))]
    minimum = body.get("minimum_should_match", 0 if required else 1)
    if not isinstance(minimum, int):
        raise QueryError("[minimum_should_match] must be a number")
    minimum = min(minimum, len(optional))

    def matches(doc: Mapping[str, Any]) -> bool:
        return (
            all(p(doc) for p in required)
            and not any(p(doc) for p in excluded)
            and sum(1 for p in optional if p(doc)) >= minimum
        )

    return matches


def _epoch_s(value: object) -> float:
    """A time bound: epoch milliseconds (number or digits) or ISO 8601."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value) / 1000
    if isinstance(value, str):
        if value.isdigit():
            return int(value) / 1000
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise QueryError(f"failed to parse date field [{value}]")


def _bounds(bounds: object, *, epoch: bool) -> tuple[float, float]:
    if not isinstance(bounds, Mapping) or not set(bounds) & {"gte", "gt", "lte", "lt"}:
        raise QueryError("[range] takes gte, gt, lte or lt")

    def read(key: str) -> float | None:
        if key not in bounds:
            return None
        value = bounds[key]
        if epoch:
            return _epoch_s(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise QueryError(f"[range] bound {key} must be a number")

    tick = 0.001 if epoch else 0.0  # gt/lt exclude the bound itself (a millisecond apart)
    gte, gt, lte, lt = read("gte"), read("gt"), read("lte"), read("lt")
    low = max(x for x in (gte, None if gt is None else gt + tick, -math.inf) if x is not None)
    high = min(x for x in (lte, None if lt is None else lt - tick, math.inf) if x is not None)
    return low, high


def _in_range(value: Any, low: float, high: float, *, epoch: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    number = float(value) / 1000 if epoch else float(value)
    return low <= number <= high


@dataclass(frozen=True, slots=True)
class ObservationQuery:
    window: Window
    thing_names: frozenset[str] | None  # None: every thing the user sees
    rest: Predicate | None  # what is left to check on each observation


def observation_query(query: object) -> ObservationQuery:
    """Split a query into its timestamp range (required), the thing names it asks for and
    whatever else it says."""
    if not isinstance(query, Mapping):
        raise QueryError("a query is an object")
    parts: list[Any] = [query]
    rest: list[Any] = []
    if set(query) == {"bool"} and isinstance(query["bool"], Mapping):
        body = query["bool"]
        parts = [c for key in ("must", "filter") for c in _clauses(body.get(key, []))]
        leftover = {k: v for k, v in body.items() if k not in ("must", "filter")}
        if set(leftover) - {"minimum_should_match"}:
            rest.append({"bool": leftover})
    window: Window | None = None
    names: frozenset[str] | None = None
    for part in parts:
        kind, field, argument = _on_one_field(part)
        if kind == "range" and field == TIMESTAMP:
            low, high = _bounds(argument, epoch=True)
            window = Window(low, high) if window is None else _narrow(window, low, high)
        elif kind in ("term", "terms") and field == THING_NAME:
            wanted = argument
            if isinstance(wanted, Mapping):
                wanted = [wanted.get("value")]
            found = frozenset(str(v) for v in _clauses(wanted))
            names = found if names is None else names & found
        else:
            rest.append(part)
    if window is None:
        raise QueryError("the query must have a range on timestamp")
    predicate = compile_query({"bool": {"filter": rest}}) if rest else None
    return ObservationQuery(window, names, predicate)


def _on_one_field(clause: object) -> tuple[str | None, str | None, Any]:
    """(kind, field, argument) of a clause like {"range": {"timestamp": {...}}}."""
    if not isinstance(clause, Mapping) or len(clause) != 1:
        return None, None, None
    ((kind, body),) = clause.items()
    if not isinstance(body, Mapping) or len(body) != 1:
        return str(kind), None, None
    ((field, argument),) = body.items()
    return str(kind), _field(field), argument


def _narrow(window: Window, low: float, high: float) -> Window:
    return Window(max(window.start, low), min(window.end, high))
