"""Typed views of the Homely SDK's JSON, tolerant of the shapes the live cloud sends.

A state can be `{}`, `{value: null, lastUpdated: null}` or `{value}` without `lastUpdated`;
features vary between units of one model; events come full or minimal, under `data` or
`payload`. Anything unreadable raises `HomelyResponseError` for the caller to log and skip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from math import isfinite
from typing import Any

from .alarm import is_pending_alarm_state
from .exceptions import HomelyResponseError

EVENT_DEVICE = "device-state-changed"
EVENT_ALARM = "alarm-state-changed"


def parse_time(value: Any) -> datetime | None:
    """Homely's ISO 8601 UTC timestamps ('2022-03-07T10:17:06.109Z'); None when absent.

    Always aware: a timestamp without a zone is UTC, as all of Homely's are (a naive one would
    make every later comparison with the cloud's times fail).
    """
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise HomelyResponseError(f"not a timestamp: {value!r:.80}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise HomelyResponseError(f"not a timestamp: {value!r:.80}") from err
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class State:
    """One state of a device feature."""

    value: Any = None
    last_updated: datetime | None = None

    @classmethod
    def from_json(cls, raw: Any) -> State:
        if not isinstance(raw, Mapping):
            raise HomelyResponseError(f"state is not an object: {raw!r}")
        return cls(raw.get("value"), parse_time(raw.get("lastUpdated")))

    def newer_than(self, other: State | None) -> bool:
        """Whether this state should replace `other` (values without a time always do)."""
        if other is None or self.last_updated is None or other.last_updated is None:
            return True
        return self.last_updated > other.last_updated


type Features = dict[str, dict[str, State]]


def _str(raw: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        raise HomelyResponseError(f"{key} missing or not a string")
    return value


class Reading(Enum):
    """A device state the integration shows, by Homely's feature and state name."""

    ALARM = ("alarm", "alarm")  # motion on motion sensors, open on door and window sensors
    FIRE = ("alarm", "fire")
    FLOOD = ("alarm", "flood")
    TAMPER = ("alarm", "tamper")
    BATTERY_LOW = ("battery", "low")
    BATTERY_DEFECT = ("battery", "defect")
    BATTERY_VOLTAGE = ("battery", "voltage")
    LOCK = ("lock", "state")
    LOCK_BROKEN = ("report", "broken")
    TEMPERATURE = ("temperature", "temperature")
    POWER = ("metering", "demand")
    ENERGY_IMPORTED = ("metering", "summationdelivered")
    ENERGY_EXPORTED = ("metering", "summationreceived")
    THERMOSTAT_TEMPERATURE = ("thermostat", "LocalTemperature")
    HEATING_SETPOINT = ("thermostat", "OccupiedHeatingSetpoint")
    COOLING_SETPOINT = ("thermostat", "OccupiedCoolingSetpoint")
    LINK_STRENGTH = ("diagnostic", "networklinkstrength")


class DeviceKind(Enum):
    """What a device's alarm states stand for; only its model name tells."""

    MOTION = "motion"
    DOOR = "door"
    WINDOW = "window"
    HEAT = "heat"
    OTHER = "other"


# Words in model names, per kind; the first kind with a word in the name wins.
_KIND_WORDS: tuple[tuple[DeviceKind, tuple[str, ...]], ...] = (
    (DeviceKind.MOTION, ("motion",)),
    (DeviceKind.DOOR, ("entry", "door")),
    (DeviceKind.WINDOW, ("window",)),
    (DeviceKind.HEAT, ("heat",)),
)
# Makers whose devices Homely sells under their own model names ("ELKO Super TR").
_BRANDS = ("ELKO", "Yale")
# The lock reports a word ("locked", "unlocked", ...) or a boolean "is locked".
_UNLOCKED = {"unlocked", "unlock", "open", "opened", "not_fully_locked"}
# States that identify a unit on the network; diagnostics leave them out.
IDENTIFYING_STATES = frozenset({"networklinkaddress"})
# Units Homely counts in: energy in Wh, thermostat temperatures in hundredths of a degree.
_KWH_PER_WH = 0.001
_DEGREES_PER_THERMOSTAT_UNIT = 0.01


