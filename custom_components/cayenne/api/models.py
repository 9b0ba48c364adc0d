"""Typed views of the Cayenne (myDevices) platform's JSON, read tolerantly.

The live service and its 2017 document disagree (../shared/notes/cloud-facts.md): things carry
one child per channel, the data type and unit sit on the child or in its properties, types come
capitalised (`Temp`) and devices send bare values. A malformed value becomes None, a malformed
child is skipped, and only a thing without an id raises `CayenneResponseError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
import math
from typing import Any

from .exceptions import CayenneResponseError

MAX_JSON_DEPTH = 32  # real payloads nest a few levels
MAX_CHILD_DEPTH = 4  # a gateway, its nodes and their channels
# Nothing a Cayenne thing reports comes near this; a larger number is corrupt (and would not
# fit a Home Assistant state).
MAX_MAGNITUDE = 1e15
STATUS_ACTIVE = "ACTIVE"


class DataType(StrEnum):
    """A channel's data type, as the MQTT payloads and the platform name it."""

    TEMPERATURE = "temp"
    HUMIDITY = "rel_hum"
    LUMINOSITY = "lum"
    BAROMETRIC_PRESSURE = "bp"
    PRESSURE = "press"
    BATTERY = "batt"
    VOLTAGE = "voltage"
    CURRENT = "current"
    POWER = "pow"
    ENERGY = "energy"
    CO2 = "co2"
    SOIL_MOISTURE = "soil_moist"
    RAIN_LEVEL = "rain_level"
    WIND_SPEED = "wind_speed"
    PROXIMITY = "prox"
    MOTION = "motion"
    DIGITAL_SENSOR = "digital_sensor"
    ANALOG_SENSOR = "analog_sensor"
    COUNTER = "counter"
    RSSI = "rssi"
    SNR = "snr"
    GPS = "gps"
    DIGITAL_ACTUATOR = "digital_actuator"
    ANALOG_ACTUATOR = "analog_actuator"
    RELAY = "relay"
    SWITCH = "switch"
    VALVE = "valve"
    MOTOR = "motor"
    LIGHT_SWITCH = "lt_switch_act"
    LIGHT_DIMMER = "lt_lum"
    HVAC_TEMPERATURE = "hvac_temp"
    UNKNOWN = "unknown"

    @property
    def is_actuator(self) -> bool:
        return self in ACTUATOR_TYPES

    @property
    def is_binary(self) -> bool:
        """Reads as on/off (a 0/1 value), sensor or actuator."""
        return self in BINARY_TYPES


ACTUATOR_TYPES = frozenset(
    {
        DataType.DIGITAL_ACTUATOR,
        DataType.ANALOG_ACTUATOR,
        DataType.RELAY,
        DataType.SWITCH,
        DataType.VALVE,
        DataType.MOTOR,
        DataType.LIGHT_SWITCH,
        DataType.LIGHT_DIMMER,
        DataType.HVAC_TEMPERATURE,
    }
)
BINARY_TYPES = frozenset(
    {
        DataType.PROXIMITY,
        DataType.MOTION,
        DataType.DIGITAL_SENSOR,
        DataType.DIGITAL_ACTUATOR,
        DataType.RELAY,
        DataType.SWITCH,
        DataType.VALVE,
        DataType.LIGHT_SWITCH,
    }
)
# Longer spellings seen in the dashboard, in Cayenne LPP tooling and in older sketches.
_TYPE_ALIASES = {
    "temperature": DataType.TEMPERATURE,
    "humidity": DataType.HUMIDITY,
    "rel_humidity": DataType.HUMIDITY,
    "luminosity": DataType.LUMINOSITY,
    "illuminance": DataType.LUMINOSITY,
    "barometric_pressure": DataType.BAROMETRIC_PRESSURE,
    "pressure": DataType.PRESSURE,
    "battery": DataType.BATTERY,
    "power": DataType.POWER,
    "proximity": DataType.PROXIMITY,
    "analog": DataType.ANALOG_SENSOR,
    "digital": DataType.DIGITAL_SENSOR,
}


