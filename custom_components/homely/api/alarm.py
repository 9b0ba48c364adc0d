"""Homely's alarm state names and what each one means."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum


class AlarmMode(Enum):
    """What an alarm state name means, whatever Homely calls it."""

    DISARMED = "disarmed"
    ARMED_AWAY = "armed_away"
    ARMED_NIGHT = "armed_night"
    ARMED_HOME = "armed_home"
    ARMING = "arming"  # an exit delay
    PENDING = "pending"  # an entry delay
    TRIGGERED = "triggered"


# Every state seen live and every name in Homely's documents.
KNOWN_STATES: dict[str, AlarmMode] = {
    "DISARMED": AlarmMode.DISARMED,
    "ARMED_AWAY": AlarmMode.ARMED_AWAY,
    "ARMED_NIGHT": AlarmMode.ARMED_NIGHT,
    "ARMED_STAY": AlarmMode.ARMED_HOME,
    "ARMED_PARTLY": AlarmMode.ARMED_HOME,
    "ARM_PENDING": AlarmMode.ARMING,
    "ARM_STAY_PENDING": AlarmMode.ARMING,
    "ARM_NIGHT_PENDING": AlarmMode.ARMING,
    "ARM_AWAY_PENDING": AlarmMode.ARMING,
    "ALARM_STAY_PENDING": AlarmMode.ARMING,
    "ARMED_NIGHT_PENDING": AlarmMode.ARMING,
    "ARMED_AWAY_PENDING": AlarmMode.ARMING,
    "ARMED_STAY_PENDING": AlarmMode.ARMING,
    "BREACHED": AlarmMode.TRIGGERED,
    "ALARM": AlarmMode.TRIGGERED,
    "BREACH_PENDING": AlarmMode.PENDING,
    "ALARM_PENDING": AlarmMode.PENDING,
}

# Unknown names, by the words they contain; the first rule that matches wins.
PATTERNS: tuple[tuple[Callable[[str], bool], AlarmMode], ...] = (
    (lambda n: "DISARM" in n, AlarmMode.DISARMED),
    (
        lambda n: "PENDING" in n and any(w in n for w in ("BREACH", "ALARM", "ENTRY")),
        AlarmMode.PENDING,
    ),
    (
        lambda n: any(w in n for w in ("BREACH", "TRIGGER")) or n.startswith("ALARM"),
        AlarmMode.TRIGGERED,
    ),
    (lambda n: "PENDING" in n, AlarmMode.ARMING),
    (lambda n: "NIGHT" in n, AlarmMode.ARMED_NIGHT),
    (lambda n: "AWAY" in n, AlarmMode.ARMED_AWAY),
    (lambda n: any(w in n for w in ("STAY", "PART", "HOME")), AlarmMode.ARMED_HOME),
)


def alarm_mode(state: str | None) -> AlarmMode | None:
    """Known names first, then by pattern; None when nothing matches."""
    if not state:
        return None
    name = state.strip().upper()
    if name in KNOWN_STATES:
        return KNOWN_STATES[name]
    return next((mode for matches, mode in PATTERNS if matches(name)), None)


def is_pending_alarm_state(state: str | None) -> bool:
    """An exit or entry delay (ARM_NIGHT_PENDING, ARMED_AWAY_PENDING, BREACH_PENDING, ...)."""
    return isinstance(state, str) and "PENDING" in state.upper()
