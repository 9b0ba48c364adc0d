"""How things and thing types read in the API's answers (GraphQL rows, search hits, REST rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .model import Dialect, ThingType
from .things import Thing


def iso(epoch: float) -> str:
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def last_heard(thing: Thing, dialect: Dialect, *, as_number: bool = False) -> str | int | None:
    """When the thing last reported: epoch milliseconds (a string in GraphQL, a number in a
    search hit) or ISO 8601, as the stack writes it; None if it never did."""
    if thing.last_heard is None:
        return None
    if dialect.last_heard_from == "iso":
        return iso(thing.last_heard)
    millis = round(thing.last_heard * 1000)
    return millis if as_number else str(millis)


def thing_row(thing: Thing, dialect: Dialect) -> dict[str, Any]:
    """An allThings row: state is the shadow's reported state."""
    return {
        "thingName": thing.name,
        "label": thing.label,
        "domain": thing.domain.name,
        "thingType": thing.thing_type.type_id,
        "lastHeardFrom": last_heard(thing, dialect),
        "state": dict(thing.shadow.reported) if thing.shadow.version else None,
    }


def thing_detail(thing: Thing, now: float) -> dict[str, Any]:
    return {
        "thingName": thing.name,
        "label": thing.label,
        "domain": thing.domain.name,
        "domainTopic": thing.domain.topic,
        "thingType": thing.thing_type.type_id,
        "shadow": thing.shadow.document(now),
    }


def search_source(thing: Thing, dialect: Dialect) -> dict[str, Any]:
    """A things/find hit's _source (the document the search index holds for the thing)."""
    return {
        "thingName": thing.name,
        "label": thing.label,
        "domain": thing.domain.name,
        "thingType": thing.thing_type.type_id,
        "state": dict(thing.shadow.reported),
        "lastHeardFrom": last_heard(thing, dialect, as_number=True),
    }


def thing_type_row(thing_type: ThingType) -> dict[str, Any]:
    """GET /thingtypes: REST carries the richer metadata (min, max, step, values)."""
    return {
        "id": thing_type.type_id,
        "label": thing_type.label,
        "description": thing_type.description,
        "domain": thing_type.domain.name,
        "resources": [
            {"name": r.name, "type": r.kind, "metadata": r.metadata()}
            for r in thing_type.resources.values()
        ],
    }


def graphql_resources(thing_type: ThingType) -> dict[str, Any]:
    return {
        "resources": [
            {
                "name": r.name,
                "type": r.kind,
                "metadata": {"label": r.label, "unit": r.unit, "isSettable": r.settable},
            }
            for r in thing_type.resources.values()
        ]
    }
