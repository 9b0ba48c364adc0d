"""Typed views of Telenor MIC's JSON, read tolerantly; every vendor key and string lives here.

The cloud's stacks disagree on details (../shared/notes/cloud-facts.md and the protocol notes):
`UserPool` or `UserPoolId`, `lastHeardFrom` as epoch milliseconds in a string or ISO 8601, the
GraphQL JSON scalar as an object or as JSON text, positions as `"lat,lon"` or `{lat, lon|lng}`,
error messages as a LocalizableError object or plain text, `hits.total` as a number or
`{value}`, thing updates with or without metadata and version. Both shapes are read everywhere.

A malformed value becomes None, a malformed item is skipped, and only a body that cannot be
read at all raises `MicResponseError` (or `MicManifestError` for the manifests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import json
import math
import re
from typing import Any

from .exceptions import ManifestProblem, MicManifestError, MicResponseError, MicWriteError

MAX_JSON_DEPTH = 32  # shadows nest a few levels; deeper is garbage (or an attack)
MAX_PAYLOAD = 1_000_000  # characters; AWS IoT's messages are at most 128 KB
# Nothing a MIC thing reports comes near this; a larger number is corrupt (and would not fit a
# Home Assistant state).
MAX_MAGNITUDE = 1e15
MS_THRESHOLD = 1e11  # an epoch this large is in milliseconds (1e11 s is the year 5138)
ASSUMED_CREDENTIALS_LIFETIME = timedelta(hours=1)
MAX_OPTIONS = 1000
# What reading an odd JSON value can raise: wrong types, deep nesting, numbers out of range.
UNREADABLE = (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError)

_ISO_MAX = 64
_TRUE = frozenset({"true", "on", "1", "yes"})
_FALSE = frozenset({"false", "off", "0", "no"})
_NUMERIC = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")
_WILDCARDS = frozenset("+#")

# --- requests: what the client sends (vendor keys too) -------------------------------------------
GRAPHQL_THING_FIELDS = "thingName label domain thingType lastHeardFrom state"
GRAPHQL_DETAIL_FIELDS = "thingName label domain domainTopic thingType shadow"
GRAPHQL_RESOURCE_FIELDS = "resources { name type metadata { label unit isSettable } }"
ALL_THINGS_QUERY = (
    "query AllThings($size: Int, $from: Int) { allThings(size: $size, from: $from) "
    f"{{ total things {{ {GRAPHQL_THING_FIELDS} }} }} }}"
)
COGNITO_TARGET = "AWSCognitoIdentityService.GetCredentialsForIdentity"
COGNITO_CONTENT_TYPE = "application/x-amz-json-1.1"
HEADER_API_KEY = "x-api-key"
HEADER_AUTHORIZATION = "Authorization"
HEADER_IDENTITY = "identityId"
HEADER_AMZ_TARGET = "X-Amz-Target"
HOSTNAME_PARAM = "hostname"
METADATA_MANIFEST_PATH = "/metadata/manifest"
LOGIN_PATH = "/auth/login"
REFRESH_PATH = "/auth/refresh"
GRAPHQL_PATH = "/graphql"
THING_TYPES_PATH = "/thingtypes"
FIND_THINGS_PATH = "/things/find"
FIND_OBSERVATIONS_PATH = "/observations/find"
# messageKeys and Cognito error types the client acts on
KEY_NOT_AUTHORIZED = "NOT_AUTHORIZED"
KEY_NOT_FOUND_SUFFIX = "_NOT_FOUND"
COGNITO_NOT_AUTHORIZED = "NotAuthorizedException"
COGNITO_NOT_FOUND = "ResourceNotFoundException"
COGNITO_THROTTLED = frozenset({"TooManyRequestsException", "LimitExceededException"})
COGNITO_INTERNAL = "InternalErrorException"


def login_body(user_name: str, password: str) -> dict[str, str]:
    return {"userName": user_name, "password": password}


def refresh_body(refresh_token: str) -> dict[str, str]:
    return {"refreshToken": refresh_token}


def graphql_body(query: str, variables: Mapping[str, object] | None = None) -> dict[str, object]:
    body: dict[str, object] = {"query": query}
    if variables:
        body["variables"] = dict(variables)
    return body


def aliased_query(name: str, field_name: str, argument: str, fields: str, count: int) -> str:
    """`query Name($v0: String!, ...) { t0: field(argument: $v0) { fields } ... }`."""
    variables = ", ".join(f"$v{i}: String!" for i in range(count))
    selections = " ".join(
        f"t{i}: {field_name}({argument}: $v{i}) {{ {fields} }}" for i in range(count)
    )
    return f"query {name}({variables}) {{ {selections} }}"


def thing_details_query(count: int) -> str:
    return aliased_query("ThingDetails", "thing", "thingName", GRAPHQL_DETAIL_FIELDS, count)


def thing_type_resources_query(count: int) -> str:
    return aliased_query(
        "ThingTypeResources", "thingTypeResources", "thingTypeId", GRAPHQL_RESOURCE_FIELDS, count
    )


def aliased_variables(values: Sequence[str]) -> dict[str, str]:
    return {f"v{i}": value for i, value in enumerate(values)}


def alias(index: int) -> str:
    return f"t{index}"


def all_things_variables(size: int, start: int) -> dict[str, int]:
    return {"size": size, "from": start}


def find_body(query: Mapping[str, object], size: int, start: int) -> dict[str, object]:
    return {"query": dict(query), "size": size, "from": start}


def observations_body(
    thing_names: Sequence[str], start: datetime, end: datetime, size: int, offset: int
) -> dict[str, object]:
    """An Elasticsearch query: these things' observations between `start` and `end`."""
    names = list(thing_names)
    thing_filter: dict[str, object] = (
        {"terms": {"thingName": names}} if len(names) > 1 else {"term": {"thingName": names[0]}}
    )
    window = {"gte": epoch_ms(start), "lte": epoch_ms(end)}
    return {
        "query": {"bool": {"filter": [thing_filter, {"range": {"timestamp": window}}]}},
        "size": size,
        "from": offset,
        "sort": [{"timestamp": {"order": "asc"}}],
    }


