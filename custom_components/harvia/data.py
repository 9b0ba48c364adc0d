"""What the coordinator holds, and the one place where push and poll meet.

Per device and cabin: the shadow and the latest telemetry, plus the values entities show
(effective target, status, door ...). Push notices are applied here in place (newest wins by
shadow version and measurement timestamp), a poll is merged with what pushes brought meanwhile,
and freshness is decided here. No Home Assistant imports: times are monotonic seconds passed in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from .api import CabinState, Countdown, Device, MeasurementUpdate, StateUpdate, Telemetry
from .api.models import newest
from .const import SENSOR_CABIN, STALE_AFTER

type CabinKey = tuple[str, str]  # (device id, cabin id)

HEATING_MARGIN = 1.0  # degrees below target that still count as "at temperature"


class SaunaStatus(StrEnum):
    OFF = "off"
    WAITING = "waiting"  # a scheduled start is pending
    HEATING = "heating"
    READY = "ready"  # at temperature


@dataclass(slots=True)
class CabinData:
    """One cabin of a controller, or the single classic shadow of a sauna sensor."""

    device: Device
    cabin_id: str
    state: CabinState | None = None
    telemetry: Telemetry | None = None
    # Monotonic times of the last push that changed the state or the telemetry.
    state_pushed_at: float | None = None
    telemetry_pushed_at: float | None = None
    # Since when polls could not read this cabin (None: the last poll or a later push did).
    unreadable_since: float | None = None
    stale: bool = False  # unreadable for longer than STALE_AFTER: its values are not shown

    @property
    def key(self) -> CabinKey:
        return (self.device.device_id, self.cabin_id)

    @property
    def api_cabin(self) -> str | None:
        """The cabin id the REST API wants (None for a sauna sensor)."""
        return None if self.cabin_id == SENSOR_CABIN else self.cabin_id

    @property
    def connected(self) -> bool:
        if self.state is not None and self.state.connected is not None:
            return self.state.connected
        return self.device.connected is not False

    @property
    def is_fenix(self) -> bool:
        """Fenix by the device list's type, or by how its shadow reports when the list
        names no type (rows in real client fixtures carry none)."""
        declared = self.device.declared_fenix
        if declared is not None:
            return declared
        return bool(self.state and self.state.reports_like_fenix)

    @property
    def name(self) -> str:
        if self.state is not None and self.state.display_name:
            return self.state.display_name
        return self.device.name or self.device.device_id

    # --- measurements ------------------------------------------------------------------------
    @property
    def temperature(self) -> float | None:
        if self.telemetry is not None and self.telemetry.temperature is not None:
            return self.telemetry.temperature
        return self.state.temperature if self.state else None  # sauna sensor

    @property
    def humidity(self) -> float | None:
        if self.telemetry is not None and self.telemetry.humidity is not None:
            return self.telemetry.humidity
        return self.state.humidity if self.state else None

    @property
    def heater_power(self) -> float | None:
        return self.telemetry.heater_power if self.telemetry else None

    # Lifetime counters: from the telemetry when it has them, else the device list's attributes.
    @property
    def total_sessions(self) -> float | None:
        counted = self.telemetry.total_sessions if self.telemetry else None
        return self.device.total_sessions(self.cabin_id) if counted is None else counted

    @property
    def bathing_hours(self) -> float | None:
        counted = self.telemetry.bathing_hours if self.telemetry else None
        return self.device.bathing_hours(self.cabin_id) if counted is None else counted

    @property
    def operating_hours(self) -> float | None:
        counted = self.telemetry.operating_hours if self.telemetry else None
        return self.device.operating_hours(self.cabin_id) if counted is None else counted

    # --- state ---------------------------------------------------------------------------------
    @property
    def is_on(self) -> bool:
        return bool(self.state and self.state.heater_on)

    @property
    def waiting(self) -> bool:
        return bool(self.state and self.state.waiting_for_start)

    @property
    def target_temperature(self) -> float | None:
        """The target the heater really works to. Fenix panels keep a stale `targetTemp` in
        their shadow: there the active profile's target holds while off or waiting, and the
        telemetry's while heating."""
        state = self.state
        if state is None:
            return None
        if self.is_fenix:
            heating = self.is_on and not self.waiting
            if heating and self.telemetry is not None and self.telemetry.target_temp is not None:
                return self.telemetry.target_temp
            if state.active is not None and state.active.target_temp is not None:
                return state.active.target_temp
        return state.target_temp

    @property
    def target_humidity(self) -> float | None:
        return self.state.target_hum if self.state else None

    @property
    def heating_element(self) -> bool:
        """Whether heat is going in right now (not merely 'on')."""
        if not self.is_on or self.waiting:
            return False
        if self.heater_power:
            return True
        current, target = self.temperature, self.target_temperature
        return current is not None and target is not None and current < target - HEATING_MARGIN

    @property
    def status(self) -> SaunaStatus:
        if not self.is_on:
            return SaunaStatus.OFF
        if self.waiting:
            return SaunaStatus.WAITING
        return SaunaStatus.HEATING if self.heating_element else SaunaStatus.READY

    @property
    def scheduled_start(self) -> datetime | None:
        return self.state.scheduled_start if self.state and self.waiting else None

    # --- countdowns: from whichever of shadow and telemetry is newer ---------------------------
    @property
    def remaining_time(self) -> Countdown | None:
        return newest(
            self.state.remaining_time if self.state else None,
            self.telemetry.remaining_time if self.telemetry else None,
        )

    @property
    def time_to_target(self) -> Countdown | None:
        return newest(
            self.state.time_to_target if self.state else None,
            self.telemetry.time_to_target if self.telemetry else None,
        )

    @property
    def reports_door(self) -> bool:
        """Fenix: through "remote allowed"; others: when their telemetry has a door state."""
        if self.is_sensor:
            return False
        if self.is_fenix:
            return bool(self.state and self.state.remote_allowed is not None)
        return bool(self.telemetry and self.telemetry.reports_door)

    @property
    def door_open(self) -> bool | None:
        """Fenix shows the door only as "remote allowed" (not allowed = open); others report
        whether the door's safety circuit is closed."""
        if self.is_fenix:
            allowed = self.state.remote_allowed if self.state else None
            return None if allowed is None else not allowed
        closed = self.telemetry.door_closed if self.telemetry else None
        return None if closed is None else not closed

    @property
    def has_steam(self) -> bool:
        """A steamer or vaporizer: humidity can be controlled (through targets)."""
        return bool(self.state and self.state.has_steamer)

    @property
    def supports_steamer_switch(self) -> bool:
        """Fenix refuses STEAMER and VAPORIZER commands; humidity goes through targets there."""
        return self.has_steam and not self.is_fenix

    @property
    def supports_fan(self) -> bool:
        return bool(self.state and self.state.has_fan)

    @property
    def reports_remote_allowed(self) -> bool:
        return bool(self.state and self.state.reports_remote_allowed)

    @property
    def is_sensor(self) -> bool:
        return self.cabin_id == SENSOR_CABIN

    # --- push ---------------------------------------------------------------------------------
    def apply_state(self, state: CabinState, now: float) -> bool:
        """A pushed shadow; False when an older notice was overtaken by a newer one."""
        old = self.state
        if (
            old is not None
            and old.version is not None
            and state.version is not None
            and state.version < old.version
        ):
            return False
        if not state.raw and old is not None:
            state = replace(old, connected=state.connected)  # offline with nothing to show
        self.state, self.state_pushed_at = state, now
        self._mark_read()
        return True

    def apply_telemetry(self, telemetry: Telemetry, now: float) -> bool:
        """A pushed measurement; False when it is older than the one held."""
        held = self.telemetry.timestamp if self.telemetry else None
        if telemetry.timestamp is not None and held is not None and telemetry.timestamp < held:
            return False
        self.telemetry, self.telemetry_pushed_at = telemetry, now
        self._mark_read()
        return True

    def _mark_read(self) -> None:
        self.unreadable_since, self.stale = None, False


