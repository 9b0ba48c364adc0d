"""Saunas that behave: heating, steam, session timers, scheduled starts, doors, connectivity.

Each device renders its state the way the real cloud does for its type (see cloud-facts):
Fenix reports `heater.on` as 0/1 with `heater.state` 0, `activeProfile` as a string, a shadow
`targetTemp` that goes stale, and shows the door only through `remoteAllowed`; Xenio-class
controllers report booleans and a door safety state; a sauna sensor has a classic shadow with
temperature and humidity only.

Like a real device shadow, the reported state changes only when the device reports a change:
its timers (`timeToTarget`, `remainingTime`) hold the values of that moment, stamped with it,
while the minute-by-minute telemetry carries the fresh ones (`timeToTarget`, `onTime`,
`autoOffTime`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
import math
from typing import Any

AMBIENT_C = 21.0
COOLING_TIME_CONSTANT_S = 2400.0  # a sauna loses heat to the room over about 40 minutes
HEATING_C_PER_S_PER_KW = 0.0022  # ~1.2 degrees/minute with 9 kW at first
HUMIDITY_BASELINE = 8.0  # dry hot sauna, % RH
STEAM_PCT_PER_S = 0.03
TELEMETRY_EVERY_ON_S = 60.0
TELEMETRY_EVERY_OFF_S = 600.0
HISTORY_KEEP_S = 14 * 24 * 3600.0

STATUS_OFF = 0
STATUS_HEATING = 1
STATUS_WAITING = 5  # waiting for a scheduled start


class CommandRejectedError(Exception):
    """The device refused a command; `status` and `message` are what the cloud answers."""

    def __init__(self, status: int, message: str, failure_reason: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.failure_reason = failure_reason


@dataclass(slots=True)
class Profile:
    name: str
    target_temp: float
    target_hum: float
    duration_min: int

    def shadow(self, heater_on: bool, steamer_on: bool, light_on: bool) -> dict[str, Any]:
        return {
            "name": self.name,
            "targetTemp": self.target_temp,
            "targetHum": self.target_hum,
            "duration": self.duration_min,
            "heater": {"on": heater_on},
            "steamer": {"on": steamer_on},
            "light": {"on": light_on},
        }


@dataclass(slots=True)
class Cabin:
    """One cabin of a controller (a sub-shadow C1, C2, ...)."""

    cabin_id: str
    name: str
    temperature: float
    humidity: float
    target_temp: float
    target_hum: float
    profiles: list[Profile]
    active_profile: int = 0
    stale_target_temp: float | None = None  # Fenix: what the shadow keeps showing
    on: bool = False
    waiting_until: float | None = None  # scheduled start time
    session_started: float | None = None
    duration_min: int = 180
    light: bool = False
    fan: bool = False
    steamer: bool = False
    door_closed: bool = True
    heater_element_on: bool = False
    session_id: str | None = None
    total_sessions: int = 0
    bathing_seconds: float = 0.0
    operating_seconds: float = 0.0
    after_heat_s: float = 0.0
    reported_time_to_target_min: int = 0  # the shadow's timers, as of its last update
    reported_remaining_min: int = 0
    last_telemetry: float = 0.0
    history: deque[tuple[float, dict[str, Any]]] = field(default_factory=deque)

    @property
    def status(self) -> int:
        if self.waiting_until is not None:
            return STATUS_WAITING
        return STATUS_HEATING if self.on else STATUS_OFF

    def remaining_s(self, now: float) -> float:
        if not self.on or self.session_started is None:
            return 0.0
        return max(0.0, self.session_started + self.duration_min * 60 - now)


@dataclass(slots=True)
class Sauna:
    """A controller (Fenix, Xenio, ...) with its cabins, or a sauna sensor (no cabins)."""

    device_id: str
    device_type: str
    serial: str
    firmware: str
    panel_type: str
    power_unit_variant: str
    hwid: str
    heater_power_w: int
    min_temp: float
    max_temp: float
    max_on_time_min: int
    has_steamer: bool
    has_vaporizer: bool
    has_fan: bool
    cabins: list[Cabin]
    connected: bool = True
    display_name: str = "Sauna"
    sensor_temperature: float = AMBIENT_C  # sauna sensor only
    sensor_humidity: float = 40.0
    sensor_battery: int = 92
    version: int = 1
    updated_at: float = 0.0
    last_step: float = 0.0

    # --- what kind of device -------------------------------------------------------------
    @property
    def is_sensor(self) -> bool:
        return self.device_type == "SaunaSensor"

    @property
    def is_fenix(self) -> bool:
        return self.device_type == "Fenix"

    def supported_commands(self) -> set[str]:
        if self.is_sensor:
            return set()
        commands = {"SAUNA", "HEATER", "LIGHTS", "ADJUST_DURATION", "REMAINING_TIME", "RESTART"}
        if self.has_fan:
            commands.add("FAN")
        if self.has_steamer and not self.is_fenix:
            commands.add("STEAMER")
        if self.has_vaporizer and not self.is_fenix:
            commands.add("VAPORIZER")
        return commands

    def cabin(self, cabin_id: str | None = None, cabin_name: str | None = None) -> Cabin:
        for cabin in self.cabins:
            if (cabin_name is not None and cabin.name == cabin_name) or (
                cabin_name is None and cabin.cabin_id == (cabin_id or "C1")
            ):
                return cabin
        raise KeyError(cabin_name or cabin_id)

    # --- time --------------------------------------------------------------------------
    def step(self, now: float) -> list[Cabin]:
        """Advance to `now`; returns the cabins whose telemetry is due (already recorded)."""
        elapsed = max(0.0, now - self.last_step)
        self.last_step = now
        due: list[Cabin] = []
        if self.is_sensor:
            return due
        for cabin in self.cabins:
            self._advance(cabin, now, elapsed)
            interval = TELEMETRY_EVERY_ON_S if cabin.on else TELEMETRY_EVERY_OFF_S
            if now - cabin.last_telemetry >= interval:
                self.record(cabin, now)
                due.append(cabin)
        return due

    def _advance(self, cabin: Cabin, now: float, elapsed: float) -> None:
        # Integrate in slices so a clock jump of an hour still heats realistically.
        remaining = elapsed
        t = now - elapsed
        while remaining > 0:
            dt = min(remaining, 10.0)
            t += dt
            remaining -= dt
            if cabin.waiting_until is not None and t >= cabin.waiting_until:
                cabin.waiting_until = None
                self._start_session(cabin, t)
            if cabin.on and cabin.remaining_s(t) <= 0:
                self._stop_session(cabin, t)
            self._physics(cabin, dt)

    def _physics(self, cabin: Cabin, dt: float) -> None:
        heating = cabin.on and cabin.waiting_until is None
        cabin.heater_element_on = heating and cabin.temperature < cabin.target_temp
        if heating:
            cabin.operating_seconds += dt
            cabin.bathing_seconds += dt if cabin.temperature >= cabin.target_temp - 5 else 0
        if cabin.heater_element_on:
            headroom = max(0.0, 1 - (cabin.temperature - AMBIENT_C) / 130)
            rate = HEATING_C_PER_S_PER_KW * self.heater_power_w / 1000 * headroom
            cabin.temperature = min(cabin.target_temp, cabin.temperature + rate * dt)
        if not cabin.heater_element_on:
            decay = 1 - math.exp(-dt / COOLING_TIME_CONSTANT_S)
            floor = cabin.target_temp - 0.5 if heating else AMBIENT_C
            cabin.temperature = max(
                floor, cabin.temperature - (cabin.temperature - AMBIENT_C) * decay
            )
        if heating and cabin.steamer and cabin.humidity < cabin.target_hum:
            cabin.humidity = min(cabin.target_hum, cabin.humidity + STEAM_PCT_PER_S * dt)
        else:
            decay = 1 - math.exp(-dt / 900)
            cabin.humidity -= (cabin.humidity - HUMIDITY_BASELINE) * decay

    def _start_session(self, cabin: Cabin, now: float) -> None:
        cabin.on = True
        cabin.session_started = now
        cabin.total_sessions += 1
        cabin.session_id = f"{self.device_id}-{cabin.cabin_id}-{int(now)}"
        self.touch(now)

    def _stop_session(self, cabin: Cabin, now: float) -> None:
        cabin.on = False
        cabin.steamer = False
        cabin.session_started = None
        cabin.waiting_until = None
        cabin.session_id = None
        self.touch(now)

    def touch(self, now: float) -> None:
        """The device reported a change: a new shadow version, stamped `now`."""
        self.version += 1
        self.updated_at = now
        self.snapshot_timers(now)

    def snapshot_timers(self, now: float) -> None:
        for cabin in self.cabins:
            cabin.reported_time_to_target_min = round(self.time_to_target_s(cabin) / 60)
            cabin.reported_remaining_min = round(cabin.remaining_s(now) / 60)

    # --- commands ------------------------------------------------------------------------
    def command(self, cabin: Cabin, kind: str, value: Any, now: float) -> None:
        """Apply a command or raise CommandRejectedError as the cloud would."""
        if kind not in _ALL_COMMANDS:
            raise CommandRejectedError(400, f"Invalid command type '{kind}'.")
        if kind not in self.supported_commands():
            raise CommandRejectedError(
                400, f"Command '{kind}' is not supported for device type '{self.device_type}'."
            )
        if not self.connected:
            raise CommandRejectedError(504, "Device unavailable", "Device unavailable")
        if kind == "ADJUST_DURATION":
            minutes = _as_int(value)
            if minutes is None or not 1 <= minutes <= self.max_on_time_min:
                raise CommandRejectedError(
                    400, f"Duration must be between 1 and {self.max_on_time_min} minutes."
                )
            cabin.duration_min = minutes
        elif kind in ("REMAINING_TIME", "RESTART"):
            pass
        else:
            self._switch(cabin, kind, _as_bool(value), now)
        self.touch(now)

    def _switch(self, cabin: Cabin, kind: str, on: bool | None, now: float) -> None:
        if on is None:
            raise CommandRejectedError(400, "Command state must be on/off, true/false or 1/0.")
        if kind in ("SAUNA", "HEATER"):
            if on and not cabin.door_closed:
                raise CommandRejectedError(
                    400,
                    "Remote control is not allowed: the door is open.",
                    "Remote control not allowed",
                )
            if on and not cabin.on:
                cabin.waiting_until = None
                self._start_session(cabin, now)
            elif not on:
                self._stop_session(cabin, now)
        elif kind == "LIGHTS":
            cabin.light = on
        elif kind == "FAN":
            cabin.fan = on
        else:  # STEAMER / VAPORIZER
            cabin.steamer = on

    def schedule(self, cabin: Cabin, start_at: float, now: float) -> None:
        """Panel-side scheduled start (the cloud API cannot set one)."""
        cabin.on = False
        cabin.waiting_until = start_at
        self.touch(now)

    def set_target(
        self, cabin: Cabin, temperature: float | None, humidity: float | None, now: float
    ) -> None:
        if not self.connected:
            raise CommandRejectedError(504, "Device unavailable", "Device unavailable")
        if temperature is not None:
            if not self.min_temp <= temperature <= self.max_temp:
                raise CommandRejectedError(
                    400,
                    f"Temperature must be between {self.min_temp:g} and {self.max_temp:g}.",
                )
            cabin.target_temp = temperature
            cabin.profiles[cabin.active_profile].target_temp = temperature
        if humidity is not None:
            if not 0 <= humidity <= 100:
                raise CommandRejectedError(400, "Humidity must be between 0 and 100.")
            cabin.target_hum = humidity
            cabin.profiles[cabin.active_profile].target_hum = humidity
        self.touch(now)

    def set_profile(self, cabin: Cabin, profile: str | int, now: float) -> int:
        index = _profile_index(cabin, profile)
        if index is None:
            raise CommandRejectedError(400, f"Unknown profile '{profile}'.")
        cabin.active_profile = index
        chosen = cabin.profiles[index]
        cabin.target_temp = chosen.target_temp
        cabin.target_hum = chosen.target_hum
        cabin.duration_min = chosen.duration_min
        self.touch(now)
        return index

    # --- how the cloud shows it ------------------------------------------------------------
    def attributes(self) -> list[dict[str, str]]:
        attrs = {
            "name": self.display_name,
            "serialNumber": self.serial,
            "HWID": self.hwid,
            "connected": "true" if self.connected else "false",
        }
        if not self.is_sensor:
            attrs |= {
                "powerUnitHWID": f"PU-{self.hwid}",
                "powerUnitFwVersion": self.firmware,
                "initialFirmware": self.firmware,
                "panelType": self.panel_type,
                "powerUnitVariant": self.power_unit_variant,
                "BT_MAC": "F0:08:D1:" + ":".join(self.hwid[i : i + 2] for i in (0, 2, 4)),
            }
            for cabin in self.cabins:
                cid = cabin.cabin_id
                attrs[f"stats.totalSessions.{cid}"] = str(cabin.total_sessions)
                attrs[f"stats.totalBathingHours.{cid}"] = str(int(cabin.bathing_seconds // 3600))
                attrs[f"stats.totalOperatingHours.{cid}"] = str(
                    int(cabin.operating_seconds // 3600)
                )
        else:
            attrs["firmware"] = self.firmware
        return [{"key": k, "value": v} for k, v in attrs.items()]

    def reported(self, cabin: Cabin | None, now: float) -> dict[str, Any]:
        """The reported shadow of a cabin (or the classic shadow of a sensor)."""
        if cabin is None:
            return {
                "temp": round(self.sensor_temperature, 1),
                "hum": round(self.sensor_humidity, 1),
                "batteryLevel": self.sensor_battery,
                "displayName": self.display_name,
            }
        heater_on: Any = cabin.on or cabin.waiting_until is not None
        fenix = self.is_fenix
        profiles = {str(i): p.shadow(False, False, False) for i, p in enumerate(cabin.profiles)}
        state: dict[str, Any] = {
            "displayName": cabin.name,
            "activeProfile": str(cabin.active_profile) if fenix else cabin.active_profile,
            "profiles": profiles,
            "targetTemp": cabin.stale_target_temp if fenix else cabin.target_temp,
            "targetHum": cabin.target_hum,
            "heater": {"on": int(heater_on), "state": 0}
            if fenix
            else {"on": bool(heater_on), "state": "heating" if cabin.heater_element_on else "idle"},
            "light": {"on": int(cabin.light) if fenix else cabin.light},
            "fan": {"on": int(cabin.fan) if fenix else cabin.fan},
            "screenLock": {"on": False},
            "settings": {
                "maxOnTime": self.max_on_time_min,
                "maxTemp": self.max_temp,
                "minTemp": self.min_temp,
                "tempCalibration": 0,
                "dehumidification": False,
                "remoteControl": True,
            },
            "remoteAllowed": int(cabin.door_closed),
            "demoMode": False,
            "saunaStatus": cabin.status,
            "timer": {}
            if cabin.waiting_until is None
            else {
                "startTime": int(cabin.waiting_until * 1000),
                "readyTime": int(
                    (cabin.waiting_until + cabin.reported_time_to_target_min * 60) * 1000
                ),
            },
            "heatingCurve": [],
            "timeToTarget": cabin.reported_time_to_target_min,
            "duration": cabin.duration_min,
            "remainingTime": cabin.reported_remaining_min,
            "errors": [],
        }
        if self.has_steamer or self.has_vaporizer:
            state["steamer"] = {"on": int(cabin.steamer) if fenix else cabin.steamer, "state": 0}
        return state

    def desired(self, cabin: Cabin | None) -> dict[str, Any]:
        if cabin is None:
            return {}
        return {"targetTemp": cabin.target_temp, "targetHum": cabin.target_hum}

    def time_to_target_s(self, cabin: Cabin) -> float:
        gap = cabin.target_temp - cabin.temperature
        if gap <= 0:
            return 0.0
        headroom = max(0.05, 1 - (cabin.temperature - AMBIENT_C) / 130)
        rate = HEATING_C_PER_S_PER_KW * self.heater_power_w / 1000 * headroom
        return gap / rate

    def telemetry(self, cabin: Cabin | None, now: float) -> dict[str, Any]:
        """The `data` of a measurement (latest-data, history, measurement feed)."""
        if cabin is None:
            return {
                "temp": round(self.sensor_temperature, 1),
                "hum": round(self.sensor_humidity, 1),
            }
        heating = cabin.on and cabin.waiting_until is None
        target = cabin.target_temp
        if self.is_fenix and not heating and cabin.stale_target_temp is not None:
            target = cabin.stale_target_temp  # Fenix telemetry is right only while heating
        return {
            "temp": round(cabin.temperature, 1),
            "hum": round(cabin.humidity, 1),
            "targetTemp": target,
            "targetHum": cabin.target_hum,
            "heatOn": int(cabin.on or cabin.waiting_until is not None),
            "steamOn": int(cabin.steamer),
            "lightOn": int(cabin.light),
            "fanOn": int(cabin.fan),
            # Some Fenix units always report 0 W.
            "heaterPower": 0
            if self.is_fenix
            else (self.heater_power_w if cabin.heater_element_on else 0),
            "mainSensorTemp": round(cabin.temperature, 1),
            "extSensorTemp": round(cabin.temperature - 4, 1),
            "panelTemp": round(AMBIENT_C + 3, 1),
            "totalSessions": cabin.total_sessions,
            "totalBathingHours": round(cabin.bathing_seconds / 3600, 1),
            "totalHours": round(cabin.operating_seconds / 3600, 1),
            "onTime": round((now - cabin.session_started) / 60) if cabin.session_started else 0,
            "afterHeatTime": 0,
            "autoOffTime": round(cabin.remaining_s(now) / 60),
            "timeToTarget": round(self.time_to_target_s(cabin) / 60) if heating else 0,
            # Fenix reports its door only through the shadow's remoteAllowed. Elsewhere 1 means
            # the door's safety circuit is closed (safe), as two independent clients read it.
            "safetyRelay": 0 if self.is_fenix else int(heating),
            "doorSafetyState": 0 if self.is_fenix else int(cabin.door_closed),
            "cutOffRelay": 0,
            "onOffTrigger": 0,
        }

    def record(self, cabin: Cabin, now: float) -> None:
        cabin.last_telemetry = now
        cabin.history.append((now, self.telemetry(cabin, now)))
        while cabin.history and cabin.history[0][0] < now - HISTORY_KEEP_S:
            cabin.history.popleft()

    def backfill(self, now: float, hours: float) -> None:
        """Invent a plausible past: an evening session every day, idle otherwise."""
        for cabin in self.cabins:
            t = now - hours * 3600
            while t < now:
                hour = (t % 86400) / 3600
                session = 18 <= hour < 20
                heating_up = 18 <= hour < 18.5  # 21 -> 80 degrees over the first half hour
                ramp = 21 + (hour - 18) / 0.5 * 59
                temp = ramp if heating_up else (80.0 if session else AMBIENT_C)
                sample = self.telemetry(cabin, t) | {
                    "temp": round(temp, 1),
                    "hum": 12.0 if session else 30.0,
                    "heatOn": int(session),
                    "heaterPower": self.heater_power_w if heating_up else 0,
                }
                cabin.history.append((t, sample))
                t += TELEMETRY_EVERY_ON_S * 5
            cabin.last_telemetry = now - TELEMETRY_EVERY_OFF_S  # first live sample is due


_ALL_COMMANDS = {
    "ADJUST_DURATION", "REMAINING_TIME", "AFTER_HEATER", "EXT_SWITCH", "FAN", "HEATER",
    "IR_HEATER", "LIGHTS", "RESTART", "SAUNA", "STEAMER", "TRACE_LOG", "UPDATE", "VAPORIZER",
}  # fmt: skip


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value in (0, 1) else None
    text = str(value).strip().lower()
    if text in ("on", "true", "1"):
        return True
    if text in ("off", "false", "0"):
        return False
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _profile_index(cabin: Cabin, profile: str | int) -> int | None:
    for index, candidate in enumerate(cabin.profiles):
        if str(profile) in (str(index), candidate.name):
            return index
    return None
