"""What the MyHarvia cloud returns, read tolerantly: the live cloud and its document disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import json
import math
from typing import Any
from urllib.parse import urlparse

from .exceptions import HarviaResponseError

SAUNA_STATUS_WAITING = 5
MAX_JSON_DEPTH = 32  # real payloads nest a few levels
DEFAULT_CABIN = "C1"  # the cabin of a controller that names none
# Device attributes that identify one physical unit: never in diagnostics.
PRIVATE_ATTRIBUTES = frozenset({"serialNumber", "HWID", "powerUnitHWID", "BT_MAC"})


class Command(StrEnum):
    """The device service's command types."""

    SAUNA = "SAUNA"  # on/off
    LIGHTS = "LIGHTS"
    FAN = "FAN"
    STEAMER = "STEAMER"
    ADJUST_DURATION = "ADJUST_DURATION"  # minutes


def as_bool(value: Any) -> bool | None:
    """`True`/`False`, 0/1 or "on"/"off"/"true"/"false" (device types differ); None if absent."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "on", "true"):
            return True
        if lowered in ("0", "off", "false"):
            return False
    return None


# Nothing a sauna reports (temperatures, watts, minutes, counters, epoch milliseconds until the
# year 30000) comes near this; a larger number is corrupt, and may not even fit a Home Assistant
# state (255 characters).
MAX_MAGNITUDE = 1e15


def as_float(value: Any) -> float | None:
    """A finite number of sane size, else None (NaN, infinities and absurd sizes are no
    reading)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and abs(number) <= MAX_MAGNITUDE else None


def as_int(value: Any) -> int | None:
    number = as_float(value)
    return None if number is None else int(number)


def flag(mapping: Any, key: str) -> bool | None:
    """`mapping[key]["on"]` as a bool, for the shadow's {heater: {on: ...}} style."""
    section = mapping.get(key) if isinstance(mapping, Mapping) else None
    return as_bool(section.get("on")) if isinstance(section, Mapping) else None


def nested_within(value: Any, limit: int) -> bool:
    """Whether lists and objects nest at most `limit` deep (counted without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, Mapping) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        if depth >= limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def parse_json_object(value: Any) -> dict[str, Any] | None:
    """AppSync's AWSJSON fields arrive as JSON strings; None when it is not a JSON object, or
    one nested so deep that reading it (repr, diagnostics) would exhaust Python's recursion."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    if not isinstance(value, Mapping) or not nested_within(value, MAX_JSON_DEPTH):
        return None
    return dict(value)


def is_number_flag(value: Any) -> bool:
    """A 0/1 number rather than a boolean (bool is an int subclass in Python)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_timestamp(value: Any) -> datetime | None:
    """Epoch milliseconds (number or string) or ISO 8601."""
    if value is None or isinstance(value, bool):
        return None
    number = as_float(value)
    try:
        if number is not None:
            return datetime.fromtimestamp(number / 1000, UTC)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):  # out of datetime's or the platform's range
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class GraphQLEndpoint:
    https: str
    wss: str

    @property
    def host(self) -> str:
        return urlparse(self.https).netloc


@dataclass(frozen=True, slots=True)
class Endpoints:
    """The endpoint discovery document, the parts this client uses."""

    generics: str
    device: str
    data: str
    graphql: dict[str, GraphQLEndpoint]
    partner_organization_id: str | None = None

    @property
    def supports_push(self) -> bool:
        """Push needs at least the device service's GraphQL endpoint."""
        return "device" in self.graphql

    @classmethod
    def from_document(cls, document: Any) -> Endpoints:
        try:
            endpoints = document["endpoints"]
            rest = endpoints["RestApi"]
            graphql = {
                name: GraphQLEndpoint(
                    https=urls["https"],
                    # The realtime URL is listed, or follows from the https one.
                    wss=urls.get("wss")
                    or urls["https"]
                    .replace("https://", "wss://", 1)
                    .replace("appsync-api", "appsync-realtime-api"),
                )
                for name, urls in (endpoints.get("GraphQL") or {}).items()
                if isinstance(urls, Mapping) and "https" in urls
            }
            config = endpoints.get("Config") or {}
            return cls(
                generics=rest["generics"]["https"].rstrip("/"),
                device=rest["device"]["https"].rstrip("/"),
                data=rest["data"]["https"].rstrip("/"),
                graphql=graphql,
                partner_organization_id=config.get("PartnerOrganizationId") or None,
            )
        except (KeyError, TypeError, AttributeError) as err:
            raise HarviaResponseError(f"unreadable endpoint discovery document: {err!r}") from err


