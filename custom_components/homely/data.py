"""What the coordinator holds for one home, and how polls and events change it.

The one place that applies events, merges polls with what events brought meanwhile, and decides
whether the data is fresh enough to show. Pure: the caller passes the clock's readings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import math

from .api import AlarmEvent, DeviceEvent, Event, Home, is_pending_alarm_state
from .const import STALE_AFTER

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
    alarm_pushed_at: float | None = None  # monotonic arrival of the last alarm event applied
    polled_at: float = -math.inf  # monotonic start of the last poll that succeeded

    def apply_event(self, event: Event, *, received: float) -> set[str]:
        """Apply an event of this home in place; returns the keys whose data it changed (the
        device's id, or the home's id for the alarm). Events of other homes change nothing."""
        home_id = self.home.location_id
        if isinstance(event, AlarmEvent):
            if event.home_id == home_id and self.apply_alarm_event(event, received=received):
                return {home_id}
            return set()
        # Matched on the home (rootLocationId); the event's locationId is the device's room.
        if event.home_id not in (None, home_id) or not self.apply_device_event(event):
            return set()
        return {event.device_id}

    def is_new_device(self, event: Event) -> bool:
        """An event of this home from a device that the last poll did not list."""
        return (
            isinstance(event, DeviceEvent)
            and event.home_id in (None, self.home.location_id)
            and event.device_id not in self.home.devices
        )

    def fresh_for(self, *, now: float, last_poll_ok: bool, push_connected: bool) -> float:
        """How many more seconds the data may be shown; negative once it is stale.

        Forever after a good poll. After a failed one the socket keeps the data current (a 429
        on a watchdog poll must not blank the home), but only until STALE_AFTER has passed since
        the last good poll: features that the socket does not stream come with polls alone.
        """
        if last_poll_ok:
            return math.inf
        if not push_connected:
            return -math.inf
        return self.polled_at + STALE_AFTER.total_seconds() - now

    def is_fresh(self, *, now: float, last_poll_ok: bool, push_connected: bool) -> bool:
        """Whether the data may be shown now."""
        return (
            self.fresh_for(now=now, last_poll_ok=last_poll_ok, push_connected=push_connected) >= 0
        )

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
        self.alarm_received = self.alarm_pushed_at = received
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

    def merge_poll(self, polled: Home, *, started: float, push_connected: bool) -> HomelyData:
        """A new poll that began at `started`, keeping states and alarm that events brought
        while it was running.

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
        alarm_pushed_meanwhile = self.alarm_pushed_at is not None and self.alarm_pushed_at > started
        pending_behind_event = push_connected and polled.alarm_pending and self.alarm_by_user
        if alarm_pushed_meanwhile or pending_behind_event:
            return replace(self, home=polled, polled_at=started)
        unchanged = polled.alarm_state == self.alarm_state
        return replace(
            self,
            home=polled,
            polled_at=started,
            alarm_state=polled.alarm_state,
            alarm_by_user=self.alarm_by_user and unchanged,
            alarm_received=self.alarm_received if unchanged else None,
        )