def cognito_body(identity_id: str, region: str, user_pool: str, token: str) -> dict[str, object]:
    return {
        "IdentityId": identity_id,
        "Logins": {f"cognito-idp.{region}.amazonaws.com/{user_pool}": token},
    }


def desired_payload(desired: Mapping[str, object]) -> str:
    """`{"state": {"desired": {...}}}`; ValueError for what JSON cannot carry (NaN, objects)."""
    return json.dumps({"state": {"desired": dict(desired)}}, allow_nan=False)


def epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


# --- reading values ------------------------------------------------------------------------------
def as_float(value: Any) -> float | None:
    """A finite number of sane size (numbers or numeric text), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and (len(value) > 40 or not _NUMERIC.fullmatch(value)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_MAGNITUDE else None


def as_int(value: Any) -> int | None:
    """A whole number (1, 1.0, "1"), else None."""
    number = as_float(value)
    return int(number) if number is not None and number.is_integer() else None


def as_text(value: Any) -> str | None:
    """A non-empty string, or an integer written as text (ids come as 12 or "12")."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_MAGNITUDE:
        return str(value)
    return None


def as_bool(value: Any) -> bool | None:
    """true/false, 1/0, "true"/"false", "on"/"off"; anything else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    return None


def parse_time(value: Any) -> datetime | None:  # noqa: PLR0911
    """Epoch seconds or milliseconds (numbers or digits), or ISO 8601 (no zone: UTC); None
    for anything else, for zero and negative epochs, and out of datetime's range."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = as_float(value)
        if number is not None:
            if number <= 0:
                return None
            seconds = number / 1000 if number >= MS_THRESHOLD else number
            return datetime.fromtimestamp(seconds, UTC)
        if not isinstance(value, str) or not value.strip() or len(value) > _ISO_MAX:
            return None
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None