UNKNOWN_TYPE = "unknown"


@dataclass(frozen=True, slots=True)
class Device:
    """A device of the account: a sauna controller or a sauna sensor."""

    device_id: str
    device_type: str
    attributes: dict[str, str]
    display_name: str | None = None

    @classmethod
    def from_api(cls, raw: Any) -> Device | None:
        """None for an entry without an id (logged by the caller)."""
        if not isinstance(raw, Mapping):
            return None
        # The live cloud puts the id in `name`; the document says `deviceId`; GraphQL says `id`.
        device_id = raw.get("deviceId") or raw.get("id") or raw.get("name")
        if not isinstance(device_id, str) or not device_id:
            return None
        attributes: dict[str, str] = {}
        for attr in raw.get("attr") or []:
            if isinstance(attr, Mapping) and isinstance(attr.get("key"), str):
                attributes[attr["key"]] = "" if attr.get("value") is None else str(attr["value"])
        # Rows seen in real client fixtures carry neither `type` nor `attr`, only the id in
        # `name` and the sauna's name in a top-level `displayName`.
        display_name = raw.get("displayName")
        return cls(
            device_id,
            str(raw.get("type") or UNKNOWN_TYPE),
            attributes,
            display_name if isinstance(display_name, str) and display_name else None,
        )

    @property
    def type_known(self) -> bool:
        return self.device_type != UNKNOWN_TYPE

    @property
    def declared_type(self) -> str | None:
        return self.device_type if self.type_known else None

    @property
    def model(self) -> str | None:
        return self.panel_type or self.declared_type

    @property
    def is_sensor(self) -> bool:
        return "sensor" in self.device_type.lower()

    @property
    def declared_fenix(self) -> bool | None:
        """Whether the device list says Fenix; None when it names no type."""
        return self.device_type.lower() == "fenix" if self.type_known else None

    @property
    def name(self) -> str | None:
        return self.attributes.get("name") or self.display_name

    @property
    def serial_number(self) -> str | None:
        return self.attributes.get("serialNumber") or None

    @property
    def firmware(self) -> str | None:
        return self.attributes.get("powerUnitFwVersion") or self.attributes.get("firmware") or None

    @property
    def panel_type(self) -> str | None:
        return self.attributes.get("panelType") or None

    @property
    def hardware_version(self) -> str | None:
        return self.attributes.get("HWID") or None

    @property
    def connected(self) -> bool | None:
        """What the device list says; None when it does not say."""
        return as_bool(self.attributes.get("connected"))

    def cabin_ids_from_stats(self) -> list[str]:
        ids = {key.rsplit(".", 1)[1] for key in self.attributes if key.startswith("stats.")}
        return sorted(ids)

    @property
    def cabin_ids(self) -> list[str]:
        """The cabins the lifetime counters name; rows without counters have one cabin."""
        return self.cabin_ids_from_stats() or [DEFAULT_CABIN]

    def stat(self, name: str, cabin_id: str) -> int | None:
        """A counter from the attributes, e.g. stat("totalSessions", "C1")."""
        return as_int(self.attributes.get(f"stats.{name}.{cabin_id}"))

    def total_sessions(self, cabin_id: str) -> int | None:
        return self.stat("totalSessions", cabin_id)

    def bathing_hours(self, cabin_id: str) -> int | None:
        return self.stat("totalBathingHours", cabin_id)

    def operating_hours(self, cabin_id: str) -> int | None:
        return self.stat("totalOperatingHours", cabin_id)


@dataclass(frozen=True, slots=True)
class Countdown:
    """Whole minutes left as the cloud counted them at `as_of` (the cloud reports what is
    left, not when it ends)."""

    minutes: int
    as_of: datetime | None

    def ends_at(self, now: datetime) -> datetime:
        """The instant the countdown reaches zero. A stamp after `now` means the clocks
        disagree; then (and without a stamp) it counts from `now`."""
        start = now if self.as_of is None or self.as_of > now else self.as_of
        return start + timedelta(minutes=self.minutes)


# No session or scheduled start is this far off: a larger count is corrupt data (and would
# overflow datetime arithmetic in the entities that count it down).
MAX_COUNTDOWN_MINUTES = 7 * 24 * 60


def countdown(minutes: float | None, as_of: datetime | None) -> Countdown | None:
    """A countdown of `minutes`, or None when there is none or it is out of range."""
    if minutes is None or abs(minutes) > MAX_COUNTDOWN_MINUTES:
        return None
    return Countdown(int(minutes), as_of)