@dataclass(slots=True)
class Device:
    device_id: str
    name: str
    serial_number: str | None
    room: str
    online: bool
    model_name: str
    features: Features = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Any) -> Device:
        if not isinstance(raw, Mapping):
            raise HomelyResponseError("device is not an object")
        features: Features = {}
        raw_features = raw.get("features") or {}
        if not isinstance(raw_features, Mapping):
            raise HomelyResponseError("features is not an object")
        for feature, body in raw_features.items():
            states = (body or {}).get("states") if isinstance(body, Mapping) else None
            if not isinstance(states, Mapping):
                continue  # a feature without states shows nothing
            features[feature] = {name: State.from_json(state) for name, state in states.items()}
        return cls(
            device_id=_str(raw, "id"),
            name=_str(raw, "name", ""),
            serial_number=_optional_text(raw.get("serialNumber")),
            room=_optional_text(raw.get("location")) or "",
            online=bool(raw.get("online", True)),
            model_name=_optional_text(raw.get("modelName")) or "",
            features=features,
        )

    def state_name(self, feature: str, name: str) -> str:
        """This device's own spelling of a state name (the Yale lock reports `report.Broken`)."""
        states = self.features.get(feature, {})
        if name in states:
            return name
        lowered = name.lower()
        return next((key for key in states if key.lower() == lowered), name)

    def state(self, feature: str, name: str) -> State | None:
        return self.features.get(feature, {}).get(self.state_name(feature, name))

    def value(self, feature: str, name: str) -> Any:
        state = self.state(feature, name)
        return None if state is None else state.value

    def has(self, feature: str, name: str) -> bool:
        return self.state(feature, name) is not None

    def reports(self, reading: Reading) -> bool:
        """Whether this unit has the state at all (units of one model differ)."""
        return self.has(*reading.value)

    # --- what the device is ---------------------------------------------------------------------
    @property
    def kind(self) -> DeviceKind:
        model = self.model_name.lower()
        return next(
            (kind for kind, words in _KIND_WORDS if any(word in model for word in words)),
            DeviceKind.OTHER,
        )

    @property
    def brand(self) -> str | None:
        """The maker, for devices Homely sells under the maker's name; None for Homely's own."""
        model = self.model_name.lower()
        return next((brand for brand in _BRANDS if model.startswith(brand.lower())), None)

    # --- its states -------------------------------------------------------------------------------
    @property
    def alarm(self) -> bool | None:
        return self._flag(Reading.ALARM)

    @property
    def fire(self) -> bool | None:
        return self._flag(Reading.FIRE)

    @property
    def flood(self) -> bool | None:
        return self._flag(Reading.FLOOD)

    @property
    def tamper(self) -> bool | None:
        return self._flag(Reading.TAMPER)

    @property
    def battery_low(self) -> bool | None:
        return self._flag(Reading.BATTERY_LOW)

    @property
    def battery_defect(self) -> bool | None:
        return self._flag(Reading.BATTERY_DEFECT)

    @property
    def lock_broken(self) -> bool | None:
        return self._flag(Reading.LOCK_BROKEN)

    @property
    def unlocked(self) -> bool | None:
        value = self.value(*Reading.LOCK.value)
        if isinstance(value, bool):
            return not value
        if isinstance(value, str):
            return value.strip().lower() in _UNLOCKED
        return None

    @property
    def temperature(self) -> float | None:
        """Degrees Celsius."""
        return self._number(Reading.TEMPERATURE)

    @property
    def thermostat_temperature(self) -> float | None:
        """Degrees Celsius, as the thermostat measures it (the floor sensor)."""
        return self._number(Reading.THERMOSTAT_TEMPERATURE, _DEGREES_PER_THERMOSTAT_UNIT)

    @property
    def heating_setpoint(self) -> float | None:
        """Degrees Celsius."""
        return self._number(Reading.HEATING_SETPOINT, _DEGREES_PER_THERMOSTAT_UNIT)

    @property
    def cooling_setpoint(self) -> float | None:
        """Degrees Celsius."""
        return self._number(Reading.COOLING_SETPOINT, _DEGREES_PER_THERMOSTAT_UNIT)

    @property
    def power(self) -> float | None:
        """Watts drawn from the grid (the HAN meter)."""
        return self._number(Reading.POWER)

    @property
    def energy_imported(self) -> float | None:
        """kWh drawn from the grid, a meter reading."""
        return self._number(Reading.ENERGY_IMPORTED, _KWH_PER_WH)

    @property
    def energy_exported(self) -> float | None:
        """kWh returned to the grid, a meter reading."""
        return self._number(Reading.ENERGY_EXPORTED, _KWH_PER_WH)

    @property
    def link_strength(self) -> float | None:
        """Per cent."""
        return self._number(Reading.LINK_STRENGTH)

    @property
    def battery_voltage(self) -> float | None:
        """Volts."""
        return self._number(Reading.BATTERY_VOLTAGE)

    def _flag(self, reading: Reading) -> bool | None:
        value = self.value(*reading.value)
        return None if value is None else bool(value)

    def _number(self, reading: Reading, scale: float = 1.0) -> float | None:
        value: object = self.value(*reading.value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if isinstance(value, float) and not isfinite(value):
            return None
        if scale == 1.0:
            return value
        try:
            return round(float(value) * scale, 3)
        except OverflowError:  # an integer beyond any float
            return None


@dataclass(frozen=True, slots=True)
class Location:
    location_id: str
    name: str

    @classmethod
    def from_json(cls, raw: Any) -> Location:
        if not isinstance(raw, Mapping):
            raise HomelyResponseError("location is not an object")
        return cls(
            location_id=_str(raw, "locationId"),
            name=_str(raw, "name", ""),
        )


@dataclass(slots=True)
class Home:
    location_id: str
    name: str
    gateway_serial: str | None
    alarm_state: str | None
    devices: dict[str, Device]
    skipped: list[str] = field(default_factory=list)  # why unreadable devices were left out

    @classmethod
    def from_json(cls, raw: Any) -> Home:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("devices", []), list):
            raise HomelyResponseError("home is not an object with a device list")
        devices: dict[str, Device] = {}
        skipped: list[str] = []
        for item in raw.get("devices", []):
            try:
                device = Device.from_json(item)
            except HomelyResponseError as err:
                # One unreadable device must not hide the rest of the home.
                skipped.append(str(err))
                continue
            devices[device.device_id] = device
        return cls(
            location_id=_str(raw, "locationId"),
            name=_str(raw, "name", ""),
            gateway_serial=_optional_text(raw.get("gatewayserial")),
            alarm_state=alarm_state
            if isinstance(alarm_state := raw.get("alarmState"), str)
            else None,
            devices=devices,
            skipped=skipped,
        )

    @property
    def alarm_pending(self) -> bool:
        return is_pending_alarm_state(self.alarm_state)


