"""What the coordinator holds for one home, and how polls and events change it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .api import AlarmEvent, DeviceEvent, Home, is_pending_alarm_state

# Homely stamps a pending alarm state when it sends it, and sometimes sends an exit delay's
# pending state after the final state it led to: live, ARM_NIGHT_PENDING stamped 23.656Z arrived
# after ARMED_NIGHT stamped 23.605Z. A pending state this close to a final state that a user set
# belongs to that same arming and is stale, whichever stamp is newer. A new arming or an entry
# delay comes well after the final state (an exit delay alone lasts tens of seconds), so it
# still applies.
SAME_ARMING_WINDOW = timedelta(seconds=5)


@dataclass(slots=True)
class HomelyData:
    """The home as last seen, with the alarm's latest event on top of it."""

    home: Home
    alarm_state: str | None = None
    alarm_at: datetime | None = None  # timestamp of the alarm event that set alarm_state
    changed_by: str | None = None
    # alarm_state is a final state that an event named its user for (arming or disarming)
    alarm_by_user: bool = False
    alarm_received: float | None = None  # monotonic arrival of that event

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

    def apply_alarm_event(self, event: AlarmEvent, *, received: float) -> bool:
        """The newest timestamp wins, not the last arrival (events can come out of order).

        Except around the end of an arming: a final state that names its user wins over a
        pending state within SAME_ARMING_WINDOW of it, whichever is stamped later.
        """
        if event.pending and self.alarm_by_user and self._same_arming(event, received):
            return False  # the late pending state of an arming that has already finished
        ends_arming = (
            event.by_user
            and not event.pending
            and is_pending_alarm_state(self.alarm_state)
            and self._same_arming(event, received)
        )
        if (
            not ends_arming
            and event.timestamp
            and self.alarm_at
            and event.timestamp < self.alarm_at
        ):
            return False
        self.alarm_state = event.state
        self.alarm_at = event.timestamp or self.alarm_at
        self.alarm_by_user = event.by_user and not event.pending
        self.alarm_received = received
        if event.user_name:
            self.changed_by = event.user_name
        return True

    def _same_arming(self, event: AlarmEvent, received: float) -> bool:
        """Whether `event` is close to the current alarm state: by stamps, else by arrival."""
        if event.timestamp is not None and self.alarm_at is not None:
            return abs(event.timestamp - self.alarm_at) <= SAME_ARMING_WINDOW
        return (
            self.alarm_received is not None
            and received - self.alarm_received <= SAME_ARMING_WINDOW.total_seconds()
        )

    def merge_poll(
        self, polled: Home, *, alarm_pushed_meanwhile: bool, push_connected: bool
    ) -> HomelyData:
        """A new poll, keeping states and alarm that events brought while it was running.

        While the socket is connected a polled pending state does not replace a final state
        that a user set: the socket brings a new arming's states itself (its final state
        included), while a poll can be a moment behind the event (or answer with the late
        pending state). Without the socket the poll is the source and always applies.
        """
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
        pending_behind_event = push_connected and polled.alarm_pending and self.alarm_by_user
        if alarm_pushed_meanwhile or pending_behind_event:
            return replace(self, home=polled)
        unchanged = polled.alarm_state == self.alarm_state
        return replace(
            self,
            home=polled,
            alarm_state=polled.alarm_state,
            alarm_by_user=self.alarm_by_user and unchanged,
            alarm_received=self.alarm_received if unchanged else None,
        )