def newest(*countdowns: Countdown | None) -> Countdown | None:
    """The most recently stamped countdown; the earlier argument wins a tie."""
    present = [c for c in countdowns if c is not None]
    if not present:
        return None
    oldest = datetime.min.replace(tzinfo=UTC)
    return max(present, key=lambda c: c.as_of or oldest)  # max keeps the first of equals


@dataclass(frozen=True, slots=True)
class Profile:
    index: int
    name: str
    target_temp: float | None
    duration: int | None


def _profile_flags(profile: Any) -> list[Any]:
    if not isinstance(profile, Mapping):
        return []
    sections = (profile.get(part) for part in ("heater", "steamer", "light"))
    return [section.get("on") for section in sections if isinstance(section, Mapping)]


@dataclass(frozen=True, slots=True)
class CabinState:
    """A cabin's shadow (or a sauna sensor's classic shadow), normalised."""

    cabin_id: str
    raw: dict[str, Any]
    connected: bool | None = None
    updated: datetime | None = None
    version: int | None = None

    @classmethod
    def from_shadow(
        cls,
        cabin_id: str,
        reported: Any,
        desired: Any = None,
        connected: bool | None = None,
        updated: datetime | None = None,
        version: int | None = None,
    ) -> CabinState:
        # `reported` is null while a device is offline: fall back to `desired`.
        state = parse_json_object(reported) or parse_json_object(desired) or {}
        return cls(cabin_id, state, connected, updated, version)

    @classmethod
    def from_shadow_item(
        cls, item: Mapping[str, Any], *, cabin_id: str, reported: Any
    ) -> CabinState:
        """A shadow as the REST state and the push feed carry it: the document beside its
        `desired`, `connectionState`, `timestamp` and `version`."""
        connection = item.get("connectionState")
        version = item.get("version")
        return cls.from_shadow(
            cabin_id=cabin_id,
            reported=reported,
            desired=item.get("desired"),
            connected=as_bool(connection.get("connected"))
            if isinstance(connection, Mapping)
            else None,
            updated=parse_timestamp(item.get("timestamp")),
            version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        )

    def _get(self, *keys: str) -> Any:
        value: Any = self.raw
        for key in keys:
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
        return value

    @property
    def display_name(self) -> str | None:
        name = self.raw.get("displayName")
        return name if isinstance(name, str) and name else None

    @property
    def heater_on(self) -> bool | None:
        return flag(self.raw, "heater")

    @property
    def light_on(self) -> bool | None:
        return flag(self.raw, "light")

    @property
    def fan_on(self) -> bool | None:
        return flag(self.raw, "fan")

    @property
    def steamer_on(self) -> bool | None:
        return flag(self.raw, "steamer")

    @property
    def has_steamer(self) -> bool:
        return isinstance(self.raw.get("steamer"), Mapping)

    @property
    def target_temp(self) -> float | None:
        return as_float(self.raw.get("targetTemp"))

    @property
    def target_hum(self) -> float | None:
        return as_float(self.raw.get("targetHum"))

    @property
    def sauna_status(self) -> int | None:
        return as_int(self.raw.get("saunaStatus"))

    @property
    def waiting_for_start(self) -> bool:
        return self.sauna_status == SAUNA_STATUS_WAITING

    @property
    def scheduled_start(self) -> datetime | None:
        return parse_timestamp(self._get("timer", "startTime"))

    @property
    def remote_allowed(self) -> bool | None:
        return as_bool(self.raw.get("remoteAllowed"))

    @property
    def reports_remote_allowed(self) -> bool:
        return "remoteAllowed" in self.raw

    @property
    def has_fan(self) -> bool:
        return isinstance(self.raw.get("fan"), Mapping)

    @property
    def active_profile(self) -> int | None:
        return as_int(self.raw.get("activeProfile"))  # an int, or a string on Fenix

    @property
    def profiles(self) -> list[Profile]:
        raw = self.raw.get("profiles")
        items = (
            raw.items()
            if isinstance(raw, Mapping)
            else enumerate(raw)
            if isinstance(raw, list)
            else ()
        )
        profiles = []
        for key, value in items:
            index = as_int(key)
            if index is None or not isinstance(value, Mapping):
                continue
            profiles.append(
                Profile(
                    index=index,
                    name=str(value.get("name") or f"Profile {index + 1}"),
                    target_temp=as_float(value.get("targetTemp")),
                    duration=as_int(value.get("duration")),
                )
            )
        return sorted(profiles, key=lambda p: p.index)

    @property
    def active(self) -> Profile | None:
        index = self.active_profile
        return next((p for p in self.profiles if p.index == index), None)

    @property
    def max_temp(self) -> float | None:
        return as_float(self._get("settings", "maxTemp"))

    @property
    def min_temp(self) -> float | None:
        return as_float(self._get("settings", "minTemp"))

    @property
    def max_on_time(self) -> int | None:
        return as_int(self._get("settings", "maxOnTime"))

    @property
    def duration(self) -> int | None:
        return as_int(self.raw.get("duration"))

    def _countdown(self, key: str) -> Countdown | None:
        return countdown(as_int(self.raw.get(key)), self.updated)

    @property
    def remaining_time(self) -> Countdown | None:
        return self._countdown("remainingTime")

    @property
    def time_to_target(self) -> Countdown | None:
        return self._countdown("timeToTarget")

    @property
    def reports_like_fenix(self) -> bool:
        """Fenix panels report their on/off flags as 0/1 numbers (`heater.on`, and the
        profiles' flags on some firmware) where other controllers report booleans."""
        flags = [self._get(part, "on") for part in ("heater", "light", "fan")]
        profiles = self.raw.get("profiles")
        if isinstance(profiles, Mapping):
            for profile in profiles.values():
                flags += _profile_flags(profile)
        return any(is_number_flag(value) for value in flags)

    # sauna sensor (classic shadow)
    @property
    def temperature(self) -> float | None:
        return as_float(self.raw.get("temp"))

    @property
    def humidity(self) -> float | None:
        return as_float(self.raw.get("hum"))

    @property
    def battery(self) -> int | None:
        return as_int(self.raw.get("batteryLevel"))


