"""Fill the long-term statistics of temperature and humidity from the cloud's telemetry history,
so graphs have no holes for the hours Home Assistant was not running."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
import logging

from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.const import PERCENTAGE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from .api import HarviaError, Telemetry
from .const import DOMAIN, STATISTICS_LOOKBACK
from .coordinator import HarviaCoordinator
from .data import CabinData
from .longterm import async_first_missing_hours, hourly, mean_metadata

_LOGGER = logging.getLogger(__name__)

# sensor key -> (value of a sample, unit, unit class)
SERIES: dict[str, tuple[Callable[[Telemetry], float | None], str, str | None]] = {
    "temperature": (
        lambda t: t.temperature,
        UnitOfTemperature.CELSIUS,
        TemperatureConverter.UNIT_CLASS,
    ),
    "humidity": (lambda t: t.humidity, PERCENTAGE, None),
}


def points(
    samples: list[Telemetry], value: Callable[[Telemetry], float | None]
) -> list[tuple[datetime, float]]:
    """The samples that carry a time and this value."""
    return [
        (sample.timestamp, number)
        for sample in samples
        if sample.timestamp is not None and (number := value(sample)) is not None
    ]


async def async_import_history(hass: HomeAssistant, coordinator: HarviaCoordinator) -> None:
    """Import complete hours after the last stored hour, up to STATISTICS_LOOKBACK back."""
    end = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    for cabin in list(coordinator.data.cabins.values()):
        if not cabin.is_sensor:
            await _import_cabin(hass, coordinator, cabin, end)


async def _import_cabin(
    hass: HomeAssistant, coordinator: HarviaCoordinator, cabin: CabinData, end: datetime
) -> None:
    registry = er.async_get(hass)
    entity_ids = {
        key: entity_id
        for key in SERIES
        if (
            entity_id := registry.async_get_entity_id(
                "sensor", DOMAIN, f"{cabin.device.device_id}_{cabin.cabin_id}_{key}"
            )
        )
    }
    if not entity_ids:
        return
    firsts = await async_first_missing_hours(hass, entity_ids.values(), end - STATISTICS_LOOKBACK)
    targets = {key: (entity_id, firsts[entity_id]) for key, entity_id in entity_ids.items()}
    start = min(first for _, first in targets.values())
    if start >= end:
        return
    try:
        samples = await coordinator.client.async_get_history(
            cabin.device.device_id, cabin.api_cabin, start, end
        )
    except HarviaError as err:
        _LOGGER.debug(
            "No telemetry history for %s %s: %s", cabin.device.device_id, cabin.cabin_id, err
        )
        return
    for key, (entity_id, first) in targets.items():
        value, unit, unit_class = SERIES[key]
        rows = [row for row in hourly(points(samples, value)) if first <= row["start"] < end]
        if not rows:
            continue
        async_import_statistics(hass, mean_metadata(entity_id, unit, unit_class), rows)
        _LOGGER.debug("Imported %s hours of %s from the Harvia cloud", len(rows), entity_id)
