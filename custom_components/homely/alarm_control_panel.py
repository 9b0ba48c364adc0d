"""The home's alarm, read-only: the SDK reports the alarm state but cannot arm or disarm."""

from __future__ import annotations

import logging

from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntity,
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import AlarmMode, alarm_mode
from .coordinator import HomelyConfigEntry, HomelyCoordinator
from .entity import HomelyHomeEntity

_LOGGER = logging.getLogger(__name__)

PARALLEL_UPDATES = 0

PANEL_STATES: dict[AlarmMode, AlarmControlPanelState] = {
    AlarmMode.DISARMED: AlarmControlPanelState.DISARMED,
    AlarmMode.ARMED_AWAY: AlarmControlPanelState.ARMED_AWAY,
    AlarmMode.ARMED_NIGHT: AlarmControlPanelState.ARMED_NIGHT,
    AlarmMode.ARMED_HOME: AlarmControlPanelState.ARMED_HOME,
    AlarmMode.ARMING: AlarmControlPanelState.ARMING,
    AlarmMode.PENDING: AlarmControlPanelState.PENDING,
    AlarmMode.TRIGGERED: AlarmControlPanelState.TRIGGERED,
}


def map_alarm_state(state: str | None) -> AlarmControlPanelState | None:
    """Homely's state name as a panel state; None when its meaning is unknown."""
    mode = alarm_mode(state)
    return None if mode is None else PANEL_STATES[mode]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomelyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([HomelyAlarm(entry.runtime_data.coordinator)])


class HomelyAlarm(HomelyHomeEntity, AlarmControlPanelEntity):
    """The alarm of the home; arming happens in the Homely app or on the keypad."""

    _attr_name = None
    _attr_translation_key = "alarm"
    _attr_supported_features = AlarmControlPanelEntityFeature(0)
    _attr_code_arm_required = False

    def __init__(self, coordinator: HomelyCoordinator) -> None:
        super().__init__(coordinator)
        self._attr_unique_id = coordinator.location_id
        self._unknown_logged: set[str] = set()

    @property
    def alarm_state(self) -> AlarmControlPanelState | None:
        raw = self.coordinator.data.alarm_state
        mapped = map_alarm_state(raw)
        if mapped is None and raw and raw not in self._unknown_logged:
            self._unknown_logged.add(raw)
            _LOGGER.warning("Unknown Homely alarm state %s; please report it", raw)
        return mapped

    @property
    def changed_by(self) -> str | None:
        return self.coordinator.data.changed_by