@dataclass(frozen=True, slots=True)
class Telemetry:
    """One measurement (latest-data, history or the measurement feed)."""

    cabin_id: str | None  # None: the item did not say (live items may lack subId)
    timestamp: datetime | None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_api(cls, raw: Any, cabin_id: str | None = None) -> Telemetry | None:
        """`cabin_id`: the cabin asked for, which wins over what the item says."""
        if not isinstance(raw, Mapping):
            return None
        data = parse_json_object(raw.get("data"))
        if data is None:
            return None
        sub_id = raw.get("subId") or raw.get("shadowName")
        return cls(
            cabin_id=cabin_id or (sub_id if isinstance(sub_id, str) and sub_id else None),
            timestamp=parse_timestamp(raw.get("timestamp")),
            data=data,
        )

    def number(self, *keys: str) -> float | None:
        """The first of `keys` present as a number (the document says `temperature`, the
        live cloud `temp`)."""
        for key in keys:
            value = as_float(self.data.get(key))
            if value is not None:
                return value
        return None

    @property
    def temperature(self) -> float | None:
        return self.number("temp", "temperature", "mainSensorTemp")

    @property
    def humidity(self) -> float | None:
        return self.number("hum", "humidity")

    @property
    def target_temp(self) -> float | None:
        return self.number("targetTemp")

    @property
    def heater_power(self) -> float | None:
        return self.number("heaterPower")

    def _count(self, *keys: str) -> float | int | None:
        """A lifetime counter: an int when it is whole."""
        number = self.number(*keys)
        return int(number) if number is not None and number.is_integer() else number

    @property
    def total_sessions(self) -> float | int | None:
        return self._count("totalSessions")

    @property
    def bathing_hours(self) -> float | int | None:
        return self._count("totalBathingHours")

    @property
    def operating_hours(self) -> float | int | None:
        return self._count("totalHours")

    @property
    def heating(self) -> bool | None:
        return as_bool(self.data.get("heatOn"))

    def _countdown(self, *keys: str) -> Countdown | None:
        return countdown(self.number(*keys), self.timestamp)

    @property
    def remaining_time(self) -> Countdown | None:
        """Minutes until the session switches off (`autoOffTime` on the live cloud)."""
        return self._countdown("remainingTime", "autoOffTime")

    @property
    def time_to_target(self) -> Countdown | None:
        return self._countdown("timeToTarget")

    @property
    def reports_door(self) -> bool:
        return "doorSafetyState" in self.data

    @property
    def door_closed(self) -> bool | None:
        """`doorSafetyState` 1: the door's safety circuit is closed, so the door is shut."""
        return as_bool(self.data.get("doorSafetyState"))


@dataclass(frozen=True, slots=True)
class StateUpdate:
    """A device-state push notice."""

    device_id: str
    cabin: CabinState


@dataclass(frozen=True, slots=True)
class MeasurementUpdate:
    """A measurement push notice."""

    device_id: str
    telemetry: Telemetry
