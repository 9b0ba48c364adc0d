"""What the coordinator holds for one home, and how polls and events change it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .api import AlarmEvent, DeviceEvent, Home


@dataclass(slots=True)
class HomelyData:
    """The home as last seen, with the alarm's latest event on top of it."""

    home: Home
    alarm_state: str | None = None
    alarm_at: datetime | None = None  # timestamp of the alarm event that set alarm_state
    changed_by: str | None = None

    def apply_device_event(self, event: DeviceEvent) -> bool:
        """Apply the changes that are newer than what is known; True when anything changed."""
        device = self.home.devices.get(event.device_id)
        if device is None:
            return False
        changed = False
        for change in event.changes:
            states = device.features.setdefault(change.feature, {})
            name = device.state_name(change.feature, change.name)
            current = states.get(name)
            if not change.state.newer_than(current):
                continue  # a duplicate, or older than a poll that overtook it
            if (
                change.state.last_updated is None
                and current is not None
                and current.value == change.state.value
            ):
                continue  # a repeated value without a time
            states[name] = change.state
            changed = True
        return changed

    def apply_alarm_event(self, event: AlarmEvent) -> bool:
        """Events can arrive out of order: the newest timestamp wins, not the last arrival."""
        if event.timestamp and self.alarm_at and event.timestamp < self.alarm_at:
            return False
        self.alarm_state = event.state
        self.alarm_at = event.timestamp or self.alarm_at
        if event.user_name:
            self.changed_by = event.user_name
        return True

    def merge_poll(self, polled: Home, *, alarm_pushed_meanwhile: bool) -> HomelyData:
        """A new poll, keeping states and alarm that events brought while it was running."""
        for device in polled.devices.values():
            old = self.home.devices.get(device.device_id)
            if old is None:
                continue
            for feature, states in old.features.items():
                polled_states = device.features.setdefault(feature, {})
                for name, state in states.items():
                    fresh = polled_states.get(name)
                    if fresh is None or (
                        state.last_updated is not None
                        and fresh.last_updated is not None
                        and state.last_updated > fresh.last_updated
                    ):
                        polled_states[name] = state
        if alarm_pushed_meanwhile:
            return HomelyData(polled, self.alarm_state, self.alarm_at, self.changed_by)
        return HomelyData(polled, polled.alarm_state, self.alarm_at, self.changed_by)
