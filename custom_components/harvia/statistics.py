"""Fill the long-term statistics of temperature and humidity from the cloud's telemetry history,
so graphs have no holes for the hours Home Assistant was not running."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
import logging

from homeassistant.components.recorder import get_instance
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_last_statistics,
)
from homeassistant.const import PERCENTAGE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_conversion import TemperatureConverter

from .api import HarviaError, Telemetry
from .const import DOMAIN, STATISTICS_LOOKBACK
from .coordinator import HarviaCoordinator
from .data import CabinData

_LOGGER = logging.getLogger(__name__)
HOUR = timedelta(hours=1)

# sensor key -> (value of a sample, unit, unit class)
SERIES: dict[str, tuple[Callable[[Telemetry], float | None], str, str | None]] = {
    "temperature": (
        lambda t: t.temperature,
        UnitOfTemperature.CELSIUS,
        TemperatureConverter.UNIT_CLASS,
    ),
    "humidity": (lambda t: t.humidity, PERCENTAGE, None),
}


def hourly(
    samples: list[Telemetry], value: Callable[[Telemetry], float | None]
) -> list[StatisticData]:
    """Mean, min and max per clock hour."""
    buckets: dict[datetime, list[float]] = defaultdict(list)
    for sample in samples:
        number = value(sample)
        if sample.timestamp is not None and number is not None:
            buckets[sample.timestamp.replace(minute=0, second=0, microsecond=0)].append(number)
    return [
        StatisticData(start=start, mean=sum(values) / len(values), min=min(values), max=max(values))
        for start, values in sorted(buckets.items())
    ]


async def _first_missing_hour(
    hass: HomeAssistant, statistic_id: str, earliest: datetime
) -> datetime:
    last = await get_instance(hass).async_add_executor_job(
        get_last_statistics, hass, 1, statistic_id, False, {"mean"}
    )
    rows = last.get(statistic_id)
    if not rows:
        return earliest
    return max(earliest, dt_util.utc_from_timestamp(rows[0]["start"]) + HOUR)


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
    targets: dict[str, tuple[str, datetime]] = {}
    for key in SERIES:
        unique_id = f"{cabin.device.device_id}_{cabin.cabin_id}_{key}"
        if entity_id := registry.async_get_entity_id("sensor", DOMAIN, unique_id):
            targets[key] = (
                entity_id,
                await _first_missing_hour(hass, entity_id, end - STATISTICS_LOOKBACK),
            )
    if not targets:
        return
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
        rows = [row for row in hourly(samples, value) if first <= row["start"] < end]
        if not rows:
            continue
        metadata = StatisticMetaData(
            mean_type=StatisticMeanType.ARITHMETIC,
            has_sum=False,
            name=None,
            source="recorder",
            statistic_id=entity_id,
            unit_class=unit_class,
            unit_of_measurement=unit,
        )
        async_import_statistics(hass, metadata, rows)
        _LOGGER.debug("Imported %s hours of %s from the Harvia cloud", len(rows), entity_id)
