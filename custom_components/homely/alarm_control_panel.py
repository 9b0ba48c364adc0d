"""The home's alarm, read-only: the SDK reports the alarm state but cannot arm or disarm."""

from __future__ import annotations

from collections.abc import Callable
import logging

from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntity,
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import HomelyConfigEntry, HomelyCoordinator
from .entity import home_info

_LOGGER = logging.getLogger(__name__)

PARALLEL_UPDATES = 0

# Every state seen live and every name in Homely's documents.
KNOWN_STATES: dict[str, AlarmControlPanelState] = {
    "DISARMED": AlarmControlPanelState.DISARMED,
    "ARMED_AWAY": AlarmControlPanelState.ARMED_AWAY,
    "ARMED_NIGHT": AlarmControlPanelState.ARMED_NIGHT,
    "ARMED_STAY": AlarmControlPanelState.ARMED_HOME,
    "ARMED_PARTLY": AlarmControlPanelState.ARMED_HOME,
    "ARM_PENDING": AlarmControlPanelState.ARMING,
    "ARM_STAY_PENDING": AlarmControlPanelState.ARMING,
    "ARM_NIGHT_PENDING": AlarmControlPanelState.ARMING,
    "ARM_AWAY_PENDING": AlarmControlPanelState.ARMING,
    "ALARM_STAY_PENDING": AlarmControlPanelState.ARMING,
    "ARMED_NIGHT_PENDING": AlarmControlPanelState.ARMING,
    "ARMED_AWAY_PENDING": AlarmControlPanelState.ARMING,
    "ARMED_STAY_PENDING": AlarmControlPanelState.ARMING,
    "BREACHED": AlarmControlPanelState.TRIGGERED,
    "ALARM": AlarmControlPanelState.TRIGGERED,
    "BREACH_PENDING": AlarmControlPanelState.PENDING,
    "ALARM_PENDING": AlarmControlPanelState.PENDING,
}


# Unknown names, by the words they contain; the first rule that matches wins.
PATTERNS: tuple[tuple[Callable[[str], bool], AlarmControlPanelState], ...] = (
    (lambda n: "DISARM" in n, AlarmControlPanelState.DISARMED),
    (
        lambda n: "PENDING" in n and any(w in n for w in ("BREACH", "ALARM", "ENTRY")),
        AlarmControlPanelState.PENDING,
    ),
    (
        lambda n: any(w in n for w in ("BREACH", "TRIGGER")) or n.startswith("ALARM"),
        AlarmControlPanelState.TRIGGERED,
    ),
    (lambda n: "PENDING" in n, AlarmControlPanelState.ARMING),
    (lambda n: "NIGHT" in n, AlarmControlPanelState.ARMED_NIGHT),
    (lambda n: "AWAY" in n, AlarmControlPanelState.ARMED_AWAY),
    (lambda n: any(w in n for w in ("STAY", "PART", "HOME")), AlarmControlPanelState.ARMED_HOME),
)


def map_alarm_state(state: str | None) -> AlarmControlPanelState | None:
    """Known names first, then by pattern; None when nothing matches."""
    if not state:
        return None
    name = state.strip().upper()
    if name in KNOWN_STATES:
        return KNOWN_STATES[name]
    return next((mapped for matches, mapped in PATTERNS if matches(name)), None)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HomelyConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    async_add_entities([HomelyAlarm(entry.runtime_data.coordinator)])


class HomelyAlarm(CoordinatorEntity[HomelyCoordinator], AlarmControlPanelEntity):
    """The alarm of the home; arming happens in the Homely app or on the keypad."""

    _attr_has_entity_name = True
    _attr_name = None
    _attr_translation_key = "alarm"
    _attr_supported_features = AlarmControlPanelEntityFeature(0)
    _attr_code_arm_required = False

    def __init__(self, coordinator: HomelyCoordinator) -> None:
        super().__init__(coordinator, context=coordinator.location_id)  # alarm events update it
        home = coordinator.data.home
        self._attr_unique_id = home.location_id
        self._attr_device_info = home_info(home)
        self._unknown_logged: set[str] = set()

    @property
    def available(self) -> bool:
        return self.coordinator.has_fresh_data

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
