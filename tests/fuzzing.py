"""Hypothesis strategies for the clients' parsers: any JSON value in any field of a real payload.

The tests built on these are seeded and bounded (FUZZ_SETTINGS), so the suite stays fast and a
failure repeats.
"""

from __future__ import annotations

from collections.abc import Callable
import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, settings, strategies as st

FUZZ_SETTINGS = settings(
    max_examples=150,
    derandomize=True,  # seeded: the same examples on every run and in CI
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

# What a cloud can put in a field: every JSON type, non-finite numbers (Python's json reads
# NaN and Infinity), epochs far out of range, timestamps without a zone, nesting.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(
        ["", "null", "NaN", "-Infinity", "1e999", "2025-13-45", "2026-03-01T12:00:00"]
    )
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def deeply_nested(depth: int = 5000) -> str:
    """A JSON text nested deeper than Python's recursion limit."""
    return "[" * depth + "]" * depth


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


def _replaced(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    result = copy.deepcopy(tree)
    parent = result
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return result


@st.composite
def mutated(draw: st.DrawFn, sample: Any) -> Any:
    """`sample` (a real payload) with one field, or the whole of it, replaced by any JSON value;
    fields that hold JSON text (AWSJSON) are mutated inside their text too."""
    path = draw(st.sampled_from(_paths(sample)))
    value = draw(json_values)
    return _replaced(sample, path, value)


def as_json_text(value: Any) -> str:
    """JSON text the way a cloud would send it (NaN and Infinity included)."""
    return json.dumps(value)


def read_every_property(obj: Any) -> None:
    """Evaluate every public property of a parsed model: none may raise on odd data."""
    for name in dir(type(obj)):
        if not name.startswith("_") and isinstance(getattr(type(obj), name, None), property):
            value = getattr(obj, name)
            if isinstance(value, float):
                assert math.isfinite(value), f"{type(obj).__name__}.{name} = {value}"


def parses_or_raises(
    parse: Callable[[], Any], allowed: type[BaseException] | tuple[type[BaseException], ...]
) -> Any:
    """The parser's result, or None when it raised its client's own error (and nothing else)."""
    try:
        return parse()
    except allowed:
        return None