class Unit(StrEnum):
    """A channel's unit, as the MQTT payloads name it."""

    CELSIUS = "c"
    FAHRENHEIT = "f"
    KELVIN = "k"
    PERCENT = "p"
    LUX = "lux"
    HECTOPASCAL = "hpa"
    VOLT = "v"
    MILLIVOLT = "mv"
    AMPERE = "a"
    WATT = "w"
    KILOWATT_HOUR = "kwh"
    PPM = "ppm"
    MILLIMETER = "mm"
    KILOMETER_PER_HOUR = "kmh"
    DIGITAL = "d"
    DBM = "dbm"
    DECIBEL = "db"
    METER = "m"
    NULL = "null"  # Cayenne's "no unit" (analog sensors, counters)
    UNKNOWN = "unknown"


def parse_data_type(raw: Any) -> DataType:
    """Any spelling (`temp`, `Temp`, ` TEMP `, `temperature`); UNKNOWN, never an error."""
    if not isinstance(raw, str):
        return DataType.UNKNOWN
    key = raw.strip().lower()
    if key == DataType.UNKNOWN:
        return DataType.UNKNOWN
    try:
        return DataType(key)
    except ValueError:
        return _TYPE_ALIASES.get(key, DataType.UNKNOWN)


def parse_unit(raw: Any) -> Unit | None:
    """None when absent; UNKNOWN for a unit this client does not know."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        return Unit.UNKNOWN
    key = raw.strip().lower()
    if key in ("", "unknown"):
        return None if key == "" else Unit.UNKNOWN
    try:
        return Unit(key)
    except ValueError:
        return Unit.UNKNOWN


def as_float(value: Any) -> float | None:
    """A finite number of sane size (numbers or numeric text), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_MAGNITUDE else None


def as_text(value: Any) -> str | None:
    """A non-empty string, or a number written as text (channels come as 3 or "3")."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def parse_time(value: Any) -> datetime | None:
    """Epoch seconds or milliseconds (number or text) or ISO 8601 (no zone: UTC)."""
    if value is None or isinstance(value, bool):
        return None
    number = as_float(value)
    try:
        if number is not None:
            # Cayenne mixes seconds (last_online) and milliseconds (telemetry).
            seconds = number / 1000 if abs(number) >= 1e11 else number
            return datetime.fromtimestamp(seconds, UTC)
        if not isinstance(value, str):
            return None
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


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


def _first(mappings: tuple[Mapping[str, Any], ...], *keys: str) -> Any:
    for mapping in mappings:
        for key in keys:
            if mapping.get(key) not in (None, ""):
                return mapping[key]
    return None


def _scalar_properties(raw: Any) -> dict[str, str | float | bool | None]:
    """A thing's `properties`, flat values only (nested ones are nobody's business here)."""
    if not isinstance(raw, Mapping):
        return {}
    flat: dict[str, str | float | bool | None] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            continue
        if value is None or isinstance(value, str | bool):
            flat[key] = value
        elif isinstance(value, int | float):
            flat[key] = as_float(value)
    return flat


class TypedValue:
    """A channel's value type and unit as the cloud spelled them, read as the typed enums."""

    __slots__ = ()
    raw_type: str | None
    raw_unit: str | None

    @property
    def data_type(self) -> DataType:
        return parse_data_type(self.raw_type)

    @property
    def unit(self) -> Unit | None:
        return parse_unit(self.raw_unit)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a GPS channel is: degrees, and metres above sea level when known."""

    latitude: float
    longitude: float
    altitude: float | None = None

    @classmethod
    def parse(cls, raw: Any) -> Position | None:
        """`{lat, lng, alt}` (or the long names), `[lat, lng, alt]` or `"lat,lng[,alt]"`;
        None when unreadable or off the globe."""
        parts: list[Any]
        if isinstance(raw, Mapping):
            sources = (raw,)
            parts = [
                _first(sources, "lat", "latitude"),
                _first(sources, "lng", "lon", "long", "longitude"),
                _first(sources, "alt", "altitude"),
            ]
        elif isinstance(raw, list) and 2 <= len(raw) <= 3:
            parts = [*raw, None][:3]
        elif isinstance(raw, str) and len(raw) <= 100:
            parts = [*raw.replace(";", ",").split(","), None][:3]
        else:
            return None
        latitude, longitude, altitude = (as_float(part) for part in parts)
        if latitude is None or longitude is None:
            return None
        if abs(latitude) > 90 or abs(longitude) > 180:
            return None
        return cls(latitude, longitude, altitude)


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of a channel: from a telemetry summary or an MQTT message. A GPS channel's
    value is a position."""

    value: float | None
    timestamp: datetime | None = None
    position: Position | None = None

    @classmethod
    def from_summary(cls, raw: Any) -> Reading | None:
        """A summary row (`{v, ts}`); None for a row without a readable value or time."""
        if not isinstance(raw, Mapping):
            return None
        raw_value = _first((raw,), "v", "value")
        position = Position.parse(raw_value) if isinstance(raw_value, Mapping | list) else None
        value = as_float(raw_value)
        timestamp = parse_time(_first((raw,), "ts", "timestamp", "time"))
        if value is None and position is None and timestamp is None:
            return None
        return cls(value, timestamp, position)