@dataclass(frozen=True, slots=True)
class StateChange:
    feature: str
    name: str
    state: State


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    device_id: str
    home_id: str | None  # rootLocationId (locationId is the room); None in the minimal shape
    changes: tuple[StateChange, ...]


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    home_id: str
    state: str
    timestamp: datetime | None
    user_name: str | None
    user_id: str | None
    event_id: str | None = None  # a UUID in the simulator, an integer from the live cloud

    @property
    def pending(self) -> bool:
        return is_pending_alarm_state(self.state)

    @property
    def by_user(self) -> bool:
        """Homely names the user (and the event) on the final state of an arming or disarming."""
        return bool(self.user_id or self.user_name or self.event_id)


type Event = DeviceEvent | AlarmEvent


def parse_event(raw: Any) -> Event | None:
    """An `event` message; None for a type this client does not know (logged by the caller)."""
    if not isinstance(raw, Mapping):
        raise HomelyResponseError(f"event is not an object: {raw!r:.80}")
    kind = raw.get("type")
    data = raw.get("data", raw.get("payload"))
    if not isinstance(data, Mapping):
        raise HomelyResponseError(f"{kind} event without data")
    if kind == EVENT_DEVICE:
        return _device_event(data)
    if kind == EVENT_ALARM:
        state = data.get("state")
        if not isinstance(state, str) or not state:
            raise HomelyResponseError("alarm event without a state")
        return AlarmEvent(
            home_id=_str(data, "locationId"),
            state=state,
            timestamp=parse_time(data.get("timestamp")),
            user_name=_optional_text(data.get("userName")),
            user_id=_optional_text(data.get("userId")),
            event_id=_optional_text(data.get("eventId")),
        )
    return None


def _optional_text(value: Any) -> str | None:
    """A name or id as text (`eventId` is an integer live); None when absent or unreadable."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def _device_event(data: Mapping[str, Any]) -> DeviceEvent:
    raw_changes = data.get("changes")
    if raw_changes is None and isinstance(data.get("change"), Mapping):
        raw_changes = [data["change"]]
    if not isinstance(raw_changes, list):
        raise HomelyResponseError("device event without a list of changes")
    changes = []
    for change in raw_changes:
        if not isinstance(change, Mapping):
            raise HomelyResponseError("a change is not an object")
        changes.append(
            StateChange(
                _str(change, "feature"),
                _str(change, "stateName"),
                State(change.get("value"), parse_time(change.get("lastUpdated"))),
            )
        )
    return DeviceEvent(
        device_id=_str(data, "deviceId"),
        home_id=data.get("rootLocationId"),
        changes=tuple(changes),
    )