@dataclass(frozen=True, slots=True)
class CabinReading:
    """What one poll read of one cabin; `state` is None when it could not be read."""

    device: Device
    cabin_id: str
    state: CabinState | None = None
    telemetry: Telemetry | None = None

    @property
    def key(self) -> CabinKey:
        return (self.device.device_id, self.cabin_id)


def cabin_ids(device: Device) -> list[str]:
    """The cabins a poll reads of a device."""
    return [SENSOR_CABIN] if device.is_sensor else device.cabin_ids


@dataclass(slots=True)
class HarviaData:
    devices: dict[str, Device] = field(default_factory=dict)
    cabins: dict[CabinKey, CabinData] = field(default_factory=dict)

    def cabins_of(self, device_id: str) -> list[CabinData]:
        return [c for c in self.cabins.values() if c.device.device_id == device_id]

    def multi_cabin(self, device_id: str) -> bool:
        return len(self.cabins_of(device_id)) > 1

    def identifiers(self) -> set[str]:
        """The device registry identifiers of what the account holds: controllers and cabins."""
        return set(self.devices) | {
            f"{device_id}/{cabin_id}" for device_id, cabin_id in self.cabins
        }

    # --- push ---------------------------------------------------------------------------------
    def cabin_for(self, device_id: str, cabin_id: str | None) -> CabinData | None:
        """The cabin a notice is about; a notice that names none fits only a one-cabin device
        (guessing among several would show one cabin's values on another)."""
        device = self.devices.get(device_id)
        if device is None:
            return None
        if device.is_sensor:
            return self.cabins.get((device_id, SENSOR_CABIN))
        if cabin_id is None:
            cabins = self.cabins_of(device_id)
            return cabins[0] if len(cabins) == 1 else None
        return self.cabins.get((device_id, cabin_id))

    def apply_state(self, update: StateUpdate, now: float) -> set[Hashable]:
        """Apply a pushed shadow in place; the keys it changed: its cabin and its device."""
        cabin = self.cabin_for(update.device_id, update.cabin.cabin_id)
        if cabin is None or not cabin.apply_state(update.cabin, now):
            return set()
        return {cabin.key, update.device_id}

    def apply_measurement(self, update: MeasurementUpdate, now: float) -> set[Hashable]:
        """Apply a pushed measurement in place; the keys it changed."""
        cabin = self.cabin_for(update.device_id, update.telemetry.cabin_id)
        if cabin is None or not cabin.apply_telemetry(update.telemetry, now):
            return set()
        return {cabin.key, update.device_id}

    # --- poll -----------------------------------------------------------------------------------
    def merge_poll(
        self, readings: Iterable[CabinReading], started: float, now: float
    ) -> HarviaData:
        """The data after a poll that started at `started`: what pushes brought after that
        start is fresher than the poll and stays. A cabin the poll could not read keeps its
        last values, turning stale once it has been unreadable for STALE_AFTER."""
        merged = HarviaData()
        for reading in readings:
            merged.devices[reading.device.device_id] = reading.device
            old = self.cabins.get(reading.key)
            if reading.state is not None:
                cabin = CabinData(
                    reading.device, reading.cabin_id, reading.state, reading.telemetry
                )
                if old is not None:
                    _keep_newer_pushes(cabin, old, started)
            elif old is not None:
                cabin = replace(old, device=reading.device)
                if not _pushed_since(old, started):
                    if cabin.unreadable_since is None:
                        cabin.unreadable_since = started
                    cabin.stale = now - cabin.unreadable_since >= STALE_AFTER.total_seconds()
            else:
                continue  # never read: nothing to show yet
            merged.cabins[reading.key] = cabin
        return merged


def _pushed_since(cabin: CabinData, started: float) -> bool:
    return any(
        at is not None and at > started for at in (cabin.state_pushed_at, cabin.telemetry_pushed_at)
    )


def _keep_newer_pushes(cabin: CabinData, old: CabinData, started: float) -> None:
    """State and telemetry pushed while the poll ran are newer than what it read."""
    if old.state_pushed_at is not None and old.state_pushed_at > started:
        cabin.state, cabin.state_pushed_at = old.state, old.state_pushed_at
    if old.telemetry_pushed_at is not None and old.telemetry_pushed_at > started:
        cabin.telemetry, cabin.telemetry_pushed_at = old.telemetry, old.telemetry_pushed_at