def parse_latest(body: Any) -> Reading | None:
    """`summaries?type=latest`: `[{v, ts, ...}]` (or the row alone); None when empty."""
    if isinstance(body, list):
        return Reading.from_summary(body[0]) if body else None
    return Reading.from_summary(body)


def parse_history(body: Any) -> list[Reading]:
    """A summaries list, in time order; unreadable rows are skipped."""
    rows = body if isinstance(body, list) else []
    readings = [r for r in (Reading.from_summary(row) for row in rows) if r is not None]
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(readings, key=lambda r: r.timestamp or epoch)


@dataclass(frozen=True, slots=True)
class Channel(TypedValue):
    """A thing's child for one channel: the sensor or actuator behind `channel`."""

    child_id: str
    channel: str
    name: str | None = None
    raw_type: str | None = None
    raw_unit: str | None = None

    @classmethod
    def from_child(cls, raw: Any) -> Channel | None:
        """None for a child that is no channel (a child thing) or unreadable."""
        if not isinstance(raw, Mapping):
            return None
        properties = raw.get("properties")
        sources: tuple[Mapping[str, Any], ...] = (raw,)
        if isinstance(properties, Mapping):
            sources = (raw, properties)
        channel = as_text(_first(sources[::-1], "channel"))
        child_id = as_text(raw.get("id"))
        if channel is None or child_id is None:
            return None
        raw_type = _first(sources, "data_type", "datatype", "sensor_type", "type")
        raw_unit = _first(sources, "unit", "data_unit", "units")
        name = raw.get("name")
        return cls(
            child_id=child_id,
            channel=channel,
            name=name.strip() or None if isinstance(name, str) else None,
            raw_type=raw_type.strip() or None if isinstance(raw_type, str) else None,
            raw_unit=raw_unit.strip() or None if isinstance(raw_unit, str) else None,
        )

    @property
    def is_actuator(self) -> bool:
        return self.data_type.is_actuator


def _names_a_channel(raw: Any) -> bool:
    """Whether a child row is a channel's (it has a `channel`), readable or not: a broken
    channel row must not pass for a child thing."""
    if not isinstance(raw, Mapping):
        return False
    properties = raw.get("properties")
    return "channel" in raw or (isinstance(properties, Mapping) and "channel" in properties)