def nested_within(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and objects nest at most `limit` deep (counted without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def load_json(payload: bytes | bytearray | str) -> Any:
    """JSON text (NaN and Infinity read; the models drop them later) of bounded size and depth;
    MicResponseError when it is none."""
    try:
        text = payload.decode() if isinstance(payload, bytes | bytearray) else payload
        if len(text) > MAX_PAYLOAD:
            raise MicResponseError(f"payload of {len(text)} characters")
        value = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise MicResponseError(f"not JSON: {err!r:.80}") from None
    if not nested_within(value):
        raise MicResponseError("JSON nested too deep")
    return value


def as_object(value: Any) -> dict[str, Any] | None:
    """The GraphQL JSON scalar: an object, or (one stack) the same object as JSON text. Only
    string keys are kept; None when it is neither."""
    if isinstance(value, str):
        try:
            value = load_json(value)
        except MicResponseError:
            return None
    if not isinstance(value, Mapping) or not nested_within(value):
        return None
    return {key: item for key, item in value.items() if isinstance(key, str)}


def _clean_topic(value: Any) -> str | None:
    """A topic path without slashes at the ends, wildcards or empty levels; else None."""
    text = as_text(value)
    if text is None:
        return None
    text = text.strip("/")
    levels = text.split("/")
    if not text or any(not level or _WILDCARDS & set(level) for level in levels):
        return None
    return text


# --- resources and thing types -------------------------------------------------------------------
class ResourceKind(StrEnum):
    BOOLEAN = "boolean"
    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    POSITION = "position"
    UNKNOWN = "unknown"


_KIND_ALIASES = {
    "bool": ResourceKind.BOOLEAN,
    "int": ResourceKind.INTEGER,
    "long": ResourceKind.INTEGER,
    "float": ResourceKind.NUMBER,
    "double": ResourceKind.NUMBER,
    "decimal": ResourceKind.NUMBER,
    "text": ResourceKind.STRING,
    "location": ResourceKind.POSITION,
    "geo_point": ResourceKind.POSITION,
}


def parse_kind(raw: Any) -> ResourceKind:
    if not isinstance(raw, str):
        return ResourceKind.UNKNOWN
    key = raw.strip().lower()
    try:
        return ResourceKind(key)
    except ValueError:
        return _KIND_ALIASES.get(key, ResourceKind.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a position resource is, in degrees."""

    latitude: float
    longitude: float

    @classmethod
    def parse(cls, raw: Any) -> Position | None:
        """`"59.91,10.75"` or `{lat, lon|lng}` (or the long names); None when unreadable or off
        the globe."""
        if isinstance(raw, Mapping):
            latitude = as_float(_first(raw, "lat", "latitude"))
            longitude = as_float(_first(raw, "lon", "lng", "long", "longitude"))
        elif isinstance(raw, str) and len(raw) <= 100:
            parts = raw.split(",")
            if len(parts) != 2:
                return None
            latitude, longitude = as_float(parts[0]), as_float(parts[1])
        else:
            return None
        if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
            return None
        return cls(latitude, longitude)


def _first(raw: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if raw.get(key) not in (None, ""):
            return raw[key]
    return None


def _label(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource of a thing type: what a thing reports (and may be told) under `name`."""

    name: str
    kind: ResourceKind
    label: str | None = None
    unit: str | None = None
    settable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    options: tuple[str, ...] = ()
    raw_type: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> Resource | None:
        """A GraphQL or REST resource row (`{name, type, metadata{...}}`); None without a name."""
        if not isinstance(raw, Mapping):
            return None
        name = as_text(raw.get("name"))
        if name is None:
            return None
        metadata = raw.get("metadata")
        meta: Mapping[str, Any] = metadata if isinstance(metadata, Mapping) else {}
        raw_type = raw.get("type")
        minimum = as_float(_first(meta, "min", "minimum"))
        maximum = as_float(_first(meta, "max", "maximum"))
        if minimum is not None and maximum is not None and minimum > maximum:
            minimum = maximum = None
        step = as_float(meta.get("step"))
        values = meta.get("values")
        options: list[str] = []
        for value in values if isinstance(values, list) else []:
            option = as_text(value)
            if option is None and isinstance(value, float) and math.isfinite(value):
                option = repr(value)
            if option is not None and option not in options and len(options) < MAX_OPTIONS:
                options.append(option)
        return cls(
            name=name,
            kind=parse_kind(raw_type),
            label=_label(meta.get("label")),
            unit=_label(meta.get("unit")),
            settable=as_bool(meta.get("isSettable")) is True,
            minimum=minimum,
            maximum=maximum,
            step=step if step is not None and step > 0 else None,
            options=tuple(options),
            raw_type=_label(raw_type),
        )

    def merged_over(self, base: Resource) -> Resource:
        """This (REST) resource's metadata where it has some, `base`'s (GraphQL) elsewhere."""
        return Resource(
            name=self.name,
            kind=self.kind if self.kind is not ResourceKind.UNKNOWN else base.kind,
            label=self.label or base.label,
            unit=self.unit or base.unit,
            settable=self.settable or base.settable,
            minimum=self.minimum if self.minimum is not None else base.minimum,
            maximum=self.maximum if self.maximum is not None else base.maximum,
            step=self.step if self.step is not None else base.step,
            options=self.options or base.options,
            raw_type=self.raw_type or base.raw_type,
        )

    def read(self, value: object) -> bool | int | float | str | Position | None:  # noqa: PLR0911
        """A reported value coerced to this resource's kind; None for anything odd."""
        match self.kind:
            case ResourceKind.BOOLEAN:
                return as_bool(value)
            case ResourceKind.INTEGER:
                number = as_float(value)
                return int(number) if number is not None and number.is_integer() else number
            case ResourceKind.NUMBER:
                return as_float(value)
            case ResourceKind.POSITION:
                return Position.parse(value)
            case ResourceKind.STRING:
                if isinstance(value, bool):
                    return str(value).lower()
                if isinstance(value, int | float):
                    number = as_float(value)
                    return None if number is None else _number_text(value)
                return value if isinstance(value, str) else None
        # a type this client does not know: plain text or a number, shown as read
        if isinstance(value, bool | str):
            return value
        number = as_float(value)
        return None if number is None else int(number) if isinstance(value, int) else number

    def encode(self, value: bool | float | str) -> object:
        """What to put in `desired` for this resource; MicWriteError when the value does not
        fit its kind (not a number, not finite, not a boolean)."""
        match self.kind:
            case ResourceKind.BOOLEAN:
                flag = as_bool(value)
                if flag is None:
                    raise MicWriteError(f"{self.name}: not a boolean: {value!r:.40}")
                return flag
            case ResourceKind.INTEGER | ResourceKind.NUMBER:
                number = None if isinstance(value, bool) else as_float(value)
                if number is None:
                    raise MicWriteError(f"{self.name}: not a finite number: {value!r:.40}")
                if self.kind is ResourceKind.INTEGER:
                    return round(number)
                return int(number) if number.is_integer() and isinstance(value, int) else number
            case ResourceKind.STRING | ResourceKind.UNKNOWN:
                if isinstance(value, float) and not math.isfinite(value):
                    raise MicWriteError(f"{self.name}: not a finite number: {value!r:.40}")
                return value if isinstance(value, str) else _number_text(value)
        raise MicWriteError(f"{self.name}: a {self.kind} resource cannot be written")


def _number_text(value: bool | float) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer() and abs(value) < MAX_MAGNITUDE:
        return str(int(value))
    return str(value)


def parse_resources(raw: Any) -> tuple[Resource, ...]:
    """Resources in order; rows without a name skipped, a repeated name read once."""
    found: dict[str, Resource] = {}
    for row in raw if isinstance(raw, list) else []:
        resource = Resource.parse(row)
        if resource is not None:
            found.setdefault(resource.name, resource)
    return tuple(found.values())


@dataclass(frozen=True, slots=True)
class ThingType:
    id: str
    label: str | None
    resources: tuple[Resource, ...]

    @classmethod
    def parse(cls, raw: Any) -> ThingType | None:
        """A `GET /thingtypes` row; None without an id."""
        if not isinstance(raw, Mapping):
            return None
        type_id = as_text(raw.get("id"))
        if type_id is None:
            return None
        return cls(type_id, _label(raw.get("label")), parse_resources(raw.get("resources")))

    @classmethod
    def from_graphql(cls, type_id: str, raw: Any) -> ThingType | None:
        """`thingTypeResources`: `{resources: [...]}`; None when absent."""
        if not isinstance(raw, Mapping):
            return None
        return cls(type_id, None, parse_resources(raw.get("resources")))

    def merged_over(self, base: ThingType) -> ThingType:
        """This (REST) type over `base` (GraphQL): base's order, then resources only here."""
        mine = {resource.name: resource for resource in self.resources}
        resources = [
            mine.pop(resource.name).merged_over(resource) if resource.name in mine else resource
            for resource in base.resources
        ]
        return ThingType(self.id, self.label or base.label, (*resources, *mine.values()))

    def resource(self, name: str) -> Resource | None:
        return next((resource for resource in self.resources if resource.name == name), None)


def parse_thing_types(body: Any) -> dict[str, ThingType]:
    """`GET /thingtypes`: a list (or one wrapped under `thingTypes`/`items`); bad rows skipped."""
    if isinstance(body, Mapping):
        body = _first(body, "thingTypes", "items", "data")
    if not isinstance(body, list):
        raise MicResponseError("thing types list is not a list")
    found: dict[str, ThingType] = {}
    for row in body:
        thing_type = ThingType.parse(row)
        if thing_type is not None:
            found.setdefault(thing_type.id, thing_type)
    return found


# --- things and shadows --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Thing:
    """One allThings / things/find row (or the thing of a `thing` query)."""

    name: str
    label: str | None = None
    domain: str | None = None
    thing_type: str | None = None
    last_heard_from: datetime | None = None
    reported: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, *, fallback_name: Any = None) -> Thing | None:
        """None without a name; `state` is the shadow's reported state (object or JSON text)."""
        if not isinstance(raw, Mapping):
            return None
        name = as_text(raw.get("thingName")) or as_text(fallback_name)
        if name is None:
            return None
        return cls(
            name=name,
            label=_label(raw.get("label")),
            domain=as_text(raw.get("domain")),
            thing_type=as_text(raw.get("thingType")),
            last_heard_from=parse_time(raw.get("lastHeardFrom")),
            reported=as_object(raw.get("state")) or {},
        )


def _state_part(state: Mapping[str, Any], key: str) -> dict[str, object]:
    part = state.get(key)
    if not isinstance(part, Mapping):
        return {}
    return {name: value for name, value in part.items() if isinstance(name, str)}


def _metadata_time(entry: Any) -> datetime | None:
    """`{"timestamp": s}`, or for an object value (a position) the latest of its fields'."""
    if not isinstance(entry, Mapping):
        return None
    if "timestamp" in entry:
        return parse_time(entry["timestamp"])
    times = [
        parse_time(child.get("timestamp")) for child in entry.values() if isinstance(child, Mapping)
    ]
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


@dataclass(frozen=True, slots=True)
class Shadow:
    """A full AWS IoT shadow document, or one thing-update message (partial reported state)."""

    reported: Mapping[str, object] = field(default_factory=dict)
    desired: Mapping[str, object] = field(default_factory=dict)
    delta: Mapping[str, object] = field(default_factory=dict)
    reported_at: Mapping[str, datetime] = field(default_factory=dict)
    version: int | None = None
    timestamp: datetime | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Shadow:
        """From a decoded document; MicResponseError without a `state` object."""
        state = raw.get("state")
        if not isinstance(state, Mapping):
            raise MicResponseError("shadow without a state object")
        metadata = raw.get("metadata")
        reported_meta = metadata.get("reported") if isinstance(metadata, Mapping) else None
        reported_at: dict[str, datetime] = {}
        if isinstance(reported_meta, Mapping):
            for name, entry in reported_meta.items():
                moment = _metadata_time(entry)
                if isinstance(name, str) and moment is not None:
                    reported_at[name] = moment
        version = as_int(raw.get("version"))
        return cls(
            reported=_state_part(state, "reported"),
            desired=_state_part(state, "desired"),
            delta=_state_part(state, "delta"),
            reported_at=reported_at,
            version=version if version is not None and version >= 0 else None,
            timestamp=parse_time(raw.get("timestamp")),
        )

    @property
    def last_reported(self) -> datetime | None:
        """When the thing last reported any resource (per the metadata)."""
        return max(self.reported_at.values()) if self.reported_at else None


def parse_shadow(payload: bytes | str | Mapping[str, object]) -> Shadow:
    """A shadow or thing-update message: JSON text or the (GraphQL) decoded object, or that
    object as JSON text; MicResponseError when it is no shadow."""
    raw: Any = payload
    if isinstance(payload, bytes | bytearray | str):
        raw = load_json(payload)
        if isinstance(raw, str):  # the JSON scalar serialised as text, sent as a JSON string
            raw = load_json(raw)
    if not isinstance(raw, Mapping):
        raise MicResponseError("shadow is not an object")
    return Shadow.parse(raw)


@dataclass(frozen=True, slots=True)
class ThingDetails:
    """A `thing(thingName)` answer: the thing, its MQTT topic path and its full shadow."""

    thing: Thing
    domain_topic: str | None
    shadow: Shadow | None

    @classmethod
    def parse(cls, raw: Any, *, fallback_name: Any = None) -> ThingDetails | None:
        """None when absent or without a name; an unreadable shadow becomes None alone."""
        thing = Thing.parse(raw, fallback_name=fallback_name)
        if thing is None or not isinstance(raw, Mapping):
            return None
        shadow: Shadow | None = None
        if raw.get("shadow") is not None:
            try:
                shadow = parse_shadow(raw["shadow"])
            except MicResponseError:
                shadow = None
        if shadow is not None:
            thing = Thing(
                name=thing.name,
                label=thing.label,
                domain=thing.domain,
                thing_type=thing.thing_type,
                last_heard_from=thing.last_heard_from or shadow.last_reported,
                reported=thing.reported or shadow.reported,
            )
        return cls(thing, _clean_topic(raw.get("domainTopic")), shadow)


@dataclass(frozen=True, slots=True)
class ThingPage:
    """One page of allThings or things/find: the readable things, how many rows came, total."""

    things: list[Thing]
    rows: int
    total: int | None
    skipped: int


def parse_all_things(data: Any) -> ThingPage:
    """The `data` of an allThings query: `{allThings: {total, things: [...]}}`."""
    page = data.get("allThings") if isinstance(data, Mapping) else None
    if not isinstance(page, Mapping):
        raise MicResponseError("allThings is not an object")
    rows = page.get("things")
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise MicResponseError("allThings.things is not a list")
    things = [thing for thing in (Thing.parse(row) for row in rows) if thing is not None]
    return ThingPage(things, len(rows), _total(page.get("total")), len(rows) - len(things))


def _total(value: Any) -> int | None:
    if isinstance(value, Mapping):
        value = value.get("value")
    total = as_int(value)
    return total if total is not None and total >= 0 else None


def _hits(body: Any) -> tuple[list[Any], int | None]:
    """An Elasticsearch answer's `hits.hits` and `hits.total` (a number or `{value}`)."""
    hits = body.get("hits") if isinstance(body, Mapping) else None
    if not isinstance(hits, Mapping):
        raise MicResponseError("search answer without hits")
    rows = hits.get("hits")
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise MicResponseError("hits.hits is not a list")
    return rows, _total(hits.get("total"))


def parse_found_things(body: Any) -> ThingPage:
    """`POST /things/find`: `{hits: {total, hits: [{_id, _source: {...}}]}}`."""
    rows, total = _hits(body)
    things: list[Thing] = []
    for row in rows:
        source = row.get("_source") if isinstance(row, Mapping) else None
        thing = Thing.parse(source, fallback_name=row.get("_id")) if source is not None else None
        if thing is not None:
            things.append(thing)
    return ThingPage(things, len(rows), total, len(rows) - len(things))


@dataclass(frozen=True, slots=True)
class Observation:
    """One recorded report of a thing: its reported values at `timestamp`."""

    thing_name: str
    timestamp: datetime
    values: Mapping[str, object]

    @classmethod
    def parse(cls, row: Any) -> Observation | None:
        source = row.get("_source") if isinstance(row, Mapping) else None
        if not isinstance(source, Mapping):
            return None
        name = as_text(source.get("thingName"))
        timestamp = parse_time(source.get("timestamp"))
        if name is None or timestamp is None:
            return None
        return cls(name, timestamp, as_object(source.get("state")) or {})


def parse_observations(body: Any) -> tuple[list[Observation], int, int | None]:
    """`POST /observations/find`: the readable observations, how many rows came, the total."""
    rows, total = _hits(body)
    found = [item for item in (Observation.parse(row) for row in rows) if item is not None]
    return found, len(rows), total


# --- account and bootstrap -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class User:
    user_name: str
    domain_path: str
    domain_name: str | None = None
    role_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> User:
        if not isinstance(raw, Mapping) or as_text(raw.get("userName")) is None:
            raise MicResponseError("login answer without a user")
        domain_path = as_text(raw.get("domainPath")) or "/"
        return cls(
            user_name=str(as_text(raw.get("userName"))),
            domain_path=domain_path,
            domain_name=as_text(raw.get("domainName")),
            role_name=as_text(raw.get("roleName")),
            first_name=_label(raw.get("firstName")),
            last_name=_label(raw.get("lastName")),
            email=_label(raw.get("email")),
        )

    @property
    def read_only(self) -> bool:
        """The role MIC gives users who may look but not change (`ReadOnly`, however spelt).
        Other roles may still be refused a write; the cloud answers that."""
        role = re.sub(r"[^a-z]", "", (self.role_name or "").lower())
        return role == "readonly"

    @property
    def event_topics(self) -> tuple[str, str]:
        """The life-cycle event topics of the user's domain and its subdomains."""
        return event_topics(self.domain_path)


def event_topics(domain_path: str) -> tuple[str, str]:
    """`/demo/office/` -> (`event/demo/office`, `event/demo/office/#`); root: `event`, `event/#`."""
    path = _clean_topic(domain_path)
    base = f"event/{path}" if path else "event"
    return base, f"{base}/#"


@dataclass(frozen=True, slots=True)
class Session:
    """What `/auth/login` and `/auth/refresh` hand out (the refresh may omit the user and the
    refresh token)."""

    identity_id: str | None
    token: str
    refresh_token: str | None
    user: User | None

    @classmethod
    def parse(cls, body: Any, *, with_user: bool) -> Session:
        credentials = body.get("credentials") if isinstance(body, Mapping) else None
        if not isinstance(credentials, Mapping):
            raise MicResponseError("answer without credentials")
        token = credentials.get("token")
        if not isinstance(token, str) or not token:
            raise MicResponseError("answer without a token")
        refresh = credentials.get("refreshToken")
        return cls(
            identity_id=as_text(credentials.get("identityId")),
            token=token,
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            user=User.parse(body.get("user")) if with_user else None,
        )

    def __repr__(self) -> str:  # never log the tokens
        return f"Session(identity_id={self.identity_id!r}, token='***')"


@dataclass(frozen=True, slots=True)
class Manifest:
    api_root: str
    stack_name: str
    region: str
    user_pool: str
    identity_pool: str | None
    iot_endpoint: str
    api_key: str

    @property
    def api_base(self) -> str:
        return f"{self.api_root.rstrip('/')}/{self.stack_name}"

    @classmethod
    def parse(cls, bootstrap: Any, metadata: Any) -> Manifest:
        """From the bootstrap manifest (`?hostname=`) and the stack's `metadata/manifest`."""
        boot = bootstrap if isinstance(bootstrap, Mapping) else {}
        meta = metadata if isinstance(metadata, Mapping) else {}
        values = {
            "api_root": as_text(boot.get("ApiGatewayRootUrl")),
            "stack_name": as_text(boot.get("StackName")),
            "region": as_text(_first(meta, "Region")) or as_text(boot.get("Region")),
            "user_pool": as_text(_first(meta, "UserPool", "UserPoolId"))
            or as_text(_first(boot, "UserPool", "UserPoolId")),
            "iot_endpoint": as_text(_first(meta, "IotEndpointATS", "IotEndpoint"))
            or as_text(_first(boot, "IotEndpointATS", "IotEndpoint")),
            "api_key": as_text(meta.get("ApiKey")),
        }
        missing = sorted(name for name, value in values.items() if value is None)
        if missing:
            raise MicManifestError(ManifestProblem.UNUSABLE, f"manifest without {missing}")
        cls.metadata_url(boot)  # the API root and stack name are usable
        return cls(
            identity_pool=as_text(_first(meta, "IdentityPool"))
            or as_text(boot.get("IdentityPool")),
            **{name: str(value) for name, value in values.items()},
        )

    @staticmethod
    def metadata_url(bootstrap: Any) -> str:
        """Where the stack's `metadata/manifest` is, from the bootstrap manifest."""
        boot = bootstrap if isinstance(bootstrap, Mapping) else {}
        root = as_text(boot.get("ApiGatewayRootUrl"))
        stack = as_text(boot.get("StackName"))
        if root is None or stack is None:
            raise MicManifestError(ManifestProblem.UNUSABLE, "manifest without an API root")
        if not root.startswith(("https://", "http://")) or "/" in stack:
            raise MicManifestError(ManifestProblem.UNUSABLE, "unusable API root or stack name")
        return f"{root.rstrip('/')}/{stack}{METADATA_MANIFEST_PATH}"


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    access_key_id: str
    secret_key: str
    session_token: str
    expiration: datetime

    @classmethod
    def parse(cls, body: Any, now: datetime) -> AwsCredentials:
        """Cognito's GetCredentialsForIdentity answer; an unreadable expiry counts as an hour."""
        credentials = body.get("Credentials") if isinstance(body, Mapping) else None
        if not isinstance(credentials, Mapping):
            raise MicResponseError("Cognito answer without credentials")
        access_key = credentials.get("AccessKeyId")
        secret_key = credentials.get("SecretKey")
        session_token = credentials.get("SessionToken")
        if not (
            isinstance(access_key, str)
            and isinstance(secret_key, str)
            and isinstance(session_token, str)
            and access_key
            and secret_key
            and session_token
        ):
            raise MicResponseError("Cognito credentials incomplete")
        expiration = parse_time(credentials.get("Expiration"))
        return cls(
            access_key,
            secret_key,
            session_token,
            expiration or now + ASSUMED_CREDENTIALS_LIFETIME,
        )

    def __repr__(self) -> str:  # never log the secrets
        return (
            f"AwsCredentials(access_key_id={self.access_key_id!r}, secret_key='***', "
            f"session_token='***', expiration={self.expiration.isoformat()})"
        )


# --- errors --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ErrorBody:
    """A LocalizableError (`{message: {name, message, messageKey, messageParams}}`), its plain
    form (`{message: "text"}`), a Cognito error (`{__type, message}`) or anything else."""

    message: str
    key: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def parse(cls, body: Any) -> ErrorBody:
        if not isinstance(body, Mapping):
            return cls("no message")
        inner = body.get("message")
        source: Mapping[str, Any] = inner if isinstance(inner, Mapping) else body
        message = source.get("message") if source is not body else inner
        if not isinstance(message, str) or not message:
            message = _first(body, "Message", "errorMessage", "error")
        key = as_text(_first(source, "messageKey", "code")) or _aws_type(body.get("__type"))
        params = source.get("messageParams")
        return cls(
            message[:200] if isinstance(message, str) and message else "no message",
            key,
            as_object(params) or {},
        )


def _aws_type(value: Any) -> str | None:
    """`com.amazonaws...#NotAuthorizedException` -> `NotAuthorizedException`."""
    text = as_text(value)
    return text.rsplit("#", 1)[-1] or None if text else None


@dataclass(frozen=True, slots=True)
class GraphQLAnswer:
    data: Mapping[str, Any]
    errors: tuple[ErrorBody, ...]

    @classmethod
    def parse(cls, body: Any) -> GraphQLAnswer:
        if not isinstance(body, Mapping):
            raise MicResponseError("GraphQL answer is not an object")
        data = body.get("data")
        if data is not None and not isinstance(data, Mapping):
            raise MicResponseError("GraphQL data is not an object")
        errors = body.get("errors")
        return cls(
            data if isinstance(data, Mapping) else {},
            tuple(ErrorBody.parse(error) for error in errors if isinstance(error, Mapping))
            if isinstance(errors, list)
            else (),
        )


# --- push ----------------------------------------------------------------------------------------
class EventType(StrEnum):
    THING_CREATE = "THING.CREATE"
    THING_DELETE = "THING.DELETE"
    THING_UPDATE = "THING.UPDATE"
    OTHER = "OTHER"


_EVENT_TYPES = {kind.value: kind for kind in EventType if kind is not EventType.OTHER}


@dataclass(frozen=True, slots=True)
class LifecycleEvent:
    type: EventType
    raw_type: str
    thing_name: str | None
    thing_type: str | None
    domain: str | None
    timestamp: datetime | None


def parse_event(payload: bytes | str) -> LifecycleEvent:
    """A life-cycle event; MicResponseError when it is not an object with a type."""
    raw = load_json(payload)
    raw_type = _label(raw.get("type")) if isinstance(raw, Mapping) else None
    if raw_type is None:
        raise MicResponseError("event without a type")
    source = raw.get("source")
    origin: Mapping[str, Any] = source if isinstance(source, Mapping) else {}
    kind = _EVENT_TYPES.get(raw_type.upper(), EventType.OTHER)
    return LifecycleEvent(
        type=kind,
        raw_type=raw_type,
        thing_name=as_text(origin.get("thingName")),
        thing_type=as_text(origin.get("thingType")),
        domain=as_text(origin.get("domain")),
        timestamp=parse_time(raw.get("timestamp")),
    )


THING_UPDATE = "thing-update"


def thing_update_topic(domain_topic: str, thing_name: str) -> str:
    """`thing-update/<domain topic>/<thing name>`; ValueError for a name or path no topic can
    carry (wildcards, slashes in the name, empty levels)."""
    path = _clean_topic(domain_topic)
    name = _clean_topic(thing_name)
    if path is None or name is None or "/" in name:
        raise ValueError(f"no thing-update topic for {domain_topic!r}/{thing_name!r}")
    return f"{THING_UPDATE}/{path}/{name}"


def thing_update_subscription(domain_topic: str) -> str | None:
    """`thing-update/<domain topic>/#`; None for a path no topic can carry."""
    path = _clean_topic(domain_topic)
    return None if path is None else f"{THING_UPDATE}/{path}/#"


def parse_thing_update_topic(topic: str) -> tuple[str, str] | None:
    """`thing-update/demo/office/thing-1` -> (`demo/office`, `thing-1`); None otherwise."""
    levels = topic.split("/") if isinstance(topic, str) else []
    if len(levels) < 3 or levels[0] != THING_UPDATE or not all(levels[1:]):
        return None
    return "/".join(levels[1:-1]), levels[-1]


def is_event_topic(topic: str) -> bool:
    return isinstance(topic, str) and (topic == "event" or topic.startswith("event/"))


def clean_domain_topic(value: Any) -> str | None:
    """A domain topic as subscriptions and publishes use it (no slashes at the ends)."""
    return _clean_topic(value)
