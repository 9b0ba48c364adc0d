"""What the coordinator holds: per device and cabin, the shadow and the latest telemetry,
plus the derived values entities show (effective target, status, door ...)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from .api import CabinState, Countdown, Device, Telemetry
from .api.models import as_bool, newest
from .const import SENSOR_CABIN

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
    pushed_at: float = 0.0  # monotonic time of the last push that changed this cabin

    @property
    def key(self) -> tuple[str, str]:
        return (self.device.device_id, self.cabin_id)

    @property
    def api_cabin(self) -> str | None:
        """The cabin id the REST API wants (None for a sauna sensor)."""
        return None if self.cabin_id == SENSOR_CABIN else self.cabin_id

    @property
    def connected(self) -> bool:
        if self.state is not None and self.state.connected is not None:
            return self.state.connected
        return as_bool(self.device.attributes.get("connected")) is not False

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

    def number(self, *keys: str) -> float | None:
        return self.telemetry.number(*keys) if self.telemetry else None

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
        power = self.number("heaterPower")
        if power:
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
        """Fenix: through remoteAllowed; others: when their telemetry has a door safety state."""
        if self.is_sensor:
            return False
        if self.is_fenix:
            return bool(self.state and self.state.remote_allowed is not None)
        return bool(self.telemetry and self.telemetry.reports_door)

    @property
    def door_open(self) -> bool | None:
        """Fenix shows the door only as remoteAllowed (0 = open); others report a door safety
        state (1 = the safety circuit is closed, so the door is shut)."""
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
        return bool(self.state and isinstance(self.state.raw.get("fan"), dict))

    @property
    def is_sensor(self) -> bool:
        return self.cabin_id == SENSOR_CABIN


@dataclass(slots=True)
class HarviaData:
    devices: dict[str, Device] = field(default_factory=dict)
    cabins: dict[tuple[str, str], CabinData] = field(default_factory=dict)

    def cabins_of(self, device_id: str) -> list[CabinData]:
        return [c for c in self.cabins.values() if c.device.device_id == device_id]

    def multi_cabin(self, device_id: str) -> bool:
        return len(self.cabins_of(device_id)) > 1