@dataclass(frozen=True, slots=True)
class Thing:
    """A device of the account, with one channel per child and its child things."""

    thing_id: str
    name: str | None = None
    device_type_id: str | None = None
    parent_id: str | None = None
    hardware_id: str | None = None
    status: str | None = None
    active: bool | None = None
    last_online: datetime | None = None
    properties: dict[str, str | float | bool | None] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    child_things: tuple[Thing, ...] = ()
    skipped_children: int = 0

    @classmethod
    def from_json(cls, raw: Any, *, depth: int = 0) -> Thing:
        """A thing; CayenneResponseError when it has no id. Bad children are skipped."""
        if not isinstance(raw, Mapping):
            raise CayenneResponseError(f"thing is not an object: {raw!r:.80}")
        thing_id = as_text(raw.get("id"))
        if thing_id is None:
            raise CayenneResponseError(f"thing without an id: {raw!r:.80}")
        channels: dict[str, Channel] = {}
        child_things: list[Thing] = []
        skipped = 0
        children = raw.get("children")
        for child in children if isinstance(children, list) else []:
            channel = Channel.from_child(child)
            if channel is not None:
                channels.setdefault(channel.channel, channel)
                continue
            if _names_a_channel(child):  # a channel row with an unreadable channel or id
                skipped += 1
                continue
            if depth < MAX_CHILD_DEPTH and isinstance(child, Mapping):
                try:
                    child_things.append(cls.from_json(child, depth=depth + 1))
                except CayenneResponseError:
                    skipped += 1
                continue
            skipped += 1
        active = raw.get("active")
        status = raw.get("status")
        name = raw.get("name")
        return cls(
            thing_id=thing_id,
            name=name.strip() or None if isinstance(name, str) else None,
            device_type_id=as_text(raw.get("device_type_id")),
            parent_id=as_text(raw.get("parent_id")),
            hardware_id=as_text(raw.get("hardware_id")),
            status=status.strip().upper() or None if isinstance(status, str) else None,
            active=bool(active) if isinstance(active, bool | int) else None,
            last_online=parse_time(raw.get("last_online")),
            properties=_scalar_properties(raw.get("properties")),
            channels=channels,
            child_things=tuple(child_things),
            skipped_children=skipped,
        )

    @property
    def is_active(self) -> bool:
        """Listed things are ACTIVE; a thing without a status counts as active."""
        return self.status is None or self.status == STATUS_ACTIVE

    @property
    def client_id(self) -> str:
        """The MQTT client id of the thing: its id."""
        return self.thing_id

    def channel(self, channel: str) -> Channel | None:
        return self.channels.get(channel)

    def all_things(self) -> list[Thing]:
        """This thing and its child things, depth first."""
        found: list[Thing] = [self]
        for child in self.child_things:
            found += child.all_things()
        return found


@dataclass(frozen=True, slots=True)
class MqttCredentials:
    """What `POST /v1.1/clients` hands out for the broker."""

    username: str
    password: str

    @classmethod
    def from_json(cls, raw: Any) -> MqttCredentials:
        if isinstance(raw, Mapping):
            username = as_text(raw.get("id")) or as_text(raw.get("username"))
            password = as_text(raw.get("clear_secret")) or as_text(raw.get("secret"))
            if username and password:
                return cls(username, password)
        raise CayenneResponseError("unreadable MQTT client credentials")

    def __repr__(self) -> str:  # never log the secret
        return f"MqttCredentials(username={self.username!r}, password='***')"


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of the account: what the integration enables and disables."""

    rule_id: str
    title: str | None
    enabled: bool | None

    @classmethod
    def from_json(cls, raw: Any) -> Rule | None:
        """None for a rule without an id."""
        if not isinstance(raw, Mapping):
            return None
        rule_id = as_text(raw.get("id")) or as_text(raw.get("_id"))
        if rule_id is None:
            return None
        title = raw.get("title")
        enabled = raw.get("enabled")
        return cls(
            rule_id,
            title.strip() or None if isinstance(title, str) else None,
            enabled if isinstance(enabled, bool) else None,
        )


def parse_rules(body: Any) -> list[Rule]:
    """A rules list, bare or under `rules`/`data`; rules without an id are skipped."""
    if isinstance(body, Mapping):
        body = body.get("rules", body.get("data"))
    if not isinstance(body, list):
        raise CayenneResponseError("rules list is not a list")
    return [rule for rule in (Rule.from_json(raw) for raw in body) if rule is not None]
